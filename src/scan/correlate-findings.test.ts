import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Asset } from '../core/asset.js';
import type { Finding } from '../core/finding.js';
import type { Incident } from '../core/incident.js';
import { DEFAULT_MAX_LINE_BYTES } from '../formats/web-log/web-log-reader.js';
import { writeEvtx, type FixtureEvent } from '../formats/evtx/fixtures/write-evtx.js';
import { buildTestPe } from '../formats/pe/fixtures/build-test-pe.js';
import { fingerprint } from '../core/fingerprint.js';
import { correlateFindings, DEFAULT_CORRELATION_WINDOWS, INCIDENT_KINDS } from './correlate-findings.js';
import { runEvents } from './run-events.js';
import { runHunt } from './run-hunt.js';
import { runSweep } from './run-sweep.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WEB_SHELL = readFileSync(path.join(HERE, '..', 'analyzers', 'webroot-sweep', 'fixtures', 'yara-samples', 'w3g-yara-webshell-process-request', 'match.aspx'));
const HOST = 'WEB01';
const T = Date.parse('2024-05-06T10:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const temp = mkdtempSync(path.join(tmpdir(), 'correlate-findings-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** When each step of the story happens, and on which site the requests are logged. */
interface Story {
  readonly exploitAt: number;
  readonly dropAt: number;
  readonly useAt: number;
  readonly childAt: number;
  readonly logSite: 'W3SVC1' | 'W3SVC2';
  /** When a backdoor's cookie command names `C:\Windows\Temp\svc.dll`, written 5 s later. */
  readonly cookieAt?: number;
}

const FIELDS = '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken cs(Cookie)';
const BROWSER = 'Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/122.0.0.0+Safari/537.36';

function logLine(at: number, method: string, stem: string, query: string, client: string, agent: string, referer: string, cookie = '-'): string {
  const iso = new Date(at).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} 10.0.0.10 ${method} ${stem} ${query} 443 - ${client} ${agent} ${referer} 200 0 0 40 ${cookie}`;
}

function sysmonProcess(at: number, guid: string, image: string, commandLine: string, parentGuid: string, parentImage: string): FixtureEvent {
  return {
    channel: 'Microsoft-Windows-Sysmon/Operational',
    eventId: 1,
    computer: 'web01.example.test',
    time: new Date(at).toISOString(),
    data: { RuleName: '-', ProcessGuid: guid, ProcessId: 100, Image: image, CommandLine: commandLine, User: 'IIS APPPOOL\\Site1', ParentProcessGuid: parentGuid, ParentImage: parentImage, ParentUser: 'IIS APPPOOL\\Site1' },
  };
}

/**
 * A host root: two sites, each with `uploads/x.aspx` (a web shell) and a vulnerable Telerik DLL in bin/,
 * site 1's shell written at `dropAt`; a W3C log with a Telerik upload, then requests of the shell; a Sysmon
 * log with w3wp.exe starting cmd.exe. Runs the real hunt, sweep (with inventory) and events on it.
 */
async function runStory(name: string, story: Story): Promise<{ findings: Finding[]; assets: Asset[] }> {
  const root = path.join(temp, name);
  const sites = { 'WEB01/W3SVC1': path.join(root, 'inetpub', 'wwwroot', 'site1'), 'WEB01/W3SVC2': path.join(root, 'inetpub', 'wwwroot', 'site2') };
  for (const [i, site] of Object.values(sites).entries()) {
    mkdirSync(path.join(site, 'uploads'), { recursive: true });
    mkdirSync(path.join(site, 'bin'), { recursive: true });
    writeFileSync(path.join(site, 'Default.aspx'), '<%@ Page Language="C#" %><html><body>Welcome</body></html>');
    writeFileSync(path.join(site, 'Upload.aspx'), '<%@ Page Language="C#" %><html><body><form method="post" enctype="multipart/form-data"></form></body></html>');
    writeFileSync(path.join(site, 'bin', 'Telerik.Web.UI.dll'), buildTestPe({ fileVersion: '2019.3.1023.45', strings: { ProductName: 'Telerik UI for ASP.NET AJAX', CompanyName: 'Progress Software Corporation' } }));
    const shell = path.join(site, 'uploads', 'x.aspx');
    writeFileSync(shell, WEB_SHELL);
    // Site 2's shell of the same name was written a year earlier: it must stay out of site 1's story.
    const written = new Date(i === 0 ? story.dropAt : story.dropAt - 365 * 24 * HOUR);
    utimesSync(shell, written, written);
  }
  const deployed = new Date(T - 30 * 24 * HOUR);
  for (const site of Object.values(sites)) for (const file of ['Default.aspx', 'Upload.aspx', path.join('bin', 'Telerik.Web.UI.dll')]) utimesSync(path.join(site, file), deployed, deployed);

  const logs = path.join(root, 'inetpub', 'logs', 'LogFiles', story.logSite);
  mkdirSync(logs, { recursive: true });
  const attacker = '203.0.113.50';
  const requests = [
    logLine(T - 2 * HOUR, 'GET', '/Default.aspx', '-', '198.51.100.7', BROWSER, '-'),
    logLine(T - HOUR, 'POST', '/Upload.aspx', '-', '198.51.100.7', BROWSER, 'https://www.example.test/Upload.aspx'),
    logLine(story.exploitAt, 'POST', '/Telerik.Web.UI.WebResource.axd', 'type=rau', attacker, 'Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64;+rv:54.0)+Gecko/20100101+Firefox/54.0', '-'),
    logLine(story.useAt, 'GET', '/uploads/x.aspx', 'cmd=whoami', attacker, BROWSER, '-'),
    logLine(story.useAt + 30_000, 'GET', '/Default.aspx', '-', '198.51.100.7', BROWSER, '-'),
    ...(story.cookieAt === undefined ? [] : [logLine(story.cookieAt, 'GET', '/Default.aspx', '-', '192.0.2.66', BROWSER, '-', 'SM_SESSION=PUTFILE;FILEPATH=C:\\Windows\\Temp\\svc.dll')]),
  ].sort();
  if (story.cookieAt !== undefined) {
    const dll = path.join(root, 'Windows', 'Temp', 'svc.dll');
    mkdirSync(path.dirname(dll), { recursive: true });
    writeFileSync(dll, buildTestPe({ fileVersion: '1.0.0.0' }));
    utimesSync(dll, new Date(story.cookieAt + 5000), new Date(story.cookieAt + 5000));
  }
  const lines = ['#Software: Microsoft Internet Information Services 10.0', '#Version: 1.0', `#Date: ${new Date(T - 2 * HOUR).toISOString().slice(0, 19).replace('T', ' ')}`, FIELDS, ...requests];
  writeFileSync(path.join(logs, 'u_ex240506.log'), `${lines.join('\r\n')}\r\n`);

  const evtx = path.join(root, 'Windows', 'System32', 'winevt', 'Logs');
  mkdirSync(evtx, { recursive: true });
  const w3wp = 'C:\\Windows\\System32\\inetsrv\\w3wp.exe';
  writeFileSync(
    path.join(evtx, 'Microsoft-Windows-Sysmon%4Operational.evtx'),
    writeEvtx([
      sysmonProcess(T - 3 * HOUR, '{W3WP-1}', w3wp, `${w3wp} -ap "Site1"`, '{SVC-1}', 'C:\\Windows\\System32\\svchost.exe'),
      sysmonProcess(story.childAt, '{CMD-1}', 'C:\\Windows\\System32\\cmd.exe', 'cmd.exe /c whoami', '{W3WP-1}', w3wp),
    ]),
  );
  const feeds = path.join(root, 'feeds');
  mkdirSync(feeds, { recursive: true });

  const common = { evidenceCap: 10, minSeverity: 'info' as const, signal: new AbortController().signal, now: () => new Date('2024-06-01T00:00:00Z') };
  const hunt = await runHunt({ ...common, paths: [path.join(root, 'inetpub', 'logs')], threads: 1, localOffsetMinutes: 0, maxLineBytes: DEFAULT_MAX_LINE_BYTES, rules: { content: true, sigmaPaths: [] } });
  const sweep = await runSweep({ ...common, paths: [], hostRoots: [root], yaraPaths: [], builtinYara: true, maxFileSize: 8 * 1024 * 1024, threads: 1, updateBaseline: false, inventoryFeedsDir: feeds });
  const events = await runEvents({ ...common, paths: [], hosts: [root], threads: 1, correlationWindowMs: HOUR, rules: { content: true, sigmaPaths: [] } });
  const assets: Asset[] = [{ id: HOST, kind: 'host' }, ...Object.entries(sites).map(([id, p]): Asset => ({ id, kind: 'site', parent: HOST, path: p }))];
  const findings = [...hunt.findings, ...sweep.report.findings, ...events.findings].map((f) => ({ ...f, asset: attribute(f, sites) }));
  return { findings, assets };
}

