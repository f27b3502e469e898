import type { EvtxRecord } from './parse-evtx-chunk.js';
import { valueJson, valueText, type EvtxJson, type EvtxValue } from './evtx-value.js';
import { walkEvtx, type EvtxResolvedAttribute, type EvtxVisitor } from './walk-evtx.js';

type JsonObject = { [key: string]: EvtxJson };

function isObject(value: EvtxJson | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds the JSON document of a record the way the Rust `evtx` crate (Hayabusa, Chainsaw, SigmaHQ's
 * regression data) does: attributes under `#attributes`, text as the element's value (or `#text` beside
 * attributes), `<Data Name="X">` as `X`, repeated names as `Name_1`, `Name_2`, …
 */
class RustJsonBuilder implements EvtxVisitor {
  readonly root: JsonObject = {};
  private readonly stack: string[] = [];

  /** Walks the path of open elements, creating objects where missing (`get_or_create_current_path`). */
  private current(): { holder: JsonObject | undefined; key: string | undefined; value: EvtxJson } {
    let holder: JsonObject | undefined;
    let key: string | undefined;
    let value: EvtxJson = this.root;
    for (const name of this.stack) {
      if (isObject(value)) {
        if (!(name in value)) value[name] = {};
        holder = value;
      } else {
        // A null (element without attributes) or a value met by a child element becomes an object.
        const replaced: JsonObject = value === null ? { [name]: {} } : { [name]: value };
        if (holder !== undefined && key !== undefined) holder[key] = replaced;
        holder = replaced;
      }
      key = name;
      value = holder[name] ?? null;
    }
    return { holder, key, value };
  }

  private parent(): JsonObject | undefined {
    this.current();
    let value: EvtxJson = this.root;
    for (let i = 0; i < this.stack.length - 1; i += 1) {
      if (!isObject(value)) return undefined;
      value = value[this.stack[i] ?? ''] ?? null;
    }
    return isObject(value) ? value : undefined;
  }

  private withoutAttributes(name: string): void {
    this.stack.push(name);
    const container = this.parent();
    if (container === undefined) return;
    const old = container[name];
    container[name] = null;
    if (old === undefined || old === null || (isObject(old) && Object.keys(old).length === 0)) return;
    let slot = 1;
    while (container[`${name}_${slot}`] !== undefined) slot += 1;
    container[`${name}_${slot}`] = old;
  }

  open(name: string, attributes: readonly EvtxResolvedAttribute[]): void {
    if (name === 'Data') {
      const key = attributes.find((a) => a.name === 'Name');
      if (key === undefined) {
        this.stack.push('Data');
        return;
      }
      this.withoutAttributes(valueText(key.value));
      return;
    }
    if (attributes.length === 0) {
      this.withoutAttributes(name);
      return;
    }
    this.stack.push(name);
    const map: JsonObject = {};
    for (const attribute of attributes) {
      const value = valueJson(attribute.value);
      if (value !== null) map[attribute.name] = value;
    }
    if (Object.keys(map).length > 0) {
      const { value } = this.current();
      if (isObject(value)) value['#attributes'] = map;
    } else {
      const container = this.parent();
      if (container !== undefined) container[name] = null;
    }
  }

  close(): void {
    this.stack.pop();
  }

  text(value: EvtxValue): void {
    const { holder, key, value: current } = this.current();
    // The crate trims white space around element text (XML text-node semantics).
    const json = value.kind === 'string' ? value.text.trim() : valueJson(value);
    if (current === null) {
      if (holder !== undefined && key !== undefined) holder[key] = json;
    } else if (isObject(current)) {
      const existing = current['#text'];
      // Repeated unnamed `<Data>` elements collect their texts.
      if (existing === undefined) current['#text'] = json;
      else if (Array.isArray(existing)) existing.push(json);
      else current['#text'] = [existing, json];
    } else if (holder !== undefined && key !== undefined) {
      holder[key] = `${typeof current === 'string' ? current : String(current)}${valueText(value)}`;
    }
  }
}

/** The record as the `evtx` crate's JSON (`{"Event": {"#attributes": …, "System": …, "EventData": …}}`). */
export function evtxRecordJson(record: EvtxRecord): { [key: string]: EvtxJson } {
  const builder = new RustJsonBuilder();
  walkEvtx(record.nodes, undefined, builder);
  return builder.root;
}

/** JSON text of a record value; 64-bit integers beyond 2^53 are written exactly. */
export function stringifyEvtxJson(value: EvtxJson, indent?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `__bigint__${v.toString()}` : v), indent).replace(/"__bigint__(-?\d+)"/g, '$1');
}
