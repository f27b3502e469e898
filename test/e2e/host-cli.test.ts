import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHostRoot, type BuiltHostRoot } from '../fixtures/make-host-root.js';
import { REPO_ROOT, runCli, runCliJson } from './run-cli.js';
import { postgresDown, withSchema } from './test-postgres.js';

interface Evidence {
  file?: string;
  path?: string;
  text?: string;
}
interface Finding {
  fingerprint: string;
  ruleId: string;
  asset: string;
  locationKey: string;
  severity: string;
  status?: string;
  related?: string[];
  priority?: { label: string };
  evidence: Evidence[];
}
interface Report {
  command: string;
  findings: Finding[];
  issues: { code: string; message: string; path?: string; line?: number }[];
  incidents?: { kind: string; asset: string; members: string[]; timeline: { at?: string; fingerprint: string; source: string }[] }[];
}

const EVAL_DEV = resolve(REPO_ROOT, '..', 'shared', 'eval', 'dev');
const SCORE = resolve(REPO_ROOT, '..', 'shared', 'eval', 'score.py');
const evalPresent = existsSync(EVAL_DEV) && existsSync(SCORE);
if (!evalPresent) console.warn(`host CLI tests skipped: the evaluation set ${EVAL_DEV} is absent (a clone without ../shared)`);

const SHELL = 'inetpub/wwwroot/corp/App_Themes/Default/error.aspx';
const OTHER_SHELL = 'inetpub/wwwroot/corp/Content/uploads/img/thumb.aspx';

let folder: string;
let built: BuiltHostRoot;
let host: Report;

const json = (args: readonly string[]): { code: number; report: Report; stderr: string } => runCliJson<Report>(args);

