import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WEB_SHELL_SCENARIO } from '../../src/analyzers/eventlog/fixtures/web-shell-scenario.js';
import { writeEvtx } from '../../src/formats/evtx/fixtures/write-evtx.js';
import { REPO_ROOT, runCli, runCliJson } from './run-cli.js';
import { postgresDown, withSchema } from './test-postgres.js';

interface Report {
  findings: { fingerprint: string; ruleId: string; asset: string; locationKey: string; status?: string; suppression?: { reason: string; until?: string; by?: string } }[];
}

const POSTGRES_DOWN = (await postgresDown('PostgreSQL CLI test')) !== undefined;
const SAMPLES = resolve(REPO_ROOT, 'src', 'analyzers', 'webroot-sweep', 'fixtures', 'yara-samples');

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'store-scale-e2e-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const json = (args: readonly string[]): { code: number; report: Report; stderr: string } => runCliJson<Report>(args);

/** Status by "rule file-name", for the findings on files. */
function statuses(report: Report): Record<string, string | undefined> {
  return Object.fromEntries(report.findings.map((f) => [`${f.ruleId} ${f.locationKey.split('/').at(-1) ?? ''}`, f.status]));
}

/**
 * Three sweeps of a site: as planted (a web shell and a DLL in uploads/); after the web shell is deleted and
 * another dropped; after the first is restored. In between, partial sweeps that must close nothing.
 */
function sweepThreeTimes(db: string): void {
  const site = join(folder, 'site');
  mkdirSync(join(site, 'uploads'), { recursive: true });
  writeFileSync(join(site, 'Default.aspx'), '<%@ Page Language="C#" %><h1>Shop</h1>');
  copyFileSync(join(SAMPLES, 'w3g-yara-webshell-eval-request', 'match.aspx'), join(site, 'uploads', 'avatar.aspx'));
  copyFileSync(join(SAMPLES, 'w3g-yara-iis-native-module', 'clean.dll'), join(site, 'uploads', 'helper.dll'));

  const first = json(['sweep', site, '--db', db]);
  expect(first.code, first.stderr).toBe(0);
  expect(statuses(first.report)).toEqual({
    'w3g-yara-webshell-eval-request avatar.aspx': 'new',
    'w3g-yara-webshell-encoded-eval avatar.aspx': 'new',
    'w3g-sweep-script-in-static-folder avatar.aspx': 'new',
    'w3g-sweep-binary-in-upload-folder helper.dll': 'new',
  });

  // The web shell is gone, another one was dropped.
  renameSync(join(site, 'uploads', 'avatar.aspx'), join(folder, 'avatar.aspx.kept'));
  copyFileSync(join(SAMPLES, 'w3g-yara-webshell-process-request', 'match.aspx'), join(site, 'uploads', 'logo.aspx'));
  // Partial sweeps close nothing: findings below --min-severity were left out; files were read only in part.
  for (const partial of [['--min-severity', 'critical'], ['--max-file-size', '16']]) {
    const run = runCli(['sweep', site, ...partial, '--db', db, '--format', 'json']);
    expect(run.stderr, partial.join(' ')).toMatch(/recorded: 0 fixed/);
  }
  // Without w3guard's YARA rules the sweep covered only the placement rules: the YARA findings stay open.
  const subset = json(['sweep', site, '--no-builtin-rules', '--db', db]);
  expect(subset.report.findings.filter((f) => f.status === 'fixed').map((f) => f.ruleId)).toEqual(['w3g-sweep-script-in-static-folder']);

  const second = json(['sweep', site, '--db', db]);
  expect(statuses(second.report)).toEqual({
    'w3g-yara-webshell-eval-request avatar.aspx': 'fixed',
    'w3g-yara-webshell-encoded-eval avatar.aspx': 'fixed',
    'w3g-yara-webshell-process-request logo.aspx': 'open',
    'w3g-sweep-script-in-static-folder logo.aspx': 'open',
    'w3g-sweep-binary-in-upload-folder helper.dll': 'open',
  });
  expect(second.stderr).toMatch(/recorded: 2 fixed, 0 suppressed/);

  renameSync(join(folder, 'avatar.aspx.kept'), join(site, 'uploads', 'avatar.aspx'));
  const third = json(['sweep', site, '--db', db]);
  expect(statuses(third.report)).toEqual({
    'w3g-yara-webshell-eval-request avatar.aspx': 'reopened',
    'w3g-yara-webshell-encoded-eval avatar.aspx': 'reopened',
    'w3g-sweep-script-in-static-folder avatar.aspx': 'reopened',
    'w3g-yara-webshell-process-request logo.aspx': 'open',
    'w3g-sweep-script-in-static-folder logo.aspx': 'open',
    'w3g-sweep-binary-in-upload-folder helper.dll': 'open',
  });

  // A suppressed finding leaves the output and the exit code; --show-suppressed lists it with who, why, until when.
  const helper = third.report.findings.find((f) => f.locationKey.endsWith('helper.dll'));
  const suppress = runCli(['suppress', helper?.fingerprint ?? '', '--reason', 'vendor <b>plugin</b>', '--until', '2099-01-01', '--author', 'carol', '--db', db]);
  expect(suppress.code, suppress.stderr).toBe(0);
  const hidden = json(['sweep', site, '--db', db]);
  expect(hidden.report.findings.map((f) => f.fingerprint)).not.toContain(helper?.fingerprint);
  expect(hidden.stderr).toMatch(/recorded: 0 fixed, 1 suppressed/);
  // (The suppression's details ride on the finding; the store contract suite checks them, reporters print them.)
  const shown = json(['sweep', site, '--db', db, '--show-suppressed']);
  expect(shown.report.findings.map((f) => f.fingerprint)).toContain(helper?.fingerprint);
  const listed = json(['findings', '--db', db, '--status', 'suppressed']);
  expect(listed.report.findings.map((f) => f.fingerprint)).toEqual([helper?.fingerprint]);
}

