import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { HOSTILE, sampleReport } from '../../test/fixtures/report/sample-report.js';
import type { ScanReport } from '../core/report.js';
import { prioritizeFindings } from '../scan/prioritize-findings.js';
import { CSV_COLUMNS, csvReporter } from './csv-reporter.js';
import { jsonReporter } from './json-reporter.js';
import { jsonlReporter } from './jsonl-reporter.js';
import { markdownReporter } from './markdown-reporter.js';
import { sarifReporter } from './sarif-reporter.js';
import { tableReporter } from './table-reporter.js';

const CONTRACT = path.resolve(import.meta.dirname, '../../../shared/contracts/finding-report.schema.json');

/** The sample report as a recorded run gives it: prioritized, with a status, a related finding and a suppression. */
function prioritizedReport(): ScanReport {
  const sample = sampleReport();
  const findings = prioritizeFindings(sample.findings, { now: () => new Date('2026-11-22T10:00:00Z'), rules: sample.rules });
  const [first, second, ...rest] = findings;
  if (first === undefined || second === undefined) throw new Error('the sample has findings');
  return {
    ...sample,
    findings: [
      { ...first, status: 'new', related: [second.fingerprint] },
      { ...second, status: 'reopened', related: [first.fingerprint], suppression: { reason: `vendor DLL ${HOSTILE.csiMoves}`, until: '2027-03-01T00:00:00.000Z', by: 'ops' } },
      ...rest,
    ],
  };
}

describe('reporters carry status, priority, risk, related and suppression', () => {
  const report = prioritizedReport();
  const [first, second] = report.findings;

  it('sorts the sample most urgent first', () => {
    expect(first?.priority?.label).toBe('3d-forensic');
    expect(report.findings.map((f) => f.risk ?? 0)).toEqual(report.findings.map((f) => f.risk ?? 0).sort((a, b) => b - a));
  });

  it('json: every property, and the document still meets the contract', () => {
    const json = JSON.parse(jsonReporter.render(report, { color: false })) as { findings: Record<string, unknown>[] };
    expect(json.findings[0]).toMatchObject({ status: 'new', risk: first?.risk, related: [second?.fingerprint], priority: { label: '3d-forensic', score: first?.risk } });
    expect(json.findings[1]).toMatchObject({ suppression: { reason: `vendor DLL ${HOSTILE.csiMoves}`, until: '2027-03-01T00:00:00.000Z', by: 'ops' } });
    if (!existsSync(CONTRACT)) return;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(CONTRACT, 'utf8')) as object);
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
  });

  it('jsonl: the same finding objects, one a line', () => {
    const lines = jsonlReporter.render(report, { color: false }).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[1]).toMatchObject({ status: 'reopened', priority: { label: second?.priority?.label }, risk: second?.risk });
  });

  it('csv: status, priority, risk, due and related columns', () => {
    const rows = csvReporter.render(report, { color: false }).split('\r\n');
    expect(rows[0]).toBe(CSV_COLUMNS.join(','));
    expect(CSV_COLUMNS.slice(-5)).toEqual(['status', 'priority', 'risk', 'due', 'related']);
    expect(rows[1]?.endsWith(`,new,3d-forensic,${first?.risk},${first?.priority?.dueAt ?? ''},${second?.fingerprint}`)).toBe(true);
  });

  it('sarif: rank is the risk, the priority sits in properties, a suppression is a SARIF suppression', () => {
    const sarif = JSON.parse(sarifReporter.render(report, { color: false })) as { runs: { results: { rank?: number; properties: Record<string, unknown>; suppressions?: unknown[] }[] }[] };
    const results = sarif.runs[0]?.results ?? [];
    expect(results[0]).toMatchObject({ rank: first?.risk, properties: { status: 'new', risk: first?.risk, priority: { label: '3d-forensic' }, related: [second?.fingerprint] } });
    expect(results[1]?.suppressions).toEqual([{ kind: 'external', justification: `vendor DLL ${HOSTILE.csiMoves}` }]);
  });

  it('md: the priority and a "why this priority" line, as inert text', () => {
    const md = markdownReporter.render(report, { color: false });
    // The first finding is a Telerik exploit attempt: attack activity, ranked but with no clock of its own.
    expect(first?.priority?.dueAt).toBeUndefined();
    expect(md).toContain(`- **Priority:** 3d-forensic, risk ${first?.risk?.toFixed(1) ?? ''}, no remediation clock`);
    expect(md).toMatch(/- \*\*Why this priority:\*\* `3d-forensic → BOD 26-04 row \d+ \(in KEV/);
    expect(md).toContain('- **Status:** reopened');
    expect(md).toContain(`- **Related:** \`${second?.fingerprint ?? ''}\``);
  });

  it('table: label, risk and due date on each finding; the suppression reason is escaped', () => {
    const table = tableReporter.render(report, { color: false });
    expect(table).toContain(`priority 3d-forensic  risk ${first?.risk?.toFixed(1) ?? ''}  no clock`);
    const dated = report.findings.find((f) => f.priority?.dueAt !== undefined);
    expect(table).toContain(`risk ${dated?.risk?.toFixed(1) ?? ''}  due ${dated?.priority?.dueAt?.slice(0, 10) ?? ''}`);
    expect(table).toContain('suppressed: vendor DLL');
    expect(table).not.toContain('\u001b');
  });
});
