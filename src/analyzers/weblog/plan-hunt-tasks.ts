import { open } from 'node:fs/promises';
import type { LogSource } from '../../formats/log-stream/log-source.js';
import { WebLogReader, type WebLogReaderState } from '../../formats/web-log/web-log-reader.js';
import type { HuntTask } from './hunt-task.js';

/** Plain files at least this large are split across threads. */
export const SPLIT_MIN_BYTES = 32 * 1024 * 1024;
/** Aim for parts about this large, so threads that finish early pick up more work. */
const PART_BYTES = 64 * 1024 * 1024;
const PROBE_BYTES = 64 * 1024;

/**
 * Turns sources into tasks. A large plain file becomes line-aligned byte ranges; every range after the
 * first starts from the state read off the file's head (its `#Fields`), which the merge later checks.
 */
export async function planHuntTasks(sources: readonly LogSource[], threads: number, maxLineBytes: number): Promise<HuntTask[]> {
  const tasks: HuntTask[] = [];
  for (const source of sources) {
    if (threads <= 1 || source.container !== 'plain' || source.size < SPLIT_MIN_BYTES) {
      tasks.push({ source });
      continue;
    }
    const parts = Math.max(threads, Math.ceil(source.size / PART_BYTES));
    const handle = await open(source.path, 'r');
    try {
      const head = await headState(handle, maxLineBytes);
      const cuts = [0];
      for (let i = 1; i < parts; i += 1) {
        const cut = await nextLineStart(handle, Math.floor((source.size * i) / parts), source.size, maxLineBytes);
        if (cut > (cuts[cuts.length - 1] as number) && cut < source.size) cuts.push(cut);
      }
      cuts.push(source.size);
      for (let i = 0; i + 1 < cuts.length; i += 1) {
        const start = cuts[i] as number;
        const end = cuts[i + 1] as number;
        tasks.push({ source, range: { index: i, start, end, ...(i === 0 ? {} : { state: head }) } });
      }
    } finally {
      await handle.close();
    }
  }
  return tasks;
}

type FileHandle = Awaited<ReturnType<typeof open>>;

/** The reader state after the first bytes of a file: normally the header block's `#Fields`. */
async function headState(handle: FileHandle, maxLineBytes: number): Promise<WebLogReaderState> {
  const buffer = Buffer.alloc(PROBE_BYTES);
  const { bytesRead } = await handle.read(buffer, 0, PROBE_BYTES, 0);
  const reader = new WebLogReader({ file: '', onRecord: () => undefined, onIssue: () => undefined, maxLineBytes });
  const head = buffer.subarray(0, bytesRead);
  const last = head.lastIndexOf(10);
  if (last >= 0) reader.push(head.subarray(0, last + 1));
  return reader.state();
}

/** The offset just after the first newline at or after `from` (the file's size when there is none). */
async function nextLineStart(handle: FileHandle, from: number, size: number, maxLineBytes: number): Promise<number> {
  const buffer = Buffer.alloc(PROBE_BYTES);
  let position = from;
  while (position < size && position - from <= maxLineBytes + PROBE_BYTES) {
    const { bytesRead } = await handle.read(buffer, 0, PROBE_BYTES, position);
    if (bytesRead === 0) break;
    const nl = buffer.subarray(0, bytesRead).indexOf(10);
    if (nl >= 0) return position + nl + 1;
    position += bytesRead;
  }
  return size;
}