describe('w3guard sweep --db', () => {
  // Ten command runs each: minutes on a busy machine.
  it('walks a web shell through new; fixed, new, open; reopened (SQLite file)', () => {
    sweepThreeTimes(join(folder, 'w3guard.db'));
  }, 600_000);

  it.skipIf(POSTGRES_DOWN)('does the same in PostgreSQL, named by a postgres:// URL', async () => {
    await withSchema((url) => sweepThreeTimes(url));
  }, 600_000);
});

describe('w3guard events --db', () => {
  it('closes what a later full read of the same host no longer shows, never on a --since read', () => {
    const db = join(folder, 'w3guard.db');
    const file = join(folder, 'Microsoft-Windows-Sysmon%4Operational.evtx');
    writeFileSync(file, writeEvtx(WEB_SHELL_SCENARIO));
    const first = json(['events', file, '--db', db]);
    expect(first.report.findings.length).toBeGreaterThanOrEqual(3);
    expect(new Set(first.report.findings.map((f) => f.status))).toEqual(new Set(['new']));
    expect(new Set(first.report.findings.map((f) => f.asset))).toEqual(new Set(['web01.example.test']));

    // The same host's log, now without the web shell's story: only the worker start and an administrator.
    const quiet = WEB_SHELL_SCENARIO.filter((e) => e.time === '2024-03-11T10:00:00Z' || e.time === '2024-03-11T10:20:00Z');
    writeFileSync(file, writeEvtx(quiet));
    const partial = json(['events', file, '--db', db, '--since', '2024-03-11T00:00:00Z']);
    expect(partial.stderr).toMatch(/recorded: 0 fixed/);
    const second = json(['events', file, '--db', db]);
    const fixed = second.report.findings.filter((f) => f.status === 'fixed').map((f) => f.fingerprint).sort();
    expect(fixed).toEqual(first.report.findings.filter((f) => !second.report.findings.some((s) => s.fingerprint === f.fingerprint && s.status !== 'fixed')).map((f) => f.fingerprint).sort());
    expect(fixed.length).toBeGreaterThanOrEqual(3);

    writeFileSync(file, writeEvtx(WEB_SHELL_SCENARIO));
    const third = json(['events', file, '--db', db]);
    const reopened = third.report.findings.filter((f) => f.status === 'reopened').map((f) => f.fingerprint).sort();
    expect(reopened).toEqual(fixed);
  }, 600_000);
});