/** What `host` does: a log line goes to the site of its W3SVC folder, a file to the site whose folder holds it, an event to the host. */
function attribute(finding: Finding, sites: Readonly<Record<string, string>>): string {
  const evidence = finding.evidence[0];
  const logged = /\/(W3SVC\d+)$/.exec(finding.asset);
  if (evidence?.kind === 'log-line' && logged !== null) return `${HOST}/${logged[1] as string}`;
  const file = evidence?.path;
  if (file !== undefined) for (const [id, folder] of Object.entries(sites)) if (file.startsWith(`${folder}${path.sep}`)) return id;
  return HOST;
}

function byRule(findings: readonly Finding[], incident: Incident | undefined): string[] {
  const rules = new Map(findings.map((f) => [f.fingerprint, f.ruleId]));
  return (incident?.members ?? []).map((fp) => rules.get(fp) ?? fp);
}

const ON_TIME: Story = { exploitAt: T, dropAt: T + MIN, useAt: T + 2 * MIN, childAt: T + 3 * MIN, logSite: 'W3SVC1' };

describe('correlateFindings on real analyzer output', () => {
  it('joins the exploit request, the shell it wrote, the shell used and w3wp.exe starting cmd.exe into one incident', async () => {
    const { findings, assets } = await runStory('on-time', ON_TIME);
    const result = correlateFindings(findings, assets);
    const stories = result.incidents.filter((i) => i.kind === INCIDENT_KINDS.exploitDropUse);
    expect(stories).toHaveLength(1);
    const incident = stories[0] as Incident;
    expect(incident.asset).toBe('WEB01/W3SVC1');
    expect(incident.title).toBe('Exploit request → x.aspx written → x.aspx requested → w3wp.exe started a process');
    const rules = byRule(findings, incident);
    expect(rules[0]).toBe('w3g-web-telerik-rau-post');
    expect(rules).toEqual(expect.arrayContaining(['w3g-yara-webshell-process-request', 'w3g-sweep-script-in-static-folder', 'w3g-web-shell-commands', 'w3g-evt-w3wp-shell']));
    // The timeline: exploit, the file written, its use, the process, in that order and at their own times.
    const sources = incident.timeline.map((m) => m.source);
    expect(sources[0]).toBe('hunt');
    expect(sources.lastIndexOf('sweep')).toBeLessThan(sources.lastIndexOf('hunt'));
    expect(sources[sources.length - 1]).toBe('events');
    const times = incident.timeline.map((m) => Date.parse(m.at ?? ''));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(incident.firstSeen).toBe(new Date(T).toISOString());
    expect(incident.lastSeen).toBe(new Date(T + 3 * MIN).toISOString());
    expect(incident.timeline.find((m) => m.source === 'sweep')?.at).toBe(new Date(T + MIN).toISOString());
    expect(incident.timeline.find((m) => m.source === 'events')?.summary).toContain('cmd.exe /c whoami');
    expect(incident.members).toEqual(incident.timeline.map((m) => m.fingerprint));

    // Site 2's x.aspx has the same name and is a web shell too, but nothing on site 2 touched it.
    const site2 = new Set(findings.filter((f) => f.asset === 'WEB01/W3SVC2').map((f) => f.fingerprint));
    expect(site2.size).toBeGreaterThan(0);
    expect(incident.members.filter((fp) => site2.has(fp))).toEqual([]);

    // Every member lists every other member; findings outside incidents gain nothing.
    const members = new Set(result.incidents.flatMap((i) => i.members));
    for (const finding of result.findings) {
      if (!members.has(finding.fingerprint)) expect(finding.related).toBeUndefined();
    }
    for (const fp of incident.members) {
      const related = result.findings.find((f) => f.fingerprint === fp)?.related ?? [];
      expect(related).toEqual(expect.arrayContaining(incident.members.filter((o) => o !== fp)));
      expect(related).not.toContain(fp);
    }

    // Stable: the same story gives the same incident whatever order the analyzers' findings come in.
    const again = correlateFindings([...findings].reverse(), assets);
    expect(again.incidents).toEqual(result.incidents);
  }, 60_000);

  it('joins the vulnerable component, the attacks on its CVE and the code in its upload folder, on its own site only', async () => {
    const { findings, assets } = await runStory('vulnerable', ON_TIME);
    const { incidents } = correlateFindings(findings, assets);
    const vulnerable = incidents.filter((i) => i.kind === INCIDENT_KINDS.vulnerableAttacked);
    // Site 2 holds the same vulnerable DLL, but nobody attacked it there.
    expect(vulnerable.map((i) => i.asset)).toEqual(['WEB01/W3SVC1']);
    const incident = vulnerable[0] as Incident;
    const rules = byRule(findings, incident);
    expect(rules[0]).toMatch(/^w3g-adv-telerik-ui-aspnet-ajax-cve-/);
    expect(incident.timeline[0]).toMatchObject({ source: 'inventory' });
    expect(incident.timeline[0]?.at).toBeUndefined();
    expect(rules).toEqual(expect.arrayContaining(['w3g-web-telerik-rau-post', 'w3g-yara-webshell-process-request']));
    expect(incident.title).toMatch(/^Telerik\.Web\.UI\.dll: vulnerable to CVE-\d{4}-\d+(, CVE-\d{4}-\d+)* and attacked; code since written to an upload folder, and requested$/);
    expect(rules[rules.length - 1]).toBe('w3g-web-shell-commands');
    expect(new Set(incident.timeline.map((m) => m.source))).toEqual(new Set(['inventory', 'hunt', 'sweep']));
  }, 60_000);

  it('leaves out of the time joins a file time later than every logged request (a copy without its times)', async () => {
    const { findings, assets } = await runStory('copied', { ...ON_TIME, dropAt: T + 400 * 24 * HOUR });
    const { incidents } = correlateFindings(findings, assets);
    const used = incidents.find((i) => i.kind === INCIDENT_KINDS.exploitDropUse);
    // No exploit by time, but the requests of the shell's URL are still its use.
    expect(used?.title).toBe('File x.aspx written → x.aspx requested → w3wp.exe started a process');
    const dropped = used?.timeline.filter((m) => m.source === 'sweep') ?? [];
    expect(dropped.length).toBeGreaterThan(0);
    for (const moment of dropped) {
      expect(moment.at).toBeUndefined();
      expect(moment.summary).toContain(`(modified ${new Date(T + 400 * 24 * HOUR).toISOString()}, after the last logged request)`);
    }
    // The vulnerable component's story links the exploit request, the dropped file and its use.
    const vulnerable = incidents.find((i) => i.kind === INCIDENT_KINDS.vulnerableAttacked && i.asset === 'WEB01/W3SVC1');
    expect(byRule(findings, vulnerable)).toEqual(expect.arrayContaining(['w3g-web-telerik-rau-post', 'w3g-yara-webshell-process-request', 'w3g-web-shell-commands']));
    expect(vulnerable?.title).toMatch(/; code in an upload folder, and requested$/);
  }, 60_000);

  it('joins nothing when the file was written hours after the exploit and used days later', async () => {
    const late: Story = { exploitAt: T, dropAt: T + 3 * HOUR, useAt: T + 3 * HOUR + 25 * HOUR, childAt: T + 3 * HOUR + 25 * HOUR + 2 * HOUR, logSite: 'W3SVC1' };
    const { findings, assets } = await runStory('late', late);
    expect(findings.some((f) => f.ruleId === 'w3g-web-shell-commands')).toBe(true);
    expect(findings.some((f) => f.ruleId === 'w3g-yara-webshell-process-request' && f.asset === 'WEB01/W3SVC1')).toBe(true);
    const { incidents } = correlateFindings(findings, assets);
    expect(incidents.filter((i) => i.kind === INCIDENT_KINDS.exploitDropUse)).toEqual([]);
  }, 60_000);

  it('joins nothing when the requests were logged by another site than the one holding the file', async () => {
    const { findings, assets } = await runStory('other-site', { ...ON_TIME, logSite: 'W3SVC2' });
    // Site 2's own x.aspx was written a year before: requests of its name on site 2 are not its use either.
    const { incidents } = correlateFindings(findings, assets);
    expect(incidents.filter((i) => i.kind === INCIDENT_KINDS.exploitDropUse)).toEqual([]);
    expect(incidents.filter((i) => i.kind === INCIDENT_KINDS.vulnerableAttacked).map((i) => i.asset)).toEqual(['WEB01/W3SVC2']);
  }, 60_000);

  it('joins a host-level file to the site whose logged request named it', async () => {
    const { findings, assets } = await runStory('named', { ...ON_TIME, cookieAt: T + 10 * MIN });
    const dll = findings.find((f) => f.asset === HOST && f.evidence[0]?.path?.endsWith('svc.dll') === true);
    expect(dll?.ruleId).toBe('w3g-sweep-dll-in-windows-temp');
    const { incidents } = correlateFindings(findings, assets);
    const named = incidents.filter((i) => i.members.includes(dll?.fingerprint ?? ''));
    expect(named).toHaveLength(1);
    expect(named[0]).toMatchObject({ asset: 'WEB01/W3SVC1', kind: INCIDENT_KINDS.exploitDropUse, title: 'Request naming svc.dll → svc.dll written' });
    expect(byRule(findings, named[0])).toEqual(['w3g-web-backdoor-cookie', 'w3g-sweep-dll-in-windows-temp']);
    // The web shell's story is still its own.
    expect(incidents.filter((i) => i.kind === INCIDENT_KINDS.exploitDropUse)).toHaveLength(2);
  }, 60_000);
});

