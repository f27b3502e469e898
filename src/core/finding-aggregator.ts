import type { Asset } from './asset.js';
import type { Evidence } from './evidence.js';
import type { Finding } from './finding.js';
import type { FindingDraft } from './finding-draft.js';
import { fingerprint } from './fingerprint.js';
import type { RuleMeta } from './rule-meta.js';
import { severityRank } from './severity.js';

/** Default number of evidence items kept per finding. */
export const DEFAULT_EVIDENCE_CAP = 10;

/**
 * The running state of one finding. Plain data, so a worker thread can send it to the main thread.
 * `head` holds the first hits in input order; `last` the latest hit once `head` is full.
 */
export interface FindingGroup {
  rule: RuleMeta;
  asset: Asset;
  locationKey: string;
  occurrences: number;
  firstSeen?: number;
  lastSeen?: number;
  head: Evidence[];
  last?: Evidence;
}

/** Groups drafts into findings: one rule, one asset, one location key. */
export class FindingAggregator {
  readonly #groups = new Map<string, FindingGroup>();
  readonly #cap: number;
  /** Room for first hits; one more slot keeps the latest hit when the cap allows it. */
  readonly #headCap: number;

  constructor(evidenceCap = DEFAULT_EVIDENCE_CAP) {
    this.#cap = Math.max(1, Math.floor(evidenceCap));
    this.#headCap = Math.max(1, this.#cap - 1);
  }

  get size(): number {
    return this.#groups.size;
  }

  /** Adds one draft; drafts must arrive in input order so the first hit stays first. */
  add(draft: FindingDraft): void {
    const key = groupKey(draft.rule.id, draft.asset.id, draft.locationKey);
    const group = this.#groups.get(key);
    if (group === undefined) {
      const fresh: FindingGroup = { rule: draft.rule, asset: draft.asset, locationKey: draft.locationKey, occurrences: 0, head: [] };
      this.#groups.set(key, fresh);
      this.#addTo(fresh, draft.evidence);
      return;
    }
    this.#addTo(group, draft.evidence);
  }

  /** Merges groups collected later in input order (for example by a worker that read the next part of a file). */
  merge(groups: Iterable<FindingGroup>): void {
    for (const other of groups) {
      const key = groupKey(other.rule.id, other.asset.id, other.locationKey);
      const group = this.#groups.get(key);
      if (group === undefined) {
        this.#groups.set(key, { ...other, head: [...other.head] });
        continue;
      }
      group.occurrences += other.occurrences;
      group.firstSeen = minDefined(group.firstSeen, other.firstSeen);
      group.lastSeen = maxDefined(group.lastSeen, other.lastSeen);
      const room = this.#headCap - group.head.length;
      const moved = room > 0 ? other.head.slice(0, room) : [];
      group.head.push(...moved);
      const latest = other.last ?? (other.head.length > moved.length ? other.head[other.head.length - 1] : undefined);
      if (latest !== undefined && this.#cap > 1) group.last = latest;
    }
  }

  /** The groups as plain data. */
  groups(): FindingGroup[] {
    return [...this.#groups.values()];
  }

  /** Fingerprinted findings in a stable order: severity, then asset, rule, location. */
  findings(): Finding[] {
    return [...this.#groups.values()].map(toFinding).sort(compareFindings);
  }

  #addTo(group: FindingGroup, evidence: Evidence): void {
    group.occurrences += 1;
    if (evidence.time !== undefined) {
      group.firstSeen = minDefined(group.firstSeen, evidence.time);
      group.lastSeen = maxDefined(group.lastSeen, evidence.time);
    }
    if (group.head.length < this.#headCap) group.head.push(evidence);
    else if (this.#cap > 1) group.last = evidence;
  }
}

/** Orders findings for output: most severe first, then asset, rule and location key. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareText(a.asset, b.asset) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.locationKey, b.locationKey)
  );
}

function toFinding(group: FindingGroup): Finding {
  const { rule } = group;
  const evidence = group.last === undefined ? group.head : [...group.head, group.last];
  return {
    fingerprint: fingerprint(rule.id, group.asset.id, group.locationKey),
    ruleId: rule.id,
    engine: rule.engine,
    title: rule.title,
    description: rule.description,
    severity: rule.severity,
    confidence: rule.confidence,
    category: rule.category,
    asset: group.asset.id,
    locationKey: group.locationKey,
    tags: rule.tags,
    references: rule.references,
    ...(rule.remediation === undefined ? {} : { remediation: rule.remediation }),
    occurrences: group.occurrences,
    ...(group.firstSeen === undefined ? {} : { firstSeen: new Date(group.firstSeen).toISOString() }),
    ...(group.lastSeen === undefined ? {} : { lastSeen: new Date(group.lastSeen).toISOString() }),
    evidence,
  };
}

function groupKey(ruleId: string, assetId: string, locationKey: string): string {
  return `${ruleId}\u0000${assetId}\u0000${locationKey}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}
