import type { AnalyzerProgress } from '../core/analyzer.js';
import type { ScanReport } from '../core/report.js';
import type { Severity } from '../core/severity.js';
import type { WebRuleSources } from '../analyzers/weblog/load-web-rules.js';
import type { HuntSettings } from '../analyzers/weblog/hunt-task.js';
// The web-log analyzer alone, not the registry: a hunt should not load the scanner's HTTP stack at start.
import { weblogAnalyzer } from '../analyzers/weblog/weblog-analyzer.js';
import { findLogFiles } from '../targets/find-log-files.js';
import { assembleReport } from './assemble-report.js';
import { defaultFeedsDir } from './load-feeds.js';
import { loadRiskFeeds } from './load-risk-feeds.js';

/** Everything `hunt` needs, parsed and validated. */
export interface HuntRequest {
  readonly paths: readonly string[];
  readonly threads: number;
  readonly evidenceCap: number;
  readonly minSeverity: Severity;
  readonly since?: number;
  readonly until?: number;
  readonly localOffsetMinutes: number;
  readonly maxLineBytes: number;
  readonly rules: WebRuleSources;
  readonly burstTuning?: HuntSettings['burstTuning'];
  /** Where "feeds update" keeps KEV and EPSS, for the risk of findings that name a CVE (default: the user's cache). */
  readonly feedsDir?: string;
  readonly signal: AbortSignal;
  /** The clock, injected so reports are reproducible in tests. */
  readonly now: () => Date;
  readonly onProgress?: (progress: AnalyzerProgress) => void;
}

/** Finds the logs under the given paths, hunts them, and returns the report. Input errors throw `InputError`. */
export async function runHunt(request: HuntRequest): Promise<ScanReport> {
  const startedAt = request.now().toISOString();
  const sources = await findLogFiles(request.paths, { signal: request.signal });
  const result = await weblogAnalyzer.run(
    {
      sources,
      threads: request.threads,
      settings: {
        evidenceCap: request.evidenceCap,
        localOffsetMinutes: request.localOffsetMinutes,
        maxLineBytes: request.maxLineBytes,
        rules: request.rules,
        ...(request.burstTuning === undefined ? {} : { burstTuning: request.burstTuning }),
        ...(request.since === undefined ? {} : { since: request.since }),
        ...(request.until === undefined ? {} : { until: request.until }),
      },
    },
    { signal: request.signal, evidenceCap: request.evidenceCap, ...(request.onProgress === undefined ? {} : { onProgress: request.onProgress }) },
  );
  // A --since/--until run reads part of each log: it looked at every rule, but not at everything, so it closes nothing.
  const windowed = request.since !== undefined || request.until !== undefined;
  const risk = await loadRiskFeeds(result.groups, request.feedsDir ?? defaultFeedsDir());
  return assembleReport(
    { command: 'hunt', startedAt, now: request.now, evidenceCap: request.evidenceCap, minSeverity: request.minSeverity, risk },
    { ...result, issues: [...result.issues, ...risk.issues], ...(windowed ? { coverage: [] } : {}) },
  );
}
