import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import type { InventoryItem, VerificationResult } from '../../src/core/inventory-item.js';
import { buildTestPe } from '../../src/formats/pe/fixtures/build-test-pe.js';
import { REPO_ROOT, runCli } from './run-cli.js';

const CONTRACT = path.resolve(REPO_ROOT, '..', 'shared', 'contracts', 'finding-report.schema.json');
const temp = mkdtempSync(path.join(tmpdir(), 'w3g-inventory-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const host = path.join(temp, 'web01');
cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'inventory-host'), host, { recursive: true });
const feeds = path.join(temp, 'feeds');
cpSync(path.join(REPO_ROOT, 'src', 'formats', 'epss', 'fixtures', 'happy', 'epss-sample.csv'), path.join(feeds, 'epss.csv'));

interface InventoryReport {
  findings: { ruleId: string; severity: string; tags: string[]; remediation?: string; evidence: { kind: string; path?: string; file?: string; text?: string }[] }[];
  inventory: InventoryItem[];
  verification?: VerificationResult[];
  feeds: { kev?: { catalogVersion: string }; epss?: { scoreDate?: string } };
}

const TELERIK = path.join(host, 'inetpub', 'wwwroot', 'portal', 'bin', 'Telerik.Web.UI.dll');
const first = path.join(temp, 'first.json');

