import { DIRECTORY_RESOURCE, type PeImage } from './pe-image.js';
import { PeError } from './pe-error.js';

/** What a PE version resource says: numeric versions from VS_FIXEDFILEINFO and the strings of one string table. */
export interface PeVersionInfo {
  /** `major.minor.build.revision` from the fixed file info. */
  readonly fileVersion?: string;
  readonly productVersion?: string;
  /** FileVersion, ProductVersion, ProductName, CompanyName, OriginalFilename, … from the chosen string table. */
  readonly strings: Readonly<Record<string, string>>;
}

const RT_VERSION = 16;
const FIXED_SIGNATURE = 0xfeef04bd;
/** Entries looked at per resource directory; real files have a handful per level. */
const MAX_DIRECTORY_ENTRIES = 4096;
const MAX_VERSION_BYTES = 64 * 1024;
const MAX_NODES = 1024;
const MAX_STRING_CHARS = 1024;

/** Reads the first RT_VERSION resource, or undefined when the file has none; damage throws `PeError`. */
export async function readVersionResource(image: PeImage): Promise<PeVersionInfo | undefined> {
  const directory = image.directory(DIRECTORY_RESOURCE);
  if (directory === undefined) return undefined;
  const { data, start } = await image.sectionAt(directory.rva);
  const root = data.subarray(start);
  const view = new DataView(root.buffer, root.byteOffset, root.byteLength);
  const visited = new Set<number>();
  // Three levels: type, name, language. Offsets are relative to the resource root.
  const typeEntry = findEntry(view, 0, visited, RT_VERSION);
  if (typeEntry === undefined) return undefined;
  const nameEntry = firstSubdirectoryEntry(view, typeEntry, visited);
  if (nameEntry === undefined) return undefined;
  const langEntry = firstEntry(view, nameEntry, visited);
  if (langEntry === undefined) return undefined;
  if (langEntry.isDirectory) throw new PeError('pe.bad-version-info', 'The version resource nests deeper than type, name and language.');
  if (langEntry.offset + 16 > view.byteLength) throw new PeError('pe.truncated', 'The version resource data entry lies past the resource section.');
  const dataRva = view.getUint32(langEntry.offset, true);
  const dataSize = view.getUint32(langEntry.offset + 4, true);
  if (dataSize > MAX_VERSION_BYTES) throw new PeError('pe.too-large', `The version resource claims ${dataSize} bytes; at most ${MAX_VERSION_BYTES} are read.`);
  return parseVersionInfo(await image.slice(dataRva, dataSize));
}

interface Entry {
  readonly offset: number;
  readonly isDirectory: boolean;
}

function directoryEntries(view: DataView, offset: number, visited: Set<number>): { at: number; id: number; target: Entry }[] {
  // A directory reached twice means the tree loops back on itself.
  if (visited.has(offset)) throw new PeError('pe.resource-loop', `The resource directory at 0x${offset.toString(16)} is reached twice: the tree loops.`);
  visited.add(offset);
  if (offset + 16 > view.byteLength) throw new PeError('pe.truncated', `The resource directory at 0x${offset.toString(16)} lies past the resource section.`);
  const count = view.getUint16(offset + 12, true) + view.getUint16(offset + 14, true);
  if (count > MAX_DIRECTORY_ENTRIES) throw new PeError('pe.too-many', `A resource directory claims ${count} entries; at most ${MAX_DIRECTORY_ENTRIES} are read.`);
  if (offset + 16 + count * 8 > view.byteLength) throw new PeError('pe.truncated', `A resource directory claims ${count} entries but the section holds fewer.`);
  const entries: { at: number; id: number; target: Entry }[] = [];
  for (let i = 0; i < count; i += 1) {
    const at = offset + 16 + i * 8;
    const name = view.getUint32(at, true);
    const target = view.getUint32(at + 4, true);
    entries.push({ at, id: name & 0x80000000 ? -1 : name, target: { offset: target & 0x7fffffff, isDirectory: (target & 0x80000000) !== 0 } });
  }
  return entries;
}

function findEntry(view: DataView, offset: number, visited: Set<number>, id: number): Entry | undefined {
  const entry = directoryEntries(view, offset, visited).find((e) => e.id === id);
  if (entry === undefined) return undefined;
  if (!entry.target.isDirectory) throw new PeError('pe.bad-version-info', 'The version resource type points at data, not a directory.');
  return entry.target;
}

function firstSubdirectoryEntry(view: DataView, entry: Entry, visited: Set<number>): Entry | undefined {
  const first = directoryEntries(view, entry.offset, visited)[0];
  if (first === undefined) return undefined;
  if (!first.target.isDirectory) throw new PeError('pe.bad-version-info', 'The version resource name points at data, not a language directory.');
  return first.target;
}

