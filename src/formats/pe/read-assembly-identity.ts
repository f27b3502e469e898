import { createHash } from 'node:crypto';
import { DIRECTORY_CLI, type PeImage } from './pe-image.js';
import { PeError } from './pe-error.js';

/** A .NET assembly's identity from its CLI metadata (the Assembly table), as the runtime binds it. */
export interface AssemblyIdentity {
  readonly name: string;
  /** `major.minor.build.revision`. */
  readonly version: string;
  readonly culture?: string;
  /** 16 hex digits, the last 8 bytes of the SHA-1 of the public key reversed; absent for unsigned assemblies. */
  readonly publicKeyToken?: string;
}

const METADATA_SIGNATURE = 0x424a5342;
const MAX_METADATA_BYTES = 64 * 1024 * 1024;
const MAX_STREAMS = 16;
const ASSEMBLY_TABLE = 0x20;

/** Reads the assembly identity, or undefined for a native (non-.NET) image or a module without an Assembly row. */
export async function readAssemblyIdentity(image: PeImage): Promise<AssemblyIdentity | undefined> {
  const cli = image.directory(DIRECTORY_CLI);
  if (cli === undefined) return undefined;
  const header = await image.slice(cli.rva, 16);
  const headerView = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const metadataRva = headerView.getUint32(8, true);
  const metadataSize = headerView.getUint32(12, true);
  if (metadataSize > MAX_METADATA_BYTES) throw new PeError('pe.too-large', `The CLI metadata claims ${metadataSize} bytes.`);
  return parseMetadata(await image.slice(metadataRva, metadataSize));
}

/** Parses a CLI metadata root (ECMA-335 II.24) and returns its Assembly row (exported for hand-built tables). */
export function parseMetadata(bytes: Uint8Array): AssemblyIdentity | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at: number, length: number, what: string): void => {
    if (at < 0 || at + length > bytes.length) throw new PeError('pe.bad-metadata', `The CLI metadata is cut short in ${what}.`);
  };
  need(0, 16, 'its header');
  if (view.getUint32(0, true) !== METADATA_SIGNATURE) throw new PeError('pe.bad-metadata', 'The CLI metadata has no BSJB signature.');
  const versionLength = view.getUint32(12, true);
  let cursor = 16 + versionLength;
  need(cursor, 4, 'its header');
  const streamCount = view.getUint16(cursor + 2, true);
  if (streamCount > MAX_STREAMS) throw new PeError('pe.bad-metadata', `The CLI metadata claims ${streamCount} streams.`);
  cursor += 4;
  const streams = new Map<string, Uint8Array>();
  for (let i = 0; i < streamCount; i += 1) {
    need(cursor, 8, 'a stream header');
    const offset = view.getUint32(cursor, true);
    const size = view.getUint32(cursor + 4, true);
    cursor += 8;
    let name = '';
    while (cursor < bytes.length && bytes[cursor] !== 0 && name.length < 32) {
      name += String.fromCharCode(bytes[cursor] ?? 0);
      cursor += 1;
    }
    cursor = (cursor + 1 + 3) & ~3;
    need(offset, size, `stream ${JSON.stringify(name)}`);
    streams.set(name, bytes.subarray(offset, offset + size));
  }
  const tables = streams.get('#~') ?? streams.get('#-');
  const strings = streams.get('#Strings') ?? new Uint8Array();
  const blobs = streams.get('#Blob') ?? new Uint8Array();
  if (tables === undefined) throw new PeError('pe.bad-metadata', 'The CLI metadata has no table stream.');
  return readAssemblyRow(tables, strings, blobs);
}

type Column = number | 'string' | 'guid' | 'blob' | { table: number } | { coded: keyof typeof CODED };

