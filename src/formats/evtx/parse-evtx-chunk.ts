import { crc32 } from 'node:zlib';
import type { EvtxAttribute, EvtxNode, EvtxTemplate } from './evtx-node.js';
import { EVTX_TYPE, EvtxValueError, decodeValue, fixedSize, readFiletime, readGuid, readUint64, type EvtxFiletime, type EvtxValue } from './evtx-value.js';

/** Size of one chunk, fixed by the format. */
export const EVTX_CHUNK_SIZE = 65_536;
const CHUNK_HEADER_SIZE = 512;
const RECORD_SIGNATURE = 0x00002a2a;
/** Nesting of elements, templates and embedded BinXML a record may have before it is judged hostile. */
const MAX_DEPTH = 64;
/** Tokens one record may expand to; a chunk is 64 KiB, so real records stay far below. */
const MAX_TOKENS = 200_000;

/** One event record: its number, when it was written, and its BinXML, templates left unexpanded. */
export interface EvtxRecord {
  readonly recordId: number;
  /** FILETIME of the record header (when the record was written). */
  readonly written: EvtxFiletime;
  /** Offset of the record in the file. */
  readonly offset: number;
  readonly nodes: readonly EvtxNode[];
}

/** A problem met in a chunk: the rest of the chunk is still read. */
export interface EvtxChunkIssue {
  readonly code: string;
  readonly message: string;
  readonly offset: number;
}

class BinXmlError extends Error {}

interface MutableElement {
  kind: 'element';
  name: string;
  attributes: EvtxAttribute[];
  children: EvtxNode[];
  memo: unknown;
}

/** Parses the BinXML of one chunk, with its name and template caches. */
class ChunkBinXml {
  private readonly names = new Map<number, string>();
  private readonly templates = new Map<number, EvtxTemplate>();
  private readonly parsing = new Set<number>();
  private tokens = 0;

  constructor(private readonly buf: Buffer) {}

  startRecord(): void {
    this.tokens = 0;
  }

  private need(pos: number, size: number, end: number): void {
    if (pos + size > end) throw new BinXmlError(`BinXML cut off at chunk offset ${pos}`);
  }

  private u32(pos: number, end: number): number {
    this.need(pos, 4, end);
    return this.buf.readUInt32LE(pos);
  }

  private u16(pos: number, end: number): number {
    this.need(pos, 2, end);
    return this.buf.readUInt16LE(pos);
  }

  /** A name struct at `offset`: next offset (4), hash (2), character count (2), UTF-16, NUL. */
  private nameAt(offset: number): { name: string; size: number } {
    const count = this.u16(offset + 6, this.buf.length);
    const size = 8 + count * 2 + 2;
    this.need(offset, size, this.buf.length);
    return { name: this.buf.toString('utf16le', offset + 8, offset + 8 + count * 2), size };
  }

  /** Reads a name reference at `pos`; an inline name (offset = here) follows it. Returns the name and the next position. */
  private readName(pos: number, end: number): [string, number] {
    const offset = this.u32(pos, end);
    pos += 4;
    if (offset === pos) {
      const { name, size } = this.nameAt(offset);
      this.names.set(offset, name);
      return [name, pos + size];
    }
    let name = this.names.get(offset);
    if (name === undefined) {
      if (offset < CHUNK_HEADER_SIZE || offset >= this.buf.length) throw new BinXmlError(`name offset ${offset} outside the chunk`);
      name = this.nameAt(offset).name;
      this.names.set(offset, name);
    }
    return [name, pos];
  }

