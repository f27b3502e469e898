// Builds a large EVTX file from the real chunks of sample files: only dense chunks (as a busy server's log
// has them; the samples' last chunks are nearly empty), repeated, behind a fresh file header.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';

const CHUNK = 65536;
const HEADER = 4096;

/** Writes about `mb` MiB of EVTX to `file` from the dense chunks of `sampleFiles`; returns the bytes written (0 when there is nothing to use). */
export function synthesizeEvtx(file, sampleFiles, mb) {
  const chunks = [];
  for (const f of sampleFiles) {
    const bytes = readFileSync(f);
    for (let off = HEADER; off + CHUNK <= bytes.length; off += CHUNK) {
      const c = bytes.subarray(off, off + CHUNK);
      if (c.toString('latin1', 0, 8) === 'ElfChnk\0' && c.readUInt32LE(48) >= 48 * 1024) chunks.push(c);
    }
  }
  if (chunks.length === 0 || mb <= 0) return 0;
  const count = Math.min(65535, Math.floor((mb * 1024 * 1024) / CHUNK));
  const header = Buffer.alloc(HEADER);
  header.write('ElfFile\0', 0, 'latin1');
  header.writeBigUInt64LE(BigInt(count - 1), 16);
  header.writeUInt32LE(128, 32);
  header.writeUInt16LE(2, 36);
  header.writeUInt16LE(3, 38);
  header.writeUInt16LE(4096, 40);
  header.writeUInt16LE(count, 42);
  header.writeUInt32LE(crc32(header.subarray(0, 120)), 124);
  const fd = openSync(file, 'w');
  writeSync(fd, header);
  for (let i = 0; i < count; i += 1) writeSync(fd, chunks[i % chunks.length]);
  closeSync(fd);
  return HEADER + count * CHUNK;
}
