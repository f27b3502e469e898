import { describe, expect, it } from 'vitest';
import { emptyReport, HOSTILE, sampleReport } from '../../test/fixtures/report/sample-report.js';
import { tableReporter } from './table-reporter.js';

/** The only escape sequences the table may print: its own SGR colour codes. */
const OWN_SGR = /\u001b\[[0-9;]*m/g;

describe('tableReporter', () => {
  it('prints no ESC byte at all without colour', () => {
    const out = tableReporter.render(sampleReport(), { color: false });
    expect(out).not.toContain('\u001b');
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('prints only its own colour codes with colour, none from evidence', () => {
    const out = tableReporter.render(sampleReport(), { color: true });
    expect(out).toMatch(OWN_SGR);
    const withoutOwn = out.replace(OWN_SGR, '');
    expect(withoutOwn).not.toContain('\u001b');
    expect(withoutOwn).not.toContain('\u009b');
    // Hostile sequences survive only as visible text.
    expect(withoutOwn).toContain('\\x1b]0;pwn\\x07');
    expect(withoutOwn).toContain('\\x1b[31m');
  });

  it('shows hostile evidence, file names, location keys and issues escaped', () => {
    const out = tableReporter.render(sampleReport(), { color: false });
    expect(out).toContain('cmd=whoami\\x1b]0;pwn\\x07');
    expect(out).toContain('cmd=a,b,"c"\\r\\nd');
    expect(out).toContain('logs\\W3SVC2\\u_ex\\x1b[31m240502.log:4');
    expect(out).toContain('logs/W3SVC2/u_ex\\ud800.log:2048');
    expect(out).toContain('location 198.51.100.23\\x1b[2J\\x1b[H\\x1b[1A\\x1b[2K');
    expect(out).toContain('invoice\\u202efdp.exe');
    expect(out).toContain('\\x9b31m');
    expect(out).toContain('logs/old\\r\\nINFO all clean.gz');
    expect(out).not.toContain(HOSTILE.crOverwrite);
  });

  it('shows the store status of a recorded run after the occurrences, and nothing when the run was not recorded', () => {
    const report = sampleReport();
    const plain = tableReporter.render(report, { color: false });
    expect(plain).not.toMatch(/occurrences? {2}(new|open|fixed|reopened)$/m);
    const recorded = { ...report, findings: report.findings.map((f, i) => ({ ...f, status: i === 0 ? ('fixed' as const) : ('open' as const) })) };
    const out = tableReporter.render(recorded, { color: false });
    expect(out).toMatch(/occurrences? {2}fixed$/m);
    expect(out.match(/occurrences? {2}open$/gm)).toHaveLength(report.findings.length - 1);
  });

  it('groups findings by severity, critical first, and each group keeps the report order', () => {
    const out = tableReporter.render(sampleReport(), { color: false });
    const headings = out.split('\n').filter((line) => /^[A-Z]+ \(\d+\)$/.test(line));
    expect(headings).toEqual(['CRITICAL (2)', 'HIGH (2)', 'MEDIUM (1)', 'LOW (1)', 'INFO (1)']);
    const positions = ['w3g-web-webshell-cmd', 'w3g-sweep-aspx-webshell', 'w3g-cfg-directory-browsing', 'w3g-scan-iis-shortname', 'w3g-web-scanner-user-agent'].map(
      (ruleId) => out.indexOf(ruleId),
    );
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('groups by severity even when the findings arrive unsorted', () => {
    const report = sampleReport();
    const out = tableReporter.render({ ...report, findings: [...report.findings].reverse() }, { color: false });
    expect(out.indexOf('CRITICAL (2)')).toBeLessThan(out.indexOf('HIGH (2)'));
    expect(out.indexOf('LOW (1)')).toBeLessThan(out.indexOf('INFO (1)'));
  });

  it('shows each finding with rule, asset, location key, occurrences, times and evidence', () => {
    const out = tableReporter.render(sampleReport(), { color: false });
    expect(out).toContain('  CRITICAL  Web shell command in request  w3g-web-webshell-cmd');
    expect(out).toContain('asset W3SVC1  location 203.0.113.7  6 occurrences');
    expect(out).toContain('seen 2024-05-01T10:00:00.000Z .. 2024-05-01T10:05:00.000Z');
    expect(out).toContain('logs/W3SVC1/u_ex240501,"copy".log:17  2024-05-01 10:00:00');
    expect(out).toContain('(+2 more evidence items)');
    expect(out).toContain('winevt/Logs/Microsoft-IIS-Logging%4Logs.evtx#4711');
    expect(out).toContain('https://portal.example.com/*~1*/a.aspx?q=<script>|{x}');
  });

  it('cuts long evidence text to about 200 characters', () => {
    const out = tableReporter.render(sampleReport(), { color: false });
    const long = out.split('\n').find((line) => line.includes('x=AAAA'));
    expect(long).toBeDefined();
    expect(long).toMatch(/A…$/);
    expect(long?.includes('A'.repeat(300))).toBe(false);
  });

  it('never splits a surrogate pair when cutting', () => {
    const report = sampleReport();
    const [first] = report.findings;
    if (first === undefined) throw new Error('sample has findings');
    const emoji = { ...first, evidence: [{ kind: 'log-line', file: 'a.log', line: 1, text: `${'x'.repeat(199)}😀😀😀` }] };
    const out = tableReporter.render({ ...report, findings: [emoji] }, { color: false });
    expect(out).toContain(`${'x'.repeat(199)}😀…`);
    expect(out).not.toContain('\\ud83d');
  });

  it('ends with a summary and then the issues', () => {
    const out = tableReporter.render(sampleReport(), { color: false });
    expect(out).toContain('7 findings (2 critical, 2 high, 1 medium, 1 low, 1 info) · 6 inputs read · 23664 records · 4 skipped · 3 issues');
    expect(out.indexOf('Issues (3)')).toBeGreaterThan(out.indexOf('7 findings'));
    expect(out).toContain('  w3c.field-count  logs/W3SVC1/u_ex240501,"copy".log:33  line has 12 fields but #Fields declares 14\\x1b]0;pwn\\x07');
    expect(out).toContain('  sigma.unsupported-modifier  rule uses |expandinvoice\\u202efdp.exe');
  });

  it('says so when nothing was found', () => {
    const out = tableReporter.render(emptyReport(), { color: false });
    expect(out).toContain('No findings.');
    expect(out).toContain('0 findings (0 critical, 0 high, 0 medium, 0 low, 0 info)');
    expect(out).not.toContain('Issues');
  });

  it('matches the reviewed golden output', async () => {
    await expect(tableReporter.render(sampleReport(), { color: false })).toMatchFileSnapshot('../../test/fixtures/report/golden/sample.table.txt');
  });
});
