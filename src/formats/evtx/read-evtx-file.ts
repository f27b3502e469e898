import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { EVTX_CHUNK_SIZE, readEvtxChunk, type EvtxChunkIssue, type EvtxRecord } from './parse-evtx-chunk.js';

/** Where the first chunk starts: after the 4 KiB file header block. */
export const EVTX_HEADER_BLOCK = 4096;

const MAX_ISSUES_PER_CODE = 20;

/** What the file header says. */
export interface EvtxFileHeader {
  readonly majorVersion: number;
  readonly minorVersion: number;
  readonly chunkCount: number;
  readonly nextRecordId: number;
  /** Set when Windows did not close the file cleanly (a live or crashed log). */
  readonly dirty: boolean;
  readonly full: boolean;
  readonly checksumOk: boolean;
}

/**
 * One chunk's records and issues, in file order. The records are parsed one at a time as they are iterated
 * (iterate once); `issues` holds the chunk's own at once and its records' once the records have been read.
 */
export interface EvtxChunkBatch {
  readonly index: number;
  readonly records: Iterable<EvtxRecord>;
  readonly issues: readonly EvtxChunkIssue[];
}

/** Which chunks to read: `from` (inclusive) to `to` (exclusive); the whole file by default. */
export interface EvtxChunkRange {
  readonly from?: number;
  readonly to?: number;
}

/** How many chunks a file of this size holds (the last one possibly cut off). */
export function evtxChunkCount(size: number): number {
  return Math.max(0, Math.ceil((size - EVTX_HEADER_BLOCK) / EVTX_CHUNK_SIZE));
}

/** Thrown when a file is not an EVTX file at all (stable code `evtx.not-evtx`). */
export class EvtxFormatError extends Error {
  readonly code = 'evtx.not-evtx';
}

/** Parses the 4 KiB file header; throws EvtxFormatError when the signature is missing. */
export function parseEvtxFileHeader(block: Buffer): EvtxFileHeader {
  if (block.length < 128 || block.toString('latin1', 0, 8) !== 'ElfFile\0') throw new EvtxFormatError('not an EVTX file (no ElfFile signature)');
  const flags = block.readUInt32LE(120);
  return {
    minorVersion: block.readUInt16LE(36),
    majorVersion: block.readUInt16LE(38),
    chunkCount: block.readUInt16LE(42),
    nextRecordId: Number(block.readBigUInt64LE(24)),
    dirty: (flags & 1) !== 0,
    full: (flags & 2) !== 0,
    checksumOk: crc32(block.subarray(0, 120)) === block.readUInt32LE(124),
  };
}

/** Issues the header itself raises. */
export function headerIssues(header: EvtxFileHeader): EvtxChunkIssue[] {
  const issues: EvtxChunkIssue[] = [];
  if (!header.checksumOk) issues.push({ code: 'evtx.header-checksum', message: 'file header checksum does not match: every chunk is read anyway', offset: 0 });
  if (header.dirty) issues.push({ code: 'evtx.dirty', message: 'the file was not closed cleanly (dirty): every chunk present is read, not only those the header counts', offset: 0 });
  return issues;
}

/** Chunks read at once: 1 MiB, with the next 1 MiB read meanwhile. */
const CHUNKS_PER_READ = 16;

/**
 * Streams an EVTX file chunk by chunk (2 MiB held at a time), in file order. Every chunk present is read,
 * whatever the header counts, so a dirty file gives up its newest records too.
 */
export async function* readEvtxFile(file: string, signal?: AbortSignal, range: EvtxChunkRange = {}): AsyncGenerator<EvtxChunkBatch & { header?: EvtxFileHeader }> {
  const handle = await open(file, 'r');
  try {
    const block = Buffer.alloc(EVTX_HEADER_BLOCK);
    const { bytesRead } = await handle.read(block, 0, EVTX_HEADER_BLOCK, 0);
    const header = parseEvtxFileHeader(block.subarray(0, bytesRead));
    const from = range.from ?? 0;
    const to = range.to ?? Number.POSITIVE_INFINITY;
    if (from === 0) yield { index: -1, records: [], issues: headerIssues(header), header };
    // After 20 issues of one kind the rest are counted, so a badly damaged file cannot flood the report.
    const counts = new Map<string, number>();
    const keep = (into: EvtxChunkIssue[]) => (issue: EvtxChunkIssue): void => {
      const n = (counts.get(issue.code) ?? 0) + 1;
      counts.set(issue.code, n);
      if (n <= MAX_ISSUES_PER_CODE) into.push(issue);
    };
    // Chunks are read CHUNKS_PER_READ at a time (a read per 64 KiB chunk cost the thread about as much as
    // parsing a tenth of it), each block into a buffer of its own, as records keep views into their chunk;
    // the next block is read while this one's chunks are parsed and their records handled.
    const readBlock = (index: number): Promise<{ index: number; bytesRead: number; buffer: Buffer }> => {
      const chunks = Math.max(1, Math.min(CHUNKS_PER_READ, to - index));
      const size = chunks * EVTX_CHUNK_SIZE;
      return handle.read(Buffer.allocUnsafe(size), 0, size, EVTX_HEADER_BLOCK + index * EVTX_CHUNK_SIZE).then(({ bytesRead, buffer }) => ({ index, bytesRead, buffer }));
    };
    let next: Promise<{ index: number; bytesRead: number; buffer: Buffer }> | undefined = from < to ? readBlock(from) : undefined;
    try {
      while (next !== undefined) {
        signal?.throwIfAborted();
        const read = await next;
        next = undefined;
        if (read.bytesRead === 0) break;
        const chunks = Math.ceil(read.bytesRead / EVTX_CHUNK_SIZE);
        const whole = read.bytesRead === read.buffer.length;
        if (whole && read.index + chunks < to) next = readBlock(read.index + chunks);
        for (let i = 0; i < chunks; i += 1) {
          if (i > 0) signal?.throwIfAborted();
          const index = read.index + i;
          const start = i * EVTX_CHUNK_SIZE;
          const offset = EVTX_HEADER_BLOCK + index * EVTX_CHUNK_SIZE;
          const issues: EvtxChunkIssue[] = [];
          const chunk = readEvtxChunk(read.buffer.subarray(start, Math.min(start + EVTX_CHUNK_SIZE, read.bytesRead)), offset, keep(issues));
          yield { index, records: chunk.records, issues };
        }
        if (!whole) break;
      }
    } finally {
      // A read still under way (the reader stopped early or failed) ends before the file is closed.
      await next?.catch(() => undefined);
    }
    const summary: EvtxChunkIssue[] = [];
    for (const [code, n] of counts) {
      if (n > MAX_ISSUES_PER_CODE) summary.push({ code, message: `${n - MAX_ISSUES_PER_CODE} more issues of this kind in the file`, offset: 0 });
    }
    if (summary.length > 0) yield { index: -1, records: [], issues: summary };
  } finally {
    await handle.close();
  }
}
