import { lstatSync, opendirSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ScanIssue } from '../core/scan-issue.js';

/** One regular file met by the walk, with what `lstat` said of it. */
export interface WalkedFile {
  /** The root joined with the names below it: relative when the root was given relative. */
  readonly path: string;
  /** Path below the root, with `/` separators (empty for a root that is a file). */
  readonly relative: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** 0 when the file system does not record it. */
  readonly birthtimeMs: number;
  /** Names in the same folder (shared between the files of one folder). */
  readonly siblings: readonly string[];
}

/** Bounds of one walk. */
export interface WalkOptions {
  readonly signal?: AbortSignal;
  /** Deepest folder level entered (default 64). */
  readonly maxDepth?: number;
  /** Most names read from one folder (default 1 000 000); the rest are skipped with an issue. */
  readonly maxEntriesPerFolder?: number;
  /** Folders not entered, by their path below the root and their name. */
  readonly skip?: (relative: string, name: string) => boolean;
  readonly onIssue: (issue: ScanIssue) => void;
}

/**
 * Walks a folder depth first in name order, one folder in memory at a time, yielding regular files.
 * Symbolic links are never followed (one pointing out of the root is reported); folders already seen
 * (bind mounts, junction loops) are entered once; unreadable folders become issues and the walk goes on.
 */
export async function* walkFiles(root: string, options: WalkOptions): AsyncGenerator<WalkedFile> {
  const maxDepth = options.maxDepth ?? 64;
  const maxEntries = options.maxEntriesPerFolder ?? 1_000_000;
  const rootInfo = await stat(root);
  if (!rootInfo.isDirectory()) {
    if (rootInfo.isFile()) yield { path: root, relative: '', size: rootInfo.size, mtimeMs: rootInfo.mtimeMs, birthtimeMs: rootInfo.birthtimeMs, siblings: [path.basename(root)] };
    return;
  }
  const realRoot = await realpath(root);
  const seen = new Set<string>();
  const pending: { folder: string; relative: string; depth: number }[] = [{ folder: root, relative: '', depth: 0 }];
  while (pending.length > 0) {
    options.signal?.throwIfAborted();
    const current = pending.pop();
    if (current === undefined) break;
    const names = readNames(current.folder, maxEntries, options.onIssue);
    if (names === undefined) continue;
    const folders: { folder: string; relative: string; depth: number }[] = [];
    for (const name of names) {
      const full = path.join(current.folder, name);
      const relative = current.relative === '' ? name : `${current.relative}/${name}`;
      let info;
      try {
        // Synchronous on purpose: one lstat is a few microseconds, while awaiting each one costs more than the call.
        info = lstatSync(full);
      } catch (error) {
        options.onIssue({ code: 'sweep.unreadable', message: describe(error), path: full });
        continue;
      }
      if (info.isSymbolicLink()) {
        await reportLink(full, realRoot, options.onIssue);
        continue;
      }
      if (info.isDirectory()) {
        const key = `${info.dev}:${info.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (options.skip?.(relative, name) === true) continue;
        if (current.depth + 1 > maxDepth) options.onIssue({ code: 'sweep.too-deep', message: `folder deeper than ${maxDepth} levels, not entered`, path: full });
        else folders.push({ folder: full, relative, depth: current.depth + 1 });
        continue;
      }
      // FIFOs, sockets and devices are not files: opening one could block or never end.
      if (!info.isFile()) continue;
      yield { path: full, relative, size: info.size, mtimeMs: info.mtimeMs, birthtimeMs: info.birthtimeMs, siblings: names };
    }
    for (let i = folders.length - 1; i >= 0; i -= 1) pending.push(folders[i] as (typeof folders)[number]);
  }
}

// Synchronous like lstat above: reading a folder's names in one go is cheaper than a promise per entry.
function readNames(folder: string, maxEntries: number, onIssue: (issue: ScanIssue) => void): string[] | undefined {
  const names: string[] = [];
  try {
    const dir = opendirSync(folder);
    try {
      for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) {
        if (names.length >= maxEntries) {
          onIssue({ code: 'sweep.folder-too-large', message: `folder holds more than ${maxEntries} entries; the rest were not swept`, path: folder });
          break;
        }
        names.push(entry.name);
      }
    } finally {
      dir.closeSync();
    }
  } catch (error) {
    onIssue({ code: 'sweep.unreadable', message: describe(error), path: folder });
    if (names.length === 0) return undefined;
  }
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function reportLink(link: string, realRoot: string, onIssue: (issue: ScanIssue) => void): Promise<void> {
  const target = await realpath(link).catch(() => undefined);
  if (target === undefined) return;
  const relative = path.relative(realRoot, target);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    onIssue({ code: 'sweep.link-out-of-root', message: 'symbolic link or junction pointing out of the swept folder, not followed', path: link });
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error instanceof Error ? error.message : String(error)}` : error instanceof Error ? error.message : String(error);
}
