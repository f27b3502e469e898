import { findSignature } from './find-signature.js';
import { PeError } from './pe-error.js';
import { parseMetadata, type AssemblyIdentity } from './read-assembly-identity.js';

const SIGNATURE = Buffer.from('BSJB', 'latin1');
/** One metadata root per assembly; the signature bytes also turn up by chance in code and resources. */
export const MAX_METADATA_CANDIDATES = 16;

/**
 * Finds the CLI metadata root by its "BSJB" signature when the PE headers that point at it cannot be read, and
 * returns the first candidate whose streams and tables parse to an Assembly row. Every offset inside the root is
 * relative to it and checked by `parseMetadata`, so a candidate is read only from the bytes after it.
 *
 * Returns undefined when no signature is present; throws `PeError` when candidates exist but none parses.
 */
export function carveAssemblyIdentity(bytes: Uint8Array): AssemblyIdentity | undefined {
  const hits = findSignature(bytes, SIGNATURE, MAX_METADATA_CANDIDATES);
  if (hits.length === 0) return undefined;
  let firstReason = '';
  for (const at of hits.slice(0, MAX_METADATA_CANDIDATES)) {
    try {
      const identity = parseMetadata(bytes.subarray(at));
      if (identity !== undefined) return identity;
      firstReason ||= `at 0x${at.toString(16)}: no Assembly row`;
    } catch (error) {
      if (!(error instanceof PeError) && !(error instanceof RangeError)) throw error;
      firstReason ||= `at 0x${at.toString(16)}: ${error.message}`;
    }
  }
  throw new PeError('pe.bad-metadata', `No BSJB signature in the file starts readable CLI metadata (first ${firstReason}).`);
}
