import type { Finding } from '../core/finding.js';
import type { Incident } from '../core/incident.js';
import type { CveIntel, FeedsUsed } from '../core/inventory-item.js';
import type { RuleMeta } from '../core/rule-meta.js';
import { OUTCOME_GRADED_TAG, REFUSED_SUFFIX } from '../analyzers/weblog/grade-by-outcome.js';
import { decidePriority, DEFAULT_RISK_POLICY, labelRank, type Criticality, type Fact, type OwnEvidence, type RiskFacts, type RiskPolicy } from './decide-priority.js';
import { shippedRiskTables, type RiskTables, type TechnicalImpact } from './risk-tables.js';

/** What the user said about an asset (`w3guard.yaml`, the server's asset registry), inherited from its parents by the caller. */
export interface AssetContext {
  readonly criticality?: 'low' | 'medium' | 'high' | 'critical';
  readonly exposure?: 'internet' | 'internal';
  readonly tags?: readonly string[];
  readonly owners?: readonly string[];
  /** Where it was said, named as the priority input's source; `w3guard.yaml` when not given. */
  readonly source?: string;
}

/** Everything the decision procedure may read besides the findings themselves. */
export interface RiskContext {
  readonly now: () => Date;
  /** The asset's context, with parents' values already inherited; undefined when the user said nothing. */
  readonly assetContext?: (assetId: string) => AssetContext | undefined;
  /** KEV and EPSS for one CVE id (`CVE-2019-18935`), when the feeds know it. */
  readonly cveIntel?: (cveId: string) => CveIntel | undefined;
  /** Which feeds `cveIntel` answers from, for the explanation's `asOf`. */
  readonly feeds?: FeedsUsed;
  /** Metadata of the rules that ran (the report's `rules`), read by rule id. */
  readonly rules?: readonly RuleMeta[];
  /** Correlated incidents: their members count as successful exploitation on their asset. */
  readonly incidents?: readonly Incident[];
  readonly policy?: Partial<RiskPolicy>;
  /** The decision tables; the shipped ones unless a test gives others. */
  readonly tables?: RiskTables;
}

/** Tag of rules whose hit is itself compromise evidence (Sigma `tags`, template tags). */
export const COMPROMISE_TAG = 'w3guard.compromise';

/** Engines whose findings are activity seen in logs and events rather than a weakness of the asset. */
const ACTIVITY_ENGINES = new Set(['sigma', 'behavior', 'line-rule']);

const SSVC_DEFAULT = 'ssvc-default';

