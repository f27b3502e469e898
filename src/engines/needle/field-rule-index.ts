import type { Detector } from '../../core/detector.js';
import { LazyNeedleAutomaton } from './lazy-needle-automaton.js';

/** A detector whose needles are tagged with their field: `\0field\0needle`, field '' for any field. */
export interface FieldNeedleDetector<R> extends Detector<R> {
  /** Undefined or empty: no needles known, the detector is tested on every record. */
  readonly fieldNeedles: readonly string[] | undefined;
}

/** A field value as a record holds it. */
type FieldValue = string | number | boolean | null;

const ANY_FIELD = -1;
const NO_HITS: readonly number[] = [];

/**
 * An automaton and, per state (see `LazyNeedleAutomaton.stateOf`), the pairs (detector index, field number
 * or ANY_FIELD) of every needle ending there, flattened: pairs of state s are `pairs[pairStart[s]]` up to
 * `pairStart[s + 1]`.
 */
interface Scanner {
  readonly automaton: LazyNeedleAutomaton;
  readonly pairStart: Int32Array;
  readonly pairs: Int32Array;
}

/** A scanner over needles (index → text), each with its (detector, field) pairs; undefined without needles. */
function scanner(needles: readonly string[], owners: readonly (readonly number[])[], automata: Map<string, LazyNeedleAutomaton> | undefined): Scanner | undefined {
  if (needles.length === 0) return undefined;
  const key = automata === undefined ? '' : JSON.stringify(needles);
  let automaton = automata?.get(key);
  if (automaton === undefined) {
    automaton = LazyNeedleAutomaton.build(needles);
    automata?.set(key, automaton);
  }
  const states = automaton.stateCount;
  const pairStart = new Int32Array(states + 1);
  const pairs: number[] = [];
  for (let state = 0; state < states; state += 1) {
    pairStart[state] = pairs.length;
    for (const needle of automaton.outputsOf(state)) for (const v of owners[needle] as number[]) pairs.push(v);
  }
  pairStart[states] = pairs.length;
  return { automaton, pairStart, pairs: Int32Array.from(pairs) };
}

/**
 * What the index knows of one field name: its number, the scanner for it (every needle, or the keyword
 * needles alone for a field no needle names), and the last single value it held with the detectors that value's text woke (every one,
 * not just those new to its record). Records of one kind come in runs: the schema, provider, channel,
 * computer, user and parent process repeat record after record (about 70 % of the text of Sigma's sample
 * logs equals the same field's value in the record before), and a value equal to the last is not searched
 * again.
 */
interface FieldSlot {
  /** The field's number, or below ANY_FIELD for a field no needle belongs to. */
  readonly id: number;
  readonly scanner: Scanner | undefined;
  /** False past MAX_SLOTS: the slot is not kept, so it remembers nothing. */
  readonly kept: boolean;
  last: FieldValue | undefined;
  hits: readonly number[];
}

/** At most this many field names get a slot (names come from the records); the others are searched every time. */
const MAX_SLOTS = 4096;

/**
 * Picks, for a record of named fields, the detectors worth testing: those with a needle in the values of
 * the field the needle belongs to. Only fields some needle belongs to are searched with every needle; the
 * other fields, when keyword needles (of no field) exist, with those alone (a small automaton: most of a
 * record's text is identifiers, times and schema names that only keywords could concern). So a needle
 * such as `cmd.exe` from `Image` is not woken by a command line, a parent image or a hash. A field whose one
 * value equals its value in the last record is not searched again (see `FieldSlot`).
 */
export class FieldRuleIndex<R> {
  readonly #detectors: readonly FieldNeedleDetector<R>[];
  /** Every needle, for the fields some needle belongs to. */
  readonly #all: Scanner | undefined;
  /** The keyword needles alone, for the other fields; undefined when there are none. */
  readonly #keywords: Scanner | undefined;
  /** Lower-case field name → its number. */
  readonly #fieldIds: ReadonlyMap<string, number>;
  /** Field name → its slot, made on first sight. */
  readonly #slots = new Map<string, FieldSlot>();
  /** Detectors woken by the value being searched, and their marks (a value's hits are kept in its slot). */
  readonly #hits: number[] = [];
  readonly #hitMarks: Uint8Array;
  /** The detectors found for the record being read, in the order found (each once: see `#marks`); reused, so a record allocates no list of its own. */
  readonly #found: Int32Array;
  #count = 0;
  readonly #always: readonly number[];
  readonly #marks: Uint8Array;

