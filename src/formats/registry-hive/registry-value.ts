/** Registry value type numbers as stored in a `vk` record. */
export const REG_NONE = 0;
export const REG_SZ = 1;
export const REG_EXPAND_SZ = 2;
export const REG_BINARY = 3;
export const REG_DWORD = 4;
export const REG_DWORD_BIG_ENDIAN = 5;
export const REG_LINK = 6;
export const REG_MULTI_SZ = 7;
export const REG_RESOURCE_LIST = 8;
export const REG_FULL_RESOURCE_DESCRIPTOR = 9;
export const REG_RESOURCE_REQUIREMENTS_LIST = 10;
export const REG_QWORD = 11;

const TYPE_NAMES: readonly string[] = [
  'REG_NONE',
  'REG_SZ',
  'REG_EXPAND_SZ',
  'REG_BINARY',
  'REG_DWORD',
  'REG_DWORD_BIG_ENDIAN',
  'REG_LINK',
  'REG_MULTI_SZ',
  'REG_RESOURCE_LIST',
  'REG_FULL_RESOURCE_DESCRIPTOR',
  'REG_RESOURCE_REQUIREMENTS_LIST',
  'REG_QWORD',
];

/** Decoded value data: strings for REG_SZ/REG_EXPAND_SZ, arrays for REG_MULTI_SZ, numbers for DWORDs, bigints for QWORDs, bytes otherwise. */
export type RegistryData = string | readonly string[] | number | bigint | Uint8Array;

/** One value of a registry key; `bytes` always holds the raw data, whatever the type. */
export interface RegistryValue {
  /** Value name; the default value is `''`. */
  readonly name: string;
  /** Raw type number, kept even when unknown. */
  readonly type: number;
  /** `REG_SZ`, `REG_DWORD`, … or `REG_UNKNOWN(0x…)`. */
  readonly typeName: string;
  readonly data: RegistryData;
  readonly bytes: Uint8Array;
}

/** Names a value type number the way regedit does. */
export function registryTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `REG_UNKNOWN(0x${type.toString(16)})`;
}

/**
 * Decodes raw value data by type. Data of the wrong size for its type (a 3-byte DWORD) stays bytes, because
 * Windows stores whatever the writer gave it and guessing a number would hide that.
 */
export function decodeRegistryData(type: number, bytes: Uint8Array): RegistryData {
  switch (type) {
    case REG_SZ:
    case REG_EXPAND_SZ: {
      const text = decodeUtf16(bytes);
      const end = text.indexOf('\0');
      return end === -1 ? text : text.slice(0, end);
    }
    case REG_MULTI_SZ: {
      const parts = decodeUtf16(bytes).split('\0');
      // The list ends with an empty string (a double NUL); writers differ in how many trailing NULs they add.
      while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
      return parts;
    }
    case REG_DWORD:
    case REG_DWORD_BIG_ENDIAN:
      if (bytes.length !== 4) return bytes;
      return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, type === REG_DWORD);
    case REG_QWORD:
      if (bytes.length !== 8) return bytes;
      return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    default:
      return bytes;
  }
}

/** Decodes UTF-16LE, ignoring an odd trailing byte (writers sometimes store a byte count that is one too long). */
export function decodeUtf16(bytes: Uint8Array): string {
  const even = bytes.subarray(0, bytes.length - (bytes.length % 2));
  return Buffer.from(even.buffer, even.byteOffset, even.length).toString('utf16le');
}

/** Decodes one byte per character, as Windows stores "compressed" key and value names; no copy is made. */
export function decodeLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}
