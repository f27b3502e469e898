import type { Priority, PriorityInput, PriorityLabel, PriorityModifier } from '../core/priority.js';
import type { BaseLabel, Exploitation, Mission, RiskTables, TechnicalImpact } from './risk-tables.js';

/** One observed or assumed fact: its value, where it came from, and whether it was assumed for lack of data. */
export interface Fact<T> {
  readonly value: T;
  readonly source: string;
  readonly assumed: boolean;
  readonly asOf?: string;
  readonly detail?: string;
}

export type Criticality = 'low' | 'medium' | 'high' | 'critical';
export type OwnEvidence = 'none' | 'attempt' | 'success';

/** Everything the decision procedure reads about one finding, gathered by `prioritizeFindings`. */
export interface RiskFacts {
  /** The finding is itself compromise evidence (a web shell on disk, `w3wp.exe` spawning a shell). */
  readonly compromise: Fact<boolean>;
  /** Our own evidence of exploitation against this asset for this finding's CVEs (or for the finding itself). */
  readonly ownEvidence: Fact<OwnEvidence> & { readonly evidence: readonly string[] };
  readonly inKev: Fact<boolean> & { readonly dateAdded?: string; readonly dueDate?: string };
  readonly publiclyExposed: Fact<boolean>;
  readonly automatable: Fact<boolean>;
  readonly technicalImpact: Fact<TechnicalImpact>;
  readonly epss?: Fact<number> & { readonly percentile: number };
  /** CVSS base score 0–10. */
  readonly cvss?: Fact<number>;
  readonly criticality: Fact<Criticality>;
  /** When the finding was first seen on the asset (or the run time), ISO 8601. */
  readonly firstSeen: Fact<string>;
  /** False for attack activity that is evidence for something else, not a weakness to remediate. */
  readonly remediationClock: Fact<boolean>;
}

/** Choices an organisation may make; the defaults follow the research behind docs/risk.md. */
export interface RiskPolicy {
  /** Days until "next upgrade" is due. */
  readonly nextUpgradeDays: number;
  /** Whether KEV's own `dueDate` may shorten the clock further. */
  readonly kevDueDateCap: boolean;
}

export const DEFAULT_RISK_POLICY: RiskPolicy = { nextUpgradeDays: 180, kevDueDateCap: false };

/** Labels from the least to the most urgent. */
const ORDER: readonly PriorityLabel[] = ['next-upgrade', '60d', '14d', '3d', '3d-forensic', 'incident'];

/** The rank of a label, 0 (next upgrade) to 5 (incident). */
export function labelRank(label: PriorityLabel): number {
  return ORDER.indexOf(label);
}

/** Score bands: floor and width per label; they do not overlap, so the score orders labels first. */
export const SCORE_BANDS: Readonly<Record<PriorityLabel, { readonly floor: number; readonly width: number }>> = {
  incident: { floor: 90, width: 10 },
  '3d-forensic': { floor: 80, width: 10 },
  '3d': { floor: 70, width: 10 },
  '14d': { floor: 50, width: 20 },
  '60d': { floor: 25, width: 25 },
  'next-upgrade': { floor: 0, width: 25 },
};

const CRITICALITY_WEIGHT: Readonly<Record<Criticality, number>> = { low: 0, medium: 1 / 3, high: 2 / 3, critical: 1 };
const DAYS: Readonly<Record<Exclude<PriorityLabel, 'next-upgrade'>, number>> = { incident: 1, '3d-forensic': 3, '3d': 3, '14d': 14, '60d': 60 };
const DAY_MS = 86_400_000;
/** EPSS probability from which a not-yet-exploited CVE is treated one step more urgently. */
export const EPSS_AMPLIFIER = 0.75;

/**
 * The decision procedure: the compromise gate, the CISA BOD 26-04 base table, own attempts, EPSS and
 * criticality as one-step modifiers, the due date and the 0–100 score, with every input named.
 */
export function decidePriority(facts: RiskFacts, tables: RiskTables, policy: RiskPolicy = DEFAULT_RISK_POLICY): Priority {
  const modifiers: PriorityModifier[] = [];
  const own = facts.ownEvidence.value;
  const ke = facts.inKev.value || own !== 'none';
  const pe = facts.publiclyExposed.value || own !== 'none';
  const base = tables.bod(ke, pe, facts.automatable.value, facts.technicalImpact.value);
  let label: PriorityLabel = base.label;
  const evidence = facts.ownEvidence.evidence.length === 0 ? {} : { evidence: facts.ownEvidence.evidence };
  if (facts.compromise.value || own === 'success') {
    label = 'incident';
    modifiers.push({ rule: 'compromise', effect: 'incident', ...(facts.compromise.value ? { evidence: [facts.compromise.source] } : evidence) });
  } else {
    if (own === 'attempt' && labelRank(label) < labelRank('3d-forensic')) {
      label = '3d-forensic';
      modifiers.push({ rule: 'own-attempts', effect: '≥3d-forensic', ...evidence });
    }
    if (!ke && facts.epss !== undefined && facts.epss.value >= EPSS_AMPLIFIER) label = tighten(label, modifiers, 'epss', `EPSS ${facts.epss.value} ≥ ${EPSS_AMPLIFIER}`);
    if (facts.criticality.value === 'critical') label = tighten(label, modifiers, 'criticality', 'critical asset');
    if (facts.criticality.value === 'low' && !ke) label = loosen(label as BaseLabel, modifiers);
  }
  const score = scoreOf(label, facts);
  const dueAt = facts.remediationClock.value ? dueOf(label, facts, ke, policy) : undefined;
  const ssvcCisa = coordinatorLevel(facts, tables, ke);
  const observed = [facts.inKev, facts.publiclyExposed, facts.automatable, facts.technicalImpact].filter((f) => !f.assumed).length;
  return {
    label,
    score,
    ...(dueAt === undefined ? {} : { dueAt }),
    confidence: observed / 4,
    ...(ssvcCisa === undefined ? {} : { ssvcCisa }),
    decision: { table: tables.bodTable, row: base.row, inputs: { inKev: ke, publiclyExposed: pe, automatable: facts.automatable.value, technicalImpact: facts.technicalImpact.value } },
    modifiers,
    inputs: explain(facts),
  };
}

