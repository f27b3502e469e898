import { CONTAINER_MAGIC_LENGTH, detectContainer } from './detect-container.js';
import type { DetectedContainer } from './detect-container.js';

/** A stream whose first bytes were read to tell how it is packed. */
export interface PeekedChunks {
  readonly container: DetectedContainer;
  /** All of the stream again, the peeked bytes first. Must be consumed or returned to release the source. */
  readonly chunks: AsyncGenerator<Buffer, void, undefined>;
}

/** Reads just enough of a stream that cannot be re-read (standard input, an archive entry) to detect its packing. */
export async function peekContainer(source: AsyncIterable<Buffer>): Promise<PeekedChunks> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  let ended = false;
  let failure: { readonly error: unknown } | undefined;
  try {
    while (length < CONTAINER_MAGIC_LENGTH) {
      const next = await iterator.next();
      if (next.done === true) {
        ended = true;
        break;
      }
      head.push(next.value);
      length += next.value.length;
    }
  } catch (error) {
    // The bytes read before the failure still belong to the caller, so the error waits until they are replayed.
    failure = { error };
  }
  return {
    container: detectContainer(Buffer.concat(head, Math.min(length, CONTAINER_MAGIC_LENGTH))),
    chunks: replay(head, ended || failure !== undefined ? undefined : iterator, failure),
  };
}

async function* replay(
  head: readonly Buffer[],
  rest: AsyncIterator<Buffer> | undefined,
  failure: { readonly error: unknown } | undefined,
): AsyncGenerator<Buffer, void, undefined> {
  try {
    yield* head;
    if (failure !== undefined) throw failure.error;
    if (rest === undefined) return;
    for (;;) {
      const next = await rest.next();
      if (next.done === true) return;
      yield next.value;
    }
  } finally {
    await rest?.return?.();
  }
}