describe('w3guard inventory --host', () => {
  it('reports the old Telerik DLL, the Exchange build, nested Log4j and CrossWeb EX from the hive, each with KEV status and a fix', () => {
    const run = runCli(['inventory', '--host', host, '--feeds-dir', feeds, '--format', 'json', '--output', first]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/KEV: catalogue 2025\.08\.25/);
    const report = JSON.parse(readFileSync(first, 'utf8')) as InventoryReport;
    const item = (location: string): InventoryItem | undefined => report.inventory.find((i) => i.location === location);

    const telerik = item(TELERIK);
    expect(telerik?.version).toBe('2013.1.220.40');
    expect(telerik?.vulnerabilities.map((v) => v.id).sort()).toEqual(['CVE-2017-11317', 'CVE-2017-11357', 'CVE-2017-9248', 'CVE-2019-18935']);
    const cve201918935 = telerik?.vulnerabilities.find((v) => v.id === 'CVE-2019-18935')?.cves[0];
    expect(cve201918935).toEqual({ id: 'CVE-2019-18935', kev: { dateAdded: '2021-11-03', dueDate: '2022-05-03', knownRansomwareCampaignUse: 'Known' }, epss: { score: 0.94255, percentile: 0.99921, date: '2025-08-25' } });

    const exchange = item(path.join(host, 'Program Files', 'Microsoft', 'Exchange Server', 'V15', 'Bin', 'ExSetup.exe'));
    expect(exchange?.vulnerabilities.map((v) => v.id)).toEqual(['proxyshell', 'proxynotshell']);
    const log4j = item(`${path.join(host, 'inetpub', 'apps', 'portal', 'portal.jar')}!BOOT-INF/lib/log4j-core-2.14.1.jar`);
    expect(log4j?.vulnerabilities.map((v) => v.id)).toEqual(['CVE-2021-44228', 'CVE-2021-45046']);
    const crossweb = item('HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\INISAFE CrossWeb EX V3');
    expect(crossweb).toMatchObject({ version: '3.3.2.40', source: 'uninstall' });
    expect(crossweb?.vulnerabilities[0]?.fixed).toBe('3.3.2.41');

    // Components seen but not matched stay visible: shadow IT, the sites' own code (Shop lives outside inetpub,
    // found through applicationHost.config), its packages, the patched MagicLine4NX.
    for (const name of ['7-Zip 23.01 (x64)', 'Portal', 'Shop', 'Newtonsoft.Json', 'MagicLine4NX', 'commons-text']) {
      expect(report.inventory.find((i) => i.name === name)?.vulnerabilities, name).toEqual([]);
    }
    expect(report.inventory.find((i) => i.source === 'windows-build')?.version).toBe('10.0.17763.2300');

    const telerikFinding = report.findings.find((f) => f.ruleId === 'w3g-adv-telerik-ui-aspnet-ajax-cve-2019-18935');
    expect(telerikFinding?.severity).toBe('critical');
    expect(telerikFinding?.tags).toEqual(['cve.2019-18935', 'kev', 'kev.ransomware']);
    expect(telerikFinding?.evidence[0]).toMatchObject({ kind: 'package', path: TELERIK });
    expect(telerikFinding?.remediation).toMatch(/2020\.1\.114/);
    expect(report.findings.find((f) => f.ruleId === 'w3g-adv-inisafe-crossweb-ex-nis-2023-03-crossweb')?.evidence[0]?.file).toMatch(/SOFTWARE$/);
    expect(report.findings.some((f) => f.ruleId === 'w3g-inventory-pending-file-renames')).toBe(true);
  });

  it('after the Telerik DLL is replaced, --verify says fixed for it and still vulnerable for the rest', () => {
    writeFileSync(TELERIK, buildTestPe({ fileVersion: '2020.1.114.45', strings: { ProductName: 'Telerik UI for ASP.NET AJAX', CompanyName: 'Progress Software Corporation' } }));
    const run = runCli(['inventory', '--host', host, '--feeds-dir', feeds, '--verify', first, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as InventoryReport;
    const verdicts = new Map<string, string[]>();
    for (const result of report.verification ?? []) verdicts.set(result.name, [...(verdicts.get(result.name) ?? []), result.status]);
    expect(verdicts.get('Telerik RadControls for ASP.NET AJAX')).toEqual(['fixed', 'fixed', 'fixed', 'fixed']);
    expect(report.verification?.find((r) => r.location === TELERIK)).toMatchObject({ previousVersion: '2013.1.220.40', currentVersion: '2020.1.114.45' });
    for (const name of ['Microsoft® Exchange', 'log4j-core', 'INISAFE CrossWeb EX V3', 'Windows Server 2019 Datacenter', 'Microsoft.AspNetCore.App']) {
      expect(verdicts.get(name)?.every((s) => s === 'still-vulnerable'), name).toBe(true);
    }
    expect(run.stderr).toMatch(/^fixed: Telerik RadControls for ASP\.NET AJAX at .*Telerik\.Web\.UI\.dll \(2013\.1\.220\.40 -> 2020\.1\.114\.45\) CVE-2017-11317/m);
  });

  it.skipIf(!existsSync(CONTRACT))('writes contract-valid JSON (skipped: ../shared is absent)', () => {
    const report = JSON.parse(readFileSync(first, 'utf8')) as object;
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(CONTRACT, 'utf8')) as object);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe('w3guard inventory PATH', () => {
  it('reads a bin folder and a CycloneDX SBOM named on the command line', () => {
    const sbom = path.join(temp, 'sbom.cdx.json');
    writeFileSync(sbom, JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ type: 'library', group: 'org.apache.logging.log4j', name: 'log4j-core', version: '2.16.0', purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.16.0' }] }));
    const bin = path.join(host, 'inetpub', 'wwwroot', 'portal', 'bin');
    const run = runCli(['inventory', bin, sbom, '--feeds-dir', feeds, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as InventoryReport;
    expect(report.inventory.map((i) => i.name).sort()).toEqual(['Portal', 'Telerik UI for ASP.NET AJAX', 'log4j-core']);
    // 2.16.0 fixed CVE-2021-45046 and CVE-2021-44228.
    expect(report.findings).toEqual([]);
  });

  it('turns hostile binaries into issues and goes on', () => {
    const run = runCli(['inventory', path.join(REPO_ROOT, 'src', 'formats', 'pe', 'fixtures', 'sad'), path.join(REPO_ROOT, 'src', 'formats', 'inventory', 'fixtures', 'sad'), '--feeds-dir', feeds, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const codes = (JSON.parse(run.stdout) as { issues: { code: string }[] }).issues.map((i) => i.code);
    for (const code of ['pe.truncated', 'pe.resource-loop', 'pe.too-many', 'pe.bad-offset', 'pe.not-pe', 'jar.too-deep', 'jar.unreadable']) expect(codes).toContain(code);
  });

  it('reads the version of DLLs whose headers were cut down, reports the old Telerik and says the versions were carved', () => {
    const damaged = path.join(temp, 'damaged');
    const strings = { CompanyName: 'Progress Software Corporation', ProductName: 'Telerik UI for ASP.NET AJAX', OriginalFilename: 'Telerik.Web.UI.dll' };
    for (const [folder, version] of [['old', '2019.3.1023.45'], ['new', '2024.1.131.462']] as const) {
      const bytes = Buffer.from(buildTestPe({ fileVersion: version, strings: { ...strings, FileVersion: version } }));
      // SizeOfOptionalHeader = 0: the headers cannot be walked, the version resource is still in the file.
      bytes.writeUInt16LE(0, bytes.readUInt32LE(0x3c) + 20);
      mkdirSync(path.join(damaged, folder), { recursive: true });
      writeFileSync(path.join(damaged, folder, 'Telerik.Web.UI.dll'), bytes);
    }
    const run = runCli(['inventory', damaged, '--feeds-dir', feeds, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as InventoryReport & { issues: { code: string; path?: string }[] };
    expect(report.inventory.map((i) => i.version).sort()).toEqual(['2019.3.1023.45', '2024.1.131.462']);
    expect(report.findings.map((f) => [f.ruleId, f.evidence.find((e) => e.kind === 'file')?.path ?? f.evidence[0]?.path])).toEqual([['w3g-adv-telerik-ui-aspnet-ajax-cve-2019-18935', path.join(damaged, 'old', 'Telerik.Web.UI.dll')]]);
    expect(report.issues.filter((i) => i.code === 'pe.version-carved').map((i) => path.basename(path.dirname(i.path ?? ''))).sort()).toEqual(['new', 'old']);
  });

  it('exits 2 with one sentence for a missing path, no input, or a --verify file that is not an inventory report', () => {
    for (const args of [['inventory', 'no/such/bin'], ['inventory'], ['inventory', host, '--verify', path.join(REPO_ROOT, 'package.json')]]) {
      const run = runCli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
    }
  });
});

describe('w3guard feeds update', () => {
  it('stores an offline bundle and inventory then uses its EPSS scores; a failed refresh exits 2 and keeps them', () => {
    const bundle = path.join(temp, 'bundle');
    cpSync(path.join(REPO_ROOT, 'content', 'feeds', 'kev.json'), path.join(bundle, 'kev.json'));
    cpSync(path.join(REPO_ROOT, 'src', 'formats', 'epss', 'fixtures', 'happy', 'epss-sample.csv'), path.join(bundle, 'epss.csv'));
    const dir = path.join(temp, 'cli-feeds');
    const run = runCli(['feeds', 'update', '--from', bundle, '--feeds-dir', dir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^kev: updated: 1404 entries of 2025-08-25/m);
    expect(run.stdout).toMatch(/^epss: updated: 1009 entries of 2025-08-25/m);
    const failed = runCli(['feeds', 'update', '--from', path.join(temp, 'empty-bundle'), '--feeds-dir', dir]);
    expect(failed.code).toBe(2);
    expect(failed.stdout).toMatch(/^epss: kept-previous: .*kept the copy of 2025-08-25/m);
    const inventory = runCli(['inventory', path.join(host, 'inetpub', 'apps'), '--feeds-dir', dir]);
    expect(inventory.stderr).toMatch(/EPSS: scores of 2025-08-25 \(1009 CVEs\)/);
  });
});
