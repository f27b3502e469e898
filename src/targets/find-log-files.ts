import type { BigIntStats, Dirent } from 'node:fs';
import { open, opendir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import type { ScanIssue } from '../core/scan-issue.js';
import { CONTAINER_MAGIC_LENGTH, detectContainer } from '../formats/log-stream/detect-container.js';
import { isLogFileName, isZipFileName } from '../formats/log-stream/is-log-file-name.js';
import type { LogSource } from '../formats/log-stream/log-source.js';
import { InputError } from './input-error.js';

export type { LogSource } from '../formats/log-stream/log-source.js';

/** Options for `findLogFiles`. */
export interface FindLogFilesOptions {
  readonly signal?: AbortSignal;
  /** Receives what the walk skipped on purpose: symlinks leading out of a folder, folders nested too deep. */
  readonly onIssue?: (issue: ScanIssue) => void;
  /** Deepest folder level walked below a given folder (default 64). */
  readonly maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 64;
const STDIN = '-';

/**
 * Turns the paths of `w3guard hunt` into log sources, in order: `-` is standard input, a named file is
 * taken whatever its name, a folder is walked (sorted, symlinks kept inside it) for IIS log names and
 * zip archives. The same file reached twice is listed once. A missing or unreadable path throws `InputError`.
 */
export async function findLogFiles(paths: readonly string[], options: FindLogFilesOptions = {}): Promise<LogSource[]> {
  const walk: Walk = {
    sources: [],
    seenFiles: new Set(),
    signal: options.signal,
    onIssue: options.onIssue,
    maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH,
    root: '',
    seenFolders: new Set(),
  };
  let stdinTaken = false;
  for (const path of paths) {
    options.signal?.throwIfAborted();
    if (path === STDIN) {
      // Standard input can be read only once.
      if (!stdinTaken) walk.sources.push({ path, container: 'stdin', size: 0 });
      stdinTaken = true;
      continue;
    }
    // A path named on the command line is followed even when it is a symlink: the user chose it.
    const stats = await statOrThrow(path);
    if (stats.isFile()) {
      await addFile(walk, path, stats);
    } else if (stats.isDirectory()) {
      walk.root = await realpathOrThrow(path);
      walk.seenFolders = new Set([identity(stats)]);
      await walkFolder(walk, path, 0);
    } else {
      // Devices and pipes could be read forever or only once; `-` is the way to pipe a log in.
      throw new InputError('input.not-a-file', path, `${JSON.stringify(path)} is neither a file nor a folder; pipe such input through "-" instead.`);
    }
  }
  return walk.sources;
}

/** State of one call: what was found, and the folder being walked. */
interface Walk {
  readonly sources: LogSource[];
  /** Device and inode of every file taken, so a file reached twice is read once. */
  readonly seenFiles: Set<string>;
  readonly signal: AbortSignal | undefined;
  readonly onIssue: ((issue: ScanIssue) => void) | undefined;
  readonly maxDepth: number;
  /** Real path of the given folder being walked; nothing outside it is followed. */
  root: string;
  /** Folders already walked under this root, so symlink loops and aliases end. */
  seenFolders: Set<string>;
}

async function walkFolder(walk: Walk, folder: string, depth: number): Promise<void> {
  for (const entry of await readFolder(folder, depth > 0)) {
    walk.signal?.throwIfAborted();
    const path = joinPath(folder, entry.name);
    if (entry.isSymbolicLink()) {
      await followLink(walk, path, entry.name, depth);
    } else if (entry.isDirectory()) {
      const stats = await statInWalk(path);
      if (stats !== undefined) await enterFolder(walk, path, stats, depth + 1);
    } else if (entry.isFile() && isWanted(entry.name)) {
      const stats = await statInWalk(path);
      if (stats !== undefined) await addFile(walk, path, stats);
    }
  }
}

async function followLink(walk: Walk, path: string, name: string, depth: number): Promise<void> {
  let target: string;
  try {
    target = await realpath(path);
  } catch (error) {
    // A dangling link or a loop of links has nothing to read.
    if (isCode(error, 'ENOENT', 'ELOOP', 'ENOTDIR')) return;
    throw unreadable(path, error);
  }
  if (!isInside(walk.root, target)) {
    walk.onIssue?.({
      code: 'input.symlink-outside',
      message: `${JSON.stringify(path)} is a symbolic link leading out of the folder being read, so it was not followed.`,
      path,
    });
    return;
  }
  const stats = await statInWalk(target);
  if (stats === undefined) return;
  if (stats.isDirectory()) await enterFolder(walk, path, stats, depth + 1);
  else if (stats.isFile() && isWanted(name)) await addFile(walk, path, stats);
}

async function enterFolder(walk: Walk, path: string, stats: BigIntStats, depth: number): Promise<void> {
  const id = identity(stats);
  if (walk.seenFolders.has(id)) return;
  walk.seenFolders.add(id);
  if (depth > walk.maxDepth) {
    walk.onIssue?.({ code: 'input.too-deep', message: `${JSON.stringify(path)} is nested more than ${walk.maxDepth} folders deep, so it was not read.`, path });
    return;
  }
  await walkFolder(walk, path, depth);
}

async function addFile(walk: Walk, path: string, stats: BigIntStats): Promise<void> {
  // Some file systems report no inode; such files cannot be told apart, so none is dropped.
  if (stats.ino !== 0n) {
    const id = identity(stats);
    if (walk.seenFiles.has(id)) return;
    walk.seenFiles.add(id);
  }
  walk.sources.push({ path, container: await sniff(path), size: Number(stats.size) });
}

async function sniff(path: string): Promise<LogSource['container']> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    const head = Buffer.alloc(CONTAINER_MAGIC_LENGTH);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return detectContainer(head.subarray(0, bytesRead));
  } catch (error) {
    throw unreadable(path, error);
  } finally {
    await handle.close();
  }
}

