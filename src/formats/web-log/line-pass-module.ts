/**
 * The byte pass of the web log reader as a WebAssembly module, written out here instruction by
 * instruction (no toolchain, no binary in the repository): the same loop as the reader's JavaScript
 * version (see `line-pass.test.ts`, which holds that version as the reference), at about twice its speed,
 * since a WebAssembly load needs no bounds check of its own and the loop keeps every value in a register.
 *
 * The module imports its memory (`env.memory`), laid out as `LINE_PASS_LAYOUT` says, and exports one
 * function `pass(from, to, expected, maxLine, shift, classBytes, groupsAt)`: it reads the bytes at addresses
 * `from`…`to` (whole lines), steps the needle automaton on every byte, runs it again over a line with
 * percent signs as decoded (`decoded`, also exported), and lists in the line table every line that needs
 * handling (its start and end plus `shift`, its spaces, flags, group bits and index), like the reader's
 * pass. It stops after a `#` line or when the table is full, and writes its counts to the result slots.
 */

/** Where things sit in the module's memory (byte addresses). */
export const LINE_PASS_LAYOUT = {
  /** i32 results: listed lines, lines seen, plain lines, where the pass stopped (plus `shift`). */
  count: 0,
  lines: 4,
  plain: 8,
  next: 12,
  /** Byte → automaton class (256 bytes). */
  classOf: 256,
  /** Group bits → 1 when a line holding them is wanted (256 bytes). */
  wanted: 512,
  /** Lines the table holds; a pass stops when it is full. */
  capacity: 4096,
  /** The line table: i32 starts, ends, spaces, line indices, then u8 flags and group bits. */
  starts: 1024,
  ends: 1024 + 4096 * 4,
  spaces: 1024 + 2 * 4096 * 4,
  lineIndex: 1024 + 3 * 4096 * 4,
  flags: 1024 + 4 * 4096 * 4,
  marks: 1024 + 4 * 4096 * 4 + 4096,
  /** i32 per listed line: where its needle hits start and end in `hits`. */
  hitStart: 1024 + 4 * 4096 * 4 + 2 * 4096,
  hitEnd: 1024 + 5 * 4096 * 4 + 2 * 4096,
  /** i32 automaton states (state numbers) where needles ended, raw and decoded, line after line. */
  hits: 1024 + 6 * 4096 * 4 + 2 * 4096,
  /** Hits the table holds in one pass; a listed line with hits past it has `hitEnd` beyond it. */
  hitCapacity: 16384,
  /** The transition table from here on, then the group bits per state (`groupsAt`), then the bytes of a pass. */
  tables: 1024 + 6 * 4096 * 4 + 2 * 4096 + 16384 * 4,
} as const;

/** Bit set in a listed line's flags when it holds a percent sign. */
export const LINE_FLAG_PERCENT = 1;
/** Bit set in a listed line's flags when it holds a control byte other than tab and CR. */
export const LINE_FLAG_CONTROL = 2;
/**
 * Bit set beside `LINE_FLAG_PERCENT` when the pass also ran the automaton over the line as one round of
 * percent-decoding gives it, and added the groups found to the line's: only a line it could not decode
 * that way (see `decoded`) is left to the full decoder.
 */
export const LINE_FLAG_DECODED = 4;

const I32 = 0x7f;

