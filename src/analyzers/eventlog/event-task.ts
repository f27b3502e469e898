import type { FindingGroup } from '../../core/finding-aggregator.js';
import type { RuleMeta } from '../../core/rule-meta.js';
import type { ScanIssue } from '../../core/scan-issue.js';
import type { SigmaDiagnostic } from '../../engines/sigma/sigma-diagnostic.js';
import type { EventRuleSources } from './load-event-rules.js';
import type { TreeEvent } from './process-tree-incidents.js';

/** Settings every part of an events run shares; plain data, sent to worker threads as is. */
export interface EventSettings {
  readonly rules: EventRuleSources;
  readonly evidenceCap: number;
  readonly since?: number;
  readonly until?: number;
}

/** A part of one EVTX file: chunks `from` to `to` (exclusive). */
export interface EventTask {
  readonly path: string;
  readonly size: number;
  readonly from: number;
  readonly to: number;
}

/** What reading one task gave, as plain data. */
export interface EventTaskOutcome {
  readonly groups: FindingGroup[];
  readonly tree: TreeEvent[];
  readonly issues: ScanIssue[];
  readonly records: number;
  readonly skipped: number;
  readonly matches: number;
  /** The hosts (asset ids) of the records read: every rule ran on each of them. */
  readonly hosts: string[];
  /** Set when the file is not EVTX at all. */
  readonly notEvtx?: string;
  /** On a worker's first outcome: what compiling the rules gave, so the main thread need not compile them again. */
  readonly rules?: EventRuleSummary;
}

/** The rules of a run as plain data: those that compiled, their diagnostics, and how many are for other log sources. */
export interface EventRuleSummary {
  readonly metas: readonly RuleMeta[];
  readonly diagnostics: readonly SigmaDiagnostic[];
  readonly otherLogsource: number;
}
