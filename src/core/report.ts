import type { InputSummary } from './artifact.js';
import type { Asset } from './asset.js';
import type { CheckSummary } from './check-summary.js';
import type { Coverage } from './coverage.js';
import type { Finding } from './finding.js';
import type { Incident } from './incident.js';
import type { FeedsUsed, InventoryItem, VerificationResult } from './inventory-item.js';
import type { RuleMeta } from './rule-meta.js';
import type { ScanIssue } from './scan-issue.js';

/** Everything a reporter needs; the JSON reporter prints it as the report contract. */
export interface ScanReport {
  readonly tool: { readonly name: 'w3guard'; readonly version: string };
  readonly command: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly inputs: readonly InputSummary[];
  readonly issues: readonly ScanIssue[];
  readonly findings: readonly Finding[];
  /** The asset tree the findings sit on (`host`): ids, kinds, names as configured, parents, folders. */
  readonly assets?: readonly Asset[];
  /** Findings of several analyzers joined into stories (`host`). */
  readonly incidents?: readonly Incident[];
  /** Metadata of every rule that ran, for formats that describe rules (SARIF). */
  readonly rules: readonly RuleMeta[];
  /** Pass/fail/not-evaluated counts of configuration checks, for commands that run checks (`audit`). */
  readonly checks?: readonly CheckSummary[];
  /** Every component found, matched or not, for commands that inventory software (`inventory`). */
  readonly inventory?: readonly InventoryItem[];
  /** Per-vulnerability comparison with an earlier report (`inventory --verify`). */
  readonly verification?: readonly VerificationResult[];
  /** The KEV and EPSS data the run used. */
  readonly feeds?: FeedsUsed;
  /** What the run looked at (rule × asset), for the findings store; not printed. */
  readonly coverage?: readonly Coverage[];
}
