import { findSignature } from './find-signature.js';
import type { PeVersionInfo } from './read-version-resource.js';

/** Version strings found in an unframed remnant of a version resource. */
export interface CarvedVersionStrings {
  readonly info: PeVersionInfo;
  /** File offset of the VS_VERSION_INFO key. */
  readonly offset: number;
}

const KEY = Buffer.from('VS_VERSION_INFO\0', 'utf16le');
const STRING_FILE_INFO = Buffer.from('StringFileInfo\0', 'utf16le');
const FIXED_SIGNATURE = Buffer.from([0xbd, 0x04, 0xef, 0xfe]);
const MAX_CANDIDATES = 64;
/** A string table of a real file is a few hundred bytes; the window bounds the walk whatever the bytes say. */
const MAX_WINDOW = 8192;
const MAX_STRINGS = 64;
const MAX_STRING_CHARS = 1024;
/** The string names Windows documents for StringFileInfo, plus the one .NET compilers add. */
const STRING_NAMES = new Set([
  'Comments', 'CompanyName', 'FileDescription', 'FileVersion', 'InternalName', 'LegalCopyright', 'LegalTrademarks',
  'OriginalFilename', 'PrivateBuild', 'ProductName', 'ProductVersion', 'SpecialBuild', 'Assembly Version',
]);

/**
 * Last resort for a version resource whose node headers are lost (zeroed lengths in a damaged or carved copy, or
 * text laid out without them) but whose text survives: the UTF-16LE key "VS_VERSION_INFO", the 0xFEEF04BD fixed-info signature
 * right after it, a "StringFileInfo" key within one fixed-info size, a language/code-page key of eight hex digits,
 * then documented string names each followed by its value. Without lengths nothing can be checked beyond that
 * order, so only the strings are kept (the numeric fixed versions are not trusted) and the caller must say so.
 * Every walk stays inside a window of a few KiB after one key, and the number of keys looked at is capped.
 */
export function carveVersionStrings(bytes: Uint8Array): CarvedVersionStrings | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const key of findSignature(bytes, KEY, MAX_CANDIDATES).slice(0, MAX_CANDIDATES)) {
    const window = buffer.subarray(key, Math.min(key + MAX_WINDOW, buffer.length));
    const signature = window.indexOf(FIXED_SIGNATURE, KEY.length);
    // The signature follows the key after at most 3 bytes of padding.
    if (signature === -1 || signature > KEY.length + 3) continue;
    const tableKey = window.indexOf(STRING_FILE_INFO, signature + 4);
    if (tableKey === -1 || tableKey > signature + 52 + 16) continue;
    const strings = readPairs(window, tableKey + STRING_FILE_INFO.length);
    if (strings === undefined) continue;
    return { info: { strings }, offset: key };
  }
  return undefined;
}

function readPairs(window: Buffer, from: number): Record<string, string> | undefined {
  const tokens = readTokens(window, from);
  const language = tokens[0];
  if (language === undefined || !/^[0-9a-f]{8}$/i.test(language)) return undefined;
  const strings: Record<string, string> = {};
  let i = 1;
  while (i < tokens.length) {
    const name = tokens[i] ?? '';
    if (!STRING_NAMES.has(name)) break;
    const value = tokens[i + 1];
    // An empty value leaves no text: the next token is already the next name.
    if (value === undefined || STRING_NAMES.has(value)) {
      i += 1;
      continue;
    }
    if (!(name in strings)) strings[name] = value.trim();
    i += 2;
  }
  const version = strings['FileVersion'] ?? strings['ProductVersion'];
  return version !== undefined && /^\d+(\.\d+)+/.test(version) ? strings : undefined;
}

/** NUL-separated runs of printable UTF-16LE text from `from`, at its byte parity, until a control character. */
function readTokens(window: Buffer, from: number): string[] {
  const tokens: string[] = [];
  let current: number[] = [];
  for (let at = from; at + 1 < window.length && tokens.length < MAX_STRINGS; at += 2) {
    const unit = window.readUInt16LE(at);
    if (unit === 0) {
      if (current.length > 0) tokens.push(String.fromCharCode(...current));
      current = [];
      continue;
    }
    if (unit < 0x20 || current.length >= MAX_STRING_CHARS) break;
    current.push(unit);
  }
  return tokens;
}
