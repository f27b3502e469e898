import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestPe } from '../../src/formats/pe/fixtures/build-test-pe.js';
import { REPO_ROOT, runCli } from './run-cli.js';

const CONTRACT = resolve(REPO_ROOT, '..', 'shared', 'contracts', 'finding-report.schema.json');
const DEV = resolve(REPO_ROOT, '..', 'shared', 'eval', 'dev');
const SAMPLES = resolve(REPO_ROOT, 'src', 'analyzers', 'webroot-sweep', 'fixtures', 'yara-samples');

interface SweepReport {
  findings: { ruleId: string; severity: string; asset: string; evidence: { kind: string; path?: string; text?: string }[] }[];
  issues: { code: string; message: string; path?: string; line?: number }[];
  inputs: { path: string; records: number }[];
}

const RANK: Record<string, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
const temp = mkdtempSync(join(tmpdir(), 'w3g-sweep-e2e-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function sweep(args: string[]): { code: number; report: SweepReport; stderr: string } {
  const run = runCli(['sweep', ...args, '--format', 'json']);
  return { code: run.code, report: JSON.parse(run.stdout === '' ? '{"findings":[],"issues":[],"inputs":[]}' : run.stdout) as SweepReport, stderr: run.stderr };
}

/** A small host laid out like C:\ with one configured site, a Lazarus-style temp DLL and a side-loading drop. */
function makeHost(): string {
  const host = join(temp, 'host');
  const config = join(host, 'Windows', 'System32', 'inetsrv', 'config');
  mkdirSync(config, { recursive: true });
  writeFileSync(
    join(config, 'applicationHost.config'),
    `<?xml version="1.0"?>
<configuration><system.applicationHost>
  <applicationPools><add name="ShopPool" /></applicationPools>
  <sites>
    <site name="Shop" id="2"><application path="/" applicationPool="ShopPool"><virtualDirectory path="/" physicalPath="%SystemDrive%\\sites\\shop" /></application>
      <bindings><binding protocol="http" bindingInformation="*:80:shop.example" /></bindings></site>
  </sites>
</system.applicationHost></configuration>
`,
  );
  mkdirSync(join(host, 'sites', 'shop', 'uploads'), { recursive: true });
  writeFileSync(join(host, 'sites', 'shop', 'Default.aspx'), '<%@ Page Language="C#" %><h1>Shop</h1>');
  cpSync(join(SAMPLES, 'w3g-yara-webshell-eval-request', 'match.aspx'), join(host, 'sites', 'shop', 'uploads', 'avatar.aspx'));
  const dll = readFileSync(join(SAMPLES, 'w3g-yara-iis-native-module', 'clean.dll'));
  mkdirSync(join(host, 'Windows', 'Temp'), { recursive: true });
  writeFileSync(join(host, 'Windows', 'Temp', '1678863283.dll'), dll);
  mkdirSync(join(host, 'ProgramData', 'Updater'), { recursive: true });
  writeFileSync(join(host, 'ProgramData', 'Updater', 'updater.dll'), dll);
  const exe = Buffer.from(dll);
  exe[0x80 + 23] = 0x01;
  writeFileSync(join(host, 'ProgramData', 'Updater', 'Updater.exe'), exe);
  writeFileSync(join(host, 'ProgramData', 'Updater', 'config.dat'), 'payload');
  return host;
}

describe('w3guard sweep', () => {
  it('host mode: sweeps the configured site (the site is the asset), Windows/Temp and ProgramData', () => {
    const host = makeHost();
    const { code, report } = sweep(['--host', host]);
    expect(code).toBe(0);
    const by = (id: string): SweepReport['findings'] => report.findings.filter((f) => f.ruleId === id);
    expect(by('w3g-yara-webshell-eval-request').map((f) => [f.asset, f.severity])).toEqual([['Shop', 'critical']]);
    expect(by('w3g-yara-webshell-eval-request')[0]?.evidence[0]).toMatchObject({ kind: 'file', path: join(host, 'sites', 'shop', 'uploads', 'avatar.aspx') });
    expect(by('w3g-sweep-epoch-dll-in-windows-temp').map((f) => [f.asset, f.severity])).toEqual([[host, 'critical']]);
    expect(by('w3g-sweep-exe-dll-dropped-together')).toHaveLength(2);
    expect(report.inputs.map((i) => i.path)).toEqual([join(host, 'sites', 'shop'), join(host, 'Windows', 'Temp'), join(host, 'ProgramData')]);
  });

  it('a baseline run followed by a modified tree reports exactly the changes; --update-baseline accepts them', () => {
    const site = join(temp, 'drift');
    mkdirSync(join(site, 'bin'), { recursive: true });
    writeFileSync(join(site, 'Default.aspx'), '<h1>v1</h1>');
    writeFileSync(join(site, 'About.aspx'), '<h1>about</h1>');
    writeFileSync(join(site, 'robots.txt'), 'User-agent: *');
    const baseline = join(temp, 'drift.baseline.json');
    const first = sweep([site, '--baseline', baseline]);
    expect(first.stderr).toMatch(/baseline written/);
    expect(first.report.findings.filter((f) => f.ruleId.startsWith('w3g-sweep-drift'))).toEqual([]);
    const written = JSON.parse(readFileSync(baseline, 'utf8')) as { version: number; files: Record<string, { size: number; sha256: string }> };
    expect(written.version).toBe(1);
    expect(Object.keys(written.files).sort()).toEqual([join(site, 'About.aspx'), join(site, 'Default.aspx'), join(site, 'robots.txt')]);

    appendFileSync(join(site, 'Default.aspx'), '<p>changed</p>');
    unlinkSync(join(site, 'robots.txt'));
    writeFileSync(join(site, 'health.aspx'), '<%@ Page %>');
    const second = sweep([site, '--baseline', baseline]);
    const drift = second.report.findings.filter((f) => f.ruleId.startsWith('w3g-sweep-drift')).map((f) => [f.ruleId, f.evidence[0]?.path]).sort();
    expect(drift).toEqual([
      ['w3g-sweep-drift-changed-code', join(site, 'Default.aspx')],
      ['w3g-sweep-drift-new-code', join(site, 'health.aspx')],
      ['w3g-sweep-drift-removed', join(site, 'robots.txt')],
    ]);
    expect(second.report.findings.find((f) => f.ruleId === 'w3g-sweep-drift-changed-code')?.evidence[0]?.text).toMatch(/size 11 → 25 bytes; SHA-256/);

    const third = sweep([site, '--baseline', baseline, '--update-baseline']);
    expect(third.report.findings.filter((f) => f.ruleId.startsWith('w3g-sweep-drift'))).toHaveLength(3);
    const fourth = sweep([site, '--baseline', baseline]);
    expect(fourth.report.findings.filter((f) => f.ruleId.startsWith('w3g-sweep-drift'))).toEqual([]);
  });

  it('on a hostile tree: a huge sparse file is cut at --max-file-size and said so, names are escaped in the table', () => {
    const tree = join(temp, 'hostile');
    mkdirSync(join(tree, 'uploads'), { recursive: true });
    const huge = join(tree, 'huge.bin');
    if (spawnSync('truncate', ['-s', '4G', huge]).status !== 0) {
      writeFileSync(huge, '');
      truncateSync(huge, 4 * 1024 ** 3);
    }
    const evil = join(tree, 'uploads', 'x\n\u001b[2Jname.aspx');
    cpSync(join(SAMPLES, 'w3g-yara-webshell-process-request', 'match.aspx'), evil);
    const started = Date.now();
    const { report } = sweep([tree, '--max-file-size', '1M']);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(report.issues.find((i) => i.code === 'sweep.file-truncated')?.message).toMatch(/only the first 1048576/);
    expect(report.findings.find((f) => f.ruleId === 'w3g-yara-webshell-process-request')?.evidence[0]?.path).toBe(evil);
    const table = runCli(['sweep', tree, '--max-file-size', '1M']);
    expect(table.stdout).toMatch(/webshell-process-request|Process\.Start/);
    expect(table.stdout).not.toContain('\u001b');
    expect(table.stderr).not.toContain('\u001b');
  });

  it('loads users rule folders: a broken or clashing file is an issue with file:line, the others still match', () => {
    const rules = join(temp, 'rules');
    mkdirSync(rules, { recursive: true });
    writeFileSync(join(rules, 'broken.yar'), 'rule ok_here { condition: false }\nrule broken {\n  condition: nope\n}\n');
    writeFileSync(join(rules, 'mine.yar'), 'rule customer_marker { meta: score = 65 description = "Customer marker" strings: $a = "CUSTOMER-MARKER-7" condition: $a }\n');
    writeFileSync(join(rules, 'zz-copy.yar'), 'rule customer_marker { condition: true }\n');
    const site = join(temp, 'ruled');
    mkdirSync(site, { recursive: true });
    writeFileSync(join(site, 'page.htm'), '<p>CUSTOMER-MARKER-7</p>');
    const { code, report, stderr } = sweep([site, '--yara', rules]);
    expect(code).toBe(0);
    expect(report.issues.find((i) => i.path === join(rules, 'broken.yar'))).toMatchObject({ line: 3 });
    expect(report.findings.find((f) => f.ruleId === 'yara.customer_marker')?.severity).toBe('medium');
    expect(report.issues.find((i) => i.path === join(rules, 'zz-copy.yar'))).toMatchObject({ code: 'yara.e012', line: 1 });
    expect(stderr).toMatch(/2 loaded, 2 refused/);
  });

  it('exits 2 with one sentence on bad command lines and missing paths, 1 with --fail-on', () => {
    for (const args of [['sweep'], ['sweep', 'no/such/folder'], ['sweep', '.', '--max-file-size', 'lots'], ['sweep', '.', '--update-baseline'], ['sweep', '.', '--yara', 'no/such/rules']]) {
      const run = runCli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    const host = join(temp, 'host');
    if (!existsSync(host)) makeHost();
    expect(runCli(['sweep', '--host', host, '--fail-on', 'critical', '--format', 'json']).code).toBe(1);
  });

  it('host mode also judges the sites\' components by version (an old Telerik DLL in bin/), unless --no-inventory', () => {
    const host = join(temp, 'host-inventory');
    cpSync(makeHost(), host, { recursive: true });
    mkdirSync(join(host, 'sites', 'shop', 'bin'), { recursive: true });
    writeFileSync(
      join(host, 'sites', 'shop', 'bin', 'Telerik.Web.UI.dll'),
      buildTestPe({ fileVersion: '2019.3.1023.45', strings: { ProductName: 'Telerik UI for ASP.NET AJAX', CompanyName: 'Progress Software Corporation' } }),
    );
    const vulnerable = (report: SweepReport): string[] => report.findings.filter((f) => f.ruleId.startsWith('w3g-adv-telerik')).map((f) => `${f.ruleId} ${f.severity}`);
    expect(vulnerable(sweep(['--host', host]).report)).toContain('w3g-adv-telerik-ui-aspnet-ajax-cve-2019-18935 critical');
    expect(vulnerable(sweep(['--host', host, '--no-inventory']).report)).toEqual([]);
  });

  it.skipIf(!existsSync(DEV) || !existsSync(CONTRACT))('finds the planted shells and binaries of the development web roots without false positives, in contract-valid JSON (skipped: ../shared is absent)', () => {
    const hosts = ['FAB-WEB01', 'FAB-WEB02', 'FAB-APP01', 'FAB-EXCH01'].flatMap((h) => ['--host', resolve(DEV, 'webroots', h)]);
    const { report } = sweep(hosts);
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(CONTRACT, 'utf8')) as object);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    const truth = readFileSync(resolve(DEV, 'webroots', 'truth.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { path: string; case: string; expect: string; min_severity?: string });
    const worst = (p: string): number => Math.max(-1, ...report.findings.filter((f) => f.evidence.some((e) => e.path === resolve(DEV, p))).map((f) => RANK[f.severity] ?? -1));
    // A vulnerable component in a site's bin/ (IIS-DIST-007) is found by its version: host mode includes the inventory.
    for (const row of truth.filter((r) => r.expect === 'detect')) expect(worst(row.path), row.path).toBeGreaterThanOrEqual(RANK[row.min_severity ?? 'medium'] ?? 2);
    for (const row of truth.filter((r) => r.expect === 'clean')) expect(worst(row.path), row.path).toBeLessThan(RANK.medium ?? 2);
  });
});
