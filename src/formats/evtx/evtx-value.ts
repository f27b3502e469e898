import type { EvtxNode } from './evtx-node.js';

/** BinXML value types (libyal's EVTX documentation, "Value types"); `| 0x80` is an array of the type. */
export const EVTX_TYPE = {
  null: 0x00,
  string: 0x01,
  ansiString: 0x02,
  int8: 0x03,
  uint8: 0x04,
  int16: 0x05,
  uint16: 0x06,
  int32: 0x07,
  uint32: 0x08,
  int64: 0x09,
  uint64: 0x0a,
  real32: 0x0b,
  real64: 0x0c,
  bool: 0x0d,
  binary: 0x0e,
  guid: 0x0f,
  sizeT: 0x10,
  fileTime: 0x11,
  sysTime: 0x12,
  sid: 0x13,
  hexInt32: 0x14,
  hexInt64: 0x15,
  evtHandle: 0x20,
  binXml: 0x21,
  evtXml: 0x23,
  array: 0x80,
} as const;

/** A decoded BinXML value, typed as the event's template declared it. */
export type EvtxValue =
  | { readonly kind: 'null'; readonly type: number }
  | { readonly kind: 'string'; readonly type: number; readonly text: string }
  | { readonly kind: 'int'; readonly type: number; readonly num: number | bigint }
  | { readonly kind: 'float'; readonly type: number; readonly num: number }
  | { readonly kind: 'bool'; readonly type: number; readonly bool: boolean }
  | { readonly kind: 'binary'; readonly type: number; readonly bytes: Uint8Array }
  | { readonly kind: 'guid'; readonly type: number; readonly text: string }
  | { readonly kind: 'hex'; readonly type: number; readonly num: number | bigint; readonly width: 8 | 16 }
  | ({ readonly kind: 'filetime'; readonly type: number } & EvtxFiletime)
  | { readonly kind: 'systime'; readonly type: number; readonly iso: string; readonly nanos: number }
  | { readonly kind: 'sid'; readonly type: number; readonly text: string }
  | { readonly kind: 'xml'; readonly type: number; readonly nodes: readonly EvtxNode[] }
  | { readonly kind: 'array'; readonly type: number; readonly items: readonly EvtxValue[] };

export const NULL_VALUE: EvtxValue = { kind: 'null', type: 0 };

/** A FILETIME as whole seconds since the Unix epoch and the 100 ns ticks within that second (0 to 9,999,999). */
export interface EvtxFiletime {
  readonly seconds: number;
  readonly fraction: number;
}

const EPOCH_DIFF_SECONDS = 11_644_473_600;

/** A FILETIME from its ticks (100 ns since 1601). */
export function filetimeOf(ticks: bigint): EvtxFiletime {
  return { seconds: Number(ticks / 10_000_000n) - EPOCH_DIFF_SECONDS, fraction: Number(ticks % 10_000_000n) };
}

/**
 * Reads a FILETIME without a BigInt (a BigInt and its division per record were a tenth of reading one):
 * ticks = high × 2³² + low = high × 429 × 10⁷ + (high × 4,967,296 + low), the second part exact in a double
 * while high < 2³⁰ (every date before the year 5000).
 */
export function readFiletime(buf: Buffer, pos: number): EvtxFiletime {
  const low = buf.readUInt32LE(pos);
  const high = buf.readUInt32LE(pos + 4);
  if (high >= 2 ** 30) return filetimeOf(buf.readBigUInt64LE(pos));
  const rest = high * 4_967_296 + low;
  const restSeconds = Math.floor(rest / 10_000_000);
  return { seconds: high * 429 + restSeconds - EPOCH_DIFF_SECONDS, fraction: rest - restSeconds * 10_000_000 };
}

/** Thrown when value bytes do not fit their declared type or size. */
export class EvtxValueError extends Error {}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase());

const HEX_CODE = Buffer.from('0123456789ABCDEF', 'latin1');
/** `XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX`, rewritten by each `readGuid`. */
const GUID_TEXT = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');
/** Where the two digits of each GUID byte go in its text. */
const GUID_DIGIT_AT = [6, 4, 2, 0, 11, 9, 16, 14, 19, 21, 24, 26, 28, 30, 32, 34];

/** Upper-case hex of bytes, two digits each, as the `evtx` crate writes binary values. */
export function hexBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX[b];
  return out;
}

/** A GUID as the `evtx` crate prints it: upper case, no braces. */
export function readGuid(buf: Buffer, pos: number): string {
  // Data1-3 are little-endian, Data4 is bytes in order: the digits are written into a scratch buffer and
  // read as one flat string (a template of 20 parts made a rope that was flattened again later).
  const out = GUID_TEXT;
  for (let i = 0; i < 16; i += 1) {
    const at = GUID_DIGIT_AT[i] as number;
    const byte = buf[pos + i] ?? 0;
    out[at] = HEX_CODE[byte >> 4] as number;
    out[at + 1] = HEX_CODE[byte & 15] as number;
  }
  return out.toString('latin1', 0, 36);
}

