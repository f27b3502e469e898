import { constants, createGunzip, createInflateRaw } from 'node:zlib';
import type { Gunzip, InflateRaw } from 'node:zlib';
import { InputStreamError } from './input-stream-error.js';
import type { InputStreamErrorCode } from './input-stream-error.js';

/** Which compressed format `inflateChunks` reads. */
export type InflateFormat = 'gzip' | 'deflate-raw';

/** Options for `inflateChunks`. */
export interface InflateChunksOptions {
  readonly format: InflateFormat;
  /** Display path, for errors. */
  readonly path: string;
  /** Largest output chunk, in bytes. */
  readonly chunkSize?: number;
  /** Code for data that stops before its end marker; by default `input.gzip-truncated` or `input.zip-corrupt`. */
  readonly truncatedCode?: InputStreamErrorCode;
  /** Code for data that is not valid for the format; by default `input.gzip-corrupt` or `input.zip-corrupt`. */
  readonly corruptCode?: InputStreamErrorCode;
  /**
   * Opens the same compressed bytes again from the start. With it, corrupt data is read a second time,
   * byte by byte near the damage, so that nothing decodable before the damage is lost.
   */
  readonly reopen?: () => AsyncIterable<Buffer>;
}

const DEFAULT_OUTPUT_CHUNK = 1024 * 1024;
// Each piece written to zlib is inflated in one go and its output held at once: 64 KiB of a deflate
// bomb still stays under about 64 MiB.
const MAX_PIECE = 64 * 1024;

/**
 * Decompresses a stream of compressed chunks (gzip, including concatenated members, or raw deflate).
 * Truncated or corrupt data ends with an `InputStreamError` thrown after every byte that could be
 * decompressed was yielded (for corrupt data without `reopen`: all but the output of the last 64 KiB
 * piece written). Errors of `compressed` itself pass through unchanged.
 */
export async function* inflateChunks(
  compressed: AsyncIterable<Buffer>,
  options: InflateChunksOptions,
): AsyncGenerator<Buffer, void, undefined> {
  const first = yield* inflatePass(compressed, options, { skipOutput: 0, fineFrom: Infinity });
  if (first.failure === undefined) return;
  if (isCorrupt(first.failure) && options.reopen !== undefined && first.failedPieceLength > 1) {
    // zlib drops the whole output of a write that fails, and one write can span the end of a good gzip
    // member and the start of a bad one. The bytes before the failed piece are replayed without output,
    // then the piece is fed one byte at a time so that output stops exactly at the damage.
    const second = yield* inflatePass(options.reopen(), options, { skipOutput: first.outputBytes, fineFrom: first.failedAt });
    if (second.failure === undefined) return;
    throw toStreamError(second.failure, options);
  }
  throw toStreamError(first.failure, options);
}

interface PassPlan {
  /** Output bytes already handed out by an earlier pass, not to be yielded again. */
  readonly skipOutput: number;
  /** Compressed offset from which input is fed one byte at a time. */
  readonly fineFrom: number;
}

interface PassResult {
  readonly failure: Error | undefined;
  /** Compressed offset of the piece whose write failed. */
  readonly failedAt: number;
  readonly failedPieceLength: number;
  /** Output bytes produced before the failure, including skipped ones. */
  readonly outputBytes: number;
}

async function* inflatePass(compressed: AsyncIterable<Buffer>, options: InflateChunksOptions, plan: PassPlan): AsyncGenerator<Buffer, PassResult, undefined> {
  const chunkSize = Math.max(options.chunkSize ?? DEFAULT_OUTPUT_CHUNK, constants.Z_MIN_CHUNK);
  const zlib: Gunzip | InflateRaw = options.format === 'gzip' ? createGunzip({ chunkSize }) : createInflateRaw({ chunkSize });
  // Async-iterating a zlib stream drops what it has buffered once an error destroys it, which would
  // lose the readable prefix of a truncated file. So the stream stays in flowing mode and never
  // buffers: each 'data' event lands in `pending`, and back-pressure comes from writing the next
  // piece only after the consumer has taken all output of the previous one.
  const pending: Buffer[] = [];
  let failure: Error | undefined;
  zlib.on('data', (chunk: Buffer) => {
    pending.push(chunk);
  });
  zlib.on('error', (error: Error) => {
    failure ??= error;
  });
  let inputBytes = 0;
  let outputBytes = 0;
  let piece: Buffer = Buffer.alloc(0);
  function* release(): Generator<Buffer, void, undefined> {
    for (let chunk = pending.shift(); chunk !== undefined; chunk = pending.shift()) {
      const before = outputBytes;
      outputBytes += chunk.length;
      if (outputBytes <= plan.skipOutput) continue;
      yield before < plan.skipOutput ? chunk.subarray(plan.skipOutput - before) : chunk;
    }
  }
  try {
    feeding: for await (const input of compressed) {
      for (let offset = 0; offset < input.length; ) {
        const size = inputBytes >= plan.fineFrom ? 1 : Math.min(MAX_PIECE, input.length - offset, plan.fineFrom - inputBytes);
        piece = input.subarray(offset, offset + size);
        await settle(zlib, (done) => zlib.write(piece, done));
        yield* release();
        if (failure !== undefined) break feeding;
        offset += size;
        inputBytes += size;
      }
    }
    if (failure === undefined) {
      piece = Buffer.alloc(0);
      await settle(zlib, (done) => {
        zlib.once('end', done);
        zlib.end();
      });
      yield* release();
    }
    return { failure, failedAt: inputBytes, failedPieceLength: piece.length, outputBytes };
  } finally {
    zlib.destroy();
  }
}

/** Runs `start` and waits for its callback, or for the stream to fail or close, whichever comes first. */
function settle(zlib: Gunzip | InflateRaw, start: (done: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    // zlib does not call a write's callback once that write has failed, so errors and close settle too.
    const done = (): void => {
      zlib.off('error', done);
      zlib.off('close', done);
      resolve();
    };
    zlib.once('error', done);
    zlib.once('close', done);
    start(done);
  });
}

/** zlib reports input that stops mid-stream as Z_BUF_ERROR ("unexpected end of file"); anything else is damage. */
function isCorrupt(error: Error): boolean {
  return !('code' in error && error.code === 'Z_BUF_ERROR');
}

function toStreamError(error: Error, options: InflateChunksOptions): InputStreamError {
  const gzip = options.format === 'gzip';
  const corrupt = isCorrupt(error);
  const code = corrupt
    ? (options.corruptCode ?? (gzip ? 'input.gzip-corrupt' : 'input.zip-corrupt'))
    : (options.truncatedCode ?? (gzip ? 'input.gzip-truncated' : 'input.zip-corrupt'));
  const what = gzip ? 'gzip data' : 'compressed zip entry';
  const message = corrupt
    ? `The ${what} in ${JSON.stringify(options.path)} is corrupt (${error.message}); it was read up to the damage.`
    : `The ${what} in ${JSON.stringify(options.path)} ends before its end marker; it was read up to the cut.`;
  return new InputStreamError(code, options.path, message, { cause: error });
}