/** Coded index kinds: tag bits and tables (ECMA-335 II.24.2.6). */
const CODED = {
  typeDefOrRef: [2, [0x02, 0x01, 0x1b]],
  hasConstant: [2, [0x04, 0x08, 0x17]],
  hasCustomAttribute: [5, [0x06, 0x04, 0x01, 0x02, 0x08, 0x09, 0x0a, 0x00, 0x0e, 0x17, 0x14, 0x11, 0x1a, 0x1b, 0x20, 0x23, 0x26, 0x27, 0x28, 0x2a, 0x2c, 0x2b]],
  hasFieldMarshal: [1, [0x04, 0x08]],
  hasDeclSecurity: [2, [0x02, 0x06, 0x20]],
  memberRefParent: [3, [0x02, 0x01, 0x1a, 0x06, 0x1b]],
  hasSemantics: [1, [0x14, 0x17]],
  methodDefOrRef: [1, [0x06, 0x0a]],
  memberForwarded: [1, [0x04, 0x06]],
  customAttributeType: [3, [0x06, 0x0a]],
  resolutionScope: [2, [0x00, 0x1a, 0x23, 0x01]],
} as const satisfies Record<string, readonly [number, readonly number[]]>;

const t = (table: number): Column => ({ table });
const c = (coded: keyof typeof CODED): Column => ({ coded });

/** Columns of the tables before Assembly (0x00–0x1F), enough to skip them row by row. */
const TABLES: readonly (readonly Column[])[] = [
  [2, 'string', 'guid', 'guid', 'guid'], // 0x00 Module
  [c('resolutionScope'), 'string', 'string'], // 0x01 TypeRef
  [4, 'string', 'string', c('typeDefOrRef'), t(0x04), t(0x06)], // 0x02 TypeDef
  [t(0x04)], // 0x03 FieldPtr
  [2, 'string', 'blob'], // 0x04 Field
  [t(0x06)], // 0x05 MethodPtr
  [4, 2, 2, 'string', 'blob', t(0x08)], // 0x06 MethodDef
  [t(0x08)], // 0x07 ParamPtr
  [2, 2, 'string'], // 0x08 Param
  [t(0x02), c('typeDefOrRef')], // 0x09 InterfaceImpl
  [c('memberRefParent'), 'string', 'blob'], // 0x0A MemberRef
  [2, c('hasConstant'), 'blob'], // 0x0B Constant
  [c('hasCustomAttribute'), c('customAttributeType'), 'blob'], // 0x0C CustomAttribute
  [c('hasFieldMarshal'), 'blob'], // 0x0D FieldMarshal
  [2, c('hasDeclSecurity'), 'blob'], // 0x0E DeclSecurity
  [2, 4, t(0x02)], // 0x0F ClassLayout
  [4, t(0x04)], // 0x10 FieldLayout
  ['blob'], // 0x11 StandAloneSig
  [t(0x02), t(0x14)], // 0x12 EventMap
  [t(0x14)], // 0x13 EventPtr
  [2, 'string', c('typeDefOrRef')], // 0x14 Event
  [t(0x02), t(0x17)], // 0x15 PropertyMap
  [t(0x17)], // 0x16 PropertyPtr
  [2, 'string', 'blob'], // 0x17 Property
  [2, t(0x06), c('hasSemantics')], // 0x18 MethodSemantics
  [t(0x02), c('methodDefOrRef'), c('methodDefOrRef')], // 0x19 MethodImpl
  ['string'], // 0x1A ModuleRef
  ['blob'], // 0x1B TypeSpec
  [2, c('memberForwarded'), 'string', t(0x1a)], // 0x1C ImplMap
  [4, t(0x04)], // 0x1D FieldRVA
  [4, 4], // 0x1E EncLog
  [4], // 0x1F EncMap
];

