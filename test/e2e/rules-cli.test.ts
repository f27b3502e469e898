import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('w3guard rules and hunt --sigma', () => {
  it('runs Sigma correlation rules over the matches of a hunt, grouped and windowed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'w3g-corr-'));
    try {
      writeFileSync(
        join(dir, 'rau.yml'),
        [
          'title: Telerik RAU POST',
          'name: rau-post',
          'logsource:',
          '  category: webserver',
          'detection:',
          '  sel:',
          '    cs-method: POST',
          '    cs-uri-stem|endswith: /telerik.web.ui.webresource.axd',
          '  condition: sel',
          'level: low',
          '---',
          'title: Repeated RAU POSTs from one client',
          'name: rau-post-repeated',
          'correlation:',
          '  type: event_count',
          '  rules:',
          '    - rau-post',
          '  group-by:',
          '    - c-ip',
          '  timespan: 1m',
          '  condition:',
          '    gte: 2',
          'level: high',
          '',
        ].join('\n'),
      );
      const run = runCli(['hunt', 'examples/u_ex240311.log', '--sigma', dir, '--no-content', '--format', 'json']);
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout) as { findings: { ruleId: string; severity: string; locationKey: string; evidence: { line?: number }[] }[] };
      const repeated = report.findings.filter((f) => f.ruleId === 'rau-post-repeated');
      // 203.0.113.45 posts twice within 2 s (lines 14, 15); the same-site upload at line 9 is alone.
      expect(repeated.map((f) => [f.severity, f.locationKey, f.evidence.map((e) => e.line)])).toEqual([['high', '203.0.113.45', [14, 15]]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rules lint passes on the shipped content and fails with file:line on broken rules', () => {
    const clean = runCli(['rules', 'lint', 'content/sigma/weblog']);
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.stdout).toBe('');
    const broken = runCli(['rules', 'lint', 'src/engines/sigma/fixtures/sad']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^src\/engines\/sigma\/fixtures\/sad\/unknown-modifier\.yml:8: error sigma\.modifier-unknown: /m);
    expect(broken.stdout).toMatch(/^src\/engines\/sigma\/fixtures\/sad\/bad-regex\.yml:7: error sigma\.regex-invalid: /m);
  });

  it('rules list shows the content with its needles', () => {
    const run = runCli(['rules', 'list']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^high\s+w3g-web-telerik-rau-post\s.*\[sigma, 1 needles\]$/m);
    expect(run.stdout).toMatch(/^medium\s+w3g-web-log4shell-jndi\s.*\[line-rule, 2 needles\]$/m);
  });

  it("runs a user's Sigma rule folder, alone with --no-content, and reports a broken rule as an issue", () => {
    const dir = mkdtempSync(join(tmpdir(), 'w3g-sigma-'));
    try {
      writeFileSync(
        join(dir, 'health.yml'),
        'title: Health page polled\nname: my-health\nlogsource:\n  category: webserver\ndetection:\n  sel:\n    cs-uri-stem|endswith: /health.aspx\n  condition: sel\nlevel: low\n',
      );
      writeFileSync(join(dir, 'broken.yml'), 'title: Broken\nlogsource:\n  category: webserver\ndetection:\n  sel:\n    cs-uri-stem|containz: x\n  condition: sel\n');
      const run = runCli(['hunt', 'examples/u_ex240311.log', '--sigma', dir, '--no-content', '--format', 'json']);
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout) as { findings: { ruleId: string; occurrences: number }[]; issues: { code: string; path?: string; line?: number }[] };
      expect(report.findings.map((f) => [f.ruleId, f.occurrences])).toEqual([['my-health', 2]]);
      expect(report.issues).toContainEqual(expect.objectContaining({ code: 'rules.sigma.modifier-unknown', path: join(dir, 'broken.yml'), line: 6 }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