/** A finding as an analyzer would give it, for the joins the fixture host above does not cover. */
function finding(ruleId: string, asset: string, locationKey: string, evidence: Finding['evidence'], tags: readonly string[] = []): Finding {
  return {
    fingerprint: fingerprint(ruleId, asset, locationKey),
    ruleId,
    engine: 'test',
    title: ruleId,
    description: ruleId,
    severity: 'high',
    confidence: 'firm',
    category: 'test',
    asset,
    locationKey,
    tags,
    references: [],
    occurrences: evidence.length,
    evidence,
  };
}

const request = (at: number, line: string): Finding['evidence'][number] => ({ kind: 'log-line', file: 'u_ex.log', line: 5, time: at, text: `2024-05-06 00:00:00 10.0.0.10 ${line} 443 - 203.0.113.50 curl/8 - 200 0 0 1` });
const file = (at: number, p: string): Finding['evidence'][number] => ({ kind: 'file', path: p, time: at });
const child = (at: number, command: string): Finding['evidence'][number] => ({
  kind: 'event',
  file: 'Sysmon.evtx',
  recordId: 1,
  time: at,
  text: `Microsoft-Windows-Sysmon/Operational 1 Image=C:\\Windows\\System32\\cmd.exe CommandLine=${command} ParentImage=C:\\Windows\\System32\\inetsrv\\w3wp.exe User=IIS APPPOOL\\A`,
});

