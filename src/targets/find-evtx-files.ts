import type { Stats } from 'node:fs';
import { opendir, realpath, stat } from 'node:fs/promises';
import { join, relative, isAbsolute, sep } from 'node:path';
import type { ScanIssue } from '../core/scan-issue.js';
import { InputError } from './input-error.js';

/** Where Windows keeps its event logs below a host root (matched case-insensitively). */
export const HOST_EVENT_LOG_DIR = ['Windows', 'System32', 'winevt', 'Logs'] as const;

const MAX_DEPTH = 32;

/** One EVTX file to read, as reached from the paths given. */
export interface EvtxSource {
  readonly path: string;
  readonly size: number;
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && 'code' in error && codes.includes(String(error.code));
}

async function statOrThrow(path: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (error) {
    if (isCode(error, 'ENOENT', 'ENOTDIR')) throw new InputError('input.not-found', path, `${JSON.stringify(path)} does not exist.`, { cause: error });
    throw new InputError('input.unreadable', path, `${JSON.stringify(path)} cannot be read.`, { cause: error });
  }
}

/** Finds a child folder by name, ignoring case, as Windows paths are. */
async function childFolder(folder: string, name: string): Promise<string | undefined> {
  try {
    for await (const entry of await opendir(folder)) {
      if (entry.isDirectory() && entry.name.toLowerCase() === name.toLowerCase()) return join(folder, entry.name);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The event log folder of a host root (`Windows/System32/winevt/Logs`), or InputError when it has none. */
export async function hostEventLogFolder(root: string): Promise<string> {
  await statOrThrow(root);
  let folder = root;
  for (const part of HOST_EVENT_LOG_DIR) {
    const next = await childFolder(folder, part);
    if (next === undefined) throw new InputError('input.not-found', root, `${JSON.stringify(root)} has no ${HOST_EVENT_LOG_DIR.join('/')} folder.`);
    folder = next;
  }
  return folder;
}

/**
 * Turns paths into EVTX files: a named file is read whatever its name; a folder is walked (sorted) for
 * `*.evtx`. Symbolic links inside a folder are followed only when they stay inside it. A missing path throws InputError.
 */
export async function findEvtxFiles(paths: readonly string[], onIssue?: (issue: ScanIssue) => void): Promise<EvtxSource[]> {
  const sources: EvtxSource[] = [];
  const seen = new Set<string>();
  const add = (path: string, size: number, id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    sources.push({ path, size });
  };
  for (const path of paths) {
    const stats = await statOrThrow(path);
    if (stats.isFile()) {
      add(path, stats.size, `${stats.dev}:${stats.ino}`);
      continue;
    }
    if (!stats.isDirectory()) throw new InputError('input.not-a-file', path, `${JSON.stringify(path)} is neither a file nor a folder.`);
    const root = await realpath(path);
    const walk = async (folder: string, depth: number): Promise<void> => {
      if (depth > MAX_DEPTH) {
        onIssue?.({ code: 'input.too-deep', message: `${JSON.stringify(folder)} is nested too deep, so it was not read.`, path: folder });
        return;
      }
      let entries;
      try {
        entries = [];
        for await (const entry of await opendir(folder)) entries.push(entry);
      } catch (error) {
        onIssue?.({ code: 'input.unreadable', message: `${JSON.stringify(folder)} cannot be read (${isCode(error, 'EACCES') ? 'permission denied' : 'error'}).`, path: folder });
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const child = join(folder, entry.name);
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        if (entry.isSymbolicLink()) {
          let target: string;
          try {
            target = await realpath(child);
          } catch {
            continue;
          }
          const rel = relative(root, target);
          if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
            onIssue?.({ code: 'input.symlink-outside', message: `${JSON.stringify(child)} is a symbolic link leading out of the folder being read, so it was not followed.`, path: child });
            continue;
          }
          const targetStats = await stat(target).catch(() => undefined);
          isDir = targetStats?.isDirectory() ?? false;
          isFile = targetStats?.isFile() ?? false;
        }
        if (isDir) await walk(child, depth + 1);
        else if (isFile && entry.name.toLowerCase().endsWith('.evtx')) {
          const s = await stat(child).catch(() => undefined);
          if (s !== undefined) add(child, s.size, `${s.dev}:${s.ino}`);
        }
      }
    };
    await walk(path, 0);
  }
  return sources;
}