function readSid(buf: Buffer, pos: number, end: number): { text: string; size: number } {
  if (pos + 8 > end) throw new EvtxValueError('SID cut off');
  const revision = buf[pos] ?? 0;
  const count = buf[pos + 1] ?? 0;
  const size = 8 + count * 4;
  if (pos + size > end) throw new EvtxValueError('SID cut off');
  // The authority is a 48-bit big-endian number.
  const authority = buf.readUIntBE(pos + 2, 6);
  let text = `S-${revision}-${authority}`;
  for (let i = 0; i < count; i += 1) text += `-${buf.readUInt32LE(pos + 8 + i * 4)}`;
  return { text, size };
}

function readSysTime(buf: Buffer, pos: number): { iso: string; nanos: number } {
  const year = buf.readUInt16LE(pos);
  const month = buf.readUInt16LE(pos + 2);
  const day = buf.readUInt16LE(pos + 6);
  const hour = buf.readUInt16LE(pos + 8);
  const minute = buf.readUInt16LE(pos + 10);
  const second = buf.readUInt16LE(pos + 12);
  const ms = buf.readUInt16LE(pos + 14);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return { iso: `${String(year).padStart(4, '0')}-${p2(month)}-${p2(day)}T${p2(hour)}:${p2(minute)}:${p2(second)}`, nanos: ms * 1_000_000 };
}

/** An unsigned 64-bit integer: a number when it is safe as one (read from two halves, without a BigInt), else a BigInt. */
export function readUint64(buf: Buffer, pos: number): number | bigint {
  return int64(buf, pos, false);
}

/** A 64-bit integer: a number when it is safe as one (read from two halves, without a BigInt), else a BigInt. */
function int64(buf: Buffer, pos: number, signed: boolean): number | bigint {
  const high = signed ? buf.readInt32LE(pos + 4) : buf.readUInt32LE(pos + 4);
  // |value| < 2^53: high × 2^32 + low is exact.
  if (high < 0x20_0000 && high > -0x20_0000) return high * 0x1_0000_0000 + buf.readUInt32LE(pos);
  const big = signed ? buf.readBigInt64LE(pos) : buf.readBigUInt64LE(pos);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big;
}

const FIXED_SIZE: Partial<Record<number, number>> = {
  [EVTX_TYPE.int8]: 1,
  [EVTX_TYPE.uint8]: 1,
  [EVTX_TYPE.int16]: 2,
  [EVTX_TYPE.uint16]: 2,
  [EVTX_TYPE.int32]: 4,
  [EVTX_TYPE.uint32]: 4,
  [EVTX_TYPE.int64]: 8,
  [EVTX_TYPE.uint64]: 8,
  [EVTX_TYPE.real32]: 4,
  [EVTX_TYPE.real64]: 8,
  [EVTX_TYPE.bool]: 4,
  [EVTX_TYPE.guid]: 16,
  [EVTX_TYPE.fileTime]: 8,
  [EVTX_TYPE.sysTime]: 16,
  [EVTX_TYPE.hexInt32]: 4,
  [EVTX_TYPE.hexInt64]: 8,
};

/** The size a fixed-size type takes, or undefined for sized types (strings, binary, SID, size_t, arrays). */
export function fixedSize(type: number): number | undefined {
  return FIXED_SIZE[type];
}

/** Decodes a UTF-16LE string of `size` bytes up to its first NUL, as the `evtx` crate does. */
export function utf16(buf: Buffer, pos: number, size: number): string {
  const end = pos + (size & ~1);
  let stop = pos;
  while (stop < end && (buf[stop] !== 0 || buf[stop + 1] !== 0)) stop += 2;
  return buf.toString('utf16le', pos, stop);
}

/**
 * Decodes one scalar value of a known type at `pos`, `size` bytes long. `nested` parses embedded BinXML.
 * Returns the value; the caller moves on by `size`.
 */
