import type { Detector } from '../../core/detector.js';
import { NeedleAutomaton } from './needle-automaton.js';

/**
 * Picks, for a record, the detectors worth testing: those with a needle in the record's texts, and those
 * without needles (always tested). One automaton pass per text instead of a test per detector.
 */
export class RuleIndex<R> {
  readonly #detectors: readonly Detector<R>[];
  readonly #automaton: NeedleAutomaton | undefined;
  /** needle index → detector indices. */
  readonly #owners: readonly (readonly number[])[];
  readonly #always: readonly number[];
  readonly #marks: Uint8Array;

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
    this.#automaton = needleIds.size === 0 ? undefined : NeedleAutomaton.build([...needleIds.keys()]);
    this.#owners = owners;
    this.#always = always;
    this.#marks = new Uint8Array(detectors.length);
  }

  /** The detectors to test on a record whose text (raw, and decoded if it differs) is given, in their original order. */
  candidates(texts: readonly string[]): Detector<R>[] {
    // Marks are cleared as they are read, so a record costs its needles' detectors, not every detector.
    const marks = this.#marks;
    const found: number[] = [];
    const mark = (d: number): void => {
      if (marks[d] === 1) return;
      marks[d] = 1;
      found.push(d);
    };
    for (const d of this.#always) mark(d);
    const automaton = this.#automaton;
    if (automaton !== undefined) {
      for (const text of texts) {
        automaton.forEachMatch(text, (needle) => {
          for (const d of this.#owners[needle] ?? []) mark(d);
        });
      }
    }
    found.sort((a, b) => a - b);
    const out: Detector<R>[] = [];
    for (const d of found) {
      marks[d] = 0;
      out.push(this.#detectors[d] as Detector<R>);
    }
    return out;
  }
}