/** Gives every finding its `priority` and `risk`, and orders the findings by risk (then asset, rule, location). */
export function prioritizeFindings(findings: readonly Finding[], context: RiskContext): Finding[] {
  const tables = context.tables ?? shippedRiskTables();
  const policy: RiskPolicy = { ...DEFAULT_RISK_POLICY, ...context.policy };
  const rules = new Map((context.rules ?? []).map((rule) => [rule.id, rule]));
  const now = context.now().toISOString();
  const members = new Map<string, Incident>();
  for (const incident of context.incidents ?? []) for (const fingerprint of incident.members) members.set(fingerprint, incident);
  // Traits depend on the rule and on a few properties of the finding: computed once per combination.
  const traitsMemo = new Map<string, Traits>();
  const traitsOf = new Map(
    findings.map((f) => {
      const memoKey = `${f.ruleId}\n${f.category}\n${f.engine}\n${f.tags.join(' ')}\n${f.evidence[0]?.kind ?? ''}`;
      let traits = traitsMemo.get(memoKey);
      if (traits === undefined) {
        traits = ruleTraits(f, rules.get(f.ruleId), tables);
        traitsMemo.set(memoKey, traits);
      }
      return [f.fingerprint, traits];
    }),
  );
  const details = new Map<string, string>();
  const own = ownEvidence(findings, traitsOf, members);
  const remediable = new Map<string, string[]>();
  for (const f of findings) {
    if (ACTIVITY_ENGINES.has(f.engine)) continue;
    for (const cve of cvesOf(f)) pushTo(remediable, key(f.asset, cve), f.fingerprint);
  }
  const prioritized = findings.map((finding): Finding => {
    const traits = traitsOf.get(finding.fingerprint) ?? ruleTraits(finding, undefined, tables);
    const cves = cvesOf(finding);
    const evidence = evidenceFor(finding, cves, own, members);
    const asset = context.assetContext?.(finding.asset);
    const activity = ACTIVITY_ENGINES.has(finding.engine) && !traits.compromise.value && evidence.value !== 'success';
    const facts: RiskFacts = {
      compromise: traits.compromise,
      ownEvidence: evidence,
      inKev: kevFact(finding, cves, context),
      publiclyExposed:
        asset?.exposure === undefined
          ? { value: true, source: SSVC_DEFAULT, assumed: true, detail: 'exposure unknown: treated as publicly exposed' }
          : { value: asset.exposure === 'internet', source: asset.source ?? 'w3guard.yaml', assumed: false, detail: `exposure ${asset.exposure}` },
      automatable: traits.automatable,
      technicalImpact: traits.technicalImpact,
      ...epssFact(cves, context),
      criticality:
        asset?.criticality === undefined
          ? { value: 'medium' as Criticality, source: SSVC_DEFAULT, assumed: true, detail: 'criticality unknown: medium' }
          : { value: asset.criticality, source: asset.source ?? 'w3guard.yaml', assumed: false },
      firstSeen:
        finding.firstSeen === undefined
          ? { value: now, source: 'run', assumed: false, detail: 'the evidence carries no time: the clock starts with this run' }
          : { value: finding.firstSeen, source: 'evidence', assumed: false },
      remediationClock: activity
        ? { value: false, source: 'w3guard', assumed: false, detail: activityDetail(finding, cves, remediable, details) }
        : { value: true, source: 'w3guard', assumed: false },
    };
    const priority = decidePriority(facts, tables, policy);
    return { ...finding, priority, risk: priority.score };
  });
  return prioritized.sort(
    (a, b) =>
      (b.risk ?? 0) - (a.risk ?? 0) ||
      labelRank(b.priority?.label ?? 'next-upgrade') - labelRank(a.priority?.label ?? 'next-upgrade') ||
      compare(a.asset, b.asset) ||
      compare(a.ruleId, b.ruleId) ||
      compare(a.locationKey, b.locationKey),
  );
}

interface Traits {
  readonly compromise: Fact<boolean>;
  readonly automatable: Fact<boolean>;
  readonly technicalImpact: Fact<TechnicalImpact>;
}

/**
 * What the rule says about its hits: its own declaration, the compromise tag, its category or engine default,
 * else SSVC's safe defaults. A category default describes a kind of check, not a CVE: for findings that name a
 * CVE it decides only whether the hit is compromise, and automatable and technical impact come from the rule,
 * our own reproduction from outside, or are assumed.
 */
function ruleTraits(finding: Finding, rule: RuleMeta | undefined, tables: RiskTables): Traits {
  const categoryDefault = tables.ruleDefault(finding);
  const fallback = categoryDefault === undefined ? undefined : `rule-default:${categoryDefault.selector}`;
  const hasCve = cvesOf(finding).length > 0;
  const declared = hasCve ? undefined : categoryDefault;
  const ruleSource = `rule:${finding.ruleId}`;
  const compromise: Fact<boolean> =
    rule?.compromise !== undefined
      ? { value: rule.compromise, source: ruleSource, assumed: false }
      : finding.tags.includes(COMPROMISE_TAG)
        ? { value: true, source: `tag:${COMPROMISE_TAG}`, assumed: false }
        : categoryDefault !== undefined && fallback !== undefined
          ? { value: categoryDefault.compromise, source: fallback, assumed: false }
          : { value: false, source: 'w3guard', assumed: false };
  // An issue our scan reproduced unauthenticated from outside is automatable by definition.
  const verified = finding.evidence[0]?.kind === 'http-exchange' && hasCve;
  const automatable: Fact<boolean> =
    rule?.automatable !== undefined
      ? { value: rule.automatable, source: ruleSource, assumed: false }
      : verified
        ? { value: true, source: 'scan:verified-from-outside', assumed: false }
        : declared !== undefined && fallback !== undefined
          ? { value: declared.automatable, source: fallback, assumed: false }
          : { value: true, source: SSVC_DEFAULT, assumed: true, detail: 'unknown: yes is the safer answer' };
  const technicalImpact: Fact<TechnicalImpact> =
    rule?.technicalImpact !== undefined
      ? { value: rule.technicalImpact, source: ruleSource, assumed: false }
      : declared !== undefined && fallback !== undefined
        ? { value: declared.technicalImpact, source: fallback, assumed: false }
        : { value: 'total', source: SSVC_DEFAULT, assumed: true, detail: 'unknown: total is the safer answer' };
  return { compromise, automatable, technicalImpact };
}