/** Recall per family as score.py prints it ("weblogs:  detected 17/20 …"). */
function score(report: Report, families: readonly string[]): Record<string, { found: number; of: number }> {
  const file = join(folder, `score-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(file, JSON.stringify(report));
  const run = spawnSync('python3', [SCORE, EVAL_DEV, file, ...families.flatMap((family) => ['--family', family])], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  const result: Record<string, { found: number; of: number }> = {};
  for (const match of run.stdout.matchAll(/^(\w+):\s+detected (\d+)\/(\d+)/gm)) result[match[1] as string] = { found: Number(match[2]), of: Number(match[3]) };
  return result;
}

/** The host report with every evidence path put back where the file came from in the evaluation set, so score.py can read it. */
function inEvalTerms(report: Report): Report {
  const back = (p: string | undefined): string | undefined => (p === undefined ? undefined : (built.origin.get(p) ?? p));
  return {
    ...report,
    findings: report.findings.map((f) => ({ ...f, evidence: f.evidence.map((e) => ({ ...e, ...(e.file === undefined ? {} : { file: back(e.file) }), ...(e.path === undefined ? {} : { path: back(e.path) }) })) })),
  };
}

beforeAll(() => {
  if (!evalPresent) return;
  folder = mkdtempSync(join(tmpdir(), 'host-cli-'));
  built = makeHostRoot(EVAL_DEV, folder);
  const run = json(['host', built.root]);
  expect(run.code, run.stderr).toBe(0);
  host = run.report;
}, 180_000);
afterAll(() => {
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

describe.skipIf(!evalPresent)('w3guard host on FAB-WEB01 laid out as its C:\\', () => {
  it('finds what the analyzers find alone, family by family', () => {
    expect(host.command).toBe('host');
    const alone = {
      ...score(json(['hunt', join(EVAL_DEV, 'weblogs', 'FAB-WEB01')]).report, ['weblogs']),
      ...score(json(['audit', join(EVAL_DEV, 'configs', 'FAB-WEB01')]).report, ['configs']),
      ...score(json(['sweep', '--host', join(EVAL_DEV, 'webroots', 'FAB-WEB01')]).report, ['webroots']),
    };
    const together = score(inEvalTerms(host), ['weblogs', 'configs', 'webroots']);
    for (const family of ['weblogs', 'configs', 'webroots']) {
      const a = alone[family];
      const t = together[family];
      expect(a, family).toBeDefined();
      expect(t, family).toBeDefined();
      expect(a?.found ?? 0, `${family} alone found something`).toBeGreaterThan(0);
      expect(t?.found ?? 0, `${family}: host ${t?.found}/${t?.of} against alone ${a?.found}/${a?.of}`).toBeGreaterThanOrEqual(a?.found ?? 0);
    }
  }, 240_000);

  it('puts each finding on the most specific asset of the tree', () => {
    const on = (rule: string, where: (f: Finding) => boolean = () => true): string[] => [...new Set(host.findings.filter((f) => f.ruleId === rule && where(f)).map((f) => f.asset))];
    // A web shell under the corp site's folder belongs to site 2, named from the configuration, not from a folder.
    expect(on('w3g-yara-webshell-eval-request')).toEqual(['FAB-WEB01/W3SVC2']);
    // The vulnerable Telerik in the site's bin/ is the site's; the patched one in partners/bin would be the application's.
    expect(on('w3g-adv-telerik-ui-aspnet-ajax-cve-2019-18935')).toEqual(['FAB-WEB01/W3SVC2']);
    // Requests logged in W3SVC2 belong to site id 2; HTTPERR to HTTP.sys of the host.
    const fromLogs = host.findings.filter((f) => f.evidence.some((e) => e.file?.includes('W3SVC2') === true));
    expect(fromLogs.length).toBeGreaterThan(5);
    expect(new Set(fromLogs.map((f) => f.asset))).toEqual(new Set(['FAB-WEB01/W3SVC2']));
    const fromHttpErr = host.findings.filter((f) => f.evidence.some((e) => e.file?.includes('HTTPERR') === true));
    expect(new Set(fromHttpErr.map((f) => f.asset))).toEqual(new Set(['FAB-WEB01/HTTP.sys']));
    // A globally registered native module is the host's; a pool's identity is the pool's.
    expect(on('w3g-pers-native-module-unknown')).toEqual(['FAB-WEB01']);
    expect(on('w3g-cis-iis10-1.4-app-pool-identity')).toEqual(['FAB-WEB01/apppool/ReportsPool']);
    // w3wp.exe of the FabrikamCorp pool starting a shell is that pool's.
    const fromEvents = host.findings.filter((f) => f.evidence.some((e) => e.file?.endsWith('.evtx') === true));
    expect(fromEvents.length, JSON.stringify(host.findings.map((f) => f.ruleId))).toBeGreaterThan(0);
    expect(fromEvents.map((f) => f.asset)).toContain('FAB-WEB01/apppool/FabrikamCorp');
    // Every asset id is rooted at the host's name.
    expect(host.findings.every((f) => f.asset === 'FAB-WEB01' || f.asset.startsWith('FAB-WEB01/'))).toBe(true);
  });

  it('joins the Telerik exploit, the shell it dropped in an upload folder and the shell\'s use into one incident, ranked first', () => {
    const byFingerprint = new Map(host.findings.map((f) => [f.fingerprint, f]));
    const rulesOf = (members: readonly string[]): string[] => members.map((m) => byFingerprint.get(m)?.ruleId ?? '?');
    const story = (host.incidents ?? []).find((i) => i.kind === 'vulnerable-attacked-dropped');
    expect(story, JSON.stringify(host.incidents?.map((i) => [i.kind, rulesOf(i.members)]))).toBeDefined();
    expect(story?.asset).toBe('FAB-WEB01/W3SVC2');
    const members = rulesOf(story?.members ?? []);
    expect(members).toEqual(expect.arrayContaining(['w3g-adv-telerik-ui-aspnet-ajax-cve-2019-18935', 'w3g-web-telerik-rau-post', 'w3g-yara-webshell-process-request', 'w3g-web-shell-commands']));
    // Only code in the site's upload folders joins: the installer in downloads/ and the theme page do not.
    expect(members).not.toContain('w3g-sweep-binary-in-web-content');
    // The timeline runs from the exploit to the use of what it dropped.
    const timed = (story?.timeline ?? []).filter((m) => m.at !== undefined).map((m) => byFingerprint.get(m.fingerprint)?.ruleId);
    expect(timed.indexOf('w3g-web-telerik-rau-post')).toBeLessThan(timed.indexOf('w3g-web-shell-commands'));
    // Each member names the others, and an incident member ranks as an incident.
    for (const member of story?.members ?? []) {
      const finding = byFingerprint.get(member);
      expect(finding?.related).toEqual(expect.arrayContaining((story?.members ?? []).filter((m) => m !== member)));
      expect(finding?.priority?.label).toBe('incident');
    }
    // Reports sort by risk: the first finding is an incident.
    expect(host.findings[0]?.priority?.label).toBe('incident');
  });

  it('writes a JSON report that validates against the report contract', () => {
    const contract = resolve(REPO_ROOT, '..', 'shared', 'contracts', 'finding-report.schema.json');
    if (!existsSync(contract)) return;
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(contract, 'utf8')) as object);
    expect(validate(host), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });

  it('reports what the configuration names but the root lacks', () => {
    const missing = host.issues.filter((issue) => issue.code === 'host.path-missing');
    expect(missing.map((issue) => issue.message).join('\n')).toMatch(/D:\\Media\\corp.*drive D:/);
    expect(missing[0]?.line).toBeGreaterThan(0);
  });

  it('takes w3guard.yaml and refuses a bad one with file and line', () => {
    const good = join(folder, 'w3guard.yaml');
    writeFileSync(good, 'host: WEB01-PROD\nassets:\n  Fabrikam Corp:\n    exposure: internet\n    criticality: high\n    owners: [web-team]\n');
    const run = json(['host', built.root, '--config', good, '--no-sweep', '--no-inventory', '--no-hunt', '--no-events']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.report.findings.some((f) => f.asset === 'WEB01-PROD/W3SVC2')).toBe(true);
    const bad = join(folder, 'bad.yaml');
    writeFileSync(bad, 'assets:\n  Fabrikam Corp:\n    exposure: internet\n    criticallity: high\n');
    const refused = runCli(['host', built.root, '--config', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${bad}:4: unknown key "criticallity"`);
  });
});

