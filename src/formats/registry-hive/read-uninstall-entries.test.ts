import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openRegistryHive } from './open-registry-hive.js';
import { pendingTargetPath, readPendingFileRenames } from './read-pending-file-renames.js';
import { readUninstallEntries } from './read-uninstall-entries.js';
import { windowsVersion } from './windows-build.js';

const hive = (name: string): string => fileURLToPath(new URL(`../../../test/fixtures/inventory-host/Windows/System32/config/${name}`, import.meta.url));

describe('inventory registry readers on hives built by hivexregedit', () => {
  it('lists Uninstall entries of both views, skipping entries without a DisplayName', async () => {
    const entries = readUninstallEntries(await openRegistryHive(hive('SOFTWARE')));
    expect(entries.map((e) => [e.displayName, e.displayVersion, e.key])).toEqual([
      ['7-Zip 23.01 (x64)', '23.01', 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\7-Zip'],
      ['INISAFE CrossWeb EX V3', '3.3.2.40', 'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\INISAFE CrossWeb EX V3'],
      ['MagicLine4NX', '1.0.0.27', 'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\MagicLine4NX'],
    ]);
  });

  it('reads the Windows version as major.minor.build.UBR', async () => {
    expect(windowsVersion(await openRegistryHive(hive('SOFTWARE')))).toEqual({ version: '10.0.17763.2300', productName: 'Windows Server 2019 Datacenter' });
  });

  it('reads pending file renames through the current control set', async () => {
    const renames = readPendingFileRenames(await openRegistryHive(hive('SYSTEM')));
    expect(renames).toEqual([{ target: '\\??\\C:\\Windows\\System32\\drivers\\http.sys', source: '\\??\\C:\\Windows\\WinSxS\\Temp\\PendingRenames\\http.sys' }]);
    expect(pendingTargetPath(renames[0]?.target ?? '')).toBe('windows/system32/drivers/http.sys');
    expect(pendingTargetPath('\\\\server\\share\\x')).toBeUndefined();
  });
});
