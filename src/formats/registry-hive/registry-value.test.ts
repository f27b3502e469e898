import { describe, expect, it } from 'vitest';
import { decodeRegistryData, registryTypeName, REG_BINARY, REG_DWORD, REG_DWORD_BIG_ENDIAN, REG_EXPAND_SZ, REG_MULTI_SZ, REG_NONE, REG_QWORD, REG_SZ } from './registry-value.js';

const utf16 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf16le'));

describe('decodeRegistryData', () => {
  it('decodes strings up to the first NUL, with or without a terminator or a stray odd byte', () => {
    expect(decodeRegistryData(REG_SZ, utf16('20348\0'))).toBe('20348');
    expect(decodeRegistryData(REG_SZ, utf16('no terminator'))).toBe('no terminator');
    expect(decodeRegistryData(REG_EXPAND_SZ, new Uint8Array([...utf16('%windir%\0junk'), 0x41]))).toBe('%windir%');
    expect(decodeRegistryData(REG_SZ, new Uint8Array(0))).toBe('');
  });

  it('splits multi-strings and drops only the trailing terminators', () => {
    expect(decodeRegistryData(REG_MULTI_SZ, utf16('a\0\0b\0\0'))).toEqual(['a', '', 'b']);
    expect(decodeRegistryData(REG_MULTI_SZ, utf16('\0'))).toEqual([]);
  });

  it('reads DWORDs in both byte orders and QWORDs as bigints, keeping mis-sized data as bytes', () => {
    expect(decodeRegistryData(REG_DWORD, new Uint8Array([1, 2, 0, 0]))).toBe(0x201);
    expect(decodeRegistryData(REG_DWORD_BIG_ENDIAN, new Uint8Array([0, 0, 1, 2]))).toBe(0x102);
    expect(decodeRegistryData(REG_DWORD, new Uint8Array([1, 2, 3]))).toEqual(new Uint8Array([1, 2, 3]));
    expect(decodeRegistryData(REG_QWORD, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0x80]))).toBe(0x8000000000000001n);
    expect(decodeRegistryData(REG_QWORD, new Uint8Array(4))).toEqual(new Uint8Array(4));
  });

  it('keeps binary, none and unknown types as bytes, and names unknown types by number', () => {
    expect(decodeRegistryData(REG_BINARY, new Uint8Array([9]))).toEqual(new Uint8Array([9]));
    expect(decodeRegistryData(REG_NONE, new Uint8Array(0))).toEqual(new Uint8Array(0));
    expect(decodeRegistryData(0x1234, new Uint8Array([7]))).toEqual(new Uint8Array([7]));
    expect(registryTypeName(REG_MULTI_SZ)).toBe('REG_MULTI_SZ');
    expect(registryTypeName(0xffff0001)).toBe('REG_UNKNOWN(0xffff0001)');
  });
});