type EvidenceIndex = Map<string, { level: OwnEvidence; evidence: string[] }>;

/** Per asset and CVE, our own exploitation evidence: activity tagged with the CVE is an attempt; an answered graded hit, a compromise hit or an incident member is success. */
function ownEvidence(findings: readonly Finding[], traits: ReadonlyMap<string, Traits>, members: ReadonlyMap<string, Incident>): EvidenceIndex {
  const index: EvidenceIndex = new Map();
  for (const f of findings) {
    const cves = cvesOf(f);
    if (cves.length === 0) continue;
    const success = members.has(f.fingerprint) || traits.get(f.fingerprint)?.compromise.value === true || answeredGradedHit(f);
    if (!success && !ACTIVITY_ENGINES.has(f.engine)) continue;
    for (const cve of cves) {
      const k = key(f.asset, cve);
      const entry = index.get(k) ?? { level: 'none', evidence: [] };
      if (success) entry.level = 'success';
      else if (entry.level === 'none') entry.level = 'attempt';
      if (entry.evidence.length < 5) entry.evidence.push(`${f.ruleId} ${f.fingerprint}`);
      index.set(k, entry);
    }
  }
  return index;
}

function evidenceFor(finding: Finding, cves: readonly string[], index: EvidenceIndex, members: ReadonlyMap<string, Incident>): RiskFacts['ownEvidence'] {
  const incident = members.get(finding.fingerprint);
  if (incident !== undefined) return { value: 'success', source: `incident:${incident.id}`, assumed: false, evidence: [incident.id], detail: `member of incident "${incident.title}"` };
  if (answeredGradedHit(finding)) return { value: 'success', source: 'hunt:outcome-graded', assumed: false, evidence: [finding.fingerprint], detail: 'the server answered the exploit request (not 401, 403 or 404)' };
  let level: OwnEvidence = 'none';
  const evidence: string[] = [];
  for (const cve of cves) {
    const entry = index.get(key(finding.asset, cve));
    if (entry === undefined) continue;
    if (entry.level === 'success' || (entry.level === 'attempt' && level === 'none')) level = entry.level;
    for (const e of entry.evidence) if (!evidence.includes(e)) evidence.push(e);
  }
  return level === 'none'
    ? { value: 'none', source: 'w3guard', assumed: false, evidence: [], detail: cves.length === 0 ? 'no CVE to attribute attempts to' : `no exploitation of ${cves.join(', ')} seen on this asset in this run` }
    : { value: level, source: 'w3guard:hunt/events/sweep', assumed: false, evidence };
}

/** A hit of an outcome-graded rule that the server answered (2xx, 3xx, 5xx): the exploit reached its target. */
function answeredGradedHit(finding: Finding): boolean {
  return finding.tags.includes(OUTCOME_GRADED_TAG) && !finding.locationKey.endsWith(REFUSED_SUFFIX);
}

