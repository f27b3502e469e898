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

/**
 * Picks, for a record of named fields, the detectors worth testing: those with a needle in the values of
 * the field the needle belongs to. Only fields some needle belongs to are searched (every field when a
 * keyword needle exists), so a needle such as `cmd.exe` from `Image` is not woken by a command line, a
 * parent image or a hash, and identifiers, times and the like are never searched at all.
 */
export class FieldRuleIndex<R> {
  readonly #detectors: readonly FieldNeedleDetector<R>[];
  readonly #automaton: LazyNeedleAutomaton | undefined;
  /** Lower-case field name → its number. */
  readonly #fieldIds: ReadonlyMap<string, number>;
  /**
   * Automaton state (see `LazyNeedleAutomaton.stateOf`) → pairs (detector index, field number or ANY_FIELD) of every
   * needle ending there, flattened: pairs of state s are `#pairs[#pairStart[s]]` up to `#pairStart[s + 1]`.
   */
  readonly #pairStart: Int32Array;
  readonly #pairs: Int32Array;
  /** The detectors found for the record being read, in the order found (each once: see `#marks`); reused, so a record allocates no list of its own. */
  readonly #found: Int32Array;
  readonly #anyField: boolean;
  readonly #always: readonly number[];
  readonly #marks: Uint8Array;

  /** `automata` shares automata between indexes built from the same needles (see RuleIndex). */
  constructor(detectors: readonly FieldNeedleDetector<R>[], automata?: Map<string, LazyNeedleAutomaton>) {
    this.#detectors = detectors;
    const needleIds = new Map<string, number>();
    const fieldIds = new Map<string, number>();
    const owners: number[][] = [];
    const always: number[] = [];
    let anyField = false;
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
        if (field === '') anyField = true;
        else {
          fieldId = fieldIds.get(field) ?? fieldIds.size;
          fieldIds.set(field, fieldId);
        }
        (owners[id] as number[]).push(d, fieldId);
      }
    });
    const needles = [...needleIds.keys()];
    if (needles.length === 0) this.#automaton = undefined;
    else {
      const key = automata === undefined ? '' : JSON.stringify(needles);
      let automaton = automata?.get(key);
      if (automaton === undefined) {
        automaton = LazyNeedleAutomaton.build(needles);
        automata?.set(key, automaton);
      }
      this.#automaton = automaton;
    }
    this.#fieldIds = fieldIds;
    const automaton = this.#automaton;
    const states = automaton === undefined ? 0 : automaton.stateCount;
    const pairStart = new Int32Array(states + 1);
    const pairs: number[] = [];
    for (let state = 0; state < states; state += 1) {
      pairStart[state] = pairs.length;
      for (const needle of (automaton as LazyNeedleAutomaton).outputsOf(state)) for (const v of owners[needle] as number[]) pairs.push(v);
    }
    pairStart[states] = pairs.length;
    this.#pairStart = pairStart;
    this.#pairs = Int32Array.from(pairs);
    this.#anyField = anyField;
    this.#always = always;
    this.#marks = new Uint8Array(detectors.length);
    this.#found = new Int32Array(detectors.length);
  }

  /** The detectors to test on a record with these fields (lower-case name → values), in their original order. */
  candidates(fields: ReadonlyMap<string, readonly FieldValue[]>): FieldNeedleDetector<R>[] {
    // Marks are cleared as they are read, so a record costs its needles' detectors, not every detector.
    // Allocation-free but for the list returned: a record's fields, entries of a Map, are read by key (destructured
    // entries cost an array each), and the detectors found go in a typed array sorted in place.
    const marks = this.#marks;
    const found = this.#found;
    let count = 0;
    for (const d of this.#always) {
      marks[d] = 1;
      found[count] = d;
      count += 1;
    }
    const automaton = this.#automaton;
    if (automaton !== undefined) {
      // The automaton's loop, inlined: one table step per character, and the pairs of a state that ends
      // a needle read from flat arrays, with no call per needle.
      const { classOf, delta } = automaton;
      const pairStart = this.#pairStart;
      const pairs = this.#pairs;
      const fieldIds = this.#fieldIds;
      const anyField = this.#anyField;
      for (const name of fields.keys()) {
        const id = fieldIds.get(name);
        if (id === undefined && !anyField) continue;
        const fieldId = id ?? ANY_FIELD - 1;
        for (const value of fields.get(name) as readonly FieldValue[]) {
          if (value === null) continue;
          const text = typeof value === 'string' ? value : String(value);
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
              if (marks[d] === 1) continue;
              const owner = pairs[p + 1] as number;
              if (owner !== ANY_FIELD && owner !== fieldId) continue;
              marks[d] = 1;
              found[count] = d;
              count += 1;
            }
          }
        }
      }
    }
    if (count > 1) found.subarray(0, count).sort();
    const out = new Array<FieldNeedleDetector<R>>(count);
    for (let i = 0; i < count; i += 1) {
      const d = found[i] as number;
      marks[d] = 0;
      out[i] = this.#detectors[d] as FieldNeedleDetector<R>;
    }
    return out;
  }
}
