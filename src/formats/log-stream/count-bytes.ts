/** A running total that a stream stage writes and others read. */
export interface ByteCounter {
  bytes: number;
}

/** Passes chunks through, adding their lengths to `counter` as they go. */
export async function* countBytes(chunks: AsyncIterable<Buffer>, counter: ByteCounter): AsyncGenerator<Buffer, void, undefined> {
  for await (const chunk of chunks) {
    counter.bytes += chunk.length;
    yield chunk;
  }
}
