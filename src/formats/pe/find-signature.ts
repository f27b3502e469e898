/**
 * Offsets where `needle` occurs in `bytes`, in order, at most `maxHits` of them plus one (so the caller can tell
 * that the cap was reached). One left-to-right pass of native `indexOf`: hostile input full of decoys costs linear time.
 */
export function findSignature(bytes: Uint8Array, needle: Uint8Array, maxHits: number): number[] {
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hits: number[] = [];
  let from = 0;
  while (hits.length <= maxHits) {
    const at = haystack.indexOf(needle, from);
    if (at === -1) break;
    hits.push(at);
    from = at + 1;
  }
  return hits;
}
