import type { Detector } from '../../core/detector.js';
import { NeedleAutomaton } from './needle-automaton.js';

/**
 * Picks, for a record, the detectors worth testing: those with a needle in the record's texts, and those
 * without needles (always tested). One automaton pass per text instead of a test per detector.
 */
export class RuleIndex<R> {
  readonly #detectors: readonly Detector<R>[];
  readonly #automaton: NeedleAutomaton | undefined;
  /** automaton state (offset / classCount) → indices of the detectors owning a needle that ends there. */
  readonly #stateOwners: readonly (readonly number[])[];
  readonly #always: readonly number[];
  readonly #marks: Uint8Array;
  /** Needle → indices of the detectors owning it (lower case, with `+` forms). */
  readonly #owners: ReadonlyMap<string, readonly number[]>;

  constructor(detectors: readonly Detector<R>[]) {
    this.#detectors = detectors;
    const needleIds = new Map<string, number>();
    const owners: number[][] = [];
    const always: number[] = [];
    detectors.forEach((detector, d) => {
      const needles = detector.needles ?? [];
      if (needles.length === 0) always.push(d);
      for (const raw of needles) {
        const lower = raw.toLowerCase();
        for (const needle of lower.includes(' ') ? [lower, lower.replaceAll(' ', '+')] : [lower]) {
          let id = needleIds.get(needle);
          if (id === undefined) {
            id = needleIds.size;
            needleIds.set(needle, id);
            owners.push([]);
          }
          (owners[id] as number[]).push(d);
        }
      }
    });
    this.#owners = new Map([...needleIds].map(([needle, id]) => [needle, owners[id] as number[]]));
    const automaton = needleIds.size === 0 ? undefined : NeedleAutomaton.build([...needleIds.keys()]);
    this.#automaton = automaton;
    const states = automaton === undefined ? 0 : automaton.delta.length / automaton.classCount;
    this.#stateOwners = Array.from({ length: states }, (_, state) => [...new Set((automaton?.outputsOf(state) ?? []).flatMap((needle) => owners[needle] ?? []))]);
    this.#always = always;
    this.#marks = new Uint8Array(detectors.length);
  }

  /**
   * For another automaton that holds every needle of this index (a line prefilter built from the same
   * detectors and more), the detectors owning the needles that end in each of its states, so a record
   * can be given its candidates from the states a pass over its line already reached (`candidatesAt`).
   * Undefined when the automaton lacks one of the needles, or some needle is not ASCII (a byte pass and
   * a scan of the decoded string could then disagree).
   */
  ownersByState(automaton: NeedleAutomaton): readonly (readonly number[])[] | undefined {
    const present = new Set(automaton.needles);
    for (const needle of this.#owners.keys()) {
      if (!present.has(needle) || /[^\x00-\x7f]/.test(needle)) return undefined;
    }
    const states = automaton.delta.length / automaton.classCount;
    return Array.from({ length: states }, (_, state) => {
      const found = new Set<number>();
      for (const needle of automaton.outputsOf(state)) for (const d of this.#owners.get(automaton.needles[needle] as string) ?? []) found.add(d);
      return [...found];
    });
  }

  /**
   * The same detectors as `candidates` for a record's texts, from the states of an automaton (see
   * `ownersByState`) where needles ended in those texts.
   */
  candidatesAt(states: ArrayLike<number>, ownersByState: readonly (readonly number[])[], excluded?: Uint8Array): Detector<R>[] {
    const marks = this.#marks;
    const found: number[] = [];
    for (const d of this.#always) {
      marks[d] = 1;
      found.push(d);
    }
    for (let i = 0; i < states.length; i += 1) {
      for (const d of ownersByState[states[i] as number] ?? []) {
        if (marks[d] === 1) continue;
        marks[d] = 1;
        found.push(d);
      }
    }
    return this.#collect(found, excluded);
  }

  /**
   * The detectors to test on a record whose text (raw, and decoded if it differs) is given, in their
   * original order; those marked 1 in `excluded` (by position in the constructor's list) are left out.
   */
  candidates(texts: readonly string[], excluded?: Uint8Array): Detector<R>[] {
    // Marks are cleared as they are read, so a record costs its needles' detectors, not every detector.
    const marks = this.#marks;
    const found: number[] = [];
    for (const d of this.#always) {
      marks[d] = 1;
      found.push(d);
    }
    const automaton = this.#automaton;
    if (automaton !== undefined) {
      // The automaton's own loop, inlined: a record is scanned without a call per needle found.
      const { classOf, delta, classCount } = automaton;
      const stateOwners = this.#stateOwners;
      for (const text of texts) {
        let state = 0;
        for (let i = 0; i < text.length; i += 1) {
          const code = text.charCodeAt(i);
          const t = delta[state + (code > 255 ? 0 : (classOf[code] as number))] as number;
          if (t >= 0) {
            state = t;
            continue;
          }
          state = ~t;
          for (const d of stateOwners[state / classCount] as readonly number[]) {
            if (marks[d] === 1) continue;
            marks[d] = 1;
            found.push(d);
          }
        }
      }
    }
    return this.#collect(found, excluded);
  }

  /** The detectors found, in their original order, less the excluded; clears their marks. */
  #collect(found: number[], excluded: Uint8Array | undefined): Detector<R>[] {
    const marks = this.#marks;
    found.sort((a, b) => a - b);
    const out: Detector<R>[] = [];
    for (const d of found) {
      marks[d] = 0;
      if (excluded === undefined || excluded[d] !== 1) out.push(this.#detectors[d] as Detector<R>);
    }
    return out;
  }
}
