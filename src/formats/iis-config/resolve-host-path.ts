import { lstat, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';

/** How Windows paths in configuration map onto folders of the scanned host. */
export interface HostPathOptions {
  /** Extra drive letters mapped to local folders (for example `{ D: '/mnt/d' }`); `C:` is the host root unless given. */
  readonly drives?: Readonly<Record<string, string>>;
}

// The variables IIS configuration actually uses; anything else stays unexpanded and so does not resolve.
const ENVIRONMENT: ReadonlyMap<string, string> = new Map([
  ['systemdrive', 'C:'],
  ['windir', 'C:\\Windows'],
  ['systemroot', 'C:\\Windows'],
  ['programfiles', 'C:\\Program Files'],
  ['programfiles(x86)', 'C:\\Program Files (x86)'],
  ['programw6432', 'C:\\Program Files'],
  ['commonprogramfiles', 'C:\\Program Files\\Common Files'],
  ['programdata', 'C:\\ProgramData'],
  ['allusersprofile', 'C:\\ProgramData'],
  ['public', 'C:\\Users\\Public'],
]);

/** Expands the well-known `%Variables%` of a Windows path the way a default Windows installation would. */
export function expandWindowsPath(windowsPath: string): string {
  return windowsPath.replace(/%([^%\\/]{1,40})%/g, (whole: string, name: string) => ENVIRONMENT.get(name.toLowerCase()) ?? whole);
}

/**
 * Maps a Windows path from configuration to an existing file or folder under the host root, matching each
 * segment case-insensitively. Returns undefined when the path is on an unmapped drive, a UNC share, does not
 * exist, or leaves the host root (through `..` or a symbolic link).
 */
export async function resolveHostPath(hostRoot: string, windowsPath: string, options: HostPathOptions = {}): Promise<string | undefined> {
  const expanded = expandWindowsPath(windowsPath.trim());
  const match = /^([A-Za-z]):(?:[\\/]|$)(.*)$/s.exec(expanded);
  if (match === null) return undefined;
  const drive = `${(match[1] ?? '').toUpperCase()}:`;
  const base = Object.entries(options.drives ?? {}).find(([letter]) => letter.replace(/:$/, '').toUpperCase() + ':' === drive)?.[1] ?? (drive === 'C:' ? hostRoot : undefined);
  if (base === undefined) return undefined;
  const segments = (match[2] ?? '').split(/[\\/]+/).filter((segment) => segment !== '' && segment !== '.');
  if (segments.some((segment) => segment === '..')) return undefined;
  return resolveUnder(base, segments);
}

/** Follows `segments` below `base` case-insensitively and checks that the real target stays inside `base`. */
export async function resolveUnder(base: string, segments: readonly string[]): Promise<string | undefined> {
  let current = base;
  for (const segment of segments) {
    const next = await findEntry(current, segment);
    if (next === undefined) return undefined;
    current = next;
  }
  try {
    const [realBase, realTarget] = await Promise.all([realpath(base), realpath(current)]);
    const relative = path.relative(realBase, realTarget);
    if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  } catch {
    return undefined;
  }
  return current;
}

async function findEntry(folder: string, name: string): Promise<string | undefined> {
  const exact = path.join(folder, name);
  try {
    await lstat(exact);
    return exact;
  } catch {
    // Fall through to a case-insensitive lookup: Windows paths in configuration rarely match a copy's case.
  }
  let entries: string[];
  try {
    entries = await readdir(folder);
  } catch {
    return undefined;
  }
  const wanted = name.toLowerCase();
  const found = entries.find((entry) => entry.toLowerCase() === wanted);
  return found === undefined ? undefined : path.join(folder, found);
}