function firstEntry(view: DataView, entry: Entry, visited: Set<number>): Entry | undefined {
  return directoryEntries(view, entry.offset, visited)[0]?.target;
}

interface VersionNode {
  readonly key: string;
  readonly type: number;
  readonly value: Uint8Array;
  readonly children: VersionNode[];
}

/** Parses VS_VERSIONINFO bytes (exported for tests of hostile inputs). */
export function parseVersionInfo(bytes: Uint8Array): PeVersionInfo {
  const budget = { nodes: 0 };
  const root = parseNode(bytes, 0, bytes.length, 0, budget);
  if (root === undefined || root.key !== 'VS_VERSION_INFO') throw new PeError('pe.bad-version-info', 'The version resource does not start with VS_VERSION_INFO.');
  let fileVersion: string | undefined;
  let productVersion: string | undefined;
  if (root.value.length >= 52) {
    const fixed = new DataView(root.value.buffer, root.value.byteOffset, 52);
    if (fixed.getUint32(0, true) === FIXED_SIGNATURE) {
      fileVersion = fourPart(fixed.getUint32(8, true), fixed.getUint32(12, true));
      productVersion = fourPart(fixed.getUint32(16, true), fixed.getUint32(20, true));
    }
  }
  const tables = root.children.filter((c) => c.key === 'StringFileInfo').flatMap((c) => c.children);
  // Prefer US English (0409) then language-neutral (0000), else the first table, as Explorer does.
  const table = tables.find((t) => t.key.toLowerCase().startsWith('0409')) ?? tables.find((t) => t.key.startsWith('0000')) ?? tables[0];
  const strings: Record<string, string> = {};
  for (const entry of table?.children ?? []) {
    const text = decodeText(entry.value);
    if (entry.key !== '' && !(entry.key in strings)) strings[entry.key] = text;
  }
  return { ...(fileVersion === undefined ? {} : { fileVersion }), ...(productVersion === undefined ? {} : { productVersion }), strings };
}

function parseNode(bytes: Uint8Array, offset: number, limit: number, depth: number, budget: { nodes: number }): VersionNode | undefined {
  if (offset + 6 > limit) return undefined;
  budget.nodes += 1;
  if (budget.nodes > MAX_NODES) throw new PeError('pe.too-many', `The version resource holds more than ${MAX_NODES} entries.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint16(offset, true);
  const valueLength = view.getUint16(offset + 2, true);
  const type = view.getUint16(offset + 4, true);
  // A node shorter than its header cannot advance the walk: stop instead of looping on it.
  if (length < 6) return undefined;
  const end = Math.min(offset + length, limit);
  let cursor = offset + 6;
  const keyChars: number[] = [];
  while (cursor + 2 <= end) {
    const ch = view.getUint16(cursor, true);
    cursor += 2;
    if (ch === 0) break;
    if (keyChars.length < 128) keyChars.push(ch);
  }
  const key = String.fromCharCode(...keyChars);
  cursor = align4(cursor);
  const valueBytes = type === 1 && depth >= 3 ? Math.min(valueLength * 2, end - cursor) : Math.min(valueLength, Math.max(0, end - cursor));
  const value = bytes.subarray(Math.min(cursor, end), Math.min(cursor + valueBytes, end));
  cursor = align4(cursor + valueBytes);
  const children: VersionNode[] = [];
  // Children exist only in the first three levels (root, StringFileInfo, StringTable); String leaves hold text.
  if (depth < 3) {
    while (cursor + 6 <= end) {
      const child = parseNode(bytes, cursor, end, depth + 1, budget);
      if (child === undefined) break;
      children.push(child);
      const childLength = view.getUint16(cursor, true);
      cursor = align4(cursor + childLength);
    }
  }
  // A String leaf whose writer set wValueLength to 0 still carries its text up to the end of the node.
  const leafValue = depth >= 3 && value.length === 0 ? bytes.subarray(Math.min(cursor, end), end) : value;
  return { key, type, value: leafValue, children };
}

/** VS_VERSIONINFO aligns every member to 32 bits from the start of the resource. */
function align4(at: number): number {
  return (at + 3) & ~3;
}

function decodeText(bytes: Uint8Array): string {
  const chars: number[] = [];
  for (let i = 0; i + 1 < bytes.length && chars.length < MAX_STRING_CHARS; i += 2) {
    const ch = (bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8);
    if (ch === 0) break;
    chars.push(ch);
  }
  return String.fromCharCode(...chars).trim();
}

function fourPart(ms: number, ls: number): string {
  return `${ms >>> 16}.${ms & 0xffff}.${ls >>> 16}.${ls & 0xffff}`;
}