  /** Parses BinXML from `pos` until its end-of-stream token or `end`. */
  fragment(pos: number, end: number, hasDependencyId: boolean, depth: number): { nodes: EvtxNode[]; pos: number } {
    if (depth > MAX_DEPTH) throw new BinXmlError('BinXML nested too deeply');
    const root: EvtxNode[] = [];
    const stack: MutableElement[] = [];
    let target = root;
    let attribute: EvtxNode[] | undefined;
    const buf = this.buf;
    const add = (node: EvtxNode): void => {
      (attribute ?? target).push(node);
    };
    const close = (): void => {
      stack.pop();
      const parent = stack[stack.length - 1];
      target = parent === undefined ? root : parent.children;
      attribute = undefined;
    };
    while (pos < end) {
      this.tokens += 1;
      if (this.tokens > MAX_TOKENS) throw new BinXmlError('record expands to too many tokens');
      const token = buf[pos] ?? 0;
      switch (token & 0xbf) {
        case 0x00:
          return { nodes: root, pos: pos + 1 };
        case 0x01: {
          pos += 1;
          if (hasDependencyId) pos += 2;
          this.need(pos, 4, end);
          pos += 4;
          let name: string;
          [name, pos] = this.readName(pos, end);
          if ((token & 0x40) !== 0) pos += 4;
          if (stack.length >= MAX_DEPTH) throw new BinXmlError('elements nested too deeply');
          const element: MutableElement = { kind: 'element', name, attributes: [], children: [], memo: undefined };
          (attribute ?? target).push(element);
          stack.push(element);
          attribute = undefined;
          target = element.children;
          break;
        }
        case 0x02:
          pos += 1;
          attribute = undefined;
          if (stack.length === 0) throw new BinXmlError('close of a start element that was not opened');
          break;
        case 0x03:
          pos += 1;
          if (stack.length === 0) throw new BinXmlError('close of an element that was not opened');
          close();
          break;
        case 0x04:
          pos += 1;
          if (stack.length === 0) throw new BinXmlError('end of an element that was not opened');
          close();
          break;
        case 0x05: {
          const type = buf[pos + 1] ?? 0;
          pos += 2;
          let value: EvtxValue;
          if (type === EVTX_TYPE.string) {
            const count = this.u16(pos, end);
            pos += 2;
            this.need(pos, count * 2, end);
            value = { kind: 'string', type, text: buf.toString('utf16le', pos, pos + count * 2) };
            pos += count * 2;
          } else {
            const size = fixedSize(type);
            if (size === undefined) throw new BinXmlError(`value token of type 0x${type.toString(16)}`);
            this.need(pos, size, end);
            value = decodeValue(buf, pos, size, type, () => []);
            pos += size;
          }
          add({ kind: 'value', value });
          break;
        }
        case 0x06: {
          const element = stack[stack.length - 1];
          if (element === undefined) throw new BinXmlError('attribute outside an element');
          let name: string;
          [name, pos] = this.readName(pos + 1, end);
          attribute = [];
          element.attributes.push({ name, value: attribute });
          break;
        }
        case 0x07: {
          const count = this.u16(pos + 1, end);
          this.need(pos + 3, count * 2, end);
          add({ kind: 'cdata', text: buf.toString('utf16le', pos + 3, pos + 3 + count * 2) });
          pos += 3 + count * 2;
          break;
        }
        case 0x08:
          add({ kind: 'charref', code: this.u16(pos + 1, end) });
          pos += 3;
          break;
        case 0x09: {
          let name: string;
          [name, pos] = this.readName(pos + 1, end);
          add({ kind: 'entity', name });
          break;
        }
        case 0x0a: {
          let name: string;
          [name, pos] = this.readName(pos + 1, end);
          add({ kind: 'pi', target: name, data: '' });
          break;
        }
        case 0x0b: {
          const count = this.u16(pos + 1, end);
          this.need(pos + 3, count * 2, end);
          const last = (attribute ?? target)[(attribute ?? target).length - 1];
          const data = buf.toString('utf16le', pos + 3, pos + 3 + count * 2);
          if (last !== undefined && last.kind === 'pi') (attribute ?? target)[(attribute ?? target).length - 1] = { ...last, data };
          pos += 3 + count * 2;
          break;
        }
        case 0x0c: {
          const instance = this.templateInstance(pos, end, depth);
          add(instance.node);
          pos = instance.pos;
          break;
        }
        case 0x0d:
        case 0x0e:
          this.need(pos, 4, end);
          add({ kind: 'substitution', index: buf.readUInt16LE(pos + 1), optional: (token & 0xbf) === 0x0e });
          pos += 4;
          break;
        case 0x0f:
          pos += 4;
          break;
        default:
          throw new BinXmlError(`unknown BinXML token 0x${token.toString(16)} at chunk offset ${pos}`);
      }
    }
    return { nodes: root, pos };
  }

