import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolveHostPath } from '../../formats/iis-config/resolve-host-path.js';
import type { HostFileInfo } from './config-check.js';

/** Largest DLL hashed; native modules are a few MiB at most. */
export const MAX_HASHED_BYTES = 256 * 1024 * 1024;

/**
 * SHA-256 and size of the file a Windows path names under the host root, or undefined when it is not there,
 * not a regular file, too large, or outside the root (links are not followed out of it).
 */
export async function describeHostFile(hostRoot: string, windowsPath: string, signal?: AbortSignal): Promise<HostFileInfo | undefined> {
  const found = await resolveHostPath(hostRoot, windowsPath);
  if (found === undefined) return undefined;
  try {
    const info = await stat(found);
    if (!info.isFile() || info.size > MAX_HASHED_BYTES) return undefined;
    const hash = createHash('sha256');
    const stream = createReadStream(found, { end: MAX_HASHED_BYTES, ...(signal === undefined ? {} : { signal }) });
    for await (const chunk of stream) hash.update(chunk as Buffer);
    return { sha256: hash.digest('hex'), size: info.size };
  } catch {
    return undefined;
  }
}
