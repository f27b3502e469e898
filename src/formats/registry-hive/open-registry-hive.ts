import { open } from 'node:fs/promises';
import { HiveError } from './hive-error.js';
import { parseRegistryHive, type ParseRegistryHiveOptions } from './parse-registry-hive.js';
import { DEFAULT_REGISTRY_HIVE_LIMITS, type RegistryHive } from './registry-hive.js';

/**
 * Opens a regf hive from bytes or a file path (read whole, after a size check, because keys point anywhere in it).
 * Unreadable files and hives throw `HiveError`; see `parseRegistryHive` for what is reported instead.
 */
export async function openRegistryHive(input: Uint8Array | string, options: ParseRegistryHiveOptions = {}): Promise<RegistryHive> {
  if (typeof input !== 'string') return parseRegistryHive(input, options);
  const maxBytes = options.limits?.maxBytes ?? DEFAULT_REGISTRY_HIVE_LIMITS.maxBytes;
  let bytes: Uint8Array;
  try {
    const handle = await open(input, 'r');
    try {
      // Size comes from the open handle, so a file swapped after the check cannot make the read unbounded.
      const { size } = await handle.stat();
      if (size > maxBytes) {
        throw new HiveError('hive.too-large', `${JSON.stringify(input)} is ${size} bytes, over the ${maxBytes}-byte limit.`);
      }
      const buffer = Buffer.alloc(size);
      const { bytesRead } = await handle.read(buffer, 0, size, 0);
      bytes = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof HiveError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new HiveError('hive.read-failed', `Reading ${JSON.stringify(input)} failed: ${reason}.`, undefined, { cause: error });
  }
  return parseRegistryHive(bytes, { ...options, path: options.path ?? input });
}
