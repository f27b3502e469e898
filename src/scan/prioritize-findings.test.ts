import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { methodCheck } from '../analyzers/http-probe/method-check.js';
import { pageCheck } from '../analyzers/http-probe/page-check.js';
import { yaraRuleMeta } from '../analyzers/webroot-sweep/yara-rule-meta.js';
import type { Asset } from '../core/asset.js';
import type { Evidence } from '../core/evidence.js';
import { FindingAggregator } from '../core/finding-aggregator.js';
import type { Finding } from '../core/finding.js';
import type { RuleMeta } from '../core/rule-meta.js';
import { jsonReporter } from '../report/json-reporter.js';
import { loadFeeds } from './load-feeds.js';
import { riskFeedsFrom } from './load-risk-feeds.js';
import { prioritizeFindings, type AssetContext, type RiskContext } from './prioritize-findings.js';
import { runAudit } from './run-audit.js';
import { runInventory } from './run-inventory.js';
import { runSweep } from './run-sweep.js';

const NOW = new Date('2026-11-22T10:00:00.000Z');
const now = (): Date => NOW;
const CONTRACT = path.resolve(import.meta.dirname, '../../../shared/contracts/finding-report.schema.json');
// An empty feeds folder: the shipped KEV snapshot (catalogue 2025.08.25), no EPSS.
const EMPTY_FEEDS = mkdtempSync(path.join(tmpdir(), 'risk-feeds-'));
afterAll(() => rmSync(EMPTY_FEEDS, { recursive: true, force: true }));

const feeds = riskFeedsFrom(await loadFeeds(EMPTY_FEEDS));

function findings(...drafts: readonly { rule: RuleMeta; asset: Asset; locationKey: string; evidence: Evidence }[]): Finding[] {
  const aggregator = new FindingAggregator(10);
  for (const draft of drafts) aggregator.add(draft);
  return aggregator.findings();
}

function context(assets: Readonly<Record<string, AssetContext>>, rules: readonly RuleMeta[], extra: Partial<RiskContext> = {}): RiskContext {
  return { now, ...feeds, assetContext: (id) => assets[id], rules, ...extra };
}

function rule(check: { readonly rules: readonly RuleMeta[] }, id: string): RuleMeta {
  const found = check.rules.find((r) => r.id === id);
  if (found === undefined) throw new Error(`no rule ${id}`);
  return found;
}

const site: Asset = { id: 'https://web01.example.org', kind: 'url' };
const http = (url: string, text: string): Evidence => ({ kind: 'http-exchange', url, text });