  /** `automata` shares automata between indexes built from the same needles (see RuleIndex). */
  constructor(detectors: readonly FieldNeedleDetector<R>[], automata?: Map<string, LazyNeedleAutomaton>) {
    this.#detectors = detectors;
    const needleIds = new Map<string, number>();
    const fieldIds = new Map<string, number>();
    const owners: number[][] = [];
    const always: number[] = [];
    detectors.forEach((detector, d) => {
      const tagged = detector.fieldNeedles ?? [];
      if (tagged.length === 0) always.push(d);
      for (const item of tagged) {
        const end = item.indexOf('\0', 1);
        const field = item.slice(1, end);
        const needle = item.slice(end + 1).toLowerCase();
        let id = needleIds.get(needle);
        if (id === undefined) {
          id = needleIds.size;
          needleIds.set(needle, id);
          owners.push([]);
        }
        let fieldId = ANY_FIELD;
        if (field !== '') {
          fieldId = fieldIds.get(field) ?? fieldIds.size;
          fieldIds.set(field, fieldId);
        }
        (owners[id] as number[]).push(d, fieldId);
      }
    });
    const needles = [...needleIds.keys()];
    this.#all = scanner(needles, owners, automata);
    // The keyword needles and their keyword owners only.
    const keywords: string[] = [];
    const keywordOwners: number[][] = [];
    needles.forEach((needle, id) => {
      const list = owners[id] as number[];
      const mine: number[] = [];
      for (let i = 0; i < list.length; i += 2) if (list[i + 1] === ANY_FIELD) mine.push(list[i] as number, ANY_FIELD);
      if (mine.length === 0) return;
      keywords.push(needle);
      keywordOwners.push(mine);
    });
    this.#keywords = scanner(keywords, keywordOwners, automata);
    this.#fieldIds = fieldIds;
    this.#always = always;
    this.#marks = new Uint8Array(detectors.length);
    this.#hitMarks = new Uint8Array(detectors.length);
    this.#found = new Int32Array(detectors.length);
  }

  /** The detectors to test on a record with these fields (lower-case name → value, or values), in their original order. */
  candidates(fields: ReadonlyMap<string, FieldValue | readonly FieldValue[]>): FieldNeedleDetector<R>[] {
    // Marks are cleared as they are read, so a record costs its needles' detectors, not every detector.
    // Allocation-free but for the list returned: a record's fields, entries of a Map, are read by key (destructured
    // entries cost an array each), and the detectors found go in a typed array sorted in place.
    const marks = this.#marks;
    const found = this.#found;
    this.#count = 0;
    for (const d of this.#always) {
      marks[d] = 1;
      found[this.#count] = d;
      this.#count += 1;
    }
    if (this.#all !== undefined) {
      for (const name of fields.keys()) {
        const values = fields.get(name) as FieldValue | readonly FieldValue[];
        const slot = this.#slot(name);
        const scanner = slot.scanner;
        if (scanner === undefined) continue;
        if (!Array.isArray(values)) {
          const value = values as FieldValue;
          if (value === null) continue;
          if (!slot.kept) this.#scan(scanner, typeof value === 'string' ? value : String(value), slot.id, false);
          else if (value !== slot.last) {
            slot.last = value;
            slot.hits = this.#scan(scanner, typeof value === 'string' ? value : String(value), slot.id, true);
          } else for (const d of slot.hits) this.#mark(d);
          continue;
        }
        for (const value of values as readonly FieldValue[]) if (value !== null) this.#scan(scanner, typeof value === 'string' ? value : String(value), slot.id, false);
      }
    }
    const count = this.#count;
    if (count > 1) found.subarray(0, count).sort();
    const out = new Array<FieldNeedleDetector<R>>(count);
    for (let i = 0; i < count; i += 1) {
      const d = found[i] as number;
      marks[d] = 0;
      out[i] = this.#detectors[d] as FieldNeedleDetector<R>;
    }
    return out;
  }

  /** The slot of a field name, made on first sight; past MAX_SLOTS names, a slot that keeps nothing. */
  #slot(name: string): FieldSlot {
    let slot = this.#slots.get(name);
    if (slot !== undefined) return slot;
    const id = this.#fieldIds.get(name);
    const kept = this.#slots.size < MAX_SLOTS;
    slot = { id: id ?? ANY_FIELD - 1, scanner: id === undefined ? this.#keywords : this.#all, kept, last: undefined, hits: NO_HITS };
    if (kept) this.#slots.set(name, slot);
    return slot;
  }

  #mark(d: number): void {
    if (this.#marks[d] === 1) return;
    this.#marks[d] = 1;
    this.#found[this.#count] = d;
    this.#count += 1;
  }

  /**
   * Marks the detectors with a needle in the text, of this field or of none; with `keep`, returns every
   * detector the text woke (marked before or not). The automaton's loop, inlined: one table step per
   * character, and the pairs of a state that ends a needle read from flat arrays.
   */
  #scan(scanner: Scanner, text: string, fieldId: number, keep: boolean): readonly number[] {
    const { automaton, pairStart, pairs } = scanner;
    const { classOf, delta } = automaton;
    const hits = this.#hits;
    const hitMarks = this.#hitMarks;
    let state = LazyNeedleAutomaton.START;
    for (let i = 0; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      const cls = code > 255 ? 0 : (classOf[code] as number);
      let t = delta[state + cls] as number;
      if (t > 0) {
        state = t;
        continue;
      }
      if (t === 0) t = automaton.next(state, cls);
      if (t > 0) {
        state = t;
        continue;
      }
      state = ~t;
      const s = automaton.stateOf(state);
      const end = pairStart[s + 1] as number;
      for (let p = pairStart[s] as number; p < end; p += 2) {
        const d = pairs[p] as number;
        if (hitMarks[d] === 1) continue;
        const owner = pairs[p + 1] as number;
        if (owner !== ANY_FIELD && owner !== fieldId) continue;
        hitMarks[d] = 1;
        hits.push(d);
      }
    }
    if (hits.length === 0) return NO_HITS;
    for (const d of hits) {
      hitMarks[d] = 0;
      this.#mark(d);
    }
    const kept = keep ? hits.slice() : NO_HITS;
    hits.length = 0;
    return kept;
  }
}