  private template(offset: number, depth: number): EvtxTemplate {
    const cached = this.templates.get(offset);
    if (cached !== undefined) return cached;
    if (this.parsing.has(offset)) throw new BinXmlError(`template at ${offset} includes itself`);
    const end = this.buf.length;
    this.need(offset, 24, end);
    // A definition starts its BinXML with a fragment header; anything else means the record points at a template that is not there.
    if (this.buf[offset + 24] !== 0x0f) throw new BinXmlError(`refers to a template at chunk offset ${offset} that the chunk does not hold (records copied out of their chunk?)`);
    const guid = readGuid(this.buf, offset + 4);
    const size = this.buf.readUInt32LE(offset + 20);
    const start = offset + 24;
    this.need(start, size, end);
    this.parsing.add(offset);
    try {
      const template: EvtxTemplate = { offset, guid, nodes: this.fragment(start, start + size, true, depth + 1).nodes };
      this.templates.set(offset, template);
      return template;
    } finally {
      this.parsing.delete(offset);
    }
  }

  private templateInstance(pos: number, end: number, depth: number): { node: EvtxNode; pos: number } {
    this.need(pos, 10, end);
    const definition = this.buf.readUInt32LE(pos + 6);
    pos += 10;
    if (definition === pos) {
      // The definition sits here, the first time the chunk uses it; later records point back at it.
      this.need(pos, 24, end);
      pos += 24 + this.buf.readUInt32LE(pos + 20);
    }
    const template = this.template(definition, depth);
    const count = this.u32(pos, end);
    pos += 4;
    this.need(pos, count * 4, end);
    const values: EvtxValue[] = new Array<EvtxValue>(count);
    let data = pos + count * 4;
    for (let i = 0; i < count; i += 1) {
      const size = this.buf.readUInt16LE(pos + i * 4);
      const type = this.buf[pos + i * 4 + 2] ?? 0;
      this.need(data, size, end);
      values[i] = decodeValue(this.buf, data, size, type, (p, s) => this.nested(p, s, depth + 1));
      data += size;
    }
    return { node: { kind: 'template', template, values }, pos: data };
  }

  /** Embedded BinXML (value type 0x21): its element headers usually lack the dependency identifier. */
  private nested(pos: number, size: number, depth: number): EvtxNode[] {
    try {
      return this.fragment(pos, pos + size, false, depth).nodes;
    } catch (error) {
      if (!(error instanceof BinXmlError)) throw error;
      return this.fragment(pos, pos + size, true, depth).nodes;
    }
  }
}

/** Where a chunk's issues go, as the reading meets them. */
export type EvtxIssueSink = (issue: EvtxChunkIssue) => void;

/** One chunk opened for reading: whether it is in use, and its records. */
export interface EvtxChunkRecords {
  /** False when the chunk was unused (no signature), as preallocated chunks at the end of a file are. */
  readonly used: boolean;
  /**
   * The records in chunk order, each parsed when the iteration reaches it; damage met on the way goes to the
   * sink. Iterate once. A chunk's records are not all held at once: parsed in one go, the records of the chunk
   * being matched were alive at every scavenge of an `events` worker and copied by it (3.0–3.3 s of a run's
   * scavenges against 1.3–1.5 s read one at a time).
   */
  readonly records: Iterable<EvtxRecord>;
}

