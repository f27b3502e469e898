import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jsonReporter } from '../report/json-reporter.js';
import { tableReporter } from '../report/table-reporter.js';
import { runAudit } from './run-audit.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const twoSites = path.resolve(here, '..', 'formats', 'iis-config', 'fixtures', 'happy', 'two-sites');
const clock = (): Date => new Date('2026-01-02T03:04:05Z');

describe('runAudit', () => {
  it('returns an audit report with check counts that the JSON and table reporters show', async () => {
    const report = await runAudit({ paths: [twoSites], evidenceCap: 10, minSeverity: 'info', signal: new AbortController().signal, now: clock });
    expect(report.command).toBe('audit');
    expect(report.checks?.length).toBe(report.rules.length);
    const json = JSON.parse(jsonReporter.render(report, { color: false })) as { checks: { id: string; pass: number }[] };
    expect(json.checks.map((check) => check.id)).toContain('w3g-cis-iis10-3.2-debug-off');
    expect(tableReporter.render(report, { color: false })).toMatch(/CIS IIS 10: \d+ checks, \d+ failing · results \d+ pass, \d+ fail, \d+ not evaluated/);
  });

  it('keeps findings at or above --min-severity', async () => {
    const report = await runAudit({ paths: [twoSites], evidenceCap: 10, minSeverity: 'medium', signal: new AbortController().signal, now: clock });
    expect(report.findings.every((finding) => ['medium', 'high', 'critical'].includes(finding.severity))).toBe(true);
  });
});
