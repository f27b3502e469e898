import type { SigmaRecord, SigmaValue } from '../../engines/sigma/sigma-record.js';
import { percentDecode } from '../../formats/web-log/percent-decode.js';
import type { WebRecord } from '../../formats/web-log/web-record.js';

/** Fields IIS logs as numbers; Sigma rules compare them as numbers (`sc-status: 500`, `time-taken|gte: 5000`). */
const NUMERIC_FIELDS = new Set(['sc-status', 'sc-substatus', 'sc-win32-status', 'time-taken', 's-port', 'c-port', 'sc-bytes', 'cs-bytes']);
const DECODED = '.decoded';
/** Stands for "no such field" in a view's cache (undefined is what `Map.get` says of a name not asked yet). */
const ABSENT = Symbol('absent');

/**
 * A web-log record as Sigma rules read it, through the names of `content/mappings/webserver-iis.yml`:
 * `X` is the logged value, `X.decoded` the decoded one, `uri` the stem and query joined with `?`.
 * Keyword searches see the whole line, raw and decoded. Every rule given a line reads it through one
 * view, so each field is looked up (and the URI joined) once per line, not once per rule.
 */
export function webSigmaRecord(record: WebRecord): SigmaRecord {
  let keywords: readonly string[] | undefined;
  const seen = new Map<string, SigmaValue | typeof ABSENT>();
  return {
    field(name: string): SigmaValue | undefined {
      const cached = seen.get(name);
      if (cached !== undefined) return cached === ABSENT ? undefined : cached;
      const value = fieldOf(record, name);
      seen.set(name, value === undefined ? ABSENT : value);
      return value;
    },
    keywordTexts(): readonly string[] {
      keywords ??= [record.raw, percentDecode(record.raw, true)];
      return keywords;
    },
  };
}

function fieldOf(record: WebRecord, name: string): SigmaValue | undefined {
  const decoded = name.endsWith(DECODED);
  const base = decoded ? name.slice(0, -DECODED.length) : name;
  if (base === 'uri') {
    const stem = decoded ? record.decoded('cs-uri-stem') : record.get('cs-uri-stem');
    const query = decoded ? record.decoded('cs-uri-query') : record.get('cs-uri-query');
    if (stem === undefined && query === undefined) return undefined;
    return query === undefined ? (stem ?? '') : `${stem ?? ''}?${query}`;
  }
  const value = decoded ? record.decoded(base) : record.get(base);
  if (value === undefined) return undefined;
  if (NUMERIC_FIELDS.has(base) && /^\d{1,15}$/.test(value)) return Number(value);
  return value;
}
