import { byteClasses } from './needle-automaton.js';

/**
 * An Aho–Corasick automaton over many needles whose transition table is made as text is read, not when it
 * is built. Sigma's process-creation rules give thousands of needles and tens of thousands of states (a
 * hash list alone 185,000): a full table (states × byte classes, 20 MB and more) costs 50–200 ms to fill
 * per table and thread, and spreads the rows the records reach over all of it. Here the build makes the
 * trie and its failure links only; a state gets a row of the table the first time a text reaches it, and
 * a cell of that row is worked out the first time a text reads it. The records of a run reach a few
 * thousand states, so the rows in use stay few and close together. The table is allocated whole (zero
 * filled: the system commits its pages as rows are written), so it never moves.
 *
 * Entries are offsets of rows, `row * classCount + 1`, so that 0 can mean "not yet known": an entry is > 0
 * for a state that ends no needle, `~offset` (< 0) for one that does, and 0 until `next` works it out. A
 * reader's loop is one load and one sign test, as for `NeedleAutomaton`:
 *
 * ```ts
 * let t = delta[state + cls];
 * if (t > 0) { state = t; continue; }
 * if (t === 0) t = automaton.next(state, cls);
 * if (t > 0) state = t; else { state = ~t; ... automaton.stateOf(state) ... }
 * ```
 *
 * Needles are lower case; ASCII letters match in either case; characters above U+00FF are class 0.
 */
export class LazyNeedleAutomaton {
  /** The offset of the start state's row. */
  static readonly START = 1;
  /** Byte → class (0: a byte no needle uses). */
  readonly classOf: Uint8Array;
  readonly classCount: number;
  /** The states of the trie, numbered from 0 (the start). */
  readonly stateCount: number;
  readonly needles: readonly string[];
  /** `delta[offset + class]`: see the class comment. */
  readonly delta: Int32Array;
  /** Row → state number, and state number → row offset (0: no row yet). */
  readonly #stateOfRow: Int32Array;
  readonly #rowOf: Int32Array;
  #rows: number;
  /** The trie, per state: first child, next sibling, and the class of the edge into it; the start state's children by class. */
  readonly #firstChild: Int32Array;
  readonly #nextSibling: Int32Array;
  readonly #classIn: Uint8Array;
  /** Failure state of each state. */
  readonly #fail: Int32Array;
  /** The indices (into `needles`) of the needles that end in each state (undefined: none). */
  readonly #outputs: readonly (readonly number[] | undefined)[];
  /** The entries `next` fills once it has their value (kept to spare an array per call). */
  readonly #pending: number[] = [];

  private constructor(
    needles: readonly string[],
    classOf: Uint8Array,
    classCount: number,
    trie: {
      readonly states: number;
      readonly firstChild: Int32Array;
      readonly nextSibling: Int32Array;
      readonly classIn: Uint8Array;
      readonly startChild: Int32Array;
      readonly fail: Int32Array;
      readonly outputs: readonly (readonly number[] | undefined)[];
    },
  ) {
    this.needles = needles;
    this.classOf = classOf;
    this.classCount = classCount;
    this.stateCount = trie.states;
    this.#firstChild = trie.firstChild;
    this.#nextSibling = trie.nextSibling;
    this.#classIn = trie.classIn;
    this.#fail = trie.fail;
    this.#outputs = trie.outputs;
    this.delta = new Int32Array(trie.states * classCount + 1);
    this.#stateOfRow = new Int32Array(trie.states);
    this.#rowOf = new Int32Array(trie.states);
    // The start state has the first row.
    this.#rows = 1;
    this.#rowOf[0] = LazyNeedleAutomaton.START;
    this.#stateOfRow[0] = 0;
    for (let cls = 0; cls < classCount; cls += 1) {
      const child = trie.startChild[cls] as number;
      this.delta[LazyNeedleAutomaton.START + cls] = child === 0 ? LazyNeedleAutomaton.START : this.#entryOf(child);
    }
  }

