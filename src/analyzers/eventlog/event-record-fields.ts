import type { SigmaRecord, SigmaValue } from '../../engines/sigma/sigma-record.js';
import type { EvtxRecord } from '../../formats/evtx/parse-evtx-chunk.js';
import { valueJson, type EvtxJson, type EvtxValue } from '../../formats/evtx/evtx-value.js';
import { walkEvtx, type EvtxResolvedAttribute, type EvtxVisitor } from '../../formats/evtx/walk-evtx.js';

/** One event's fields as Sigma reads them, with the few System values the analyzer needs at hand. */
export interface EventRecordFields extends SigmaRecord {
  readonly channel: string;
  readonly eventId: number | undefined;
  readonly computer: string;
  /** TimeCreated (ms since epoch, UTC), or the record's written time when absent. */
  readonly time: number;
  /** The first value of a field (name matched without regard to case), as text; undefined when absent or empty. */
  text(name: string): string | undefined;
  /** Every field, lower-case name → values, for evidence. */
  readonly fields: ReadonlyMap<string, readonly SigmaValue[]>;
}

function sigmaValues(json: EvtxJson): SigmaValue[] {
  if (json === null || typeof json === 'string' || typeof json === 'number' || typeof json === 'boolean') return [json];
  if (typeof json === 'bigint') return [json.toString()];
  if (Array.isArray(json)) return json.flatMap(sigmaValues);
  return [];
}

function valueOf(value: EvtxValue): SigmaValue[] {
  // Element text is trimmed, as the evtx crate (and so Hayabusa and Chainsaw) reads it.
  if (value.kind === 'string') return [value.text.trim()];
  return sigmaValues(valueJson(value));
}

interface Frame {
  readonly key: string;
  filled: boolean;
}

const lowerNames = new Map<string, string>();

/** Field names repeat across records: lower-case each once (bounded, names are attacker-controlled). */
function lower(name: string): string {
  let low = lowerNames.get(name);
  if (low === undefined) {
    low = name.toLowerCase();
    if (lowerNames.size < 4096) lowerNames.set(name, low);
  }
  return low;
}

const attributeKeys = new Map<string, Map<string, string>>();
let attributeKeyCount = 0;

/**
 * `Element_Attribute`, lower case: element and attribute names come from a chunk's templates, the same
 * strings record after record, so the joined name is made and lower-cased once, not hashed anew for
 * every record (bounded, names are attacker-controlled).
 */
function attributeKey(element: string, attribute: string): string {
  let byAttribute = attributeKeys.get(element);
  let key = byAttribute?.get(attribute);
  if (key !== undefined) return key;
  key = `${element}_${attribute}`.toLowerCase();
  if (attributeKeyCount < 4096) {
    if (byAttribute === undefined) {
      byAttribute = new Map();
      attributeKeys.set(element, byAttribute);
    }
    byAttribute.set(attribute, key);
    attributeKeyCount += 1;
  }
  return key;
}

/** Collects fields the way Hayabusa and Chainsaw name them: element names, `Element_Attribute`, Data by Name. */
class FieldCollector implements EvtxVisitor {
  readonly fields = new Map<string, SigmaValue[]>();
  private readonly stack: Frame[] = [];

  private add(name: string, values: SigmaValue[]): void {
    this.addKey(lower(name), values);
  }

  /** Adds values under a lower-case key. */
  private addKey(key: string, values: SigmaValue[]): void {
    const list = this.fields.get(key);
    if (list === undefined) this.fields.set(key, values);
    else for (const v of values) list.push(v);
  }

  /** Every value as text, for keyword searches and needles; built only when asked. */
  texts(): string[] {
    const out: string[] = [];
    for (const values of this.fields.values()) for (const v of values) if (v !== null) out.push(String(v));
    return out;
  }

  open(name: string, attributes: readonly EvtxResolvedAttribute[]): void {
    const parent = this.stack[this.stack.length - 1];
    if (parent !== undefined) parent.filled = true;
    let key = name;
    let named = false;
    if (name === 'Data') {
      const dataName = attributes.find((a) => a.name === 'Name');
      if (dataName !== undefined && dataName.value.kind === 'string') {
        // Windows backends drop spaces from field names (`Process Name` is `ProcessName` in rules).
        key = dataName.value.text.includes(' ') ? dataName.value.text.replaceAll(' ', '') : dataName.value.text;
        named = true;
      }
    }
    const frame: Frame = { key, filled: false };
    if (!named) {
      for (const attribute of attributes) {
        if (attribute.value.kind === 'null') continue;
        this.addKey(attributeKey(name, attribute.name), valueOf(attribute.value));
        frame.filled = true;
      }
    }
    this.stack.push(frame);
  }

  close(): void {
    const frame = this.stack.pop();
    if (frame !== undefined && !frame.filled) this.add(frame.key, [null]);
  }

  text(value: EvtxValue): void {
    const frame = this.stack[this.stack.length - 1];
    if (frame === undefined) return;
    frame.filled = true;
    this.add(frame.key, valueOf(value));
  }
}

const EPOCH_DIFF_MS = 11_644_473_600_000;

/** Reads a record's fields once; every Sigma rule that tests the record shares them. */
export function eventRecordFields(record: EvtxRecord): EventRecordFields {
  const collector = new FieldCollector();
  walkEvtx(record.nodes, undefined, collector);
  const fields = collector.fields;
  let texts: string[] | undefined;
  const first = (name: string): SigmaValue | undefined => fields.get(name)?.[0];
  const text = (name: string): string | undefined => {
    const v = first(lower(name));
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const eventId = first('eventid');
  const created = text('TimeCreated_SystemTime');
  const parsed = created === undefined ? Number.NaN : Date.parse(created);
  return {
    fields,
    channel: text('Channel') ?? '',
    eventId: typeof eventId === 'number' ? eventId : eventId === undefined || eventId === null ? undefined : Number(eventId),
    computer: text('Computer') ?? '',
    time: Number.isNaN(parsed) ? Number(record.written / 10_000n) - EPOCH_DIFF_MS : parsed,
    text,
    field: (name) => fields.get(lower(name)),
    keywordTexts: () => (texts ??= collector.texts()),
  };
}

/** The asset id of the computer an event names. */
export function hostAssetId(computer: string): string {
  return computer === '' ? 'unknown-host' : computer.toLowerCase();
}
