import type { SigmaRecord, SigmaValue } from '../../engines/sigma/sigma-record.js';
import type { EvtxAttribute, EvtxElement, EvtxNode, EvtxSubstitution } from '../../formats/evtx/evtx-node.js';
import type { EvtxRecord } from '../../formats/evtx/parse-evtx-chunk.js';
import { NULL_VALUE, valueJson, type EvtxFiletime, type EvtxJson, type EvtxValue } from '../../formats/evtx/evtx-value.js';
import { attributeValue, isEmpty, referenceText } from '../../formats/evtx/walk-evtx.js';

/** A field's value, or its values when it has more than one (a list of one for every field was a fifth of a record's garbage). */
export type EventFieldValue = SigmaValue | readonly SigmaValue[];

/** One event's fields as Sigma reads them, with the few System values the analyzer needs at hand. */
export interface EventRecordFields extends SigmaRecord {
  readonly channel: string;
  readonly eventId: number | undefined;
  readonly computer: string;
  /** TimeCreated (ms since epoch, UTC), or the record's written time when absent. */
  readonly time: number;
  /** A field by its lower-case name (fields are named in lower case). */
  fieldByKey(key: string): EventFieldValue | undefined;
  /** The first value of a field (name matched without regard to case), as text; undefined when absent or empty. */
  text(name: string): string | undefined;
  /** Every field, lower-case name → its value, or its values when it has several. */
  readonly fields: ReadonlyMap<string, EventFieldValue>;
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

const TIME_CREATED = 'timecreated_systemtime';
const DATA_KEY = 'data';

/** A Data element's field key from its Name: Windows backends drop spaces (`Process Name` is `ProcessName` in rules). */
const dataKey = (name: string): string => lower(name.includes(' ') ? name.replaceAll(' ', '') : name);

/**
 * What an element of a template gives every record alike, worked out on its first record and kept in the
 * element's memo: a chunk's records share its templates, so names are lower-cased and attribute keys joined
 * once per template element, not once per record.
 */
class ElementPlan {
  constructor(
    /** The field key (lower case), or undefined for a Data element whose Name attribute is filled per record. */
    readonly key: string | undefined,
    /** True when the key is a Data element's Name: its attributes are not fields of their own. */
    readonly named: boolean,
    /** A Data element's Name attribute, when the key is worked out per record. */
    readonly nameAttribute: EvtxAttribute | undefined,
    /** `Element_Attribute` in lower case, per attribute. */
    readonly attributeKeys: readonly string[],
    /** The substitutions among its children (an optional one may leave the element out, an array repeats it). */
    readonly substitutions: readonly EvtxSubstitution[],
  ) {}
}

function planOf(node: EvtxElement): ElementPlan {
  if (node.memo instanceof ElementPlan) return node.memo;
  const substitutions = node.children.filter((c): c is EvtxSubstitution => c.kind === 'substitution');
  const attributeKeys = node.attributes.map((a) => attributeKey(node.name, a.name));
  let key: string | undefined = lower(node.name);
  let named = false;
  let nameAttribute: EvtxAttribute | undefined;
  const name = node.name === 'Data' ? node.attributes.find((a) => a.name === 'Name') : undefined;
  if (name !== undefined) {
    const only = name.value.length === 1 ? name.value[0] : undefined;
    if (only?.kind === 'value') {
      named = only.value.kind === 'string';
      if (only.value.kind === 'string') key = dataKey(only.value.text);
    } else {
      key = undefined;
      nameAttribute = name;
    }
  }
  const plan = new ElementPlan(key, named, nameAttribute, attributeKeys, substitutions);
  node.memo = plan;
  return plan;
}
const MAX_DEPTH = 64;
/**
 * The open elements' keys and fills, shared by every record (a walk is synchronous and emptied when it ends):
 * two arrays a record cost ~300 bytes of garbage, an array's first push making room for 17 items.
 */
const openKeys: string[] = [];
const openFilled: boolean[] = [];
/** Collects fields the way Hayabusa and Chainsaw name them: element names, `Element_Attribute`, Data by Name. */
class FieldCollector {
  readonly fields = new Map<string, SigmaValue | SigmaValue[]>();
  /** Open elements: each one's field key (lower case), and whether it got a value, an attribute or a child. */
  private readonly keys = openKeys;
  private readonly filled = openFilled;
  /** The first TimeCreated SystemTime, when it is a FILETIME (the time without parsing text). */
  timeValue: EvtxFiletime | undefined;
  /** The text that FILETIME was added as. */
  timeText: SigmaValue | undefined;

