import type { SigmaRecord, SigmaValue } from './sigma-record.js';

/**
 * Integer values of which one must be held by one of some record fields for a rule to match
 * (`EventID: 4728`, `LogonType: [3, 10]`). Rules whose only literal values are numbers have no needles;
 * these keys let a caller skip them, or index them by value, before testing anything.
 */
export interface SigmaFieldKeys {
  /** Record field names (after mapping); a value on any of them counts. */
  readonly names: readonly string[];
  readonly values: ReadonlySet<number>;
}

const namesKey = (names: readonly string[]): string => [...names].map((n) => n.toLowerCase()).sort().join('\n');

/** An item `field: <integers>` (no modifiers): its keys (none when any value is not an integer). */
export function keysOfValues(names: readonly string[], values: readonly SigmaValue[]): SigmaFieldKeys[] {
  if (values.length === 0 || !values.every((v) => typeof v === 'number' && Number.isSafeInteger(v))) return [];
  return [{ names, values: new Set(values as readonly number[]) }];
}

/**
 * An AND is bound by the keys of every part; of two keys on the same fields the one with fewer values is
 * kept (not their intersection: a field may hold several values, one for each part).
 */
export function keysOfAll(parts: readonly (readonly SigmaFieldKeys[])[]): SigmaFieldKeys[] {
  const out = new Map<string, SigmaFieldKeys>();
  for (const part of parts) {
    for (const keys of part) {
      const key = namesKey(keys.names);
      const earlier = out.get(key);
      if (earlier === undefined || keys.values.size < earlier.values.size) out.set(key, keys);
    }
  }
  return [...out.values()];
}

/** An OR is bound on the fields every branch is bound on, by the union of their values. */
export function keysOfAny(parts: readonly (readonly SigmaFieldKeys[])[]): SigmaFieldKeys[] {
  const [first, ...rest] = parts;
  if (first === undefined) return [];
  if (rest.length === 0) return [...first];
  const out: SigmaFieldKeys[] = [];
  for (const keys of first) {
    const key = namesKey(keys.names);
    const values = new Set(keys.values);
    let everywhere = true;
    for (const part of rest) {
      const same = part.find((k) => namesKey(k.names) === key);
      if (same === undefined) {
        everywhere = false;
        break;
      }
      for (const v of same.values) values.add(v);
    }
    if (everywhere) out.push({ names: keys.names, values });
  }
  return out;
}

function integerOf(value: SigmaValue): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** False when the record cannot match a rule bound by these keys (none of its fields holds one of the values). */
export function recordHasKey(keys: SigmaFieldKeys, record: SigmaRecord): boolean {
  for (const name of keys.names) {
    const v = record.field(name);
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      for (const item of v as readonly SigmaValue[]) {
        const n = integerOf(item);
        if (n !== undefined && keys.values.has(n)) return true;
      }
    } else {
      const n = integerOf(v as SigmaValue);
      if (n !== undefined && keys.values.has(n)) return true;
    }
  }
  return false;
}