function readAssemblyRow(stream: Uint8Array, strings: Uint8Array, blobs: Uint8Array): AssemblyIdentity | undefined {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  if (stream.length < 24) throw new PeError('pe.bad-metadata', 'The table stream is cut short.');
  const heapSizes = stream[6] ?? 0;
  const valid = view.getBigUint64(8, true);
  const rows = new Array<number>(64).fill(0);
  let cursor = 24;
  for (let table = 0; table < 64; table += 1) {
    if ((valid >> BigInt(table)) & 1n) {
      if (cursor + 4 > stream.length) throw new PeError('pe.bad-metadata', 'The table row counts are cut short.');
      rows[table] = view.getUint32(cursor, true);
      cursor += 4;
    }
  }
  if (((valid >> BigInt(ASSEMBLY_TABLE)) & 1n) === 0n || rows[ASSEMBLY_TABLE] === 0) return undefined;
  // Some writers add 4 bytes of extra data when bit 0x40 of HeapSizes is set.
  if (heapSizes & 0x40) cursor += 4;
  const stringSize = heapSizes & 0x01 ? 4 : 2;
  const guidSize = heapSizes & 0x02 ? 4 : 2;
  const blobSize = heapSizes & 0x04 ? 4 : 2;
  const columnSize = (column: Column): number => {
    if (typeof column === 'number') return column;
    if (column === 'string') return stringSize;
    if (column === 'guid') return guidSize;
    if (column === 'blob') return blobSize;
    if ('table' in column) return (rows[column.table] ?? 0) < 0x10000 ? 2 : 4;
    const [bits, tables] = CODED[column.coded];
    const most = Math.max(...tables.map((table) => rows[table] ?? 0));
    return most < 1 << (16 - bits) ? 2 : 4;
  };
  for (let table = 0; table < ASSEMBLY_TABLE; table += 1) {
    const count = rows[table] ?? 0;
    if (count === 0) continue;
    const columns = TABLES[table];
    if (columns === undefined) throw new PeError('pe.bad-metadata', `Table 0x${table.toString(16)} is unknown.`);
    const rowSize = columns.reduce<number>((sum, column) => sum + columnSize(column), 0);
    // A row count that would run past the stream is damage; checked before multiplying into a huge skip.
    if (count > (stream.length - cursor) / rowSize) throw new PeError('pe.bad-metadata', `Table 0x${table.toString(16)} claims ${count} rows, more than the stream holds.`);
    cursor += count * rowSize;
  }
  const read = (size: number): number => {
    if (cursor + size > stream.length) throw new PeError('pe.bad-metadata', 'The Assembly row is cut short.');
    const value = size === 2 ? view.getUint16(cursor, true) : view.getUint32(cursor, true);
    cursor += size;
    return value;
  };
  read(4);
  const version = [read(2), read(2), read(2), read(2)].join('.');
  const flags = read(4);
  const publicKey = readBlob(blobs, read(blobSize));
  const name = readString(strings, read(stringSize));
  const culture = readString(strings, read(stringSize));
  if (name === '') throw new PeError('pe.bad-metadata', 'The Assembly row has no name.');
  let publicKeyToken: string | undefined;
  if (publicKey.length > 0) {
    // Flag 0x1: the blob is the full public key, whose token is derived; otherwise the blob is the token itself.
    const token = flags & 0x1 ? Uint8Array.from(createHash('sha1').update(publicKey).digest().subarray(-8)).reverse() : publicKey.subarray(0, 8);
    publicKeyToken = Buffer.from(token).toString('hex');
  }
  return { name, version, ...(culture === '' ? {} : { culture }), ...(publicKeyToken === undefined ? {} : { publicKeyToken }) };
}

function readString(heap: Uint8Array, offset: number): string {
  if (offset >= heap.length) return '';
  const end = heap.indexOf(0, offset);
  return Buffer.from(heap.subarray(offset, Math.min(end === -1 ? heap.length : end, offset + 1024))).toString('utf8');
}

function readBlob(heap: Uint8Array, offset: number): Uint8Array {
  const first = heap[offset];
  if (first === undefined) return new Uint8Array();
  let length: number;
  let start: number;
  // Blob lengths are compressed integers (ECMA-335 II.23.2): 1, 2 or 4 bytes.
  if ((first & 0x80) === 0) {
    length = first;
    start = offset + 1;
  } else if ((first & 0xc0) === 0x80) {
    length = ((first & 0x3f) << 8) | (heap[offset + 1] ?? 0);
    start = offset + 2;
  } else {
    length = ((first & 0x1f) << 24) | ((heap[offset + 1] ?? 0) << 16) | ((heap[offset + 2] ?? 0) << 8) | (heap[offset + 3] ?? 0);
    start = offset + 4;
  }
  return heap.subarray(start, Math.min(start + length, heap.length));
}
