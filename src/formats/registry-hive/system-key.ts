import { currentControlSet } from './current-control-set.js';
import type { RegistryHive, RegistryKey } from './registry-hive.js';

/**
 * Looks up a SYSTEM hive path, reading a leading `CurrentControlSet` through `Select\Current` (an offline
 * hive has no such key: it is a link Windows creates at boot).
 */
export function systemKey(hive: RegistryHive, path: string): RegistryKey | undefined {
  const parts = path.split('\\').filter((part) => part !== '');
  const first = parts[0];
  if (first === undefined || first.toUpperCase() !== 'CURRENTCONTROLSET') return hive.key(path);
  return currentControlSet(hive)?.key(parts.slice(1).join('\\'));
}
