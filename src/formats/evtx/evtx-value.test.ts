import { describe, expect, it } from 'vitest';
import { EVTX_TYPE, decodeValue, filetimeIso, filetimeIso9, filetimeOf, valueJson, valueText, valueXmlText, type EvtxValue } from './evtx-value.js';

const none = (): never[] => [];

function decode(type: number, bytes: readonly number[] | Buffer): EvtxValue {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  return decodeValue(buf, 0, buf.length, type, none);
}

function le(value: bigint, size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < size; i += 1) out.push(Number((value >> BigInt(8 * i)) & 0xffn));
  return out;
}

describe('BinXML substitution values', () => {
  it('decodes every scalar type the way the evtx crate prints it (JSON) and libevtx writes it (XML)', () => {
    const cases: [number, number[] | Buffer, unknown, string][] = [
      [EVTX_TYPE.string, Buffer.from('cmd.exe\0', 'utf16le'), 'cmd.exe', 'cmd.exe'],
      [EVTX_TYPE.ansiString, [...Buffer.from('abc', 'latin1'), 0, 0], 'abc', 'abc'],
      [EVTX_TYPE.int8, [0xff], -1, '-1'],
      [EVTX_TYPE.uint8, [0xff], 255, '255'],
      [EVTX_TYPE.int16, [0xfe, 0xff], -2, '-2'],
      [EVTX_TYPE.uint16, [0x10, 0x27], 10000, '10000'],
      [EVTX_TYPE.int32, le(-5n & 0xffffffffn, 4), -5, '-5'],
      [EVTX_TYPE.uint32, le(4294967295n, 4), 4294967295, '4294967295'],
      [EVTX_TYPE.int64, le(-7n & 0xffffffffffffffffn, 8), -7, '-7'],
      [EVTX_TYPE.uint64, le(18446744073709551615n, 8), 18446744073709551615n, '18446744073709551615'],
      // Numbers while exact as one (±(2^53 − 1)), BigInts past that.
      [EVTX_TYPE.uint64, le(2n ** 53n - 1n, 8), 2 ** 53 - 1, '9007199254740991'],
      [EVTX_TYPE.uint64, le(2n ** 53n, 8), 2n ** 53n, '9007199254740992'],
      [EVTX_TYPE.int64, le(-(2n ** 53n) + 1n + 2n ** 64n, 8), -(2 ** 53) + 1, '-9007199254740991'],
      [EVTX_TYPE.int64, le(-(2n ** 53n) + 2n ** 64n, 8), -(2n ** 53n), '-9007199254740992'],
      [EVTX_TYPE.int64, le(4_294_967_296n * 3n + 5n, 8), 4_294_967_296 * 3 + 5, '12884901893'],
      [EVTX_TYPE.real32, [...Buffer.from(new Float32Array([0.1]).buffer)], 0.1, '0.1'],
      [EVTX_TYPE.real64, [...Buffer.from(new Float64Array([2.5]).buffer)], 2.5, '2.5'],
      [EVTX_TYPE.bool, [1, 0, 0, 0], true, 'true'],
      [EVTX_TYPE.binary, [0xde, 0xad, 0x0b], 'DEAD0B', 'DEAD0B'],
      [EVTX_TYPE.guid, [0x5f, 0x38, 0x70, 0x57, 0x2a, 0xc2, 0xe0, 0x43, 0xbf, 0x4c, 0x06, 0xf5, 0x69, 0x8f, 0xfb, 0xd9], '5770385F-C22A-43E0-BF4C-06F5698FFBD9', '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}'],
      [EVTX_TYPE.sizeT, le(0x1234n, 8), '0x1234', '0x0000000000001234'],
      // 2024-03-11T10:00:00.1234567Z: the crate keeps microseconds, libevtx all nine digits.
      [EVTX_TYPE.fileTime, le(BigInt(Date.parse('2024-03-11T10:00:00Z')) * 10_000n + 116_444_736_000_000_000n + 1_234_567n, 8), '2024-03-11T10:00:00.123456Z', '2024-03-11T10:00:00.123456700Z'],
      [EVTX_TYPE.sysTime, [0xe8, 0x07, 3, 0, 1, 0, 11, 0, 10, 0, 5, 0, 7, 0, 250, 0], '2024-03-11T10:05:07.250Z', '2024-03-11T10:05:07.250000000Z'],
      [EVTX_TYPE.sid, [1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 32, 2, 0, 0], 'S-1-5-32-544', 'S-1-5-32-544'],
      [EVTX_TYPE.hexInt32, [0x50, 0xd1, 0xe8, 0x33], '0x33e8d150', '0x33e8d150'],
      [EVTX_TYPE.hexInt64, le(0x8000000000000000n, 8), '0x8000000000000000', '0x8000000000000000'],
    ];
    for (const [type, bytes, json, xml] of cases) {
      const value = decode(type, bytes);
      expect(valueJson(value), `type 0x${type.toString(16)}`).toEqual(json);
      expect(valueXmlText(value), `type 0x${type.toString(16)}`).toBe(xml);
    }
  });

  it('decodes arrays of strings, integers, GUIDs and SIDs', () => {
    const strings = decode(EVTX_TYPE.string | EVTX_TYPE.array, Buffer.from('a\0bc\0', 'utf16le'));
    expect(valueJson(strings)).toEqual(['a', 'bc']);
    expect(valueText(strings)).toBe('a,bc');
    expect(valueJson(decode(EVTX_TYPE.uint16 | EVTX_TYPE.array, [1, 0, 2, 0]))).toEqual([1, 2]);
    expect(valueJson(decode(EVTX_TYPE.hexInt32 | EVTX_TYPE.array, [1, 0, 0, 0, 0xff, 0, 0, 0]))).toEqual(['0x1', '0xff']);
    expect(valueJson(decode(EVTX_TYPE.sid | EVTX_TYPE.array, [1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 5, 19, 0, 0, 0]))).toEqual(['S-1-5-18', 'S-1-5-19']);
  });

  it('reads an empty fixed-size value as null and refuses one that is too short or runs past the buffer', () => {
    expect(valueJson(decode(EVTX_TYPE.guid, []))).toBeNull();
    expect(() => decode(EVTX_TYPE.uint32, [1, 2])).toThrow(/needs 4/);
    expect(() => decodeValue(Buffer.alloc(4), 2, 8, EVTX_TYPE.uint64, none)).toThrow(/runs past/);
    expect(() => decode(EVTX_TYPE.sid, [1, 9, 0, 0, 0, 0, 0, 5])).toThrow(/SID cut off/);
  });
});

