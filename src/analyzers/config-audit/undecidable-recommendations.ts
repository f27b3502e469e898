import type { CheckSummary } from '../../core/check-summary.js';
import type { RuleMeta } from '../../core/rule-meta.js';
import { cisRule } from './check-rule.js';
import { commandFix } from './setting-fix.js';

/** A CIS recommendation that configuration files cannot decide, and why; reported as not evaluated, never passed. */
export interface UndecidableRecommendation {
  readonly meta: RuleMeta;
  readonly reason: string;
}

/** The CIS Microsoft IIS 10 recommendations `audit` leaves to the operator. */
export const UNDECIDABLE_RECOMMENDATIONS: readonly UndecidableRecommendation[] = [
  {
    meta: cisRule('2.2', 1, {
      slug: 'sensitive-features-authenticated-only',
      title: 'Sensitive site features are restricted to authenticated users',
      description: 'Administration pages, reports and upload forms should deny anonymous users with an authorization rule on their path.',
      severity: 'low',
      remediation: commandFix(
        'Deny anonymous users on each sensitive path (and allow only the roles that need it).',
        '%windir%\\system32\\inetsrv\\appcmd.exe set config "SITE/admin" -section:system.webServer/security/authorization /+"[accessType=\'Deny\',users=\'?\']"',
        "Add-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location 'SITE/admin' -Filter 'system.webServer/security/authorization' -Name '.' -Value @{accessType='Deny';users='?'}",
      ),
    }),
    reason: "which pages and folders of a site are sensitive (administration, reports, uploads) is the site owner's knowledge, not something the configuration files say",
  },
];

/** One not-evaluated summary per undecidable recommendation, in the shape of the checks' summaries. */
export function undecidableSummaries(recommendations: readonly UndecidableRecommendation[] = UNDECIDABLE_RECOMMENDATIONS): CheckSummary[] {
  return recommendations.map(({ meta, reason }) => ({ id: meta.id, title: meta.title, tags: meta.tags, pass: 0, fail: 0, notEvaluated: 1, notEvaluatedReasons: [reason] }));
}
