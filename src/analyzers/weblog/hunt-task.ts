import type { FindingGroup } from '../../core/finding-aggregator.js';
import type { ScanIssue } from '../../core/scan-issue.js';
import type { WebLogFormat } from '../../formats/web-log/web-record.js';
import type { WebLogReaderState, WebLogReaderStats } from '../../formats/web-log/web-log-reader.js';
import type { LogSource } from '../../formats/log-stream/log-source.js';
import type { Asset } from '../../core/asset.js';
import type { Evidence } from '../../core/evidence.js';
import type { CorrelationEvent } from '../../engines/sigma/compile-sigma-correlations.js';
import type { BurstTally } from './burst-detector.js';
import type { WebRuleSources } from './load-web-rules.js';

/** Settings every hunt task shares; plain data so worker threads get the same. */
export interface HuntSettings {
  readonly evidenceCap: number;
  /** Only requests at or after this time (ms, UTC) count. */
  readonly since?: number;
  /** Only requests before this time (ms, UTC) count. */
  readonly until?: number;
  /** Server offset from UTC in minutes for the IIS log file format. */
  readonly localOffsetMinutes: number;
  readonly maxLineBytes: number;
  /** The rules to run; every worker thread loads the same. */
  readonly rules: WebRuleSources;
  /** Thresholds and windows of burst detectors changed by the user (`--burst id=N/5m`), by detector id. */
  readonly burstTuning?: Readonly<Record<string, BurstTuning>>;
}

/** A user's change to one burst detector. */
export interface BurstTuning {
  readonly threshold: number;
  readonly windowMs?: number;
}

/** One unit of hunt work: a whole source, or a line-aligned byte range of a large plain file. */
export interface HuntTask {
  readonly source: LogSource;
  readonly range?: { readonly index: number; readonly start: number; readonly end: number; readonly state?: WebLogReaderState };
}

/** What reading one stream gave. Line numbers in groups and issues are relative to the range's start. */
export interface StreamOutcome {
  readonly path: string;
  readonly format: WebLogFormat | undefined;
  readonly stats: WebLogReaderStats;
  readonly issues: ScanIssue[];
  readonly groups: FindingGroup[];
  /** Requests counted by burst detectors: detector id → key → tally. */
  readonly bursts: BurstEvents;
  /** First and last time of the requests read for each site (asset id), for detectors that judge against a site's period. */
  readonly spans: Map<string, { first: number; last: number }>;
  /** Matches that Sigma correlation rules count, in input order (bounded). */
  readonly correlationEvents: CorrelationEvent<MatchRef>[];
  readonly endState: WebLogReaderState;
  /** Whether a `#Fields`, `#Software` or other directive was seen (so the end state does not depend on the start). */
  readonly sawDirective: boolean;
}

/** What one task gave: one outcome per stream (an archive holds several). */
export interface TaskOutcome {
  readonly task: HuntTask;
  readonly streams: StreamOutcome[];
  readonly issues: ScanIssue[];
}

/**
 * Requests counted by burst detectors, by detector id, then key. Maps, not objects: keys are
 * attacker-controlled text (`__proto__` must stay a key). Worker messages clone Maps as they are.
 */
export type BurstEvents = Map<string, Map<string, BurstTally>>;

/** What a correlation event points back at: the request's line and its asset. */
export interface MatchRef {
  readonly asset: Asset;
  readonly evidence: Evidence;
}
