import { addAbortSignal } from 'node:stream';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import type { ScanIssue } from '../../core/scan-issue.js';
import { countBytes } from './count-bytes.js';
import { inflateChunks } from './inflate-chunks.js';
import { InputStreamError } from './input-stream-error.js';
import { isLogFileName, isZipFileName } from './is-log-file-name.js';
import { limitInflation } from './limit-inflation.js';
import type { InflationLimits } from './limit-inflation.js';
import type { LogStream } from './log-stream.js';
import { peekContainer } from './peek-container.js';
import { nextZipEntry } from '../zip/next-zip-entry.js';

/** Options for `openZipLogStreams`. */
export interface OpenZipLogStreamsOptions {
  readonly signal?: AbortSignal;
  onIssue(issue: ScanIssue): void;
  /** Largest decompressed chunk, in bytes. */
  readonly chunkSize: number;
  /** Bounds for each entry and for the archive as a whole. */
  readonly inflation: InflationLimits;
  /** Central-directory entries read before giving up on the archive. */
  readonly maxEntries: number;
}

const UTF8_NAME_FLAG = 0x800;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
const MAX_QUOTED_NAME = 200;

/**
 * Streams the IIS logs inside a zip archive, one entry at a time in central-directory order, without
 * extracting anything. Unsafe, encrypted, nested and unsupported entries are reported through
 * `onIssue` and skipped; an unreadable archive is reported and yields nothing. Each stream's chunks
 * must be consumed or abandoned before asking for the next stream.
 */
export async function* openZipLogStreams(zipPath: string, options: OpenZipLogStreamsOptions): AsyncGenerator<LogStream, void, undefined> {
  const issue = (code: string, message: string): void => options.onIssue({ code, message, path: zipPath });
  let zipfile: ZipFile;
  try {
    zipfile = await openZip(zipPath);
  } catch (error) {
    if (isSystemError(error)) {
      issue('input.read-failed', `Cannot read the zip archive ${JSON.stringify(zipPath)} (${error.code}).`);
    } else {
      issue('input.zip-corrupt', `${JSON.stringify(zipPath)} is not a readable zip archive (${errorMessage(error)}); nothing in it was read.`);
    }
    return;
  }
  // yauzl can emit an error while no entry is awaited (closing the file); without a listener that
  // would crash the process, and the awaited paths report their own errors.
  zipfile.on('error', ignore);
  const archive: ArchiveReading = { zipPath, zipfile, options, issue, outputBytes: 0, stopped: false };
  try {
    for (let seen = 0; ; seen += 1) {
      options.signal?.throwIfAborted();
      let entry: Entry | undefined;
      try {
        entry = await nextZipEntry(zipfile);
      } catch (error) {
        issue('input.zip-corrupt', `The central directory of ${JSON.stringify(zipPath)} is corrupt after ${seen} entries (${errorMessage(error)}); the rest was not read.`);
        return;
      }
      if (entry === undefined) return;
      if (seen >= options.maxEntries) {
        issue('input.zip-too-many-entries', `${JSON.stringify(zipPath)} has more than ${options.maxEntries} entries; the rest were not read.`);
        return;
      }
      const name = decodeEntryName(entry);
      const unsafe = unsafeNameReason(name);
      if (unsafe !== undefined) {
        issue('input.zip-unsafe-entry', `The entry ${quote(name)} in ${JSON.stringify(zipPath)} ${unsafe}, so it was skipped.`);
        continue;
      }
      if (/[/\\]$/.test(name)) continue;
      const baseName = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
      if (isZipFileName(baseName)) {
        issue('input.zip-nested', `The entry ${quote(name)} in ${JSON.stringify(zipPath)} is itself a zip archive; unpack it to hunt through it.`);
        continue;
      }
      if (!isLogFileName(baseName)) continue;
      if (entry.isEncrypted()) {
        issue('input.zip-encrypted', `The entry ${quote(name)} in ${JSON.stringify(zipPath)} is encrypted, so it was skipped.`);
        continue;
      }
      if (entry.compressionMethod !== METHOD_STORED && entry.compressionMethod !== METHOD_DEFLATED) {
        issue(
          'input.zip-unsupported-method',
          `The entry ${quote(name)} in ${JSON.stringify(zipPath)} uses compression method ${entry.compressionMethod}, which is not supported (only stored and deflated), so it was skipped.`,
        );
        continue;
      }
      const path = `${zipPath}!${name}`;
      const chunks = entryChunks(archive, entry, path);
      try {
        yield { path, size: /\.gz$/i.test(baseName) ? undefined : entry.uncompressedSize, chunks };
      } finally {
        // Releases the entry's file range if the consumer left its chunks half-read.
        await chunks.return(undefined);
      }
      if (archive.stopped) return;
    }
  } finally {
    // The file descriptor closes once the last entry stream is released too.
    zipfile.close();
  }
}

/** One archive being read, shared by its entries' streams. */
interface ArchiveReading {
  readonly zipPath: string;
  readonly zipfile: ZipFile;
  readonly options: OpenZipLogStreamsOptions;
  readonly issue: (code: string, message: string) => void;
  /** Decompressed bytes handed out so far, over all entries. */
  outputBytes: number;
  /** Set when the archive as a whole looked like a bomb. */
  stopped: boolean;
}

