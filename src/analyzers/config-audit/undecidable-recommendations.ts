import type { CheckSummary } from '../../core/check-summary.js';

/** A CIS recommendation that configuration files cannot decide, and why; reported as not evaluated, never passed. */
export interface UndecidableRecommendation {
  readonly cis: string;
  readonly level: 1 | 2;
  readonly slug: string;
  readonly title: string;
  readonly reason: string;
}

/** The CIS Microsoft IIS 10 recommendations `audit` leaves to the operator. */
export const UNDECIDABLE_RECOMMENDATIONS: readonly UndecidableRecommendation[] = [
  {
    cis: '2.2',
    level: 1,
    slug: 'sensitive-features-authenticated-only',
    title: 'Sensitive site features are restricted to authenticated users',
    reason: 'which pages and folders of a site are sensitive (administration, reports, uploads) is the site owner\'s knowledge, not something the configuration files say',
  },
];

/** One not-evaluated summary per undecidable recommendation, in the shape of the checks' summaries. */
export function undecidableSummaries(recommendations: readonly UndecidableRecommendation[] = UNDECIDABLE_RECOMMENDATIONS): CheckSummary[] {
  return recommendations.map((recommendation) => ({
    id: `w3g-cis-iis10-${recommendation.cis}-${recommendation.slug}`,
    title: recommendation.title,
    tags: [`cis.iis10.${recommendation.cis}`, `cis.level${recommendation.level}`],
    pass: 0,
    fail: 0,
    notEvaluated: 1,
    notEvaluatedReasons: [recommendation.reason],
  }));
}