  /** Builds the trie and failure links of these lower-case needles. */
  static build(needles: readonly string[]): LazyNeedleAutomaton {
    const encoded = needles.map((n) => Buffer.from(n, 'utf8'));
    const { classOf, classCount } = byteClasses(encoded);
    let capacity = 1;
    for (const bytes of encoded) capacity += bytes.length;
    // The trie as sibling lists (most states have one child); the start state's children also by class.
    const firstChild = new Int32Array(capacity);
    const nextSibling = new Int32Array(capacity);
    const classIn = new Uint8Array(capacity);
    const startChild = new Int32Array(classCount);
    const endOf = new Int32Array(encoded.length);
    let states = 1;
    for (const [index, bytes] of encoded.entries()) {
      let state = 0;
      for (const b of bytes) {
        const cls = classOf[b] as number;
        let child = state === 0 ? (startChild[cls] as number) : (firstChild[state] as number);
        if (state !== 0) while (child !== 0 && classIn[child] !== cls) child = nextSibling[child] as number;
        if (child === 0) {
          child = states;
          states += 1;
          classIn[child] = cls;
          nextSibling[child] = firstChild[state] as number;
          firstChild[state] = child;
          if (state === 0) startChild[cls] = child;
        }
        state = child;
      }
      endOf[index] = state;
    }
    // A plain array filled in order keeps fast elements (a sparse one of 100,000s of states would not).
    const outputs: (readonly number[] | undefined)[] = [];
    for (let s = 0; s < states; s += 1) outputs.push(undefined);
    endOf.forEach((state, index) => {
      outputs[state] = [...(outputs[state] ?? []), index];
    });
    const fail = new Int32Array(states);
    const child = (state: number, cls: number): number => {
      if (state === 0) return startChild[cls] as number;
      let c = firstChild[state] as number;
      while (c !== 0 && classIn[c] !== cls) c = nextSibling[c] as number;
      return c;
    };
    // Breadth first: a state's failure state is shallower, so its failure link and outputs are settled first.
    const queue = new Int32Array(states);
    let tail = 1;
    for (let head = 0; head < tail; head += 1) {
      const s = queue[head] as number;
      for (let c = firstChild[s] as number; c !== 0; c = nextSibling[c] as number) {
        queue[tail] = c;
        tail += 1;
        const cls = classIn[c] as number;
        let f = 0;
        if (s !== 0) {
          f = fail[s] as number;
          for (;;) {
            const next = child(f, cls);
            if (next !== 0) {
              f = next;
              break;
            }
            if (f === 0) break;
            f = fail[f] as number;
          }
        }
        fail[c] = f;
        const inherited = outputs[f];
        const mine = outputs[c];
        if (inherited !== undefined) outputs[c] = mine === undefined ? inherited : [...mine, ...inherited];
      }
    }
    const trie = { states, firstChild, nextSibling, classIn, startChild, fail, outputs };
    return new LazyNeedleAutomaton(needles, classOf, classCount, trie);
  }

  /**
   * The entry `delta[offset + cls]`, worked out and kept when still unknown: the trie edge of the state, else
   * the entry of its failure state, worked out the same way and kept too (failure states are shallow and
   * shared, so most chains end at a known entry after a step or two).
   */
  next(offset: number, cls: number): number {
    const delta = this.delta;
    let at = offset + cls;
    let value = delta[at] as number;
    if (value !== 0) return value;
    const pending = this.#pending;
    pending.length = 0;
    let state = this.stateOf(offset);
    // The start state's row is complete, so the chain ends at the latest there.
    for (;;) {
      let c = this.#firstChild[state] as number;
      while (c !== 0 && this.#classIn[c] !== cls) c = this.#nextSibling[c] as number;
      if (c !== 0) {
        value = this.#entryOf(c);
        pending.push(at);
        break;
      }
      pending.push(at);
      state = this.#fail[state] as number;
      at = this.#rowOffset(state) + cls;
      value = delta[at] as number;
      if (value !== 0) break;
    }
    for (const p of pending) delta[p] = value;
    return value;
  }

  /** The entry that leads to a state: its row's offset, negated when a needle ends there. */
  #entryOf(state: number): number {
    const offset = this.#rowOffset(state);
    return this.#outputs[state] === undefined ? offset : ~offset;
  }

  /** A state's row offset, the row made when it has none yet. */
  #rowOffset(state: number): number {
    const offset = this.#rowOf[state] as number;
    return offset === 0 ? this.#addRow(state) : offset;
  }

  /** A state's number from the offset of its row. */
  stateOf(offset: number): number {
    return this.#stateOfRow[(offset - 1) / this.classCount] as number;
  }

  /** The indices (into `needles`) of the needles that end in a state, by state number. */
  outputsOf(state: number): readonly number[] {
    return this.#outputs[state] ?? [];
  }

  /** Rows in use (the start state's included). */
  get rows(): number {
    return this.#rows;
  }

  /**
   * The entry for a character read in a state (an offset): > 0 the next state's offset, < 0 `~offset` of a
   * state where a needle ends. `FieldRuleIndex` inlines the same steps in its own loop.
   */
  step(state: number, code: number): number {
    const cls = code > 255 ? 0 : (this.classOf[code] as number);
    const t = this.delta[state + cls] as number;
    return t === 0 ? this.next(state, cls) : t;
  }

  /** True when any needle occurs in the text. */
  test(text: string): boolean {
    let state = LazyNeedleAutomaton.START;
    for (let i = 0; i < text.length; i += 1) {
      const t = this.step(state, text.charCodeAt(i));
      if (t < 0) return true;
      state = t;
    }
    return false;
  }

  /** Calls `found` with the index of every needle occurrence in the text. */
  forEachMatch(text: string, found: (needle: number) => void): void {
    let state = LazyNeedleAutomaton.START;
    for (let i = 0; i < text.length; i += 1) {
      const t = this.step(state, text.charCodeAt(i));
      if (t > 0) {
        state = t;
        continue;
      }
      state = ~t;
      for (const needle of this.outputsOf(this.stateOf(state))) found(needle);
    }
  }

  #addRow(state: number): number {
    const row = this.#rows;
    this.#rows = row + 1;
    this.#stateOfRow[row] = state;
    const offset = row * this.classCount + 1;
    this.#rowOf[state] = offset;
    return offset;
  }
}
