import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from './run-cli.js';

const HOST = 'src/formats/iis-config/fixtures/happy/two-sites';
const CONTRACT = resolve(REPO_ROOT, '..', 'shared', 'contracts', 'finding-report.schema.json');
const DEV = resolve(REPO_ROOT, '..', 'shared', 'eval', 'dev', 'configs');

interface AuditReport {
  findings: { ruleId: string; severity: string; tags: string[]; remediation?: string; evidence: { kind: string; file?: string; line?: number }[] }[];
  checks: { id: string; pass: number; fail: number; notEvaluated: number }[];
}

describe('w3guard audit', () => {
  it('audits a host root: CIS counts, findings with file, line and both remediation commands', () => {
    const run = runCli(['audit', HOST, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.checks.length).toBeGreaterThanOrEqual(40);
    expect(report.checks.some((c) => c.fail > 0)).toBe(true);
    for (const finding of report.findings.filter((f) => f.tags.some((t) => t.startsWith('cis.')))) {
      expect(finding.evidence[0]?.kind).toBe('config');
      expect(finding.remediation, finding.ruleId).toMatch(/appcmd(\.exe)? /i);
      expect(finding.remediation, finding.ruleId).toMatch(/PowerShell: \S*(Set|Add|Remove|New|Get)-(Web|IIS|Item)/);
    }
    // A value set in a file points at its line; a value left at the IIS default names the file to set it in.
    for (const e of report.findings.flatMap((f) => f.evidence as { file?: string; line?: number; text?: string }[])) {
      if (e.line !== undefined) expect(e.line).toBeGreaterThanOrEqual(1);
      else expect(e.text, JSON.stringify(e)).toMatch(/default|not set|expected/i);
    }
  });

  it('writes the Markdown report of the issue example: CIS table with pass, fail and not evaluated, findings with file:line and both commands', () => {
    const folder = mkdtempSync(join(tmpdir(), 'w3guard-audit-md-'));
    try {
      const output = join(folder, 'audit.md');
      const run = runCli(['audit', '--format', 'md', '--output', output, HOST]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe('');
      const markdown = readFileSync(output, 'utf8');
      expect(markdown).toMatch(/^# w3guard audit report\n/);
      expect(markdown).toMatch(/\| 1\.3 \| 1 \| Directory browsing is enabled \| (\*\*fail\*\*|pass) \|/);
      expect(markdown).toMatch(/\| 2\.2 \| 1 \| [^|]+ \| not evaluated \| 0 \| 0 \| 1 \|/);
      expect(markdown).toMatch(/\| 7\.2 \| 1 \| [^|]+ \| not evaluated \|/);
      expect(markdown).toMatch(/- \*\*Fix:\*\* .+\n {2}- appcmd: `[^`]*appcmd\.exe [^`]+`\n {2}- PowerShell: `(Set|Add|Remove|New)-/);
      expect(markdown).toMatch(/ {2}- `[^`]*applicationHost\.config:\d+`: `/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('exits 1 with --fail-on when a finding reaches it, 2 on a missing path', () => {
    expect(runCli(['audit', HOST, '--fail-on', 'info', '--format', 'json']).code).toBe(1);
    const missing = runCli(['audit', 'no/such/host']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.skipIf(!existsSync(CONTRACT) || !existsSync(DEV))('finds the backdoor modules of the development hosts, in contract-valid JSON (skipped: ../shared is absent)', () => {
    const run = runCli(['audit', resolve(DEV, 'FAB-WEB01'), resolve(DEV, 'FAB-EXCH01'), '--format', 'json']);
    const report = JSON.parse(run.stdout) as AuditReport;
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(CONTRACT, 'utf8')) as object);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    const critical = report.findings.filter((f) => f.severity === 'critical').map((f) => f.ruleId);
    expect(critical).toContain('w3g-pers-native-module-unknown');
  });
});
