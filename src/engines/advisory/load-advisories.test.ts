import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { InventoryComponent } from '../../core/inventory-component.js';
import { loadAdvisories } from './load-advisories.js';
import { matchAdvisories } from './match-advisories.js';
import { matchPattern } from './match-pattern.js';
import { inVersionRange } from '../version-match/version-range.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const shipped = path.resolve(here, '../../../content/advisories');

describe('loadAdvisories', () => {
  it('loads every shipped advisory without a diagnostic', async () => {
    const { advisories, diagnostics } = await loadAdvisories(shipped);
    expect(diagnostics).toEqual([]);
    expect(advisories.map((a) => a.id)).toEqual(expect.arrayContaining(['telerik-ui-aspnet-ajax', 'apache-log4j', 'exchange-server', 'inisafe-crossweb-ex', 'magicline4nx', '3cx-desktop-app', 'sharepoint-server', 'moveit-transfer', 'telerik-report-server', 'http-sys-ms15-034', 'windows-http-stack-2022', 'aspnetcore-runtime-eol']));
    const cves = advisories.flatMap((a) => a.vulnerabilities.flatMap((v) => v.cves));
    for (const cve of ['CVE-2017-11317', 'CVE-2017-11357', 'CVE-2017-9248', 'CVE-2019-18935', 'CVE-2021-44228', 'CVE-2021-45046', 'CVE-2021-26855', 'CVE-2021-34473', 'CVE-2022-41082', 'CVE-2025-53770', 'CVE-2015-1635', 'CVE-2022-21907', 'CVE-2023-34362', 'CVE-2024-4358', 'CVE-2023-29059']) {
      expect(cves).toContain(cve);
    }
  });

  it('names the file and line of every problem and leaves the broken advisories out', async () => {
    const { advisories, diagnostics } = await loadAdvisories(path.join(here, 'fixtures', 'sad'));
    expect(advisories).toEqual([]);
    const at = (file: string): string[] => diagnostics.filter((d) => d.path.endsWith(file)).map((d) => `${d.line}: ${d.message.replace(/^.*?: /, '')}`);
    expect(at('bad-shape.yml')).toEqual(
      expect.arrayContaining([
        '1: id is lower-case letters, digits and dashes.',
        '3: scheme is one of windows, exchange, telerik, semver, not "calver".',
        '5: fileNames is a list of text.',
        '6: unknown key "colours" (known: fileNames, productNames, assemblyNames, packages, uninstallNames, runtimes, windows).',
        '9: "CVE-2020-1" is not a CVE id.',
        '11: severity is info, low, medium, high or critical.',
        '13: fixed is text: write 1.1 in quotes.',
      ]),
    );
    expect(at('bad-range.yml')).toEqual(['12: "R1 2020" is not a telerik version.']);
    expect(diagnostics.find((d) => d.path.endsWith('syntax.yml'))?.code).toBe('advisory.yaml-syntax');
  });
});

describe('shipped advisories', () => {
  it('match every affected sample and no unaffected sample, vulnerability by vulnerability', async () => {
    const { advisories } = await loadAdvisories(shipped);
    let checked = 0;
    for (const advisory of advisories) {
      for (const vulnerability of advisory.vulnerabilities) {
        const hits = (version: string): boolean => vulnerability.affected.some((range) => inVersionRange(version, range, advisory.scheme) === true);
        for (const version of vulnerability.samples.affected) expect(hits(version), `${advisory.id} ${vulnerability.id} must match ${version}`).toBe(true);
        for (const version of vulnerability.samples.unaffected) expect(hits(version), `${advisory.id} ${vulnerability.id} must not match ${version}`).toBe(false);
        checked += 1;
      }
    }
    expect(checked).toBe(22);
  });
});

describe('matchAdvisories', () => {
  const now = new Date('2026-11-29T00:00:00Z');
  const telerik = (version: string): InventoryComponent => ({ name: 'Telerik UI for ASP.NET AJAX', version, source: 'pe', location: 'bin/Telerik.Web.UI.dll', fileName: 'Telerik.Web.UI.dll' });

  it('finds every Telerik CVE in a 2013 build and none in a 2020 build', async () => {
    const { advisories } = await loadAdvisories(shipped);
    expect(matchAdvisories(advisories, telerik('2013.1.220.40'), now).map((m) => m.vulnerability.id).sort()).toEqual(['CVE-2017-11317', 'CVE-2017-11357', 'CVE-2017-9248', 'CVE-2019-18935']);
    expect(matchAdvisories(advisories, telerik('2019.3.1023.45'), now).map((m) => m.vulnerability.id)).toEqual(['CVE-2019-18935']);
    expect(matchAdvisories(advisories, telerik('2020.1.114.45'), now)).toEqual([]);
  });

  it('judges Exchange by CU line: an SU-patched CU is fixed, the CU without it is not', async () => {
    const { advisories } = await loadAdvisories(shipped);
    const exchange = (version: string): string[] => matchAdvisories(advisories, { name: 'Microsoft Exchange', version, source: 'pe', location: 'ExSetup.exe', fileName: 'ExSetup.exe' }, now).map((m) => m.vulnerability.id);
    expect(exchange('15.2.858.5')).toEqual(['proxyshell', 'proxynotshell']);
    expect(exchange('15.2.858.12')).toEqual(['proxynotshell']);
    expect(exchange('15.2.792.3')).toEqual(['proxylogon', 'proxyshell', 'proxynotshell']);
    expect(exchange('15.2.1118.20')).toEqual([]);
  });

  it('matches Log4j by Maven coordinates, CrossWeb EX by Uninstall name, and end of support by the clock', async () => {
    const { advisories } = await loadAdvisories(shipped);
    const log4j = matchAdvisories(advisories, { name: 'log4j-core', version: '2.14.1', source: 'jar', location: 'a.jar', ecosystem: 'maven', packageName: 'org.apache.logging.log4j:log4j-core' }, now);
    expect(log4j.map((m) => m.vulnerability.id)).toEqual(['CVE-2021-44228', 'CVE-2021-45046']);
    const crossweb = (version: string): number => matchAdvisories(advisories, { name: 'INISAFE CrossWeb EX V3', version, source: 'uninstall', location: 'HKLM' }, now).length;
    expect([crossweb('3.3.2.40'), crossweb('3.3.2.41')]).toEqual([1, 0]);
    const runtime = { name: 'Microsoft.AspNetCore.App', version: '8.0.11', source: 'runtime-folder', location: 'dotnet' } as const;
    expect(matchAdvisories(advisories, runtime, now).map((m) => m.vulnerability.id)).toEqual(['eol-8-9']);
    expect(matchAdvisories(advisories, runtime, new Date('2026-01-01T00:00:00Z'))).toEqual([]);
  });
});

describe('matchPattern', () => {
  it('treats * as any text, case-insensitively', () => {
    expect(matchPattern('INISAFE CrossWeb EX V3', 'inisafe crossweb ex*')).toBe(true);
    expect(matchPattern('Progress Telerik UI for ASP.NET AJAX R1 2020', '*Telerik UI for ASP.NET AJAX*')).toBe(true);
    expect(matchPattern('Telerik Reporting', '*Telerik UI*')).toBe(false);
    expect(matchPattern('ab', 'a*b*b')).toBe(false);
  });
});