describe('the worked examples of the risk model', () => {
  it('CVE-2017-7269 (WebDAV, in KEV) on an internet-facing site: row 15, 3 days and forensic triage from the KEV addition', () => {
    const webdav = rule(methodCheck, 'w3g-http-webdav-enabled');
    const [finding] = prioritizeFindings(findings({ rule: webdav, asset: site, locationKey: '/', evidence: http('https://web01.example.org/', 'PROPFIND / -> 207') }), context({ [site.id]: { exposure: 'internet' } }, [webdav]));
    expect(finding?.priority).toMatchObject({ label: '3d-forensic', decision: { row: 15, inputs: { inKev: true, publiclyExposed: true, automatable: true, technicalImpact: 'total' } }, ssvcCisa: 'act' });
    // Seen today, in KEV since 2021: the clock starts today, and automatable was seen from outside, not assumed.
    expect(finding?.priority?.dueAt).toBe('2026-11-25T10:00:00.000Z');
    expect(finding?.priority?.inputs.find((i) => i.name === 'inKev')).toMatchObject({ value: true, source: 'cisa-kev', asOf: '2025-08-25', detail: 'CVE-2017-7269; dateAdded 2021-11-03; dueDate 2022-05-03' });
    expect(finding?.priority?.inputs.find((i) => i.name === 'automatable')).toMatchObject({ value: true, source: 'scan:verified-from-outside' });
    expect(finding?.priority?.inputs.find((i) => i.name === 'technicalImpact')).toMatchObject({ value: 'total', assumed: true });
    expect(finding?.priority?.confidence).toBe(0.75);
    expect(finding?.risk).toBe(finding?.priority?.score);
  });

  it('Telerik CVE-2019-18935 (KEV, ransomware) found by the inventory on an intranet site: row 13, 3 days and forensic triage', async () => {
    const report = await runInventory({ paths: [], hosts: ['test/fixtures/inventory-host'], feedsDir: EMPTY_FEEDS, evidenceCap: 10, minSeverity: 'info', signal: new AbortController().signal, now });
    const telerik = report.findings.find((f) => f.tags.includes('cve.2019-18935'));
    expect(telerik, report.findings.map((f) => f.ruleId).join(', ')).toBeDefined();
    // Every finding of the real run carries its priority, and they come most urgent first.
    expect(report.findings.every((f) => f.priority !== undefined && f.risk === f.priority.score)).toBe(true);
    expect(report.findings.map((f) => f.risk)).toEqual(report.findings.map((f) => f.risk).sort((a, b) => (b ?? 0) - (a ?? 0)));
    const intranet = prioritizeFindings(report.findings, context({ [telerik?.asset ?? '']: { exposure: 'internal' } }, report.rules)).find((f) => f.fingerprint === telerik?.fingerprint);
    expect(intranet?.priority).toMatchObject({ label: '3d-forensic', decision: { row: 13, inputs: { inKev: true, publiclyExposed: false, automatable: true, technicalImpact: 'total' } } });
    expect(intranet?.priority?.inputs.find((i) => i.name === 'inKev')?.detail).toContain('used by ransomware');
    expect(intranet?.priority?.inputs.find((i) => i.name === 'publiclyExposed')).toMatchObject({ value: false, source: 'w3guard.yaml' });
  });

  it('ViewState without MAC (declared total and automatable, not in KEV) on an internet site: row 14, 3 days', () => {
    const noMac = rule(pageCheck, 'w3g-http-viewstate-no-mac');
    const [finding] = prioritizeFindings(findings({ rule: noMac, asset: site, locationKey: '/', evidence: http('https://web01.example.org/', '__VIEWSTATE ends without a MAC') }), context({ [site.id]: { exposure: 'internet' } }, [noMac]));
    expect(finding?.priority).toMatchObject({ label: '3d', dueAt: '2026-11-25T10:00:00.000Z', confidence: 1, decision: { row: 14 } });
    expect(finding?.priority?.inputs.find((i) => i.name === 'technicalImpact')).toMatchObject({ value: 'total', source: 'rule:w3g-http-viewstate-no-mac' });
    expect(finding?.priority?.ssvcCisa).toBeUndefined();
  });

  it('a web shell found on disk by YARA in a real sweep is an incident, due for triage within a day', async () => {
    const { report } = await runSweep({
      paths: ['src/analyzers/webroot-sweep/fixtures/yara-samples/w3g-yara-webshell-eval-request'],
      hostRoots: [],
      yaraPaths: [],
      builtinYara: true,
      maxFileSize: 1 << 20,
      threads: 1,
      updateBaseline: false,
      feedsDir: EMPTY_FEEDS,
      evidenceCap: 10,
      minSeverity: 'info',
      signal: new AbortController().signal,
      now,
    });
    const shell = report.findings.find((f) => f.engine === 'yara');
    expect(shell, report.findings.map((f) => f.ruleId).join(', ')).toBeDefined();
    expect(shell?.priority).toMatchObject({ label: 'incident', modifiers: [{ rule: 'compromise', effect: 'incident' }] });
    // The file's modification time is when it was first seen: triage is due a day after that.
    expect(shell?.firstSeen).toBeDefined();
    expect(shell?.priority?.dueAt).toBe(new Date(Date.parse(shell?.firstSeen ?? '') + 86_400_000).toISOString());
    expect(shell?.priority?.inputs.find((i) => i.name === 'compromise')).toMatchObject({ value: true, source: `rule:${shell?.ruleId ?? ''}` });
    expect(report.findings[0]?.priority?.label).toBe('incident');
  });

  it('a YARA rule may say its hit is only a hint', () => {
    const hint = yaraRuleMeta({ rule: 'packed_pe', namespace: 'user', meta: { w3guard_compromise: false }, tags: [] } as unknown as Parameters<typeof yaraRuleMeta>[0]);
    const [finding] = prioritizeFindings(findings({ rule: hint, asset: site, locationKey: 'a.exe', evidence: { kind: 'file', path: 'a.exe' } }), context({}, [hint]));
    expect(finding?.priority?.label).not.toBe('incident');
  });
});

