import type { Detector } from '../../core/detector.js';

/**
 * The byte classes of some needles (UTF-8): class 0 for every byte no needle uses, one class per byte used,
 * ASCII letters of either case in one class (needles are lower case).
 */
export function byteClasses(encoded: readonly Uint8Array[]): { readonly classOf: Uint8Array; readonly classCount: number } {
  const classOf = new Uint8Array(256);
  let classCount = 1;
  for (const bytes of encoded) {
    for (const b of bytes) {
      if (classOf[b] !== 0) continue;
      if (classCount === 255) throw new RangeError('needles use too many distinct bytes');
      classOf[b] = classCount;
      if (b >= 97 && b <= 122) classOf[b - 32] = classCount;
      classCount += 1;
    }
  }
  return { classOf, classCount };
}

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
  /** For each state, the indices (into `needles`) of the needles that end there (undefined: none). */
  readonly #outputs: readonly (readonly number[] | undefined)[];
  /** For each state (offset / classCount), the group bits of the needles that end there. */
  readonly stateGroups: Uint8Array;

  private constructor(
    needles: readonly string[],
    classOf: Uint8Array,
    classCount: number,
    delta: Int32Array,
    outputs: readonly (readonly number[] | undefined)[],
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
    const { classOf, classCount } = byteClasses(encoded);
    // Trie, in one flat table (a state per needle byte at most): thousands of Sigma needles make tens of
    // thousands of states, and rows of JavaScript arrays cost seconds to build and megabytes of heap to keep.
    let capacity = 1;
    for (const bytes of encoded) capacity += bytes.length;
    const table = new Int32Array(capacity * classCount).fill(-1);
    const accepting = new Uint8Array(capacity);
    // Most states end no needle: their outputs stay undefined.
    const outputs: (number[] | undefined)[] = [];
    let states = 1;
    for (const [index, bytes] of encoded.entries()) {
      let state = 0;
      for (const b of bytes) {
        const at = state * classCount + (classOf[b] as number);
        let target = table[at] as number;
        if (target < 0) {
          target = states;
          states += 1;
          table[at] = target;
        }
        state = target;
      }
      accepting[state] = 1;
      (outputs[state] ??= []).push(index);
    }
    // Failure links in breadth-first order turn the trie into a full transition table, written in place in
    // its final form (pre-multiplied offsets, negative where a needle ends) row by row: a state's failure
    // state is shallower, so its row is final before it is read, and a state's own failure state (and so
    // whether it ends a needle) is settled when the state is queued, before any row points at it.
    const fail = new Int32Array(states);
    const queue = new Int32Array(states);
    let tail = 0;
    for (let c = 0; c < classCount; c += 1) {
      const s = table[c] as number;
      if (s < 0) table[c] = 0;
      else {
        queue[tail++] = s;
        table[c] = accepting[s] === 1 ? ~(s * classCount) : s * classCount;
      }
    }
    for (let head = 0; head < tail; head += 1) {
      const state = queue[head] as number;
      const row = state * classCount;
      const failRow = (fail[state] as number) * classCount;
      for (let c = 0; c < classCount; c += 1) {
        const s = table[row + c] as number;
        const fallback = table[failRow + c] as number;
        if (s < 0) {
          table[row + c] = fallback;
          continue;
        }
        const f = (fallback < 0 ? ~fallback : fallback) / classCount;
        fail[s] = f;
        if (accepting[f] === 1) accepting[s] = 1;
        // The failure state's outputs are already complete.
        const inherited = outputs[f];
        if (inherited !== undefined) (outputs[s] ??= []).push(...inherited);
        queue[tail++] = s;
        table[row + c] = accepting[s] === 1 ? ~(s * classCount) : s * classCount;
      }
    }
    const delta = table.slice(0, states * classCount);
    const stateGroups = new Uint8Array(states);
    outputs.forEach((found, state) => {
      if (found === undefined) return;
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
