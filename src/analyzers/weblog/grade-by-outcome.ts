import type { RuleMeta } from '../../core/rule-meta.js';
import type { WebRecord } from '../../formats/web-log/web-record.js';

/**
 * Tag of rules whose hits are graded by the server's answer: an exploit that the server refused or could
 * not find (401, 403, 404) is an attempt, not a compromise, and is worth a look but not an incident.
 */
export const OUTCOME_GRADED_TAG = 'w3guard.outcome-graded';

const REFUSED = new Set(['401', '403', '404']);

/** The rule a hit counts under, and what keeps attempts apart from successes in the same finding list. */
export interface GradedHit {
  readonly rule: RuleMeta;
  readonly outcome: '' | ' refused';
}

/** Grades hits of one set of rules; each rule's "refused" variant is built once. */
export class OutcomeGrader {
  readonly #refused = new Map<RuleMeta, RuleMeta>();

  grade(rule: RuleMeta, record: WebRecord): GradedHit {
    if (!rule.tags.includes(OUTCOME_GRADED_TAG) || !REFUSED.has(record.get('sc-status') ?? '')) return { rule, outcome: '' };
    let refused = this.#refused.get(rule);
    if (refused === undefined) {
      refused = {
        ...rule,
        title: `${rule.title} (refused: attempt only)`,
        description: `${rule.description} The server answered 401, 403 or 404: the attempt did not reach its target.`,
        severity: rule.severity === 'info' ? 'info' : 'low',
      };
      this.#refused.set(rule, refused);
    }
    return { rule: refused, outcome: ' refused' };
  }
}
