import type { AnalyzerResult } from '../core/analyzer.js';
import type { CheckSummary } from '../core/check-summary.js';
import type { ScanReport } from '../core/report.js';
import type { Severity } from '../core/severity.js';
import { finalizeFindings } from './finalize-findings.js';
import { TOOL_VERSION } from './tool-version.js';

/** What every scanning command needs to turn an analyzer's result into the report. */
export interface ReportFrame {
  readonly command: string;
  readonly startedAt: string;
  readonly now: () => Date;
  readonly evidenceCap: number;
  readonly minSeverity: Severity;
}

/** The report of one run: findings finalized (fingerprinted, ordered, filtered), the rest as the analyzer gave it. */
export function assembleReport(frame: ReportFrame, result: AnalyzerResult & { readonly checks?: readonly CheckSummary[] }): ScanReport {
  return {
    tool: { name: 'w3guard', version: TOOL_VERSION },
    command: frame.command,
    startedAt: frame.startedAt,
    finishedAt: frame.now().toISOString(),
    inputs: result.inputs,
    issues: result.issues,
    findings: finalizeFindings(result.groups, frame.evidenceCap, frame.minSeverity),
    rules: result.rules,
    ...(result.checks === undefined ? {} : { checks: result.checks }),
    // A run that drops findings below --min-severity did not report everything it covered: it must close nothing.
    ...(result.coverage === undefined || frame.minSeverity !== 'info' ? {} : { coverage: result.coverage }),
  };
}
