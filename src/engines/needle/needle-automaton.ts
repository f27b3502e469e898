import type { Detector } from '../../core/detector.js';

/**
 * A byte-level Aho–Corasick automaton over every detector's needles, ASCII case folded: one table
 * step per byte finds, in a single pass, whether any needle occurs. Bytes map to a few classes (the
 * bytes needles use, and "other"), and table entries are pre-multiplied state offsets, negative
 * (bitwise not) when the state completes a needle, so the inner loop is one load and one sign test.
 */
export class NeedleAutomaton {
  /** Byte → class. */
  readonly classOf: Uint8Array;
  readonly classCount: number;
  /** `delta[stateOffset + class]` → next state offset, or `~offset` when a needle ends there. */
  readonly delta: Int32Array;
  readonly needles: readonly string[];
  /** For each state, the indices (into `needles`) of the needles that end there. */
  readonly #outputs: readonly (readonly number[])[];
  /** For each state (offset / classCount), the group bits of the needles that end there. */
  readonly stateGroups: Uint8Array;

  private constructor(
    needles: readonly string[],
    classOf: Uint8Array,
    classCount: number,
    delta: Int32Array,
    outputs: readonly (readonly number[])[],
    stateGroups: Uint8Array,
  ) {
    this.stateGroups = stateGroups;
    this.needles = needles;
    this.classOf = classOf;
    this.classCount = classCount;
    this.delta = delta;
    this.#outputs = outputs;
  }

  /** Builds the automaton for these detectors, or undefined when some detector has no needles (test every record). */
  static forDetectors<D extends Pick<Detector<unknown>, 'needles'>>(detectors: readonly D[]): NeedleAutomaton | undefined {
    return NeedleAutomaton.forDetectorGroups([detectors]);
  }

  /**
   * Builds one automaton for several groups of detectors; a needle of group g sets bit `1 << g` in
   * `stateGroups`, so a caller learns which groups a line can concern. Undefined when some detector has
   * no needles. At most 8 groups.
   */
  static forDetectorGroups<D extends Pick<Detector<unknown>, 'needles'>>(groups: readonly (readonly D[])[]): NeedleAutomaton | undefined {
    const needles = new Map<string, number>();
    for (const [g, detectors] of groups.entries()) {
      for (const detector of detectors) {
        if (detector.needles === undefined || detector.needles.length === 0) return undefined;
        for (const needle of detector.needles) {
          const lower = needle.toLowerCase();
          if (lower.length === 0) return undefined;
          // IIS writes spaces in header fields as `+`.
          for (const form of lower.includes(' ') ? [lower, lower.replaceAll(' ', '+')] : [lower]) needles.set(form, (needles.get(form) ?? 0) | (1 << g));
        }
      }
    }
    const sorted = [...needles.keys()].sort();
    return NeedleAutomaton.build(sorted, sorted.map((n) => needles.get(n) ?? 1));
  }

