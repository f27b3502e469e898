import { findSignature } from './find-signature.js';
import { PeError } from './pe-error.js';
import { parseVersionInfo, type PeVersionInfo } from './read-version-resource.js';

/** A version resource found by its signature rather than through the resource directory. */
export interface CarvedVersion {
  readonly info: PeVersionInfo;
  /** File offset of the VS_VERSION_INFO block. */
  readonly offset: number;
}

const KEY = Buffer.from('VS_VERSION_INFO\0', 'utf16le');
const FIXED_SIGNATURE = 0xfeef04bd;
const FIXED_INFO_BYTES = 52;
/** Header (6) + key (32) + padding to 32 bits (2): where VS_FIXEDFILEINFO starts in the block. */
const FIXED_AT = 40;
/** Real files hold one version resource; a few more keys appear in string tables or resource-only copies. */
export const MAX_VERSION_CANDIDATES = 64;

/**
 * Finds a VS_VERSION_INFO block in raw file bytes when the PE headers or the resource directory cannot be walked
 * (cut-down headers, partially carved or damaged copies). A candidate counts only when its framing holds: the
 * UTF-16LE key sits right after a header whose wLength keeps the block inside the bytes, wValueLength is the size
 * of VS_FIXEDFILEINFO, wType is binary, the key is padded to 32 bits and the fixed info carries 0xFEEF04BD. The
 * block is then parsed by the same code as a resource read through the directory.
 *
 * Returns undefined when no key is present; throws `PeError` when keys are present but none frames a block, or
 * when there are more keys than any real file holds.
 */
export function carveVersionResource(bytes: Uint8Array): CarvedVersion | undefined {
  const hits = findSignature(bytes, KEY, MAX_VERSION_CANDIDATES);
  if (hits.length === 0) return undefined;
  if (hits.length > MAX_VERSION_CANDIDATES) throw new PeError('pe.too-many', `More than ${MAX_VERSION_CANDIDATES} VS_VERSION_INFO keys in the file; none was carved.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let firstReason = '';
  for (const key of hits) {
    const start = key - 6;
    const reason = framingProblem(view, start);
    if (reason !== undefined) {
      firstReason ||= `at 0x${Math.max(start, 0).toString(16)}: ${reason}`;
      continue;
    }
    const length = view.getUint16(start, true);
    try {
      const info = parseVersionInfo(bytes.subarray(start, start + length));
      return { info, offset: start };
    } catch (error) {
      if (!(error instanceof PeError) && !(error instanceof RangeError)) throw error;
      firstReason ||= `at 0x${start.toString(16)}: ${error.message}`;
    }
  }
  throw new PeError('pe.bad-version-info', `${hits.length} VS_VERSION_INFO key${hits.length === 1 ? '' : 's'} found but none starts a well-framed block (first ${firstReason}).`);
}

function framingProblem(view: DataView, start: number): string | undefined {
  if (start < 0) return 'no room for the block header';
  const length = view.getUint16(start, true);
  const valueLength = view.getUint16(start + 2, true);
  const type = view.getUint16(start + 4, true);
  if (type !== 0) return `wType is ${type}, not binary`;
  if (valueLength !== FIXED_INFO_BYTES) return `wValueLength is ${valueLength}, not the ${FIXED_INFO_BYTES} bytes of VS_FIXEDFILEINFO`;
  if (length < FIXED_AT + FIXED_INFO_BYTES) return `wLength ${length} is shorter than the header and fixed info`;
  if (start + length > view.byteLength) return `wLength ${length} runs past the end of the file`;
  if (view.getUint16(start + FIXED_AT - 2, true) !== 0) return 'the key is not padded to 32 bits';
  if (view.getUint32(start + FIXED_AT, true) !== FIXED_SIGNATURE) return 'no 0xFEEF04BD fixed-info signature';
  return undefined;
}