  /** Adds one value's Sigma values under a lower-case key (as the `evtx` crate's JSON holds them). */
  private addValue(key: string, value: EvtxValue): void {
    // Element text is trimmed, as the evtx crate (and so Hayabusa and Chainsaw) reads it.
    const json = value.kind === 'string' ? value.text.trim() : valueJson(value);
    if (json === null || typeof json === 'string' || typeof json === 'number' || typeof json === 'boolean') this.add(key, json);
    else {
      const values: SigmaValue[] = [];
      pushJson(values, json);
      for (const v of values) this.add(key, v);
    }
  }

  /** Adds one value under a lower-case key: the first as it is, a second one makes a list. */
  private add(key: string, value: SigmaValue): void {
    const prior = this.fields.get(key);
    if (prior === undefined) this.fields.set(key, value);
    else if (Array.isArray(prior)) prior.push(value);
    else this.fields.set(key, [prior, value]);
  }

  /** Every value as text, for keyword searches and needles; built only when asked. */
  texts(): string[] {
    const out: string[] = [];
    for (const value of this.fields.values()) {
      if (!Array.isArray(value)) {
        if (value !== null) out.push(String(value));
      } else for (const v of value) if (v !== null) out.push(String(v));
    }
    return out;
  }

  private text(value: EvtxValue): void {
    const top = this.keys.length - 1;
    if (top < 0) return;
    this.filled[top] = true;
    this.addValue(this.keys[top] as string, value);
  }

  /** One element: `attributeValues` fill its attributes, `values` its content (they differ for an array's items). */
  private element(node: EvtxElement, plan: ElementPlan, attributeValues: readonly EvtxValue[] | undefined, values: readonly EvtxValue[] | undefined, depth: number): void {
    const top = this.keys.length - 1;
    if (top >= 0) this.filled[top] = true;
    let key = plan.key;
    let named = plan.named;
    let filled = false;
    if (key === undefined) {
      // A Data element whose Name is filled per record.
      const dataName = attributeValue((plan.nameAttribute as EvtxAttribute).value, attributeValues);
      named = dataName.kind === 'string';
      key = dataName.kind === 'string' ? dataKey(dataName.text) : DATA_KEY;
    }
    if (!named) {
      const attributes = node.attributes;
      for (let i = 0; i < attributes.length; i += 1) {
        const value = attributeValue((attributes[i] as EvtxAttribute).value, attributeValues);
        if (value.kind === 'null') continue;
        const attrKey = plan.attributeKeys[i] as string;
        this.addValue(attrKey, value);
        if (attrKey === TIME_CREATED && value.kind === 'filetime' && this.timeValue === undefined) {
          this.timeValue = value;
          const times = this.fields.get(TIME_CREATED);
          this.timeText = Array.isArray(times) ? times.at(-1) : times;
        }
        filled = true;
      }
    }
    this.keys.push(key);
    this.filled.push(filled);
    this.walk(node.children, values, depth + 1);
    this.keys.pop();
    if (this.filled.pop() !== true) {
      this.add(key, null);
    }
  }