async function* entryChunks(archive: ArchiveReading, entry: Entry, path: string): AsyncGenerator<Buffer, void, undefined> {
  const { zipfile, options, issue } = archive;
  const counter = { bytes: 0 };
  // Raw bytes are inflated here rather than by yauzl so that a damaged entry still yields everything
  // before the damage (see inflateChunks); reopening re-reads the entry's byte range.
  const rawEntry = (): AsyncGenerator<Buffer, void, undefined> => readRawEntry(zipfile, entry, path, options.signal);
  const decoded = (raw: AsyncIterable<Buffer>): AsyncGenerator<Buffer, void, undefined> =>
    checkEntrySize(
      entry.compressionMethod === METHOD_DEFLATED ? inflateChunks(raw, { format: 'deflate-raw', path, chunkSize: options.chunkSize, reopen: rawEntry }) : raw,
      entry.uncompressedSize,
      path,
    );
  const peeked = await peekContainer(decoded(countBytes(rawEntry(), counter)));
  // Rotated logs are often gzipped before being zipped; the magic bytes say so, whatever the name.
  const content =
    peeked.container === 'gzip'
      ? inflateChunks(peeked.chunks, { format: 'gzip', path, chunkSize: options.chunkSize, reopen: () => decoded(rawEntry()) })
      : peeked.chunks;
  const limited = limitInflation(content, {
    limits: options.inflation,
    compressedBytes: () => counter.bytes,
    onExceeded: (outputBytes) => {
      issue(
        'input.zip-bomb',
        `The entry ${JSON.stringify(path)} decompressed to more than ${outputBytes} bytes from ${counter.bytes}, which looks like a decompression bomb; reading stopped there.`,
      );
    },
  });
  for await (const chunk of limited) {
    archive.outputBytes += chunk.length;
    // Many entries can share or repeat compressed data, each below the per-entry bound; the archive as
    // a whole is bounded against its size on disk too.
    if (archive.outputBytes > options.inflation.minBytes && archive.outputBytes > options.inflation.maxRatio * Math.max(zipfile.fileSize, 1)) {
      archive.stopped = true;
      issue(
        'input.zip-bomb',
        `The archive ${JSON.stringify(archive.zipPath)} decompressed to more than ${archive.outputBytes} bytes from ${zipfile.fileSize}, which looks like a decompression bomb; reading stopped there.`,
      );
      return;
    }
    yield chunk;
  }
}

async function* readRawEntry(zipfile: ZipFile, entry: Entry, path: string, signal: AbortSignal | undefined): AsyncGenerator<Buffer, void, undefined> {
  signal?.throwIfAborted();
  let stream: Readable;
  try {
    stream = await openRawStream(zipfile, entry);
  } catch (error) {
    throw new InputStreamError('input.zip-corrupt', path, `Cannot open the entry ${JSON.stringify(path)} (${errorMessage(error)}).`, { cause: error });
  }
  if (signal !== undefined) addAbortSignal(signal, stream);
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    throw new InputStreamError('input.read-failed', path, `Reading the entry ${JSON.stringify(path)} failed (${errorMessage(error)}).`, { cause: error });
  } finally {
    stream.destroy();
  }
}


/** Stops at the size the central directory promised, and fails on an entry that ends short of it. */
async function* checkEntrySize(chunks: AsyncIterable<Buffer>, expected: number, path: string): AsyncGenerator<Buffer, void, undefined> {
  let seen = 0;
  for await (const chunk of chunks) {
    if (seen + chunk.length > expected) {
      if (expected > seen) yield chunk.subarray(0, expected - seen);
      throw new InputStreamError('input.zip-corrupt', path, `The entry ${JSON.stringify(path)} holds more data than the archive declares (${expected} bytes); the rest was not read.`);
    }
    seen += chunk.length;
    yield chunk;
  }
  if (seen < expected) {
    throw new InputStreamError('input.zip-corrupt', path, `The entry ${JSON.stringify(path)} ends after ${seen} of its ${expected} bytes.`);
  }
}

function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    // Names are decoded here (see decodeEntryName) because yauzl rejects a whole archive over one bad name.
    yauzl.open(path, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false }, (error, zipfile) => {
      if (error !== null) reject(error);
      else resolve(zipfile);
    });
  });
}

function openRawStream(zipfile: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zipfile.openReadStream(entry, { decodeFileData: false }, (error, stream) => {
      if (error !== null) reject(error);
      else resolve(stream);
    });
  });
}

function decodeEntryName(entry: Entry): string {
  // Without the UTF-8 flag the name is CP437; IIS log names are ASCII, where CP437 and latin1 agree
  // (as they do on every byte the safety checks look at), so latin1 is enough for display.
  return entry.fileNameRaw.toString((entry.generalPurposeBitFlag & UTF8_NAME_FLAG) !== 0 ? 'utf8' : 'latin1');
}

function unsafeNameReason(name: string): string | undefined {
  if (name.includes('\0')) return 'contains a NUL character';
  if (/^[/\\]/.test(name)) return 'has an absolute path';
  if (/^[a-z]:/i.test(name)) return 'starts with a drive letter';
  if (name.split(/[/\\]/).includes('..')) return 'climbs out of the archive with ".."';
  return undefined;
}

function isSystemError(error: unknown): error is Error & { code: string } {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' && /^E[A-Z]+$/.test(error.code);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Quotes a name from the archive for a message, escaped and cut short: it is attacker-controlled and can be 64 KiB long. */
function quote(name: string): string {
  return JSON.stringify(name.length > MAX_QUOTED_NAME ? `${name.slice(0, MAX_QUOTED_NAME)}…` : name);
}

function ignore(): void {
  // Deliberately empty: see where it is attached.
}