export function decodeValue(buf: Buffer, pos: number, size: number, type: number, nested: (pos: number, size: number) => readonly EvtxNode[]): EvtxValue {
  const end = pos + size;
  if (end > buf.length) throw new EvtxValueError(`value of type 0x${type.toString(16)} runs past the chunk`);
  if ((type & EVTX_TYPE.array) !== 0) return decodeArray(buf, pos, size, type & 0x7f);
  const fixed = FIXED_SIZE[type];
  if (fixed !== undefined && size < fixed) {
    if (size === 0) return { kind: 'null', type };
    throw new EvtxValueError(`value of type 0x${type.toString(16)} has ${size} bytes, needs ${fixed}`);
  }
  switch (type) {
    case EVTX_TYPE.null:
      return NULL_VALUE;
    case EVTX_TYPE.string:
      return { kind: 'string', type, text: utf16(buf, pos, size) };
    case EVTX_TYPE.ansiString: {
      let stop = pos;
      while (stop < end && buf[stop] !== 0) stop += 1;
      return { kind: 'string', type, text: buf.toString('latin1', pos, stop) };
    }
    case EVTX_TYPE.int8:
      return { kind: 'int', type, num: buf.readInt8(pos) };
    case EVTX_TYPE.uint8:
      return { kind: 'int', type, num: buf.readUInt8(pos) };
    case EVTX_TYPE.int16:
      return { kind: 'int', type, num: buf.readInt16LE(pos) };
    case EVTX_TYPE.uint16:
      return { kind: 'int', type, num: buf.readUInt16LE(pos) };
    case EVTX_TYPE.int32:
      return { kind: 'int', type, num: buf.readInt32LE(pos) };
    case EVTX_TYPE.uint32:
      return { kind: 'int', type, num: buf.readUInt32LE(pos) };
    case EVTX_TYPE.int64:
      return { kind: 'int', type, num: int64(buf, pos, true) };
    case EVTX_TYPE.uint64:
      return { kind: 'int', type, num: int64(buf, pos, false) };
    case EVTX_TYPE.real32:
      return { kind: 'float', type, num: buf.readFloatLE(pos) };
    case EVTX_TYPE.real64:
      return { kind: 'float', type, num: buf.readDoubleLE(pos) };
    case EVTX_TYPE.bool:
      return { kind: 'bool', type, bool: buf.readUInt32LE(pos) !== 0 };
    case EVTX_TYPE.binary:
      return { kind: 'binary', type, bytes: buf.subarray(pos, end) };
    case EVTX_TYPE.guid:
      return { kind: 'guid', type, text: readGuid(buf, pos) };
    case EVTX_TYPE.sizeT:
      if (size === 4) return { kind: 'hex', type, num: buf.readUInt32LE(pos), width: 8 };
      if (size === 8) return { kind: 'hex', type, num: int64(buf, pos, false), width: 16 };
      throw new EvtxValueError(`size_t of ${size} bytes`);
    case EVTX_TYPE.fileTime: {
      const time = readFiletime(buf, pos);
      return { kind: 'filetime', type, seconds: time.seconds, fraction: time.fraction };
    }
    case EVTX_TYPE.sysTime:
      return { kind: 'systime', type, ...readSysTime(buf, pos) };
    case EVTX_TYPE.sid:
      return { kind: 'sid', type, text: readSid(buf, pos, end).text };
    case EVTX_TYPE.hexInt32:
      return { kind: 'hex', type, num: buf.readUInt32LE(pos), width: 8 };
    case EVTX_TYPE.hexInt64:
      return { kind: 'hex', type, num: int64(buf, pos, false), width: 16 };
    case EVTX_TYPE.binXml:
      return { kind: 'xml', type, nodes: nested(pos, size) };
    default:
      // EvtHandle, EvtXml and unknown types carry no renderable value; keep the bytes.
      return { kind: 'binary', type, bytes: buf.subarray(pos, end) };
  }
}