  /**
   * Walks a record's XML with every template expanded and substitution filled, as `walkEvtx` does, adding
   * fields on the way: no attribute list or visitor call per element.
   */
  walk(nodes: readonly EvtxNode[], values: readonly EvtxValue[] | undefined, depth: number): void {
    if (depth > MAX_DEPTH) return;
    for (const node of nodes) {
      switch (node.kind) {
        case 'element': {
          const plan = planOf(node);
          let array: readonly EvtxValue[] | undefined;
          let arrayIndex = 0;
          let empty = false;
          for (const child of plan.substitutions) {
            const value = values?.[child.index];
            // An element filled by an optional substitution with no value is left out, as Windows renders it.
            if (child.optional && isEmpty(value)) {
              empty = true;
              break;
            }
            if (array === undefined && value !== undefined && value.kind === 'array') {
              array = value.items;
              arrayIndex = child.index;
            }
          }
          if (empty) break;
          if (array === undefined) {
            this.element(node, plan, values, values, depth);
            break;
          }
          // An array value repeats its element once per item, as Windows renders it.
          for (const item of array) {
            const itemValues = values === undefined ? [] : [...values];
            itemValues[arrayIndex] = item;
            this.element(node, plan, values, itemValues, depth);
          }
          break;
        }
        case 'value':
          this.text(node.value);
          break;
        case 'substitution': {
          const value = values?.[node.index] ?? NULL_VALUE;
          if (value.kind === 'xml') this.walk(value.nodes, undefined, depth + 1);
          else if (value.kind !== 'null') this.text(value);
          break;
        }
        case 'template':
          this.walk(node.template.nodes, node.values, depth + 1);
          break;
        case 'pi':
          break;
        default: {
          const text = referenceText(node);
          if (text !== undefined) this.text({ kind: 'string', type: 1, text });
        }
      }
    }
  }
}

/** Appends a JSON value as Sigma values: scalars as they are, arrays flattened, objects left out. */
function pushJson(out: SigmaValue[], json: EvtxJson): void {
  if (json === null || typeof json === 'string' || typeof json === 'number' || typeof json === 'boolean') out.push(json);
  else if (typeof json === 'bigint') out.push(json.toString());
  else if (Array.isArray(json)) for (const item of json) pushJson(out, item);
}

/** A FILETIME as milliseconds since the Unix epoch (what parsing its text gives: the text has microseconds). */
const filetimeMs = (time: EvtxFiletime): number => time.seconds * 1000 + Math.floor(time.fraction / 10_000);

/** Reads a record's fields once; every Sigma rule that tests the record shares them. */
export function eventRecordFields(record: EvtxRecord): EventRecordFields {
  openKeys.length = 0;
  openFilled.length = 0;
  const collector = new FieldCollector();
  collector.walk(record.nodes, undefined, 0);
  const fields = collector.fields;
  let texts: string[] | undefined;
  const first = (name: string): SigmaValue | undefined => {
    const value = fields.get(name);
    return Array.isArray(value) ? (value as readonly SigmaValue[])[0] : (value as SigmaValue | undefined);
  };
  const text = (name: string): string | undefined => {
    const v = first(lower(name));
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const eventId = first('eventid');
  let time: number;
  if (collector.timeValue !== undefined && collector.timeText !== undefined && first(TIME_CREATED) === collector.timeText) {
    // What parsing the FILETIME's text gives (the text has microseconds; milliseconds are kept), without the text.
    time = filetimeMs(collector.timeValue);
  } else {
    const created = text('TimeCreated_SystemTime');
    const parsed = created === undefined ? Number.NaN : Date.parse(created);
    time = Number.isNaN(parsed) ? filetimeMs(record.written) : parsed;
  }
  return {
    fields,
    channel: text('Channel') ?? '',
    eventId: typeof eventId === 'number' ? eventId : eventId === undefined || eventId === null ? undefined : Number(eventId),
    computer: text('Computer') ?? '',
    time,
    text,
    field: (name) => fields.get(lower(name)),
    fieldByKey: (key) => fields.get(key),
    keywordTexts: () => (texts ??= collector.texts()),
  };
}

/** The asset id of the computer an event names. */
export function hostAssetId(computer: string): string {
  return computer === '' ? 'unknown-host' : computer.toLowerCase();
}