/** Opens one 64 KiB chunk: its header's damage goes to `report` at once, its records' as they are read. */
export function readEvtxChunk(chunk: Buffer, fileOffset: number, report: EvtxIssueSink): EvtxChunkRecords {
  if (chunk.length < CHUNK_HEADER_SIZE || chunk.toString('latin1', 0, 8) !== 'ElfChnk\0') {
    const empty = chunk.every((b) => b === 0);
    if (!empty) report({ code: 'evtx.chunk-signature', message: 'chunk without its ElfChnk signature: skipped', offset: fileOffset });
    return { used: false, records: [] };
  }
  const headerCrc = crc32(chunk.subarray(128, 512), crc32(chunk.subarray(0, 120)));
  if (headerCrc !== chunk.readUInt32LE(124)) {
    report({ code: 'evtx.chunk-header-checksum', message: 'chunk header checksum does not match: records read with care', offset: fileOffset });
  }
  const freeSpace = chunk.readUInt32LE(48);
  const dataEnd = Math.min(chunk.length, freeSpace >= CHUNK_HEADER_SIZE && freeSpace <= EVTX_CHUNK_SIZE ? freeSpace : chunk.length);
  if (chunk.length < EVTX_CHUNK_SIZE) {
    report({ code: 'evtx.chunk-truncated', message: `last chunk cut off after ${chunk.length} bytes: records before the cut are read`, offset: fileOffset });
  } else if (crc32(chunk.subarray(CHUNK_HEADER_SIZE, dataEnd)) !== chunk.readUInt32LE(52)) {
    report({ code: 'evtx.chunk-data-checksum', message: 'event records checksum does not match: each record is checked on its own', offset: fileOffset });
  }
  return { used: true, records: chunkRecords(chunk, fileOffset, dataEnd, report) };
}

/** The records of a chunk whose header was read, one at a time; damage becomes issues and every record that can be read is. */
function* chunkRecords(chunk: Buffer, fileOffset: number, dataEnd: number, report: EvtxIssueSink): Generator<EvtxRecord> {
  const binxml = new ChunkBinXml(chunk);
  let pos = CHUNK_HEADER_SIZE;
  // A dirty chunk may hold records past the free-space offset its header still names; keep reading while records follow.
  while (pos + 28 <= chunk.length) {
    const size = chunk.readUInt32LE(pos + 4);
    const framed =
      chunk.readUInt32LE(pos) === RECORD_SIGNATURE && size >= 28 && pos + size <= chunk.length && chunk.readUInt32LE(pos + size - 4) === size;
    if (!framed) {
      if (pos < dataEnd) {
        const next = findNextRecord(chunk, pos + 1, dataEnd);
        report({ code: 'evtx.record-framing', message: `broken record framing at chunk offset ${pos}: ${next === -1 ? 'rest of the chunk skipped' : `resumed at ${next}`}`, offset: fileOffset + pos });
        if (next === -1) break;
        pos = next;
        continue;
      }
      break;
    }
    const recordId = Number(readUint64(chunk, pos + 8));
    const written = readFiletime(chunk, pos + 16);
    let record: EvtxRecord | undefined;
    try {
      binxml.startRecord();
      const nodes = binxml.fragment(pos + 24, pos + size - 4, true, 0).nodes;
      record = { recordId, written, offset: fileOffset + pos, nodes };
    } catch (error) {
      if (!(error instanceof BinXmlError) && !(error instanceof RangeError) && !(error instanceof EvtxValueError)) throw error;
      report({ code: 'evtx.record-invalid', message: `record ${recordId}: ${error.message}`, offset: fileOffset + pos });
    }
    pos += size;
    if (record !== undefined) yield record;
  }
}

function findNextRecord(chunk: Buffer, from: number, end: number): number {
  for (let p = from; p + 28 <= end; p += 1) {
    if (chunk[p] !== 0x2a || chunk[p + 1] !== 0x2a || chunk[p + 2] !== 0 || chunk[p + 3] !== 0) continue;
    const size = chunk.readUInt32LE(p + 4);
    if (size >= 28 && p + size <= chunk.length && chunk.readUInt32LE(p + size - 4) === size) return p;
  }
  return -1;
}

