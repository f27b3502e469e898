import { LINE_PASS_LAYOUT, linePassModule } from './line-pass-module.js';

/** The automaton a line pass steps on every byte (see `LinePrefilter`). */
export interface LinePassAutomaton {
  readonly classOf: Uint8Array;
  readonly delta: Int32Array;
  readonly classCount: number;
  readonly stateGroups: Uint8Array;
}

type PassFunction = (from: number, to: number, expected: number, maxLine: number, shift: number, classBytes: number, groupsAt: number) => void;
type DecodedFunction = (start: number, end: number, classBytes: number, groupsAt: number) => number;

const PAGE = 64 * 1024;
/** Bytes of a pass the memory holds at first; it grows for a longer pass (a line longer than a usual pass). */
const FIRST_PASS_BYTES = 1024 * 1024;

/**
 * One pass over whole lines of a block of a log (WebAssembly, see `line-pass-module.ts`): finds each
 * line's bounds (without CR), counts its spaces, flags percent signs and control bytes, and steps the
 * needle automaton. A line with `expected` fields, no flag, no wanted needle and no leading `#` is only
 * counted (`plain`); every other line is listed, up to the table's capacity. The pass stops after a `#`
 * line or when the table is full; `next` says where. The results stay valid until the next `run`.
 */
export class LinePass {
  count = 0;
  lines = 0;
  plain = 0;
  next = 0;
  starts!: Int32Array;
  ends!: Int32Array;
  spaces!: Int32Array;
  lineIndex!: Int32Array;
  flags!: Uint8Array;
  marks!: Uint8Array;
  #hitStart!: Int32Array;
  #hitEnd!: Int32Array;
  #hits!: Int32Array;
  readonly #memory: WebAssembly.Memory;
  readonly #pass: PassFunction;
  readonly #decoded: DecodedFunction;
  readonly #classBytes: number;
  readonly #groupsAt: number;
  readonly #blockAt: number;
  #bytes!: Uint8Array;
  #results!: Int32Array;
  #wanted: Uint8Array | undefined;

  constructor(automaton: LinePassAutomaton) {
    const L = LINE_PASS_LAYOUT;
    const states = automaton.stateGroups.length;
    if (automaton.delta.length !== states * automaton.classCount) throw new RangeError('the transition table does not match the states and classes');
    this.#classBytes = automaton.classCount * 4;
    this.#groupsAt = L.tables + automaton.delta.length * 4;
    this.#blockAt = this.#groupsAt + states + 8;
    this.#memory = new WebAssembly.Memory({ initial: Math.ceil((this.#blockAt + FIRST_PASS_BYTES) / PAGE) });
    const instance = new WebAssembly.Instance(linePassModule(), { env: { memory: this.#memory } });
    this.#pass = instance.exports['pass'] as PassFunction;
    this.#decoded = instance.exports['decoded'] as DecodedFunction;
    this.#views();
    this.#bytes.set(automaton.classOf, L.classOf);
    // Offsets in the module are byte offsets: four times the table's element offsets, sign kept.
    const delta = new Int32Array(this.#memory.buffer, L.tables, automaton.delta.length);
    const from = automaton.delta;
    for (let i = 0; i < from.length; i += 1) {
      const t = from[i] as number;
      delta[i] = t >= 0 ? t * 4 : ~(~t * 4);
    }
    this.#bytes.set(automaton.stateGroups, this.#groupsAt);
  }

  /**
   * Runs the pass over `block[from, to)`, whole lines; `wanted` gives for each combination of group bits 1
   * when a line holding them must be listed, `expected` the field count of a plain line (-1: none).
   */
  run(block: Uint8Array, from: number, to: number, wanted: Uint8Array, expected: number, maxLine: number): void {
    const length = to - from;
    if (this.#blockAt + length > this.#memory.buffer.byteLength) {
      this.#memory.grow(Math.ceil((this.#blockAt + length - this.#memory.buffer.byteLength) / PAGE));
      this.#views();
      this.#wanted = undefined;
    }
    if (wanted !== this.#wanted) {
      this.#bytes.set(wanted.subarray(0, 256), LINE_PASS_LAYOUT.wanted);
      this.#wanted = wanted;
    }
    this.#bytes.set(block.subarray(from, to), this.#blockAt);
    this.#pass(this.#blockAt, this.#blockAt + length, expected, maxLine, from - this.#blockAt, this.#classBytes, this.#groupsAt);
    const results = this.#results;
    this.count = results[0] as number;
    this.lines = results[1] as number;
    this.plain = results[2] as number;
    this.next = results[3] as number;
  }

  /**
   * The group bits of the needles in `block[start, end)` as one round of percent-decoding gives it (`+` as
   * a space), or -1 when the text needs the full decoder; what the pass adds to a line with percent signs.
   */
  decoded(block: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (this.#blockAt + length + 2 > this.#memory.buffer.byteLength) {
      this.#memory.grow(Math.ceil((this.#blockAt + length + 2 - this.#memory.buffer.byteLength) / PAGE));
      this.#views();
    }
    // The pass reads one byte past a line's end (its newline); here that byte is a newline too.
    this.#bytes.set(block.subarray(start, end), this.#blockAt);
    this.#bytes[this.#blockAt + length] = 10;
    return this.#decoded(this.#blockAt, this.#blockAt + length, this.#classBytes, this.#groupsAt);
  }

  #views(): void {
    const L = LINE_PASS_LAYOUT;
    const buffer = this.#memory.buffer;
    this.#bytes = new Uint8Array(buffer);
    this.#results = new Int32Array(buffer, 0, 4);
    this.starts = new Int32Array(buffer, L.starts, L.capacity);
    this.ends = new Int32Array(buffer, L.ends, L.capacity);
    this.spaces = new Int32Array(buffer, L.spaces, L.capacity);
    this.lineIndex = new Int32Array(buffer, L.lineIndex, L.capacity);
    this.flags = new Uint8Array(buffer, L.flags, L.capacity);
    this.marks = new Uint8Array(buffer, L.marks, L.capacity);
    this.#hitStart = new Int32Array(buffer, L.hitStart, L.capacity);
    this.#hitEnd = new Int32Array(buffer, L.hitEnd, L.capacity);
    this.#hits = new Int32Array(buffer, L.hits, L.hitCapacity);
  }

  /**
   * The automaton states (state numbers, as `NeedleAutomaton.outputsOf` takes them) where needles ended in
   * listed line `i`, raw and, for a line flagged decoded, decoded; undefined when they did not all fit.
   * A view into the pass's memory: valid until the next `run`.
   */
  hitsOf(i: number): Int32Array | undefined {
    const end = this.#hitEnd[i] as number;
    return end > LINE_PASS_LAYOUT.hitCapacity ? undefined : this.#hits.subarray(this.#hitStart[i] as number, end);
  }
}

const passes = new WeakMap<LinePassAutomaton, LinePass>();

/**
 * The line pass of an automaton, made once per automaton and thread: readers of one hunt share it (a pass
 * runs to completion and its results are read before the next one starts).
 */
export function linePassFor(automaton: LinePassAutomaton): LinePass {
  let pass = passes.get(automaton);
  if (pass === undefined) passes.set(automaton, (pass = new LinePass(automaton)));
  return pass;
}
