import type { InputSummary } from './artifact.js';
import type { Coverage } from './coverage.js';
import type { FindingGroup } from './finding-aggregator.js';
import type { RuleMeta } from './rule-meta.js';
import type { ScanIssue } from './scan-issue.js';

/** Progress counters an analyzer reports while it runs. */
export interface AnalyzerProgress {
  bytes: number;
  records: number;
  /** Rule matches so far (before grouping into findings). */
  matches: number;
}

/** What an analyzer hands back: findings grouped in input order, what it read, what went wrong. */
export interface AnalyzerResult {
  groups: FindingGroup[];
  inputs: InputSummary[];
  issues: ScanIssue[];
  rules: RuleMeta[];
  /** Every rule × asset the run evaluated to the end; absent when the analyzer cannot tell (nothing is closed then). */
  coverage?: Coverage[];
}

/** Shared services for a running analyzer. */
export interface AnalyzerContext {
  readonly signal: AbortSignal;
  readonly evidenceCap: number;
  onProgress?(progress: AnalyzerProgress): void;
}

/** Turns one kind of artifact into findings, with formats and engines. One registry lists them. */
export interface Analyzer<Input> {
  readonly id: string;
  /** Bumped when what the analyzer finds changes, so stored results can tell. */
  readonly version: string;
  readonly description: string;
  run(input: Input, context: AnalyzerContext): Promise<AnalyzerResult>;
}