/** One step more urgent, never past 3 days and never adding forensic triage. */
function tighten(label: PriorityLabel, modifiers: PriorityModifier[], rule: string, why: string): PriorityLabel {
  if (labelRank(label) >= labelRank('3d')) return label;
  const next = ORDER[labelRank(label) + 1] ?? label;
  modifiers.push({ rule, effect: `${label}→${next}`, evidence: [why] });
  return next;
}

/** One step less urgent, never below next upgrade (only for low-criticality assets without known exploitation). */
function loosen(label: BaseLabel, modifiers: PriorityModifier[]): PriorityLabel {
  // 3d-forensic needs known exploitation, which rules loosening out, so it never gets here.
  const next = label === 'next-upgrade' ? label : (ORDER[labelRank(label) - 1] ?? label);
  if (next !== label) modifiers.push({ rule: 'criticality', effect: `${label}→${next}`, evidence: ['low-criticality asset'] });
  return next;
}

function scoreOf(label: PriorityLabel, facts: RiskFacts): number {
  const band = SCORE_BANDS[label];
  const epss = facts.epss?.percentile ?? 0.5;
  const cvss = facts.cvss === undefined ? 0.5 : facts.cvss.value / 10;
  const weight = 0.4 * epss + 0.35 * CRITICALITY_WEIGHT[facts.criticality.value] + 0.25 * cvss;
  return Math.round((band.floor + band.width * weight) * 10) / 10;
}

function dueOf(label: PriorityLabel, facts: RiskFacts, ke: boolean, policy: RiskPolicy): string {
  let entered = Date.parse(facts.firstSeen.value);
  // Feed lag earns no extra days: the clock of a KEV entry starts when it was added, if that is later.
  if (ke && facts.inKev.value && facts.inKev.dateAdded !== undefined) entered = Math.max(entered, Date.parse(`${facts.inKev.dateAdded}T00:00:00Z`));
  const days = label === 'next-upgrade' ? policy.nextUpgradeDays : DAYS[label];
  let due = entered + days * DAY_MS;
  if (policy.kevDueDateCap && facts.inKev.value && facts.inKev.dueDate !== undefined) due = Math.min(due, Date.parse(`${facts.inKev.dueDate}T00:00:00Z`));
  return new Date(due).toISOString();
}

/** The CISA coordinator level, shown beside the label, when exploitation is known (KEV or our own evidence). */
function coordinatorLevel(facts: RiskFacts, tables: RiskTables, ke: boolean): Priority['ssvcCisa'] {
  const exploitation: Exploitation | undefined = ke || facts.compromise.value ? 'active' : undefined;
  if (exploitation === undefined) return undefined;
  const mission: Mission = facts.criticality.value === 'critical' ? 'high' : facts.criticality.value;
  return tables.coordinator(exploitation, facts.automatable.value, facts.technicalImpact.value, mission).level;
}

function explain(facts: RiskFacts): PriorityInput[] {
  const input = (name: string, fact: Fact<string | number | boolean>, extra: { detail?: string } = {}): PriorityInput => ({
    name,
    value: fact.value,
    source: fact.source,
    ...(fact.asOf === undefined ? {} : { asOf: fact.asOf }),
    ...(fact.assumed ? { assumed: true } : {}),
    ...(extra.detail ?? fact.detail) === undefined ? {} : { detail: extra.detail ?? fact.detail },
  });
  const kevDetail = [facts.inKev.detail, facts.inKev.dateAdded === undefined ? undefined : `dateAdded ${facts.inKev.dateAdded}`, facts.inKev.dueDate === undefined ? undefined : `dueDate ${facts.inKev.dueDate}`].filter((s) => s !== undefined).join('; ');
  return [
    input('compromise', facts.compromise),
    input('ownEvidence', facts.ownEvidence, facts.ownEvidence.evidence.length === 0 ? {} : { detail: facts.ownEvidence.evidence.join(', ') }),
    input('inKev', facts.inKev, kevDetail === '' ? {} : { detail: kevDetail }),
    input('publiclyExposed', facts.publiclyExposed),
    input('automatable', facts.automatable),
    input('technicalImpact', facts.technicalImpact),
    facts.epss === undefined
      ? { name: 'epss', value: null, source: 'none', assumed: true, detail: 'no EPSS score: 0.5 used for the score, no modifier' }
      : input('epss', facts.epss, { detail: `percentile ${facts.epss.percentile}` }),
    facts.cvss === undefined ? { name: 'cvss', value: null, source: 'none', assumed: true, detail: 'no CVSS base score: 0.5 used for the score' } : input('cvss', facts.cvss),
    input('criticality', facts.criticality),
    input('firstSeen', facts.firstSeen),
    input('remediationClock', facts.remediationClock),
  ];
}
