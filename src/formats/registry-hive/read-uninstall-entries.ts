import type { RegistryHive } from './registry-hive.js';

/** One program listed under an Uninstall key. */
export interface UninstallEntry {
  readonly displayName: string;
  readonly displayVersion?: string;
  readonly publisher?: string;
  /** `HKLM\SOFTWARE\…\Uninstall\<subkey>`, naming the 64- or 32-bit view. */
  readonly key: string;
}

const VIEWS = ['Microsoft\\Windows\\CurrentVersion\\Uninstall', 'WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall'];
/** Subkeys read per view; real servers list a few hundred programs. */
const MAX_ENTRIES = 20_000;

/** The programs a SOFTWARE hive lists for Programs and Features, from both the 64-bit and the 32-bit (WOW6432Node) view. */
export function readUninstallEntries(software: RegistryHive): UninstallEntry[] {
  const entries: UninstallEntry[] = [];
  for (const view of VIEWS) {
    const parent = software.key(view);
    if (parent === undefined) continue;
    for (const subkey of parent.subkeys().slice(0, MAX_ENTRIES)) {
      const displayName = subkey.string('DisplayName')?.trim();
      // Updates and components without a DisplayName are not shown to people, and are not products to judge.
      if (displayName === undefined || displayName === '') continue;
      const displayVersion = subkey.string('DisplayVersion')?.trim();
      const publisher = subkey.string('Publisher')?.trim();
      entries.push({
        displayName: displayName.slice(0, 512),
        ...(displayVersion === undefined || displayVersion === '' ? {} : { displayVersion: displayVersion.slice(0, 128) }),
        ...(publisher === undefined || publisher === '' ? {} : { publisher: publisher.slice(0, 256) }),
        key: `HKLM\\SOFTWARE\\${view}\\${subkey.name}`,
      });
    }
  }
  return entries;
}