  /** Builds the automaton for lower-case needles, each in the groups given as bits (default: group bit 1). */
  static build(needles: readonly string[], needleGroups?: readonly number[]): NeedleAutomaton {
    const encoded = needles.map((n) => Buffer.from(n, 'utf8'));
    const classOf = new Uint8Array(256);
    let classCount = 1;
    for (const bytes of encoded) {
      for (const b of bytes) {
        if (classOf[b] !== 0) continue;
        if (classCount === 255) throw new RangeError('needles use too many distinct bytes');
        classOf[b] = classCount;
        // ASCII letters match in either case.
        if (b >= 97 && b <= 122) classOf[b - 32] = classCount;
        classCount += 1;
      }
    }
    // Trie.
    const next: number[][] = [new Array<number>(classCount).fill(-1)];
    const accepting: boolean[] = [false];
    const outputs: number[][] = [[]];
    for (const [index, bytes] of encoded.entries()) {
      let state = 0;
      for (const b of bytes) {
        const c = classOf[b] as number;
        const row = next[state] as number[];
        if ((row[c] as number) < 0) {
          row[c] = next.length;
          next.push(new Array<number>(classCount).fill(-1));
          accepting.push(false);
          outputs.push([]);
        }
        state = row[c] as number;
      }
      accepting[state] = true;
      (outputs[state] as number[]).push(index);
    }
    // Failure links in breadth-first order turn the trie into a full transition table.
    const fail = new Array<number>(next.length).fill(0);
    const queue: number[] = [];
    const root = next[0] as number[];
    for (let c = 0; c < classCount; c += 1) {
      const s = root[c] as number;
      if (s < 0) root[c] = 0;
      else {
        fail[s] = 0;
        queue.push(s);
      }
    }
    for (let head = 0; head < queue.length; head += 1) {
      const state = queue[head] as number;
      const row = next[state] as number[];
      accepting[state] = (accepting[state] as boolean) || (accepting[fail[state] as number] as boolean);
      // Breadth-first order: the failure state's outputs are already complete.
      (outputs[state] as number[]).push(...(outputs[fail[state] as number] as number[]));
      const failRow = next[fail[state] as number] as number[];
      for (let c = 0; c < classCount; c += 1) {
        const s = row[c] as number;
        if (s < 0) row[c] = failRow[c] as number;
        else {
          fail[s] = failRow[c] as number;
          queue.push(s);
        }
      }
    }
    const delta = new Int32Array(next.length * classCount);
    next.forEach((row, state) => {
      row.forEach((target, c) => {
        const offset = target * classCount;
        delta[state * classCount + c] = accepting[target] === true ? ~offset : offset;
      });
    });
    const stateGroups = new Uint8Array(next.length);
    outputs.forEach((found, state) => {
      for (const needle of found) stateGroups[state] = (stateGroups[state] as number) | (needleGroups?.[needle] ?? 1);
    });
    return new NeedleAutomaton(needles, classOf, classCount, delta, outputs, stateGroups);
  }

  /** The indices (into `needles`) of the needles that end in a state, by state number (offset / classCount). */
  outputsOf(state: number): readonly number[] {
    return this.#outputs[state] ?? [];
  }

  /** The groups (bits) of every needle occurring in the text; 0 when none does. */
  groupsIn(text: string): number {
    const { classOf, delta, classCount, stateGroups } = this;
    let state = 0;
    let groups = 0;
    for (let i = 0; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      const t = delta[state + (code > 255 ? 0 : (classOf[code] as number))] as number;
      if (t < 0) {
        state = ~t;
        groups |= stateGroups[state / classCount] as number;
      } else state = t;
    }
    return groups;
  }

  /**
   * Calls `found` with the index of every needle occurrence in the text. Characters above U+00FF count as
   * "other", as in `test`: needles are matched on their ASCII and Latin-1 characters.
   */
  forEachMatch(text: string, found: (needle: number) => void): void {
    const { classOf, delta, classCount } = this;
    let state = 0;
    for (let i = 0; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      const t = delta[state + (code > 255 ? 0 : (classOf[code] as number))] as number;
      state = t < 0 ? ~t : t;
      if (t < 0) for (const needle of this.#outputs[state / classCount] ?? []) found(needle);
    }
  }

  /** True when any needle occurs in the bytes. */
  scanBytes(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
    const { classOf, delta } = this;
    let state = 0;
    for (let i = start; i < end; i += 1) {
      const t = delta[state + (classOf[bytes[i] as number] as number)] as number;
      if (t < 0) return true;
      state = t;
    }
    return false;
  }

  /**
   * True when any needle occurs in the text. Characters above U+00FF never occur in needles built from
   * ASCII, so they count as "other"; needles with non-ASCII bytes are matched in `scanBytes` only.
   */
  test(text: string): boolean {
    const { classOf, delta } = this;
    let state = 0;
    for (let i = 0; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      const t = delta[state + (code > 255 ? 0 : (classOf[code] as number))] as number;
      if (t < 0) return true;
      state = t;
    }
    return false;
  }
}