function decodeArray(buf: Buffer, pos: number, size: number, type: number): EvtxValue {
  const end = pos + size;
  const items: EvtxValue[] = [];
  if (type === EVTX_TYPE.string) {
    // NUL-terminated UTF-16 strings one after the other.
    let start = pos;
    for (let p = pos; p + 1 < end; p += 2) {
      if (buf[p] === 0 && buf[p + 1] === 0) {
        items.push({ kind: 'string', type, text: buf.toString('utf16le', start, p) });
        start = p + 2;
      }
    }
    if (start + 1 < end) items.push({ kind: 'string', type, text: buf.toString('utf16le', start, end & ~1) });
  } else if (type === EVTX_TYPE.sid) {
    let p = pos;
    while (p < end) {
      const sid = readSid(buf, p, end);
      items.push({ kind: 'sid', type, text: sid.text });
      p += sid.size;
    }
  } else {
    const itemSize = type === EVTX_TYPE.sizeT ? 8 : FIXED_SIZE[type];
    if (itemSize === undefined) throw new EvtxValueError(`array of type 0x${type.toString(16)} is not supported`);
    for (let p = pos; p + itemSize <= end; p += itemSize) items.push(decodeValue(buf, p, itemSize, type, () => []));
  }
  return { kind: 'array', type: type | EVTX_TYPE.array, items };
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const SECONDS_PER_DAY = 86_400;
/** The date part (`YYYY-MM-DDT`) of the last day met: records of a file follow each other in time. */
let lastDay = Number.NaN;
let lastDayText = '';

/** A FILETIME as date and time parts. */
function filetimeParts(time: EvtxFiletime): { iso: string; nanos: number } {
  const seconds = time.seconds;
  const nanos = time.fraction * 100;
  const day = Math.floor(seconds / SECONDS_PER_DAY);
  if (day !== lastDay) {
    const date = new Date(day * SECONDS_PER_DAY * 1000);
    if (Number.isNaN(date.getTime())) return { iso: '1601-01-01T00:00:00', nanos: 0 };
    const iso = date.toISOString();
    lastDay = day;
    lastDayText = iso.slice(0, iso.indexOf('T') + 1);
  }
  // Formatted here rather than by a Date per value: the time of day is plain arithmetic.
  const inDay = seconds - day * SECONDS_PER_DAY;
  const hour = Math.floor(inDay / 3600);
  const minute = Math.floor(inDay / 60) % 60;
  return { iso: `${lastDayText}${TWO_DIGITS[hour] as string}:${TWO_DIGITS[minute] as string}:${TWO_DIGITS[inDay % 60] as string}`, nanos };
}

/** Fractional seconds the way chrono's `AutoSi` prints them: none, 3, 6 or 9 digits. */
function autoSi(nanos: number): string {
  if (nanos === 0) return '';
  if (nanos % 1_000_000 === 0) return `.${String(nanos / 1_000_000).padStart(3, '0')}`;
  if (nanos % 1000 === 0) return `.${String(nanos / 1000).padStart(6, '0')}`;
  return `.${String(nanos).padStart(9, '0')}`;
}

/** A FILETIME in the `evtx` crate's JSON form: RFC 3339, UTC, microseconds (the 100 ns digit is dropped). */
export function filetimeIso(time: EvtxFiletime): string {
  const { iso, nanos } = filetimeParts(time);
  return `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

/** A FILETIME as libevtx writes it: always nine fractional digits. */
export function filetimeIso9(time: EvtxFiletime): string {
  const { iso, nanos } = filetimeParts(time);
  return `${iso}.${String(nanos).padStart(9, '0')}Z`;
}

/** Shortest text that reads back as the same 32-bit float, as Rust prints an `f32`. */
function float32Text(num: number): string {
  if (!Number.isFinite(num)) return String(num);
  for (let digits = 1; digits <= 9; digits += 1) {
    const text = num.toPrecision(digits);
    if (Math.fround(Number(text)) === num) return String(Number(text));
  }
  return String(num);
}

/** A JSON scalar or array for a value; 64-bit integers beyond 2^53 stay bigint and are written exactly. */
export type EvtxJson = string | number | bigint | boolean | null | EvtxJson[] | { [key: string]: EvtxJson };

/** The value as the `evtx` crate's JSON output has it. */
export function valueJson(value: EvtxValue): EvtxJson {
  switch (value.kind) {
    case 'null':
      return null;
    case 'string':
    case 'guid':
    case 'sid':
      return value.text;
    case 'int':
      return value.num;
    case 'float':
      return value.type === EVTX_TYPE.real32 ? Number(float32Text(value.num)) : value.num;
    case 'bool':
      return value.bool;
    case 'binary':
      return hexBytes(value.bytes);
    case 'hex':
      return `0x${value.num.toString(16)}`;
    case 'filetime':
      return filetimeIso(value);
    case 'systime':
      return `${value.iso}${autoSi(value.nanos)}Z`;
    case 'array':
      return value.items.map(valueJson);
    case 'xml':
      return null;
  }
}

/** The value as text (what Sigma compares, and what the `evtx` crate joins when text meets text). */
export function valueText(value: EvtxValue): string {
  switch (value.kind) {
    case 'null':
    case 'xml':
      return '';
    case 'string':
    case 'guid':
    case 'sid':
      return value.text;
    case 'float':
      return value.type === EVTX_TYPE.real32 ? float32Text(value.num) : String(value.num);
    case 'array':
      return value.items.map(valueText).join(',');
    default: {
      const json = valueJson(value);
      return String(json);
    }
  }
}

/** The value as libevtx's `evtxexport` writes it in XML. */
export function valueXmlText(value: EvtxValue): string {
  switch (value.kind) {
    case 'guid':
      return `{${value.text}}`;
    case 'hex':
      return `0x${value.num.toString(16).padStart(value.width, '0')}`;
    case 'filetime':
      return filetimeIso9(value);
    case 'systime':
      return `${value.iso}.${String(value.nanos).padStart(9, '0')}Z`;
    case 'array':
      return value.items.map(valueXmlText).join(',');
    default:
      return valueText(value);
  }
}
