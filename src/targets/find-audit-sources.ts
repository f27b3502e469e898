import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { AuditSource } from '../analyzers/config-audit/config-audit-analyzer.js';
import { findHostHives } from './find-host-hives.js';
import { InputError } from './input-error.js';

/**
 * Tells what each path named for `audit` is: a folder is a host root (with the registry hives found under it),
 * `web.config` a single web.config, any other file is read as applicationHost.config. A missing path throws `InputError`.
 */
export async function findAuditSources(paths: readonly string[]): Promise<AuditSource[]> {
  const sources: AuditSource[] = [];
  for (const given of paths) {
    let info;
    try {
      info = await stat(given);
    } catch (error) {
      const code = error instanceof Error && 'code' in error ? String(error.code) : '';
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new InputError('input.not-found', given, `${JSON.stringify(given)} does not exist.`, { cause: error });
      throw new InputError('input.unreadable', given, `${JSON.stringify(given)} cannot be read (${code || 'unknown error'}).`, { cause: error });
    }
    if (info.isDirectory()) sources.push({ kind: 'host-root', path: given, hives: await findHostHives(given) });
    else if (!info.isFile()) throw new InputError('input.not-a-file', given, `${JSON.stringify(given)} is neither a folder nor a regular file.`);
    else sources.push({ kind: path.basename(given).toLowerCase() === 'web.config' ? 'web-config' : 'application-host', path: given });
  }
  return sources;
}
