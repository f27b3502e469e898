import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from './run-cli.js';

interface Report {
  inputs: { kind: string; path: string; records: number; skipped: number }[];
  issues: { code: string; path?: string; line?: number; message: string }[];
  findings: { ruleId: string; severity: string; occurrences: number; locationKey: string; evidence: { file?: string; line?: number; text?: string }[]; risk?: number; priority?: { label: string } }[];
}

function hunt(args: readonly string[], input?: string | Buffer): { code: number; report: Report; stderr: string } {
  const run = runCli(['hunt', ...args, '--format', 'json'], input === undefined ? {} : { input });
  return { code: run.code, report: JSON.parse(run.stdout) as Report, stderr: run.stderr };
}

const EXAMPLE = 'examples/u_ex240311.log';
const CONTRACT = resolve(REPO_ROOT, '..', 'shared', 'contracts', 'finding-report.schema.json');

describe('w3guard hunt on the shipped example', () => {
  it('reports Log4Shell, a Telerik RAU POST and a web shell with file and line, and exits 1 with --fail-on high', () => {
    const { code, report } = hunt([EXAMPLE, '--fail-on', 'high']);
    expect(code).toBe(1);
    const byRule = new Map(report.findings.map((f) => [f.ruleId, f]));
    expect(byRule.get('w3g-web-log4shell-jndi')?.evidence[0]).toMatchObject({ file: EXAMPLE, line: 11 });
    expect(byRule.get('w3g-web-telerik-rau-post')?.evidence.map((e) => e.line)).toEqual([14, 15]);
    expect(byRule.get('w3g-web-telerik-rau-post')?.locationKey).toBe('203.0.113.45');
    expect(byRule.get('w3g-web-webshell-request')?.evidence[0]).toMatchObject({ file: EXAMPLE, line: 17 });
    expect(byRule.get('w3g-web-traversal-config')?.evidence[0]).toMatchObject({ file: EXAMPLE, line: 16 });
    expect(byRule.get('w3g-web-shell-commands')?.evidence.map((e) => e.line)).toEqual([17, 18]);
    // Benign look-alikes in the same file: a same-site Telerik upload and a KB search for "web.config" stay
    // quiet; a scanner's 404 for cmd.aspx is only low-severity reconnaissance (its user agent), not a web shell.
    const lines = (min: string[]): number[] => report.findings.filter((f) => min.includes(f.severity)).flatMap((f) => f.evidence.map((e) => e.line ?? 0));
    expect(lines(['info', 'low', 'medium', 'high', 'critical'])).not.toContain(9);
    expect(lines(['info', 'low', 'medium', 'high', 'critical'])).not.toContain(10);
    expect(lines(['medium', 'high', 'critical'])).not.toContain(19);
    expect(byRule.get('w3g-web-attack-tool-ua')).toMatchObject({ severity: 'low', locationKey: '192.0.2.200' });
    expect(report.inputs).toEqual([{ kind: 'w3c-log', path: EXAMPLE, records: 18, skipped: 0, bytes: readFileSync(resolve(REPO_ROOT, EXAMPLE)).length }]);
  });

  it('exits 0 when nothing reaches --fail-on, and filters with --min-severity, --since and --until', () => {
    // The Telerik upload-then-trigger chain is the one critical finding of the example.
    expect(hunt([EXAMPLE, '--fail-on', 'critical']).code).toBe(1);
    expect(hunt([EXAMPLE, '--fail-on', 'critical', '--since', '2024-03-11T03:00:00Z']).code).toBe(0);
    const high = hunt([EXAMPLE, '--min-severity', 'high']).report.findings;
    expect(high.map((f) => f.severity).sort()).toEqual(['critical', 'high', 'high', 'high', 'high']);
    // Findings come most urgent first: the answered Telerik upload makes its chain an incident, the Log4Shell attempt is not in this cut.
    expect(high.map((f) => f.risk ?? -1)).toEqual(high.map((f) => f.risk ?? -1).sort((a, b) => b - a));
    expect(high.find((f) => f.ruleId === 'w3g-web-telerik-rau-chain')?.priority?.label).toBe('incident');
    const window = hunt([EXAMPLE, '--since', '2024-03-11T02:00:00Z', '--until', '2024-03-11T03:00:00Z']).report;
    expect(window.findings.map((f) => f.ruleId)).toEqual(['w3g-web-telerik-rau-chain', 'w3g-web-telerik-rau-post', 'w3g-web-telerik-rau-probe']);
  });

  it.skipIf(!existsSync(CONTRACT))('prints JSON that validates against the report contract (skipped: ../shared is absent)', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(CONTRACT, 'utf8')) as object);
    const { report } = hunt([EXAMPLE, 'test/fixtures/sad']);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.issues.length).toBeGreaterThan(0);
  });

  it('reads the same log from stdin, gzip and zip', () => {
    const plain = readFileSync(resolve(REPO_ROOT, EXAMPLE));
    const fromStdin = hunt(['-'], plain).report;
    expect(fromStdin.findings.map((f) => [f.ruleId, f.evidence[0]?.line])).toEqual(hunt([EXAMPLE]).report.findings.map((f) => [f.ruleId, f.evidence[0]?.line]));
    expect(fromStdin.findings[0]?.evidence[0]?.file).toBe('-');
    const gz = hunt(['-'], gzipSync(plain)).report;
    expect(gz.findings).toHaveLength(fromStdin.findings.length);
  });

  it('writes every format to --output, and table output escapes control characters', () => {
    const dir = mkdtempSync(join(tmpdir(), 'w3g-out-'));
    try {
      for (const format of ['table', 'json', 'jsonl', 'sarif', 'csv']) {
        const out = join(dir, `report.${format}`);
        const run = runCli(['hunt', EXAMPLE, '--format', format, '--output', out]);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toBe('');
        expect(readFileSync(out, 'utf8').length).toBeGreaterThan(100);
      }
      const hostile = join(dir, 'u_ex240312.log');
      writeFileSync(hostile, `#Fields: date time c-ip cs-method cs-uri-stem cs-uri-query sc-status\n2024-03-12 00:00:01 203.0.113.66 GET /cmd.aspx x=\u009b2J\u202egpj.exe 200\n`);
      const table = runCli(['hunt', hostile]);
      expect(table.stdout).toContain('cmd.aspx');
      expect(table.stdout).not.toContain('\u009b');
      expect(table.stdout).not.toContain('\u202e');
      expect(table.stdout).toContain('\\u202e');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('w3guard hunt progress', () => {
  it('prints nothing on stderr when stderr is a pipe', () => {
    const run = runCli(['hunt', EXAMPLE, '--format', 'json']);
    expect(run.stderr).toBe('');
  });

  it.skipIf(!existsSync('/usr/bin/script'))('shows bytes, lines/s and matches on a terminal, and clears the line at the end', () => {
    const dir = mkdtempSync(join(tmpdir(), 'w3g-tty-'));
    try {
      // Enough data for a progress tick (every 8 MiB read).
      const line = '2024-03-11 00:00:01 10.0.0.1 GET /default.aspx id=1 443 - 198.51.100.9 Mozilla/5.0 - 200 0 0 5\n';
      const log = join(dir, 'u_ex240311.log');
      writeFileSync(log, `#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n${line.repeat(120_000)}`);
      const transcript = join(dir, 'tty.txt');
      const cli = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');
      const run = spawnSync('/usr/bin/script', ['-qfc', `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} hunt ${JSON.stringify(log)} --format json --output ${JSON.stringify(join(dir, 'out.json'))}`, transcript], { encoding: 'utf8', timeout: 60_000 });
      expect(run.status).toBe(0);
      const screen = readFileSync(transcript, 'utf8');
      expect(screen).toMatch(/read \d+(\.\d)? MiB · [\d.]+[kM]? lines\/s · \d+ matches/);
      expect(screen).toMatch(/\r\u001b\[2K(\r?\n)?(Script done|$)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('w3guard hunt on bad input: counted, reported, and the run goes on', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'w3g-sad-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('survives every sad fixture in one run, with the skip counts and issues each deserves', () => {
    const { code, report } = hunt(['test/fixtures/sad']);
    expect(code).toBe(0);
    const input = (name: string): Report['inputs'][number] | undefined => report.inputs.find((i) => i.path.endsWith(name));
    const issues = (name: string): [string, number | undefined][] => report.issues.filter((i) => i.path?.endsWith(name)).map((i) => [i.code, i.line]);
    expect(input('u_ex_truncated-line.log')).toMatchObject({ records: 2, skipped: 1 });
    expect(issues('u_ex_truncated-line.log')).toEqual([['w3c.field-count', 7]]);
    expect(input('u_ex_field-count.log')).toMatchObject({ records: 3, skipped: 2 });
    expect(issues('u_ex_field-count.log')).toEqual([['w3c.field-count', 6], ['w3c.field-count', 8]]);
    // Three runs of bytes 0-31 hold newlines of their own, so the junk spans four lines; then NUL padding.
    expect(input('u_ex_binary-junk.log')).toMatchObject({ records: 2, skipped: 5 });
    expect(issues('u_ex_binary-junk.log')).toEqual([6, 7, 8, 9, 11].map((line) => ['log.binary-data', line]));
    expect(input('u_ex_zero-byte.log')).toMatchObject({ records: 0, skipped: 0 });
    expect(issues('u_ex_zero-byte.log')).toEqual([['log.empty', undefined]]);
    expect(input('u_ex_missing-fields.log')).toMatchObject({ records: 0, skipped: 3 });
    expect(issues('u_ex_missing-fields.log')).toEqual([['w3c.no-fields', 3], ['w3c.no-fields', 4], ['w3c.no-fields', 5]]);
    // Everything before the cut is read; the half line at the cut is a counted skip.
    const cut = issues('u_ex_truncated.log.gz');
    expect(cut.map(([c]) => c)).toEqual(['input.gzip-truncated', 'w3c.field-count']);
    expect(input('u_ex_truncated.log.gz')).toMatchObject({ records: (cut[0]?.[1] ?? 0) - 5, skipped: 1 });
    expect(issues('traversal.zip').map(([c]) => c)).toContain('input.zip-unsafe-entry');
    expect(input('traversal.zip!W3SVC1/u_ex240311.log')).toMatchObject({ records: 2, skipped: 0 });
    expect(report.inputs.some((i) => i.path.includes('evil'))).toBe(false);
    // The web shell lines survive around the damage in every file that has one.
    const shellFiles = new Set(report.findings.filter((f) => f.ruleId === 'w3g-web-webshell-request').flatMap((f) => f.evidence.map((e) => e.file)));
    expect([...shellFiles].map((f) => f?.replace(/.*\//, '')).sort()).toEqual(['u_ex240311.log', 'u_ex_binary-junk.log', 'u_ex_field-count.log', 'u_ex_truncated-line.log']);
  });

  it('skips a 10 MB line without holding it and reads the lines after it', () => {
    const file = join(dir, 'u_ex240313.log');
    const head = '#Fields: date time c-ip cs-method cs-uri-stem cs-uri-query sc-status\n';
    writeFileSync(file, `${head}2024-03-13 00:00:01 203.0.113.1 GET /a ${'q'.repeat(10 * 1024 * 1024)} 200\n2024-03-13 00:00:02 203.0.113.66 GET /cmd.aspx - 200\n`);
    const { code, report } = hunt([file]);
    expect(code).toBe(0);
    expect(report.inputs[0]).toMatchObject({ records: 1, skipped: 1 });
    expect(report.issues.map((i) => [i.code, i.line])).toEqual([['log.line-too-long', 2]]);
    expect(report.findings[0]?.evidence[0]?.line).toBe(3);
  });

  it('a missing path is one clear line on stderr and exit code 2', () => {
    const run = runCli(['hunt', 'no/such/u_ex.log']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/no\/such\/u_ex\.log.*does not exist/);
  });

  it('bad flags exit 2 with one line', () => {
    for (const args of [['--fail-on', 'severe'], ['--since', 'yesterday'], ['--format', 'xml'], ['--threads', '0']]) {
      const run = runCli(['hunt', EXAMPLE, ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('finds a folder of IIS log names, recursively, and ignores other files', () => {
    const root = join(dir, 'inetpub', 'logs', 'LogFiles');
    mkdirSync(join(root, 'W3SVC2'), { recursive: true });
    copyFileSync(resolve(REPO_ROOT, EXAMPLE), join(root, 'W3SVC2', 'u_ex240311.log'));
    writeFileSync(join(root, 'W3SVC2', 'notes.txt'), 'not a log');
    const { report } = hunt([join(dir, 'inetpub')]);
    expect(report.inputs.map((i) => i.path)).toEqual([join(root, 'W3SVC2', 'u_ex240311.log')]);
    expect(report.findings[0]?.evidence[0]?.file).toBe(join(root, 'W3SVC2', 'u_ex240311.log'));
  });
});
