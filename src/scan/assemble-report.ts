import type { AnalyzerResult } from '../core/analyzer.js';
import type { CheckSummary } from '../core/check-summary.js';
import type { Finding } from '../core/finding.js';
import type { Incident } from '../core/incident.js';
import type { ScanReport } from '../core/report.js';
import { severityRank, type Severity } from '../core/severity.js';
import { finalizeFindings } from './finalize-findings.js';
import { prioritizeFindings, type RiskContext } from './prioritize-findings.js';
import { TOOL_VERSION } from './tool-version.js';

/** What every scanning command needs to turn an analyzer's result into the report. */
export interface ReportFrame {
  readonly command: string;
  readonly startedAt: string;
  readonly now: () => Date;
  readonly evidenceCap: number;
  readonly minSeverity: Severity;
  /** What the risk step may read besides the findings and the rules: feeds, the user's asset context, incidents. */
  readonly risk?: Omit<RiskContext, 'now' | 'rules' | 'incidents'>;
  /**
   * Joins the finalized findings into incidents before the risk step reads them (`host`): members of an
   * incident count as successful exploitation on their asset.
   */
  readonly correlate?: (findings: readonly Finding[]) => { readonly findings: readonly Finding[]; readonly incidents: readonly Incident[] };
}

/**
 * The report of one run: findings finalized (fingerprinted, prioritized, ordered by risk, filtered), the rest
 * as the analyzer gave it.
 */
export function assembleReport(frame: ReportFrame, result: AnalyzerResult & { readonly checks?: readonly CheckSummary[] }): ScanReport {
  // Prioritized before the --min-severity filter: a low-severity refused attempt is still evidence against its asset.
  const floor = severityRank(frame.minSeverity);
  const finalized = finalizeFindings(result.groups, frame.evidenceCap, 'info');
  const correlated = frame.correlate?.(finalized);
  const findings = prioritizeFindings(correlated?.findings ?? finalized, {
    ...frame.risk,
    now: frame.now,
    rules: result.rules,
    ...(correlated === undefined ? {} : { incidents: correlated.incidents }),
  }).filter((f) => severityRank(f.severity) >= floor);
  return {
    tool: { name: 'w3guard', version: TOOL_VERSION },
    command: frame.command,
    startedAt: frame.startedAt,
    finishedAt: frame.now().toISOString(),
    inputs: result.inputs,
    issues: result.issues,
    findings,
    ...(correlated === undefined ? {} : { incidents: correlated.incidents }),
    rules: result.rules,
    ...(result.checks === undefined ? {} : { checks: result.checks }),
    // A run that drops findings below --min-severity did not report everything it covered: it must close nothing.
    ...(result.coverage === undefined || frame.minSeverity !== 'info' ? {} : { coverage: result.coverage }),
  };
}
