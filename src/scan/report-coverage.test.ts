import { describe, expect, it } from 'vitest';
import type { ScanReport } from '../core/report.js';
import { runAudit } from './run-audit.js';
import { runHunt, type HuntRequest } from './run-hunt.js';

const HOST = 'src/formats/iis-config/fixtures/happy/two-sites';
const EXAMPLE = 'examples/u_ex240311.log';
const now = (): Date => new Date('2026-11-29T00:00:00Z');
const signal = new AbortController().signal;

/** Findings whose rule and asset the run did not cover: the store could never close them. */
function uncovered(report: ScanReport): string[] {
  const covered = new Set((report.coverage ?? []).map((c) => `${c.ruleId}\u0000${c.asset}`));
  return report.findings.filter((f) => !covered.has(`${f.ruleId}\u0000${f.asset}`)).map((f) => `${f.ruleId} @ ${f.asset}`);
}

function hunt(extra: Partial<HuntRequest> = {}): Promise<ScanReport> {
  return runHunt({ paths: [EXAMPLE], threads: 1, evidenceCap: 10, minSeverity: 'info', localOffsetMinutes: 0, maxLineBytes: 65_536, rules: { content: true, sigmaPaths: [] }, signal, now, ...extra });
}

describe('what a run covered, for the findings store', () => {
  it('audit covers every check it decided on every target, and every finding it made', async () => {
    const report = await runAudit({ paths: [HOST], evidenceCap: 10, minSeverity: 'info', signal, now });
    expect(report.findings.length).toBeGreaterThan(0);
    expect(uncovered(report)).toEqual([]);
    const assets = new Set(report.coverage?.map((c) => c.asset));
    expect([...assets]).toEqual(expect.arrayContaining(['Site A']));
    // A check left not evaluated (no SYSTEM hive in this fixture) covers nothing: its findings must stay open.
    const undecided = report.checks?.filter((c) => c.pass + c.fail === 0).map((c) => c.id) ?? [];
    expect(undecided.length).toBeGreaterThan(0);
    expect(report.coverage?.filter((c) => undecided.includes(c.ruleId))).toEqual([]);
  });

  it('hunt covers every rule it ran on every site it read requests for', async () => {
    const report = await hunt();
    expect(uncovered(report)).toEqual([]);
    expect(new Set(report.coverage?.map((c) => c.asset))).toEqual(new Set(['10.30.0.10']));
    expect(new Set(report.coverage?.map((c) => c.ruleId))).toEqual(new Set(report.rules.map((r) => r.id)));
  });

  it('a run that read part of the logs or dropped low findings covers nothing', async () => {
    expect((await hunt({ since: Date.parse('2024-03-11T03:00:00Z') })).coverage).toEqual([]);
    expect((await hunt({ minSeverity: 'high' })).coverage).toBeUndefined();
  });
});