function kevFact(finding: Finding, cves: readonly string[], context: RiskContext): RiskFacts['inKev'] {
  if (cves.length === 0) return { value: false, source: 'no-cve', assumed: false, detail: 'the finding names no CVE' };
  const taggedKev = finding.tags.includes('kev');
  if (context.cveIntel === undefined) {
    return taggedKev
      ? { value: true, source: `rule:${finding.ruleId}`, assumed: false, detail: `the rule marks ${cves.join(', ')} as in KEV` }
      : { value: false, source: 'none', assumed: true, detail: 'no KEV catalogue was loaded' };
  }
  const lookup = context.cveIntel;
  const listed = cves.map((id) => ({ id, kev: lookup(id)?.kev })).filter((c): c is { id: string; kev: NonNullable<CveIntel['kev']> } => c.kev !== undefined);
  const asOf = context.feeds?.kev?.dateReleased.slice(0, 10);
  const base = { source: 'cisa-kev', assumed: false, ...(asOf === undefined ? {} : { asOf }) };
  if (listed.length === 0) return { value: taggedKev, ...base, ...(taggedKev ? { source: `rule:${finding.ruleId}` } : {}), detail: `${cves.join(', ')} not in the catalogue` };
  // The earliest addition starts the clock: several listed CVEs never earn extra days.
  const first = [...listed].sort((a, b) => compare(a.kev.dateAdded, b.kev.dateAdded))[0] ?? listed[0];
  const ransomware = listed.some((c) => c.kev.knownRansomwareCampaignUse === 'Known');
  return {
    value: true,
    ...base,
    detail: `${listed.map((c) => c.id).join(', ')}${ransomware ? '; used by ransomware' : ''}`,
    ...(first === undefined ? {} : { dateAdded: first.kev.dateAdded, dueDate: first.kev.dueDate }),
  };
}

function epssFact(cves: readonly string[], context: RiskContext): Pick<RiskFacts, 'epss'> {
  let best: { id: string; score: number; percentile: number; date?: string } | undefined;
  for (const id of cves) {
    const epss = context.cveIntel?.(id)?.epss;
    if (epss !== undefined && (best === undefined || epss.score > best.score)) best = { id, ...epss };
  }
  if (best === undefined) return {};
  const asOf = best.date ?? context.feeds?.epss?.scoreDate;
  return { epss: { value: best.score, percentile: best.percentile, source: 'first-epss', assumed: false, detail: best.id, ...(asOf === undefined ? {} : { asOf }) } };
}

function activityDetail(finding: Finding, cves: readonly string[], remediable: ReadonlyMap<string, string[]>, memo: Map<string, string>): string {
  const memoKey = `${finding.asset}\n${cves.join(' ')}`;
  const known = memo.get(memoKey);
  if (known !== undefined) return known;
  const detail = describeActivity(finding, cves, remediable);
  memo.set(memoKey, detail);
  return detail;
}

function describeActivity(finding: Finding, cves: readonly string[], remediable: ReadonlyMap<string, string[]>): string {
  const targets = [...new Set(cves.flatMap((cve) => remediable.get(key(finding.asset, cve)) ?? []))];
  // Named up to a few: a site with hundreds of vulnerable files must not make every attempt's explanation huge.
  const named = targets.length > 3 ? `${targets.slice(0, 3).join(', ')} and ${targets.length - 3} more` : targets.join(', ');
  return targets.length > 0
    ? `attack activity: evidence for ${named}, whose clock runs`
    : 'attack activity with no vulnerable component on the asset in this report: evidence, not a weakness to remediate';
}

/** `cve.2019-18935` tags as `CVE-2019-18935`. */
export function cvesOf(finding: Pick<Finding, 'tags'>): string[] {
  return [...new Set(finding.tags.filter((t) => /^cve\.\d{4}-\d{4,}$/i.test(t)).map((t) => `CVE-${t.slice(4).toUpperCase()}`))];
}

function key(asset: string, cve: string): string {
  return `${asset}\n${cve}`;
}

function pushTo(map: Map<string, string[]>, k: string, value: string): void {
  const list = map.get(k);
  if (list === undefined) map.set(k, [value]);
  else if (!list.includes(value)) list.push(value);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
