import type { Finding } from '../core/finding.js';
import type { ScanReport } from '../core/report.js';
import type { FindingStore } from '../store/finding-store.js';

/** A report after its run was recorded, and the findings that count for the exit code. */
export interface RecordedReport {
  readonly report: ScanReport;
  /** Found by this run and not suppressed: what `--fail-on` judges. */
  readonly active: readonly Finding[];
  readonly suppressedCount: number;
  readonly fixedCount: number;
}

/**
 * Records a run in the store and returns its report with each finding's lifecycle status, the findings the
 * run closed appended with status `fixed`, and suppressed findings left out unless `showSuppressed`.
 */
export async function recordReport(store: FindingStore, report: ScanReport, showSuppressed: boolean): Promise<RecordedReport> {
  const outcome = await store.recordRun({
    command: report.command,
    toolVersion: report.tool.version,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    findings: report.findings,
    ...(report.coverage === undefined ? {} : { coverage: report.coverage }),
    ...(report.feeds === undefined ? {} : { feeds: report.feeds }),
  });
  const shown = (finding: Finding): boolean => showSuppressed || !outcome.suppressed.has(finding.fingerprint);
  const active = outcome.findings.filter((finding) => !outcome.suppressed.has(finding.fingerprint));
  return {
    report: { ...report, findings: [...outcome.findings.filter(shown), ...outcome.fixed.filter(shown)] },
    active,
    suppressedCount: outcome.suppressed.size,
    fixedCount: outcome.fixed.length,
  };
}
