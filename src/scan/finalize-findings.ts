import { FindingAggregator, type FindingGroup } from '../core/finding-aggregator.js';
import type { Finding } from '../core/finding.js';
import { severityRank, type Severity } from '../core/severity.js';

/** Fingerprints and orders grouped matches, keeping findings at or above `minSeverity`. */
export function finalizeFindings(groups: readonly FindingGroup[], evidenceCap: number, minSeverity: Severity): Finding[] {
  const aggregator = new FindingAggregator(evidenceCap);
  aggregator.merge(groups);
  const floor = severityRank(minSeverity);
  return aggregator.findings().filter((f) => severityRank(f.severity) >= floor);
}