describe('FILETIME text', () => {
  /** The text a Date gives for the same instant, with the sub-second digits of the ticks. */
  function expected(ticks: bigint, digits: 6 | 9): string {
    const seconds = ticks / 10_000_000n - 11_644_473_600n;
    const iso = new Date(Number(seconds) * 1000).toISOString();
    const nanos = Number(ticks % 10_000_000n) * 100;
    const fraction = digits === 6 ? String(Math.floor(nanos / 1000)).padStart(6, '0') : String(nanos).padStart(9, '0');
    return `${iso.slice(0, iso.indexOf('.'))}.${fraction}Z`;
  }

  it('matches a Date across days, years and the ends of the range, in any order', () => {
    const unixEpoch = 116_444_736_000_000_000n;
    const day = 864_000_000_000n;
    const ticks = [0n, 1n, unixEpoch - 1n, unixEpoch, unixEpoch + day - 1n, unixEpoch + day, 133_500_000_123_456_789n, 2n ** 63n, 2n ** 64n - 1n];
    for (let i = 0n; i < 500n; i += 1n) ticks.push(unixEpoch + i * 7_777_777_777_777n, unixEpoch + day * 20_000n - i * 36_000_000_001n);
    for (const t of ticks) {
      expect(filetimeIso(filetimeOf(t))).toBe(expected(t, 6));
      expect(filetimeIso9(filetimeOf(t))).toBe(expected(t, 9));
      // Read from bytes (without a BigInt below the year 5000), the same.
      const bytes = Buffer.alloc(8);
      bytes.writeBigUInt64LE(t);
      expect(valueJson(decodeValue(bytes, 0, 8, EVTX_TYPE.fileTime, () => []))).toBe(expected(t, 6));
    }
  });
});