async function readFolder(folder: string, inWalk: boolean): Promise<Dirent[]> {
  const entries: Dirent[] = [];
  try {
    // opendir streams the listing, so a folder of a million rotated logs is not one huge array twice.
    for await (const entry of await opendir(folder)) entries.push(entry);
  } catch (error) {
    // A subfolder removed since its parent was listed has nothing left to read.
    if (inWalk && isCode(error, 'ENOENT', 'ENOTDIR')) return [];
    throw unreadable(folder, error);
  }
  // Code-unit order, not locale order, so every machine walks the same way; IIS's date-stamped
  // names then come out oldest first.
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function statOrThrow(path: string): Promise<BigIntStats> {
  try {
    return await stat(path, { bigint: true });
  } catch (error) {
    if (isCode(error, 'ENOENT', 'ENOTDIR')) {
      throw new InputError('input.not-found', path, `${JSON.stringify(path)} does not exist.`, { cause: error });
    }
    throw unreadable(path, error);
  }
}

async function realpathOrThrow(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    throw unreadable(path, error);
  }
}

/** Stats an entry met during a walk; one that vanished since the listing (log rotation) is skipped. */
async function statInWalk(path: string): Promise<BigIntStats | undefined> {
  try {
    return await stat(path, { bigint: true });
  } catch (error) {
    if (isCode(error, 'ENOENT', 'ENOTDIR')) return undefined;
    throw unreadable(path, error);
  }
}

function isWanted(name: string): boolean {
  return isLogFileName(name) || isZipFileName(name);
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Joins without normalising, so `./logs/` stays `./logs/u_ex1.log` as the user would expect. */
function joinPath(folder: string, name: string): string {
  return folder.endsWith('/') || folder.endsWith(sep) ? `${folder}${name}` : `${folder}${sep}${name}`;
}

function identity(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}`;
}

function unreadable(path: string, error: unknown): InputError {
  const reason = isCode(error, 'EACCES', 'EPERM') ? 'permission denied' : error instanceof Error ? error.message : String(error);
  return new InputError('input.unreadable', path, `${JSON.stringify(path)} cannot be read (${reason}).`, { cause: error });
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' && codes.includes(error.code);
}
