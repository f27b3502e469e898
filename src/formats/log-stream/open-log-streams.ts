import { addAbortSignal } from 'node:stream';
import type { Readable } from 'node:stream';
import type { ScanIssue } from '../../core/scan-issue.js';
import { countBytes } from './count-bytes.js';
import { inflateChunks } from './inflate-chunks.js';
import { InputStreamError } from './input-stream-error.js';
import { DEFAULT_INFLATION_LIMITS, limitInflation } from './limit-inflation.js';
import type { InflationLimits } from './limit-inflation.js';
import type { LogSource } from './log-source.js';
import type { LogStream } from './log-stream.js';
import { openZipLogStreams } from './open-zip-log-streams.js';
import { peekContainer } from './peek-container.js';
import { DEFAULT_CHUNK_SIZE, readFileRange } from './read-file-range.js';

export type { LogStream } from './log-stream.js';

/** Safety bounds for reading compressed inputs. */
export interface LogStreamLimits extends InflationLimits {
  /** Central-directory entries read from one zip before giving up on it. */
  readonly maxZipEntries: number;
}

/** The bounds used unless overridden: see `DEFAULT_INFLATION_LIMITS`; 100 000 entries per zip. */
export const DEFAULT_LOG_STREAM_LIMITS: LogStreamLimits = { ...DEFAULT_INFLATION_LIMITS, maxZipEntries: 100_000 };

/** Options for `openLogStreams`. */
export interface OpenLogStreamsOptions {
  readonly signal?: AbortSignal;
  /** Receives problems that skip part of the input (unsafe zip entries, bombs, unreadable archives). */
  onIssue(issue: ScanIssue): void;
  /** Read size for plain files and largest decompressed chunk, in bytes (default 1 MiB). */
  readonly chunkSize?: number;
  /** What `-` reads; `process.stdin` unless given. */
  readonly stdin?: Readable;
  /** Overrides for the safety bounds. */
  readonly limits?: Partial<LogStreamLimits>;
}

// Compressed files are read in pieces no larger than inflateChunks feeds to zlib at once.
const COMPRESSED_READ_SIZE = 64 * 1024;

/**
 * Opens the logs in one source as byte streams, one at a time: one for a plain file, gzip file or
 * standard input, one per log entry for a zip archive. Each stream's chunks must be consumed or
 * abandoned before asking for the next stream; problems that skip input go to `onIssue`.
 */
export async function* openLogStreams(source: LogSource, options: OpenLogStreamsOptions): AsyncGenerator<LogStream, void, undefined> {
  options.signal?.throwIfAborted();
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const limits = { ...DEFAULT_LOG_STREAM_LIMITS, ...options.limits };
  switch (source.container) {
    case 'plain':
      yield* single(source.path, source.size, readFileRange(source.path, 0, Infinity, chunkSize, options.signal));
      return;
    case 'gzip': {
      const counter = { bytes: 0 };
      const open = (): AsyncGenerator<Buffer, void, undefined> =>
        readFileRange(source.path, 0, Infinity, Math.min(chunkSize, COMPRESSED_READ_SIZE), options.signal);
      const inflated = inflateChunks(countBytes(open(), counter), { format: 'gzip', path: source.path, chunkSize, reopen: open });
      const chunks = guard(inflated, source.path, counter, limits, options);
      yield* single(source.path, undefined, chunks);
      return;
    }
    case 'stdin':
      yield* single(source.path, undefined, stdinChunks(source.path, options.stdin ?? process.stdin, chunkSize, limits, options));
      return;
    case 'zip':
      yield* openZipLogStreams(source.path, {
        signal: options.signal,
        onIssue: options.onIssue,
        chunkSize,
        inflation: limits,
        maxEntries: limits.maxZipEntries,
      });
      return;
  }
}

async function* single(path: string, size: number | undefined, chunks: AsyncGenerator<Buffer, void, undefined>): AsyncGenerator<LogStream, void, undefined> {
  try {
    yield { path, size, chunks };
  } finally {
    // Releases the file if the consumer left the chunks half-read.
    await chunks.return(undefined);
  }
}

async function* stdinChunks(
  path: string,
  stdin: Readable,
  chunkSize: number,
  limits: LogStreamLimits,
  options: OpenLogStreamsOptions,
): AsyncGenerator<Buffer, void, undefined> {
  const counter = { bytes: 0 };
  const peeked = await peekContainer(countBytes(readStdin(path, stdin, options.signal), counter));
  if (peeked.container === 'plain') {
    yield* peeked.chunks;
  } else if (peeked.container === 'gzip') {
    yield* guard(inflateChunks(peeked.chunks, { format: 'gzip', path, chunkSize }), path, counter, limits, options);
  } else {
    await peeked.chunks.return(undefined);
    options.onIssue({ code: 'input.zip-on-stdin', message: 'A zip archive cannot be read from standard input; name the file instead.', path });
  }
}

async function* readStdin(path: string, stdin: Readable, signal: AbortSignal | undefined): AsyncGenerator<Buffer, void, undefined> {
  signal?.throwIfAborted();
  if (signal !== undefined) addAbortSignal(signal, stdin);
  try {
    for await (const chunk of stdin) {
      yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    }
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    throw new InputStreamError('input.read-failed', path, `Reading standard input failed (${error instanceof Error ? error.message : String(error)}).`, { cause: error });
  }
}

function guard(
  chunks: AsyncIterable<Buffer>,
  path: string,
  counter: { readonly bytes: number },
  limits: InflationLimits,
  options: OpenLogStreamsOptions,
): AsyncGenerator<Buffer, void, undefined> {
  return limitInflation(chunks, {
    limits,
    compressedBytes: () => counter.bytes,
    onExceeded: (outputBytes) => {
      options.onIssue({
        code: 'input.gzip-bomb',
        message: `${JSON.stringify(path)} decompressed to more than ${outputBytes} bytes from ${counter.bytes}, which looks like a decompression bomb; reading stopped there.`,
        path,
      });
    },
  });
}
