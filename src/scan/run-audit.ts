import type { AnalyzerProgress } from '../core/analyzer.js';
import type { ScanReport } from '../core/report.js';
import type { Severity } from '../core/severity.js';
import { BUILTIN_ANALYZERS } from '../analyzers/registry.js';
import { findAuditSources } from '../targets/find-audit-sources.js';
import { finalizeFindings } from './finalize-findings.js';
import { TOOL_VERSION } from './tool-version.js';

/** Everything `audit` needs, parsed and validated. */
export interface AuditRequest {
  readonly paths: readonly string[];
  readonly evidenceCap: number;
  readonly minSeverity: Severity;
  readonly signal: AbortSignal;
  /** The clock, injected so reports are reproducible in tests. */
  readonly now: () => Date;
  readonly onProgress?: (progress: AnalyzerProgress) => void;
}

/** Audits the IIS configuration under the given host roots or files and returns the report. Input errors throw `InputError`. */
export async function runAudit(request: AuditRequest): Promise<ScanReport> {
  const startedAt = request.now().toISOString();
  const sources = await findAuditSources(request.paths);
  const result = await BUILTIN_ANALYZERS.configAudit.run(
    { sources },
    { signal: request.signal, evidenceCap: request.evidenceCap, ...(request.onProgress === undefined ? {} : { onProgress: request.onProgress }) },
  );
  return {
    tool: { name: 'w3guard', version: TOOL_VERSION },
    command: 'audit',
    startedAt,
    finishedAt: request.now().toISOString(),
    inputs: result.inputs,
    issues: result.issues,
    findings: finalizeFindings(result.groups, request.evidenceCap, request.minSeverity),
    rules: result.rules,
    checks: result.checks,
  };
}
