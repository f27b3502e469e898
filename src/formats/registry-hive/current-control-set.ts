import type { RegistryHive, RegistryKey } from './registry-hive.js';

/**
 * The control set a SYSTEM hive boots with (`ControlSet00N`, N from `Select\Current`), which is what
 * `CurrentControlSet` means on a live machine; `undefined` when the hive has no usable `Select` key.
 */
export function currentControlSet(hive: RegistryHive): RegistryKey | undefined {
  const current = hive.key('Select')?.dword('Current');
  // Windows numbers control sets 001–999; anything else is damage or tampering, not a set to trust.
  if (current === undefined || current < 1 || current > 999) return undefined;
  return hive.root().subkey(`ControlSet${String(current).padStart(3, '0')}`);
}
