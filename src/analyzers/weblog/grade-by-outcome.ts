import type { FindingGroup } from '../../core/finding-aggregator.js';
import type { FindingDraft } from '../../core/finding-draft.js';
import type { RuleMeta } from '../../core/rule-meta.js';
import type { WebRecord } from '../../formats/web-log/web-record.js';

/**
 * Tag of rules whose hits are graded by the server's answer: an exploit that the server refused or could
 * not find (401, 403, 404) is an attempt, not a compromise, and is worth a look but not an incident.
 */
export const OUTCOME_GRADED_TAG = 'w3guard.outcome-graded';

const REFUSED = new Set(['401', '403', '404']);

/** Appended to the location key of refused hits, keeping attempts apart from successes. */
export const REFUSED_SUFFIX = ' refused';

/** The rule a hit counts under, and what keeps attempts apart from successes in the same finding list. */
export interface GradedHit {
  readonly rule: RuleMeta;
  readonly outcome: '' | typeof REFUSED_SUFFIX;
}

/** Grades hits of one set of rules; each rule's "refused" variant is built once. */
export class OutcomeGrader {
  readonly #refused = new Map<RuleMeta, RuleMeta>();

  grade(rule: RuleMeta, record: WebRecord): GradedHit {
    if (!rule.tags.includes(OUTCOME_GRADED_TAG) || !isRefused(record)) return { rule, outcome: '' };
    let refused = this.#refused.get(rule);
    if (refused === undefined) {
      refused = {
        ...rule,
        title: `${rule.title} (refused: attempt only)`,
        description: `${rule.description} The server answered 401, 403 or 404, or HTTP.sys refused the request before IIS saw it: the attempt did not reach its target.`,
        severity: rule.severity === 'info' ? 'info' : 'low',
      };
      this.#refused.set(rule, refused);
    }
    return { rule: refused, outcome: REFUSED_SUFFIX };
  }
}

/**
 * Refused: answered 401, 403 or 404, or any line of an HTTPERR log, where HTTP.sys writes the requests it refused or
 * dropped (its `s-reason`) before any application saw them.
 */
function isRefused(record: WebRecord): boolean {
  if (REFUSED.has(record.get('sc-status') ?? '')) return true;
  const reason = record.get('s-reason');
  return reason !== undefined && reason !== '' && reason !== '-';
}

const ATTEMPT_THEN_SUCCESS: RuleMeta = {
  id: 'w3g-web-attempt-then-success',
  title: 'Exploit attempts refused, then one answered, from the same client',
  description:
    'A client whose exploit requests the server first refused (401, 403, 404) later got a 2xx, 3xx or 5xx answer to an exploit request on the same site: it kept trying until something reached its target. The evidence holds the first refused attempt and the first answered one.',
  severity: 'critical',
  confidence: 'firm',
  engine: 'behavior',
  category: 'behavior',
  tags: ['attack.initial-access', 'attack.t1190'],
  compromise: true,
  references: ['https://attack.mitre.org/techniques/T1190/'],
  remediation: 'Treat the site as compromised from the time of the answered request: look for files written then (w3guard sweep) and processes started by w3wp.exe (w3guard events).',
};

/** The rule of `attemptThenSuccess` findings. */
export const ATTEMPT_THEN_SUCCESS_RULE = ATTEMPT_THEN_SUCCESS;

/**
 * From the merged findings of a hunt: per site and client, refused hits of graded rules followed (at the
 * same time or later) by answered hits of graded rules. One draft per such client with the first refused
 * attempt and the first answered hit as evidence.
 */
export function attemptThenSuccess(groups: readonly FindingGroup[]): FindingDraft[] {
  const graded = groups.filter((g) => g.rule.tags.includes(OUTCOME_GRADED_TAG));
  const answered = new Map<string, FindingGroup[]>();
  for (const g of graded) {
    if (g.locationKey.endsWith(REFUSED_SUFFIX)) continue;
    const key = `${g.asset.id}\n${g.locationKey}`;
    const list = answered.get(key);
    if (list === undefined) answered.set(key, [g]);
    else list.push(g);
  }
  const drafts: FindingDraft[] = [];
  const done = new Set<string>();
  for (const refused of graded) {
    if (!refused.locationKey.endsWith(REFUSED_SUFFIX)) continue;
    const client = refused.locationKey.slice(0, -REFUSED_SUFFIX.length);
    const key = `${refused.asset.id}\n${client}`;
    if (done.has(key)) continue;
    const start = refused.firstSeen ?? Number.NEGATIVE_INFINITY;
    const success = (answered.get(key) ?? [])
      .filter((g) => (g.lastSeen ?? Number.POSITIVE_INFINITY) >= start)
      .sort((a, b) => (a.firstSeen ?? 0) - (b.firstSeen ?? 0))[0];
    const attempt = refused.head[0];
    const hit = success === undefined ? undefined : success.head.find((e) => e.time === undefined || e.time >= start) ?? success.last;
    if (attempt === undefined || hit === undefined) continue;
    done.add(key);
    for (const evidence of [attempt, hit]) drafts.push({ rule: ATTEMPT_THEN_SUCCESS, asset: refused.asset, locationKey: client, evidence });
  }
  return drafts;
}
