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

  private constructor(needles: readonly string[], classOf: Uint8Array, classCount: number, delta: Int32Array, outputs: readonly (readonly number[])[]) {
    this.needles = needles;
    this.classOf = classOf;
    this.classCount = classCount;
    this.delta = delta;
    this.#outputs = outputs;
  }

  /** Builds the automaton for these detectors, or undefined when some detector has no needles (test every record). */
  static forDetectors<D extends Pick<Detector<unknown>, 'needles'>>(detectors: readonly D[]): NeedleAutomaton | undefined {
    const needles = new Set<string>();
    for (const detector of detectors) {
      if (detector.needles === undefined || detector.needles.length === 0) return undefined;
      for (const needle of detector.needles) {
        const lower = needle.toLowerCase();
        if (lower.length === 0) return undefined;
        needles.add(lower);
        // IIS writes spaces in header fields as `+`.
        if (lower.includes(' ')) needles.add(lower.replaceAll(' ', '+'));
      }
    }
    return NeedleAutomaton.build([...needles].sort());
  }

  /** Builds the automaton for lower-case needles. */
  static build(needles: readonly string[]): NeedleAutomaton {
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
    return new NeedleAutomaton(needles, classOf, classCount, delta, outputs);
  }

  /** Calls `found` with the index of every needle occurrence in the text (read as UTF-8). */
  forEachMatch(text: string, found: (needle: number) => void): void {
    const bytes = Buffer.from(text, 'utf8');
    const { classOf, delta, classCount } = this;
    let state = 0;
    for (let i = 0; i < bytes.length; i += 1) {
      const t = delta[state + (classOf[bytes[i] as number] as number)] as number;
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