const postgresDownReason = await postgresDown('host --db on PostgreSQL');

/** Three host runs: as is; after deleting a web shell and adding another; after restoring the first. */
function hostThreeTimes(db: string): void {
  const shell = join(built.root, SHELL);
  const added = join(built.root, 'inetpub/wwwroot/corp/Handlers/status.aspx');
  const saved = join(folder, 'error.aspx.saved');
  copyFileSync(shell, saved);
  const args = ['host', built.root, '--db', db];
  const statusOf = (report: Report, file: string): string[] => [...new Set(report.findings.filter((f) => f.locationKey === file && f.asset === 'FAB-WEB01/W3SVC2').map((f) => f.status ?? ''))];
  try {
    const first = json(args);
    expect(first.code, first.stderr).toBe(0);
    expect(new Set(first.report.findings.map((f) => f.status))).toEqual(new Set(['new']));
    expect(statusOf(first.report, shell)).toEqual(['new']);

    unlinkSync(shell);
    copyFileSync(join(built.root, OTHER_SHELL), added);
    const second = json(args);
    expect(statusOf(second.report, shell)).toEqual(['fixed']);
    expect(statusOf(second.report, added)).toEqual(['new']);
    expect(statusOf(second.report, join(built.root, OTHER_SHELL))).toEqual(['open']);
    expect(second.stderr).toMatch(/recorded: [1-9]\d* fixed/);

    copyFileSync(saved, shell);
    unlinkSync(added);
    const third = json(args);
    expect(statusOf(third.report, shell)).toEqual(['reopened']);
    expect(statusOf(third.report, added)).toEqual(['fixed']);
  } finally {
    if (!existsSync(shell)) copyFileSync(saved, shell);
    if (existsSync(added)) unlinkSync(added);
  }
}

describe.skipIf(!evalPresent)('w3guard host --db', () => {
  it('gives new; then fixed, new, open; then reopened in SQLite', () => {
    hostThreeTimes(join(folder, 'w3guard.db'));
  }, 300_000);

  it.skipIf(postgresDownReason !== undefined)('does the same in PostgreSQL', async () => {
    await withSchema((url) => hostThreeTimes(url));
  }, 300_000);
});

describe('w3guard host on a root without IIS configuration', () => {
  it('still sweeps inetpub/wwwroot and hunts inetpub/logs/LogFiles, on the host named after the folder', () => {
    const bare = mkdtempSync(join(tmpdir(), 'host-cli-bare-'));
    try {
      const root = join(bare, 'TRIAGE7');
      mkdirSync(join(root, 'inetpub', 'wwwroot', 'shop'), { recursive: true });
      mkdirSync(join(root, 'inetpub', 'logs', 'LogFiles', 'W3SVC1'), { recursive: true });
      const sample = resolve(REPO_ROOT, 'src/analyzers/webroot-sweep/fixtures/yara-samples/w3g-yara-webshell-eval-request');
      const shell = readdirSync(sample).find((name) => name.startsWith('match.')) ?? 'match.aspx';
      copyFileSync(join(sample, shell), join(root, 'inetpub', 'wwwroot', 'shop', shell));
      copyFileSync(resolve(REPO_ROOT, 'examples/u_ex240311.log'), join(root, 'inetpub', 'logs', 'LogFiles', 'W3SVC1', 'u_ex240311.log'));
      const run = json(['host', root, '--no-inventory']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.report.findings.filter((f) => f.ruleId === 'w3g-yara-webshell-eval-request').map((f) => f.asset)).toEqual(['TRIAGE7']);
      expect(run.report.findings.filter((f) => f.evidence.some((e) => e.file?.endsWith('u_ex240311.log') === true)).length).toBeGreaterThan(3);
      expect(run.report.issues.filter((issue) => issue.code.startsWith('host.'))).toEqual([]);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});