describe('own evidence and incidents', () => {
  const host: Asset = { id: 'web01', kind: 'host' };
  const telerikAdvisory: RuleMeta = { id: 'w3g-adv-telerik', title: 'Telerik UI', description: '', severity: 'critical', confidence: 'firm', engine: 'advisory', category: 'vulnerable-component', tags: ['cve.2019-18935', 'kev'], references: [] };
  const attempt: RuleMeta = { id: 'w3g-web-telerik-rau-probe', title: 'probe', description: '', severity: 'low', confidence: 'firm', engine: 'sigma', category: 'webserver', tags: ['cve.2019-18935'], references: [] };
  const sqli: RuleMeta = { id: 'w3g-web-sql-injection', title: 'sqli', description: '', severity: 'high', confidence: 'firm', engine: 'sigma', category: 'webserver', tags: ['attack.t1190'], references: [] };
  const line = (n: number): Evidence => ({ kind: 'log-line', file: 'u_ex.log', line: n, text: 'GET /Telerik.Web.UI.WebResource.axd?type=rau', time: Date.parse('2026-11-20T08:00:00Z') });
  const all = findings(
    { rule: telerikAdvisory, asset: host, locationKey: 'bin/Telerik.Web.UI.dll', evidence: { kind: 'file', path: 'bin/Telerik.Web.UI.dll' } },
    { rule: attempt, asset: host, locationKey: '203.0.113.9', evidence: line(7) },
    { rule: sqli, asset: host, locationKey: '203.0.113.10', evidence: line(9) },
  );
  const rules = [telerikAdvisory, attempt, sqli];

  it('attempts against a vulnerable component raise it to forensic triage; the attempt itself is evidence with no clock', () => {
    const result = prioritizeFindings(all, context({ web01: { exposure: 'internal', criticality: 'low' } }, rules));
    const component = result.find((f) => f.ruleId === telerikAdvisory.id);
    const probe = result.find((f) => f.ruleId === attempt.id);
    expect(component?.priority?.label).toBe('3d-forensic');
    expect(component?.priority?.inputs.find((i) => i.name === 'ownEvidence')).toMatchObject({ value: 'attempt' });
    expect(component?.priority?.inputs.find((i) => i.name === 'ownEvidence')?.detail).toContain(probe?.fingerprint);
    expect(probe?.priority?.label).toBe('3d-forensic');
    expect(probe?.priority?.dueAt).toBeUndefined();
    expect(probe?.priority?.inputs.find((i) => i.name === 'remediationClock')).toMatchObject({ value: false, detail: `attack activity: evidence for ${component?.fingerprint ?? ''}, whose clock runs` });
    const other = result.find((f) => f.ruleId === sqli.id);
    expect(other?.priority?.dueAt).toBeUndefined();
    expect(other?.priority?.inputs.find((i) => i.name === 'remediationClock')?.detail).toContain('no vulnerable component');
    expect(result.map((f) => f.ruleId)).toEqual([telerikAdvisory.id, attempt.id, sqli.id]);
  });

  it('a member of an incident makes the vulnerable component an incident too', () => {
    const probe = all.find((f) => f.ruleId === attempt.id);
    const incident = { id: 'inc-1', asset: 'web01', title: 'exploit, drop, use', kind: 'exploit-drop-use', members: [probe?.fingerprint ?? ''], timeline: [] };
    const result = prioritizeFindings(all, context({}, rules, { incidents: [incident] }));
    expect(result.find((f) => f.ruleId === attempt.id)?.priority?.inputs.find((i) => i.name === 'ownEvidence')).toMatchObject({ value: 'success', source: 'incident:inc-1' });
    expect(result.find((f) => f.ruleId === telerikAdvisory.id)?.priority).toMatchObject({ label: 'incident', modifiers: [{ rule: 'compromise' }] });
    expect(result.find((f) => f.ruleId === sqli.id)?.priority?.label).not.toBe('incident');
  });

  it('without a KEV catalogue, the rule\'s own kev tag still counts, and a CVE without it is assumed not in KEV', () => {
    const result = prioritizeFindings(all, { now, rules });
    expect(result.find((f) => f.ruleId === telerikAdvisory.id)?.priority?.inputs.find((i) => i.name === 'inKev')).toMatchObject({ value: true, source: `rule:${telerikAdvisory.id}` });
    expect(result.find((f) => f.ruleId === attempt.id)?.priority?.inputs.find((i) => i.name === 'inKev')).toMatchObject({ value: false, assumed: true });
  });
});

describe('a real audit run', () => {
  it('directory browsing and TRACE are declared partial and automatable, and the JSON report meets the contract', async () => {
    const report = await runAudit({ paths: ['src/formats/iis-config/fixtures/happy/two-sites'], feedsDir: EMPTY_FEEDS, evidenceCap: 10, minSeverity: 'info', signal: new AbortController().signal, now });
    const browsing = report.findings.find((f) => f.ruleId === 'w3g-cis-iis10-1.3-directory-browsing-off');
    // Exposure unknown: treated as internet-facing (assumed) → row 7, 14 days.
    expect(browsing?.priority).toMatchObject({ label: '14d', dueAt: '2026-12-06T10:00:00.000Z', decision: { row: 7 }, confidence: 0.75 });
    expect(report.findings.find((f) => f.ruleId === 'w3g-cis-iis10-4.6-trace-verb-denied')?.priority?.decision?.row).toBe(7);
    for (const f of report.findings) expect(f.priority?.inputs.filter((i) => ['automatable', 'technicalImpact'].includes(i.name) && i.assumed === true), f.ruleId).toEqual([]);
    if (!existsSync(CONTRACT)) return;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(CONTRACT, 'utf8')) as object);
    const json = JSON.parse(jsonReporter.render(report, { color: false })) as { findings: { priority?: unknown; risk?: number }[] };
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.findings.every((f) => f.priority !== undefined && typeof f.risk === 'number')).toBe(true);
  });
});