describe('correlateFindings joins', () => {
  const assets: Asset[] = [
    { id: 'H', kind: 'host' },
    { id: 'H/W3SVC1', kind: 'site', parent: 'H', path: 'D:\\sites\\a' },
    { id: 'H/W3SVC1/partners', kind: 'application', parent: 'H/W3SVC1', path: 'D:\\apps\\partners' },
    { id: 'H/W3SVC2', kind: 'site', parent: 'H', path: 'D:\\sites\\b' },
  ];

  it('a file of an application to the requests of its virtual path, and a process to the story whose request came last before it', () => {
    const findings = [
      finding('shell-a', 'H/W3SVC1/partners', 'D:\\apps\\partners\\Docs\\a.aspx', [file(T, 'D:\\apps\\partners\\Docs\\a.aspx')]),
      finding('use-a', 'H/W3SVC1', '203.0.113.50', [request(T + MIN, 'POST /Partners/docs/a.aspx -')]),
      finding('shell-b', 'H/W3SVC2', 'D:\\sites\\b\\b.aspx', [file(T, 'D:\\sites\\b\\b.aspx')]),
      finding('use-b', 'H/W3SVC2', '203.0.113.51', [request(T + 30 * MIN, 'POST /b.aspx -')]),
      finding('child', 'H', 'cmd.exe', [child(T + 35 * MIN, 'cmd.exe /c whoami')]),
    ];
    const { incidents } = correlateFindings(findings, assets);
    const rules = new Map(findings.map((f) => [f.fingerprint, f.ruleId]));
    expect(incidents.map((i) => [i.asset, i.members.map((m) => rules.get(m))]).sort()).toEqual([
      ['H/W3SVC1', ['shell-a', 'use-a']],
      ['H/W3SVC2', ['shell-b', 'use-b', 'child']],
    ]);
  });

  it('no exploit the server refused, nor one outside a narrowed window', () => {
    const findings = [
      finding('shell', 'H/W3SVC1', 'D:\\sites\\a\\up\\x.aspx', [file(T + 2 * MIN, 'D:\\sites\\a\\up\\x.aspx')]),
      finding('rau', 'H/W3SVC1', '203.0.113.50 refused', [request(T + MIN, 'POST /Telerik.Web.UI.WebResource.axd type=rau')], ['attack.t1190']),
      finding('sqli', 'H/W3SVC1', '203.0.113.52', [request(T, "GET /p.aspx id=1'")], ['attack.t1190']),
      finding('use', 'H/W3SVC1', '203.0.113.50', [request(T + 3 * MIN, 'GET /up/x.aspx c=whoami')]),
    ];
    const rules = new Map(findings.map((f) => [f.fingerprint, f.ruleId]));
    const wide = correlateFindings(findings, assets).incidents;
    expect(wide.map((i) => i.members.map((m) => rules.get(m)))).toEqual([['sqli', 'shell', 'use']]);
    const narrow = correlateFindings(findings, assets, { ...DEFAULT_CORRELATION_WINDOWS, dropAfterExploitMs: MIN }).incidents;
    expect(narrow.map((i) => i.members.map((m) => rules.get(m)))).toEqual([['shell', 'use']]);
    expect(narrow[0]?.title).toBe('File x.aspx written → x.aspx requested');
  });

  it('keeps hostile names to one line in the summaries, and leaves the findings given untouched', () => {
    const name = 'D:\\sites\\a\\up\\x\n<script>alert(1)</script>.aspx';
    const findings = [finding('shell', 'H/W3SVC1', name, [file(T, name)]), finding('use', 'H/W3SVC1', '203.0.113.50', [request(T + MIN, 'GET /up/x%0A%3Cscript%3Ealert(1)%3C/script%3E.aspx -')])];
    const before = JSON.stringify(findings);
    const { incidents, findings: out } = correlateFindings(findings, assets);
    expect(incidents).toHaveLength(1);
    for (const moment of incidents[0]?.timeline ?? []) expect(moment.summary).not.toMatch(/[\r\n]/);
    expect(incidents[0]?.title).not.toMatch(/[\r\n]/);
    expect(JSON.stringify(findings)).toBe(before);
    expect(out.map((f) => f.related)).toEqual([[findings[1]?.fingerprint], [findings[0]?.fingerprint]]);
  });

  it('a process to any request of the story, not only each finding\'s first, within the hour', () => {
    const findings = [
      finding('shell', 'H/W3SVC1', 'D:\\sites\\a\\x.aspx', [file(T, 'D:\\sites\\a\\x.aspx')]),
      finding('use', 'H/W3SVC1', '203.0.113.50', [request(T + MIN, 'GET /x.aspx -'), request(T + 5 * HOUR, 'GET /x.aspx -')]),
      finding('late-child', 'H', 'whoami.exe', [child(T + 5 * HOUR + 10 * MIN, 'whoami /all')]),
      finding('stray-child', 'H', 'net.exe', [child(T + 7 * HOUR, 'net user')]),
    ];
    const rules = new Map(findings.map((f) => [f.fingerprint, f.ruleId]));
    const { incidents } = correlateFindings(findings, assets);
    expect(incidents.map((i) => i.members.map((m) => rules.get(m)))).toEqual([['shell', 'use', 'late-child']]);
    expect(incidents[0]?.lastSeen).toBe(new Date(T + 5 * HOUR + 10 * MIN).toISOString());
  });

  it('the event of w3wp.exe writing the file, as the drop', () => {
    const wrote = (at: number, target: string): Finding['evidence'][number] => ({ kind: 'event', file: 'Sysmon.evtx', recordId: 2, time: at, text: `Microsoft-Windows-Sysmon/Operational 11 Image=C:\\Windows\\System32\\inetsrv\\w3wp.exe TargetFilename=${target}` });
    const findings = [
      finding('shell', 'H/W3SVC1', 'D:\\sites\\a\\x.aspx', [file(T, 'D:\\sites\\a\\x.aspx')]),
      finding('use', 'H/W3SVC1', '203.0.113.50', [request(T + MIN, 'GET /x.aspx -')]),
      finding('w3wp-writes', 'H', 'w3wp.exe', [wrote(T - 1000, 'D:\\sites\\a\\x.aspx')]),
      finding('w3wp-writes-other', 'H', 'w3wp.exe other', [wrote(T - 1000, 'D:\\sites\\a\\y.aspx')]),
    ];
    const rules = new Map(findings.map((f) => [f.fingerprint, f.ruleId]));
    const { incidents } = correlateFindings(findings, assets);
    expect(incidents.map((i) => i.members.map((m) => rules.get(m)))).toEqual([['w3wp-writes', 'shell', 'use']]);
    expect(incidents[0]?.title).toBe('w3wp.exe wrote x.aspx → x.aspx requested');
  });
});
