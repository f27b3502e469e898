import { cveIntel } from '../analyzers/inventory-vulns/advisory-rule.js';
import type { FindingGroup } from '../core/finding-aggregator.js';
import type { FeedsUsed } from '../core/inventory-item.js';
import type { ScanIssue } from '../core/scan-issue.js';
import { loadFeeds, type Feeds } from './load-feeds.js';
import type { RiskContext } from './prioritize-findings.js';

/** The KEV and EPSS lookups the risk step reads, with the feeds they came from and any problem loading them. */
export interface RiskFeeds extends Pick<RiskContext, 'cveIntel' | 'feeds'> {
  readonly issues: readonly ScanIssue[];
}

/** Lookups over feeds already loaded (by the inventory). */
export function riskFeedsFrom(feeds: Pick<Feeds, 'kev' | 'epss'>): Pick<RiskContext, 'cveIntel' | 'feeds'> {
  return { cveIntel: (id) => cveIntel([id], feeds)[0], feeds: feedsUsed(feeds) };
}

/**
 * Loads KEV (the feeds folder's copy, else the shipped snapshot) and EPSS for the risk step, but only when a
 * finding names a CVE: a run without CVEs has nothing to look up and pays nothing.
 */
export async function loadRiskFeeds(groups: readonly FindingGroup[], feedsDir: string): Promise<RiskFeeds> {
  if (!groups.some((g) => g.rule.tags.some((t) => t.startsWith('cve.')))) return { issues: [] };
  const feeds = await loadFeeds(feedsDir);
  return { ...riskFeedsFrom(feeds), issues: feeds.issues };
}

/** What a report says about the feeds that judged it. */
export function feedsUsed(feeds: Pick<Feeds, 'kev' | 'epss'>): FeedsUsed {
  return {
    ...(feeds.kev === undefined ? {} : { kev: { catalogVersion: feeds.kev.catalogVersion, dateReleased: feeds.kev.dateReleased, count: feeds.kev.count, source: feeds.kev.source } }),
    ...(feeds.epss === undefined
      ? {}
      : { epss: { ...(feeds.epss.scoreDate === undefined ? {} : { scoreDate: feeds.epss.scoreDate }), ...(feeds.epss.modelVersion === undefined ? {} : { modelVersion: feeds.epss.modelVersion }), count: feeds.epss.scores.size, source: feeds.epss.source } }),
  };
}