function uleb(value: number): number[] {
  const out: number[] = [];
  let n = value >>> 0;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let n = value | 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vector = (items: readonly (readonly number[])[]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: readonly number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (text: string): number[] => [...uleb(text.length), ...Buffer.from(text, 'ascii')];

// The instructions used, by their names in the WebAssembly text format.
const get = (local: number): number[] => [0x20, ...uleb(local)];
const set = (local: number): number[] => [0x21, ...uleb(local)];
const tee = (local: number): number[] => [0x22, ...uleb(local)];
const constant = (value: number): number[] => [0x41, ...sleb(value)];
const load8 = (offset: number): number[] => [0x2d, 0, ...uleb(offset)];
const load32 = (offset: number): number[] => [0x28, 2, ...uleb(offset)];
const store32 = (offset: number): number[] => [0x36, 2, ...uleb(offset)];
const store8 = (offset: number): number[] => [0x3a, 0, ...uleb(offset)];
const br = (depth: number): number[] => [0x0c, ...uleb(depth)];
const call = (func: number): number[] => [0x10, ...uleb(func)];
const globalGet = (index: number): number[] => [0x23, ...uleb(index)];
const globalSet = (index: number): number[] => [0x24, ...uleb(index)];
/** The one global: hits recorded in this pass. */
const HIT_COUNT = 0;

/** Records the state number on top of the stack as a hit (while there is room) and counts it. */
const recordHit = (stateLocal: number): number[] => [
  ...globalGet(HIT_COUNT), ...constant(LINE_PASS_LAYOUT.hitCapacity), ...LT_U,
  ...IF,
  ...globalGet(HIT_COUNT), ...constant(2), ...SHL, ...get(stateLocal), ...store32(LINE_PASS_LAYOUT.hits),
  ...END,
  ...globalGet(HIT_COUNT), ...constant(1), ...ADD, ...globalSet(HIT_COUNT),
];
const brIf = (depth: number): number[] => [0x0d, ...uleb(depth)];
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const IF = [0x04, 0x40];
const ELSE = [0x05];
const END = [0x0b];
const ADD = [0x6a];
const SUB = [0x6b];
const SHL = [0x74];
const AND = [0x71];
const OR = [0x72];
const XOR = [0x73];
const EQZ = [0x45];
const EQ = [0x46];
const NE = [0x47];
const LT_S = [0x48];
const LT_U = [0x49];
const GT_U = [0x4b];
const LE_U = [0x4d];
const GE_S = [0x4e];
const GE_U = [0x4f];
const RETURN = [0x0f];
const IF_I32 = [0x04, I32];
const DIV_U = [0x6e];

// Parameters, then locals.
const FROM = 0;
const TO = 1;
const EXPECTED = 2;
const MAX_LINE = 3;
const SHIFT = 4;
const CLASS_BYTES = 5;
const GROUPS_AT = 6;
const I = 7;
const B = 8;
const T = 9;
const STATE = 10;
const MARKED = 11;
const LINES = 12;
const SPACES = 13;
const FLAGS = 14;
const COUNT = 15;
const PLAIN = 16;
const LINE_START = 17;
const END_AT = 18;
const DIRECTIVE = 19;
const AT = 20;
const DECODED = 21;
const STATE_NUMBER = 22;
const LINE_HITS = 23;
const LOCALS = 17;

const increment = (local: number): number[] => [...get(local), ...constant(1), ...ADD, ...set(local)];

/** The body of `pass`: see the reader's JavaScript version in the test for the same loop, line by line. */
function passBody(): number[] {
  const L = LINE_PASS_LAYOUT;
  // At a newline (its address is i - 1): the line's end without CR, whether it is a directive, and
  // whether it is only counted or listed.
  const newline = [
    ...get(I), ...constant(1), ...SUB, ...set(AT),
    ...get(AT), ...constant(1), ...SUB, ...get(AT),
    ...get(AT), ...get(LINE_START), ...GT_U, ...get(AT), ...constant(1), ...SUB, ...load8(0), ...constant(13), ...EQ, ...AND,
    0x1b /* select */, ...set(END_AT),
    ...get(LINE_START), ...load8(0), ...constant(35), ...EQ, ...set(DIRECTIVE),
    // A request line with percent signs: its decoded text may hold needles of other groups.
    ...get(FLAGS), ...constant(LINE_FLAG_PERCENT), ...EQ, ...get(DIRECTIVE), ...EQZ, ...AND,
    ...IF,
    ...get(LINE_START), ...get(END_AT), ...get(CLASS_BYTES), ...get(GROUPS_AT), ...call(1), ...tee(DECODED),
    ...constant(0), ...GE_S,
    ...IF,
    ...get(MARKED), ...get(DECODED), ...OR, ...set(MARKED),
    ...constant(LINE_FLAG_PERCENT | LINE_FLAG_DECODED), ...set(FLAGS),
    ...END,
    ...END,
    ...get(MARKED), ...load8(L.wanted), ...EQZ,
    ...get(FLAGS), ...EQZ, ...get(FLAGS), ...constant(LINE_FLAG_PERCENT | LINE_FLAG_DECODED), ...EQ, ...OR, ...AND,
    ...get(SPACES), ...constant(1), ...ADD, ...get(EXPECTED), ...EQ, ...AND,
    ...get(DIRECTIVE), ...EQZ, ...AND,
    ...get(END_AT), ...get(LINE_START), ...GT_U, ...AND,
    ...get(END_AT), ...get(LINE_START), ...SUB, ...get(MAX_LINE), ...LE_U, ...AND,
    ...IF,
    ...increment(PLAIN),
    // A line only counted keeps no hits.
    ...get(LINE_HITS), ...globalSet(HIT_COUNT),
    ...ELSE,
    ...get(COUNT), ...constant(2), ...SHL, ...tee(AT), ...get(LINE_START), ...get(SHIFT), ...ADD, ...store32(L.starts),
    ...get(AT), ...get(LINE_HITS), ...store32(L.hitStart),
    ...get(AT), ...globalGet(HIT_COUNT), ...store32(L.hitEnd),
    ...get(AT), ...get(END_AT), ...get(SHIFT), ...ADD, ...store32(L.ends),
    ...get(AT), ...get(SPACES), ...store32(L.spaces),
    ...get(AT), ...get(LINES), ...store32(L.lineIndex),
    ...get(COUNT), ...get(FLAGS), ...store8(L.flags),
    ...get(COUNT), ...get(MARKED), ...store8(L.marks),
    ...increment(COUNT),
    ...END,
    ...increment(LINES),
    ...globalGet(HIT_COUNT), ...set(LINE_HITS),
    ...get(I), ...set(LINE_START),
    ...constant(0), ...set(SPACES),
    ...constant(0), ...set(FLAGS),
    ...constant(0), ...set(MARKED),
    ...constant(0), ...set(STATE),
    // The pass stops after a directive (it may change the field count) or when the table is full.
    ...get(DIRECTIVE), ...brIf(3),
    ...get(COUNT), ...constant(L.capacity), ...EQ, ...brIf(3),
  ];
  return [
    ...constant(0), ...globalSet(HIT_COUNT),
    ...get(FROM), ...set(I),
    ...get(FROM), ...set(LINE_START),
    ...BLOCK,
    ...LOOP,
    ...get(I), ...get(TO), ...GE_U, ...brIf(1),
    ...get(I), ...load8(0), ...set(B),
    // t = delta[state + class(b)]: byte offsets, negative (bitwise not) where needles end.
    ...get(STATE), ...get(B), ...load8(L.classOf), ...constant(2), ...SHL, ...ADD, ...load32(L.tables), ...tee(T),
    ...constant(0), ...LT_S,
    ...IF,
    ...get(T), ...constant(-1), ...XOR, ...tee(STATE),
    ...get(CLASS_BYTES), ...DIV_U, ...tee(STATE_NUMBER), ...get(GROUPS_AT), ...ADD, ...load8(0), ...get(MARKED), ...OR, ...set(MARKED),
    ...recordHit(STATE_NUMBER),
    ...ELSE,
    ...get(T), ...set(STATE),
    ...END,
    ...increment(I),
    ...get(B), ...constant(37), ...GT_U, ...brIf(0),
    ...get(B), ...constant(32), ...EQ,
    ...IF,
    ...increment(SPACES),
    ...ELSE,
    ...get(B), ...constant(10), ...EQ,
    ...IF,
    ...newline,
    ...ELSE,
    ...get(B), ...constant(37), ...EQ,
    ...IF,
    ...get(FLAGS), ...constant(LINE_FLAG_PERCENT), ...OR, ...set(FLAGS),
    ...ELSE,
    ...get(B), ...constant(32), ...LT_U, ...get(B), ...constant(9), ...NE, ...AND, ...get(B), ...constant(13), ...NE, ...AND,
    ...IF,
    ...get(FLAGS), ...constant(LINE_FLAG_CONTROL), ...OR, ...set(FLAGS),
    ...END,
    ...END,
    ...END,
    ...END,
    ...br(0),
    ...END,
    ...END,
    ...constant(0), ...get(COUNT), ...store32(L.count),
    ...constant(0), ...get(LINES), ...store32(L.lines),
    ...constant(0), ...get(PLAIN), ...store32(L.plain),
    ...constant(0), ...get(I), ...get(SHIFT), ...ADD, ...store32(L.next),
    ...END,
  ];
}

// `decoded(start, end, classBytes, groupsAt)`: parameters, then locals.
const D_START = 0;
const D_END = 1;
const D_CLASS_BYTES = 2;
const D_GROUPS_AT = 3;
const K = 4;
const DB = 5;
const DT = 6;
const D_STATE = 7;
const GROUPS = 8;
const H1 = 9;
const H2 = 10;
const D_STATE_NUMBER = 11;
const D_LOCALS = 8;

/** The value of the hex digit whose byte `load` leaves on the stack, or -1, into `local`. */
const hexDigit = (load: readonly number[], local: number): number[] => [
  ...load, ...constant(48), ...SUB, ...tee(local), ...constant(10), ...LT_U,
  ...IF_I32,
  ...get(local),
  ...ELSE,
  ...load, ...constant(0x20), ...OR, ...constant(97), ...SUB, ...tee(local), ...constant(6), ...LT_U,
  ...IF_I32,
  ...get(local), ...constant(10), ...ADD,
  ...ELSE,
  ...constant(-1),
  ...END,
  ...END,
  ...set(local),
];

/**
 * The body of `decoded`: the group bits of the needles in a line's bytes as one round of percent-decoding
 * gives them (`+` as a space), or -1 when the line needs the full decoder (a second round of escapes,
 * `%uXXXX`, or a UTF-8 lead byte that may start an overlong form), which is rare in real traffic.
 */
function decodedBody(): number[] {
  const L = LINE_PASS_LAYOUT;
  const byteAt = (offset: number): number[] => [...get(K), ...load8(offset)];
  return [
    ...get(D_START), ...set(K),
    ...BLOCK,
    ...LOOP,
    ...get(K), ...get(D_END), ...GE_U, ...brIf(1),
    ...byteAt(0), ...tee(DB), ...constant(37), ...EQ,
    ...IF,
    ...hexDigit(byteAt(1), H1),
    ...get(K), ...constant(2), ...ADD, ...get(D_END), ...LT_U,
    ...IF,
    ...hexDigit(byteAt(2), H2),
    ...ELSE,
    ...constant(-1), ...set(H2),
    ...END,
    ...get(H1), ...get(H2), ...OR, ...constant(0), ...GE_S,
    ...IF,
    ...get(H1), ...constant(4), ...SHL, ...get(H2), ...OR, ...tee(DB),
    ...constant(37), ...EQ,
    ...get(DB), ...constant(0xc0), ...EQ, ...OR,
    ...get(DB), ...constant(0xc1), ...EQ, ...OR,
    ...get(DB), ...constant(0xe0), ...EQ, ...OR,
    ...get(DB), ...constant(0xf0), ...EQ, ...OR,
    ...IF,
    ...constant(-1), ...RETURN,
    ...END,
    ...get(K), ...constant(2), ...ADD, ...set(K),
    ...ELSE,
    ...get(K), ...constant(1), ...ADD, ...get(D_END), ...LT_U,
    ...byteAt(1), ...constant(0x20), ...OR, ...constant(117), ...EQ, ...AND,
    ...IF,
    ...constant(-1), ...RETURN,
    ...END,
    ...END,
    ...ELSE,
    ...get(DB), ...constant(43), ...EQ,
    ...IF,
    ...constant(32), ...set(DB),
    ...END,
    ...END,
    ...get(D_STATE), ...get(DB), ...load8(L.classOf), ...constant(2), ...SHL, ...ADD, ...load32(L.tables), ...tee(DT),
    ...constant(0), ...LT_S,
    ...IF,
    ...get(DT), ...constant(-1), ...XOR, ...tee(D_STATE),
    ...get(D_CLASS_BYTES), ...DIV_U, ...tee(D_STATE_NUMBER), ...get(D_GROUPS_AT), ...ADD, ...load8(0), ...get(GROUPS), ...OR, ...set(GROUPS),
    ...recordHit(D_STATE_NUMBER),
    ...ELSE,
    ...get(DT), ...set(D_STATE),
    ...END,
    ...increment(K),
    ...br(0),
    ...END,
    ...END,
    ...get(GROUPS),
    ...END,
  ];
}

let compiled: WebAssembly.Module | undefined;

/** The compiled module (compiled once per thread). */
export function linePassModule(): WebAssembly.Module {
  if (compiled !== undefined) return compiled;
  const pass = [...uleb(1), ...uleb(LOCALS), I32, ...passBody()];
  const decoded = [...uleb(1), ...uleb(D_LOCALS), I32, ...decodedBody()];
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([
      [0x60, ...vector([[I32], [I32], [I32], [I32], [I32], [I32], [I32]]), ...vector([])],
      [0x60, ...vector([[I32], [I32], [I32], [I32]]), ...vector([[I32]])],
    ])),
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vector([uleb(0), uleb(1)])),
    // One mutable i32 global, 0 at start: the hit count.
    ...section(6, vector([[I32, 0x01, ...constant(0), ...END]])),
    ...section(7, vector([[...name('pass'), 0x00, 0x00], [...name('decoded'), 0x00, 0x01]])),
    ...section(10, vector([[...uleb(pass.length), ...pass], [...uleb(decoded.length), ...decoded]])),
  ]);
  compiled = new WebAssembly.Module(bytes);
  return compiled;
}
