import { percentDecode } from './percent-decode.js';
import type { FieldLayout } from './field-layout.js';
import type { WebLogFormat, WebRecord } from './web-record.js';

/** Fields whose logged value is percent-encoded by the client. */
const URI_FIELDS = new Set(['cs-uri-stem', 'cs-uri-query', 'cs-uri']);
/** Fields where IIS writes a space as `+`. */
const PLUS_SPACE_FIELDS = /^cs\(|^cs-username$/;

/** A record backed by one array of values aligned with a layout; decoded values are computed on demand. */
export class FieldRecord implements WebRecord {
  /** Decoded values by column, `null` until asked for: an array, as a Map per request costs more than the decoding. */
  #decoded: (string | undefined | null)[] | undefined;

  constructor(
    readonly format: WebLogFormat,
    readonly file: string,
    readonly line: number,
    readonly raw: string,
    readonly time: number | undefined,
    private readonly layout: FieldLayout,
    private readonly values: readonly string[],
  ) {}

  get(field: string): string | undefined {
    const i = this.layout.index.get(field);
    if (i === undefined) return undefined;
    const value = this.values[i];
    return value === undefined || value === '-' || value === '' ? undefined : value;
  }

  decoded(field: string): string | undefined {
    const i = this.layout.index.get(field);
    if (i === undefined) return undefined;
    const cache = (this.#decoded ??= new Array<string | undefined | null>(this.values.length).fill(null));
    const cached = cache[i];
    if (cached !== null) return cached;
    const value = this.get(field);
    let result = value;
    if (value !== undefined) {
      if (URI_FIELDS.has(field)) result = percentDecode(value, field === 'cs-uri-query');
      else if (PLUS_SPACE_FIELDS.test(field)) result = value.replaceAll('+', ' ');
    }
    cache[i] = result;
    return result;
  }

  fields(): readonly string[] {
    return this.layout.names;
  }
}
