import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { WEB_SHELL_SCENARIO } from '../../src/analyzers/eventlog/fixtures/web-shell-scenario.js';
import { writeEvtx } from '../../src/formats/evtx/fixtures/write-evtx.js';
import { REPO_ROOT, runCli } from './run-cli.js';

const CONTRACT = resolve(REPO_ROOT, '..', 'shared', 'contracts', 'finding-report.schema.json');
const ATTACK = resolve(REPO_ROOT, '..', 'shared', 'eval', 'evtx', 'evtx-attack-samples');

interface Report {
  findings: { ruleId: string; severity: string; description: string; occurrences: number; evidence: { kind: string; file?: string; recordId?: number; text?: string }[] }[];
  inputs: { kind: string; path: string; records: number }[];
  issues: { code: string }[];
}

describe('w3guard events and evtx dump', () => {
  const dir = mkdtempSync(join(tmpdir(), 'w3g-events-e2e-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const logs = join(dir, 'host', 'Windows', 'System32', 'winevt', 'Logs');
  mkdirSync(logs, { recursive: true });
  const file = join(logs, 'Microsoft-Windows-Sysmon%4Operational.evtx');
  writeFileSync(file, writeEvtx(WEB_SHELL_SCENARIO));

  it('reports the web shell story as a critical incident, in a report that meets the contract', () => {
    const run = runCli(['events', file, '--format', 'json', '--fail-on', 'critical']);
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    const incident = report.findings.find((f) => f.ruleId === 'w3g-evt-incident-w3wp-tree' && f.severity === 'critical');
    expect(incident?.description).toMatch(/web shell → reconnaissance → .*privilege escalation → credential dumping/);
    expect(incident?.evidence[0]).toMatchObject({ kind: 'event', file, recordId: 1 });
    expect(report.inputs).toEqual([{ kind: 'evtx', path: file, records: WEB_SHELL_SCENARIO.length, skipped: 0, bytes: expect.any(Number) }]);
    if (existsSync(CONTRACT)) {
      const ajv = new Ajv2020({ strict: false });
      addFormats.default(ajv);
      const validate = ajv.compile(JSON.parse(readFileSync(CONTRACT, 'utf8')) as object);
      expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('finds the event logs of a host root with --host, and honours --since', () => {
    const run = runCli(['events', '--host', join(dir, 'host'), '--since', '2024-03-11T13:00:00Z', '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.inputs[0]?.records).toBe(1);
    expect(report.findings.map((f) => f.ruleId)).toContain('w3g-evt-w3wp-shell');
  });

  it('exits 2 with one sentence on a missing path or no input', () => {
    for (const args of [['events', join(dir, 'nope.evtx')], ['events'], ['evtx', 'dump', join(dir, 'nope.evtx')], ['events', '--host', dir]]) {
      const run = runCli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('dumps records as JSON lines, a JSON array and XML', () => {
    const jsonl = runCli(['evtx', 'dump', file]);
    expect(jsonl.code, jsonl.stderr).toBe(0);
    const lines = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l) as { Event: { System: { EventRecordID: number }; EventData: Record<string, unknown> } });
    expect(lines.map((l) => l.Event.System.EventRecordID)).toEqual(WEB_SHELL_SCENARIO.map((_, i) => i + 1));
    expect(lines[2]?.Event.EventData['CommandLine']).toBe('cmd.exe /c whoami');
    const array = runCli(['evtx', 'dump', '--format', 'json', file]);
    expect((JSON.parse(array.stdout) as unknown[]).length).toBe(WEB_SHELL_SCENARIO.length);
    const output = join(dir, 'dump.xml');
    const xml = runCli(['evtx', 'dump', '--format', 'xml', '--output', output, file]);
    expect(xml.code, xml.stderr).toBe(0);
    expect(readFileSync(output, 'utf8').match(/<Event xmlns=/g)).toHaveLength(WEB_SHELL_SCENARIO.length);
  });

  it('reads a log large enough for worker threads as one thread does, its rule cache empty and then filled', () => {
    // Over 8 MiB, so the run is split across threads: the web shell's story on 2,500 computers.
    const big = join(dir, 'big.evtx');
    writeFileSync(big, writeEvtx(Array.from({ length: 2500 }, (_, i) => WEB_SHELL_SCENARIO.map((e) => ({ ...e, computer: `WEB${i}` }))).flat()));
    expect(statSync(big).size).toBeGreaterThan(8 * 1024 * 1024);
    const cache = join(dir, 'cache');
    // Two threads with the rule cache empty, then filled; then one thread, the reference.
    const reports = [2, 2, 1].map((threads, i) => {
      const output = join(dir, `big-${i}.json`);
      const run = runCli(['events', big, '--format', 'json', '--output', output, '--threads', String(threads)], { env: { XDG_CACHE_HOME: cache } });
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(readFileSync(output, 'utf8')) as Report;
    });
    const [cold, warm, one] = reports as [Report, Report, Report];
    expect(one.inputs[0]?.records).toBe(2500 * WEB_SHELL_SCENARIO.length);
    expect(one.findings.filter((f) => f.ruleId === 'w3g-evt-incident-w3wp-tree')).toHaveLength(5000);
    for (const report of [cold, warm]) {
      expect(report.inputs).toEqual(one.inputs);
      expect(report.issues).toEqual(one.issues);
      expect(report.findings).toEqual(one.findings);
    }
    // The rules' parses, compile summaries and the packed whole were kept for the next run.
    expect(readdirSync(join(cache, 'w3guard', 'sigma')).map((f) => f.replace(/-.*/, '')).sort()).toEqual(['compile', 'events', 'parse']);
  }, 120_000);

  it.skipIf(!existsSync(ATTACK))('reads every EVTX-ATTACK-SAMPLES file and flags the potato and credential-dumping samples', () => {
    const run = runCli(['events', ATTACK, '--format', 'json', '--threads', '2']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.inputs.length).toBeGreaterThan(250);
    const ids = new Set(report.findings.map((f) => f.ruleId));
    expect(ids).toContain('w3g-evt-potato-command-line');
    expect(report.issues.every((i) => i.code.startsWith('evtx.') || i.code.startsWith('input.'))).toBe(true);
  }, 120_000);
});
