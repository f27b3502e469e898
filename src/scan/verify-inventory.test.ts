import { describe, expect, it } from 'vitest';
import type { InventoryItem } from '../core/inventory-item.js';
import { verifyInventory } from './verify-inventory.js';

const asset = { id: '/mnt/web01', kind: 'host' } as const;
const pending = [{ asset, systemHive: '/mnt/web01/Windows/System32/config/SYSTEM', renames: [{ target: '\\??\\C:\\Windows\\System32\\drivers\\http.sys', source: '\\??\\C:\\Windows\\WinSxS\\Temp\\http.sys' }] }];
const vuln = (ruleId: string) => ({ ruleId, advisory: 'a', id: 'x', title: 't', fixed: 'f', cves: [{ id: 'CVE-2015-1635' }] });

describe('verifyInventory', () => {
  it('calls a vulnerable file that Windows replaces at the next boot fix-pending-reboot, not fixed', () => {
    const previous = { vulnerable: [{ asset: '/mnt/web01', location: '/mnt/web01/Windows/System32/drivers/http.sys', name: 'http.sys', version: '6.3.9600.17000', ruleId: 'r1', cves: ['CVE-2015-1635'] }] };
    const current: InventoryItem[] = [{ asset: '/mnt/web01', name: 'http.sys', version: '6.3.9600.17000', source: 'pe', location: '/mnt/web01/Windows/System32/drivers/http.sys', vulnerabilities: [vuln('r1')] }];
    expect(verifyInventory(previous, current, pending)[0]).toMatchObject({ status: 'fix-pending-reboot' });
    expect(verifyInventory(previous, current, [])[0]).toMatchObject({ status: 'still-vulnerable' });
  });

  it('notes a Windows build fixed by the installer while replacements still wait for a reboot', () => {
    const location = 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion';
    const previous = { vulnerable: [{ asset: '/mnt/web01', location, name: 'Windows Server 2019', version: '10.0.17763.2300', ruleId: 'r2', cves: ['CVE-2022-21907'] }] };
    const current: InventoryItem[] = [{ asset: '/mnt/web01', name: 'Windows Server 2019', version: '10.0.17763.2452', source: 'windows-build', location, vulnerabilities: [] }];
    const [result] = verifyInventory(previous, current, pending);
    expect(result).toMatchObject({ status: 'fixed', previousVersion: '10.0.17763.2300', currentVersion: '10.0.17763.2452' });
    expect(result?.note).toMatch(/1 file replacement\(s\) wait for a reboot/);
  });

  it('reports new vulnerabilities and removed components', () => {
    const previous = { vulnerable: [{ asset: 'a', location: 'gone.dll', name: 'gone', ruleId: 'r3', cves: [] }] };
    const current: InventoryItem[] = [{ asset: 'a', name: 'new', source: 'jar', location: 'new.jar', vulnerabilities: [vuln('r4')] }];
    expect(verifyInventory(previous, current, []).map((r) => [r.status, r.location, r.note])).toEqual([
      ['newly-vulnerable', 'new.jar', undefined],
      ['fixed', 'gone.dll', 'the component is no longer present'],
    ]);
  });
});
