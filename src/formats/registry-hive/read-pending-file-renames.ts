import type { RegistryHive } from './registry-hive.js';
import { systemKey } from './system-key.js';

/** One file operation Windows will carry out at the next boot. */
export interface PendingFileRename {
  /** The file replaced or deleted, as Windows wrote it (`\??\C:\Windows\System32\drivers\http.sys`). */
  readonly target: string;
  /** The staged file that replaces it, or undefined for a delete. */
  readonly source?: string;
}

const MAX_OPERATIONS = 10_000;

/**
 * The replacements waiting for a reboot (`Session Manager\PendingFileRenameOperations` and `…2`): pairs of source and
 * destination, where an empty destination means delete. While one is pending, the running file is the old one.
 */
export function readPendingFileRenames(system: RegistryHive): PendingFileRename[] {
  const key = systemKey(system, 'CurrentControlSet\\Control\\Session Manager');
  const renames: PendingFileRename[] = [];
  for (const name of ['PendingFileRenameOperations', 'PendingFileRenameOperations2']) {
    const data = key?.value(name)?.data;
    if (!Array.isArray(data)) continue;
    for (let i = 0; i + 1 < data.length && renames.length < MAX_OPERATIONS; i += 2) {
      const source = String(data[i]);
      const destination = String(data[i + 1]).replace(/^!/, '');
      renames.push(destination === '' ? { target: source } : { target: destination, source });
    }
    // The value's trailing empty strings are trimmed when it is decoded, so a final delete loses its empty destination.
    if (data.length % 2 === 1 && renames.length < MAX_OPERATIONS) renames.push({ target: String(data[data.length - 1]) });
  }
  return renames;
}

/** A pending rename's target as a path relative to the system drive, lower-case with forward slashes (`windows/system32/…`). */
export function pendingTargetPath(target: string): string | undefined {
  const m = /^(?:\\\?\?\\|\\\\\?\\)?[A-Za-z]:\\(.*)$/.exec(target);
  return m === null ? undefined : (m[1] ?? '').replace(/\\/g, '/').toLowerCase();
}
