import type { AnalyzerProgress } from '../core/analyzer.js';
import type { ScanReport } from '../core/report.js';
import type { Severity } from '../core/severity.js';
import { configAuditAnalyzer } from '../analyzers/config-audit/config-audit-analyzer.js';
import { findAuditSources } from '../targets/find-audit-sources.js';
import { assembleReport } from './assemble-report.js';
import { defaultFeedsDir } from './load-feeds.js';
import { loadRiskFeeds } from './load-risk-feeds.js';

/** Everything `audit` needs, parsed and validated. */
export interface AuditRequest {
  readonly paths: readonly string[];
  readonly evidenceCap: number;
  readonly minSeverity: Severity;
  /** Where "feeds update" keeps KEV and EPSS, for the risk of findings that name a CVE (default: the user's cache). */
  readonly feedsDir?: string;
  readonly signal: AbortSignal;
  /** The clock, injected so reports are reproducible in tests. */
  readonly now: () => Date;
  readonly onProgress?: (progress: AnalyzerProgress) => void;
}

/** Audits the IIS configuration under the given host roots or files and returns the report. Input errors throw `InputError`. */
export async function runAudit(request: AuditRequest): Promise<ScanReport> {
  const startedAt = request.now().toISOString();
  const sources = await findAuditSources(request.paths);
  const result = await configAuditAnalyzer.run(
    { sources },
    { signal: request.signal, evidenceCap: request.evidenceCap, ...(request.onProgress === undefined ? {} : { onProgress: request.onProgress }) },
  );
  const risk = await loadRiskFeeds(result.groups, request.feedsDir ?? defaultFeedsDir());
  return assembleReport({ command: 'audit', startedAt, now: request.now, evidenceCap: request.evidenceCap, minSeverity: request.minSeverity, risk }, { ...result, issues: [...result.issues, ...risk.issues] });
}
