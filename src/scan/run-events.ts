import type { AnalyzerProgress } from '../core/analyzer.js';
import type { ScanReport } from '../core/report.js';
import type { ScanIssue } from '../core/scan-issue.js';
import type { Severity } from '../core/severity.js';
import type { EventRuleSources } from '../analyzers/eventlog/load-event-rules.js';
import { eventlogAnalyzer } from '../analyzers/eventlog/eventlog-analyzer.js';
import { findEvtxFiles, hostEventLogFolder } from '../targets/find-evtx-files.js';
import { assembleReport } from './assemble-report.js';
import { defaultFeedsDir } from './load-feeds.js';
import { loadRiskFeeds } from './load-risk-feeds.js';

/** Everything `events` needs, parsed and validated. */
export interface EventsRequest {
  readonly paths: readonly string[];
  /** Host roots whose `Windows/System32/winevt/Logs` is read. */
  readonly hosts: readonly string[];
  readonly threads: number;
  readonly evidenceCap: number;
  readonly minSeverity: Severity;
  readonly since?: number;
  readonly until?: number;
  readonly correlationWindowMs: number;
  readonly rules: EventRuleSources;
  /** Where "feeds update" keeps KEV and EPSS, for the risk of findings that name a CVE (default: the user's cache). */
  readonly feedsDir?: string;
  readonly signal: AbortSignal;
  /** The clock, injected so reports are reproducible in tests. */
  readonly now: () => Date;
  readonly onProgress?: (progress: AnalyzerProgress) => void;
}

/** Finds the EVTX files under the given paths and host roots, runs the event-log analyzer, and returns the report. */
export async function runEvents(request: EventsRequest): Promise<ScanReport> {
  const startedAt = request.now().toISOString();
  const walkIssues: ScanIssue[] = [];
  const folders = await Promise.all(request.hosts.map((host) => hostEventLogFolder(host)));
  const sources = await findEvtxFiles([...request.paths, ...folders], (issue) => walkIssues.push(issue));
  const result = await eventlogAnalyzer.run(
    {
      sources,
      threads: request.threads,
      correlationWindowMs: request.correlationWindowMs,
      settings: {
        rules: request.rules,
        evidenceCap: request.evidenceCap,
        ...(request.since === undefined ? {} : { since: request.since }),
        ...(request.until === undefined ? {} : { until: request.until }),
      },
    },
    { signal: request.signal, evidenceCap: request.evidenceCap, ...(request.onProgress === undefined ? {} : { onProgress: request.onProgress }) },
  );
  const risk = await loadRiskFeeds(result.groups, request.feedsDir ?? defaultFeedsDir());
  // A --since/--until run reads part of each log, and a folder that could not be walked part of the logs: neither closes anything.
  const partial = request.since !== undefined || request.until !== undefined || walkIssues.length > 0;
  return assembleReport(
    { command: 'events', startedAt, now: request.now, evidenceCap: request.evidenceCap, minSeverity: request.minSeverity, risk },
    { ...result, issues: [...walkIssues, ...result.issues, ...risk.issues], ...(partial ? { coverage: [] } : {}) },
  );
}
