/** How a file's bytes are packed, as told by its first bytes. */
export type DetectedContainer = 'plain' | 'gzip' | 'zip';

/** How many leading bytes `detectContainer` needs to decide. */
export const CONTAINER_MAGIC_LENGTH = 4;

/** Tells gzip and zip from anything else by their magic bytes; names lie, magic rarely does. */
export function detectContainer(head: Uint8Array): DetectedContainer {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  // PK\x03\x04 starts a local file header; PK\x05\x06 is the end record that alone makes an empty zip.
  if (head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 0x03 && head[3] === 0x04) || (head[2] === 0x05 && head[3] === 0x06))) {
    return 'zip';
  }
  return 'plain';
}
