import { createReadStream } from 'node:fs';
import { InputStreamError } from './input-stream-error.js';

/** Default read size: large enough to amortise system calls, small enough to keep many workers cheap. */
export const DEFAULT_CHUNK_SIZE = 1024 * 1024;

/**
 * Reads bytes `start` (inclusive) to `end` (exclusive; `Infinity` for the end of the file) of a file,
 * in chunks of about `chunkSize` bytes; a failed read throws `InputStreamError` (`input.read-failed`).
 */
export async function* readFileRange(
  path: string,
  start: number,
  end: number,
  chunkSize: number = DEFAULT_CHUNK_SIZE,
  signal?: AbortSignal,
): AsyncGenerator<Buffer, void, undefined> {
  if (!Number.isSafeInteger(start) || start < 0) throw new RangeError(`start must be a non-negative integer, got ${start}`);
  if (end !== Infinity && (!Number.isSafeInteger(end) || end < 0)) throw new RangeError(`end must be a non-negative integer or Infinity, got ${end}`);
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  signal?.throwIfAborted();
  // createReadStream rejects an empty range (its end is inclusive), so an empty range never opens the file.
  if (end <= start) return;
  const stream = createReadStream(path, {
    start,
    end: end === Infinity ? Infinity : end - 1,
    highWaterMark: chunkSize,
    signal,
  });
  try {
    // Async iteration gives back-pressure, and leaving the loop early destroys the stream (closing the fd).
    for await (const chunk of stream) {
      yield chunk as Buffer;
    }
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new InputStreamError('input.read-failed', path, `Reading ${JSON.stringify(path)} failed: ${describeCause(error)}.`, { cause: error });
  } finally {
    stream.destroy();
  }
}

function describeCause(error: unknown): string {
  if (error instanceof Error) return 'code' in error && typeof error.code === 'string' ? error.code : error.message;
  return String(error);
}
