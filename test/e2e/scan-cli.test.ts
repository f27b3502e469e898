import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIisFixture, type IisFixture } from '../fixtures/iis-fixture-server.mjs';
import { REPO_ROOT, type CliRun } from './run-cli.js';

const CLI = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');
const CONTRACT = resolve(REPO_ROOT, '..', 'shared', 'contracts', 'finding-report.schema.json');
const IIS_TEMPLATES = resolve(REPO_ROOT, '..', 'shared', 'eval', 'nuclei', 'iis');

/** Runs the built CLI without blocking this process, whose loopback servers must keep answering. */
function runCliAsync(args: readonly string[]): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

interface Report {
  findings: { ruleId: string; engine: string; asset: string; locationKey: string; severity: string; evidence: { kind: string; url?: string }[] }[];
  issues: { code: string; message: string; path?: string; line?: number }[];
  inputs: { kind: string; path: string; records: number }[];
}

let vulnerable: IisFixture;
let clean: IisFixture;
let redirector: Server;
let redirectorUrl: string;

beforeAll(async () => {
  vulnerable = await startIisFixture({ profile: 'vulnerable' });
  clean = await startIisFixture({ profile: 'clean' });
  // A site whose every page redirects to a host that was not named.
  redirector = createServer((_req, res) => {
    res.writeHead(302, { Location: 'http://elsewhere.example/login' });
    res.end();
  });
  await new Promise<void>((ready) => redirector.listen(0, '127.0.0.1', ready));
  redirectorUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await vulnerable.close();
  await clean.close();
  redirector.closeAllConnections();
  await new Promise((done) => redirector.close(done));
});

describe('w3guard scan', () => {
  it('reports the planted issues with URL evidence, nothing on the clean site, in contract-valid JSON', async () => {
    const run = await runCliAsync(['scan', vulnerable.url, clean.url, '--format', 'json', '--rate', '0']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/w3guard scan: 2 site\(s\), \d+ requests .* \d+ duplicates avoided/);
    const report = JSON.parse(run.stdout) as Report;
    const mine = report.findings.filter((f) => f.asset === vulnerable.url);
    expect(mine.length).toBeGreaterThanOrEqual(39);
    for (const finding of mine) expect(finding.evidence[0]?.url, finding.ruleId).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(report.findings.filter((f) => f.asset === clean.url)).toEqual([]);
    expect(report.inputs.map((i) => i.kind)).toEqual(['url', 'url']);
    if (existsSync(CONTRACT)) {
      const ajv = new Ajv2020({ strict: false });
      addFormats.default(ajv);
      const validate = ajv.compile(JSON.parse(readFileSync(CONTRACT, 'utf8')) as object);
      expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('reports an off-scope redirect without following it, and leaves a dead host alone after its error budget', async () => {
    const dead = 'http://127.0.0.1:9';
    const run = await runCliAsync(['scan', redirectorUrl, dead, '--format', 'json', '--retries', '0', '--error-budget', '3', '--timeout', '2', '--host-concurrency', '1']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.issues.find((i) => i.code === 'http.off-scope-redirect')?.message).toContain('elsewhere.example');
    expect(report.issues.filter((i) => i.code === 'http.host-down').map((i) => i.message)).toEqual([expect.stringContaining('127.0.0.1:9')]);
    // Three failures, then nothing more is sent to the dead host.
    expect(report.inputs.find((i) => i.path === dead)?.records).toBe(0);
    expect(run.stderr).toMatch(/, 3 failed,/);
  });

  it.skipIf(!existsSync(IIS_TEMPLATES))('runs a template folder with our checks: diagnostics with file and line, template findings with URL evidence (skipped: ../shared/eval is absent)', async () => {
    const run = await runCliAsync(['scan', vulnerable.url, '--templates', IIS_TEMPLATES, '--format', 'json', '--rate', '0']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('29 of 35 templates loaded');
    const report = JSON.parse(run.stdout) as Report;
    const leftOut = report.issues.filter((i) => i.code.startsWith('template.unsupported'));
    expect(leftOut).toHaveLength(6);
    for (const issue of leftOut) expect(issue.line).toBeGreaterThan(0);
    const templateFindings = report.findings.filter((f) => f.engine === 'http-template');
    expect(templateFindings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['CVE-2015-1635', 'iis-shortname', 'telerik-fileupload-detect']));
  });

  it('reports outside script domains that are new since the previous scan (--baseline)', async () => {
    const dir = mkdtempSync(resolve(tmpdir(), 'w3g-scan-baseline-'));
    const first = await runCliAsync(['scan', vulnerable.url, '--format', 'json', '--rate', '0']);
    const previous = resolve(dir, 'previous.json');
    writeFileSync(previous, first.stdout);
    const again = JSON.parse((await runCliAsync(['scan', vulnerable.url, '--format', 'json', '--rate', '0', '--baseline', previous])).stdout) as Report;
    expect(again.findings.filter((f) => f.ruleId === 'w3g-http-new-external-script')).toEqual([]);
    // A previous scan of the same site that saw no outside script: today's CDN script is new.
    const before = JSON.parse(first.stdout) as Report;
    writeFileSync(previous, JSON.stringify({ ...before, findings: before.findings.filter((f) => f.ruleId !== 'w3g-http-external-script') }));
    const changed = JSON.parse((await runCliAsync(['scan', vulnerable.url, '--format', 'json', '--rate', '0', '--baseline', previous])).stdout) as Report;
    const fresh = changed.findings.filter((f) => f.ruleId === 'w3g-http-new-external-script');
    expect(fresh.map((f) => [f.locationKey, f.severity])).toEqual([['cdn.contoso-analytics.example', 'high']]);
    expect(fresh[0]?.evidence[0]?.url).toBe(`${vulnerable.url}/`);
  });

  it('exits 2 with one sentence on a bad target, header or missing list', async () => {
    for (const args of [['scan', 'https://a.example', '--baseline', 'package.json'], ['scan', 'https://a.example', '--templates', 'no/such/folder'], ['scan', 'ftp://x'], ['scan', 'https://a.example', '-H', 'no colon'], ['scan', '--targets', 'no/such/list.txt'], ['scan']]) {
      const run = await runCliAsync(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});
