import type { Confidence } from './confidence.js';
import type { Evidence } from './evidence.js';
import type { FindingStatus } from './finding-status.js';
import type { Priority } from './priority.js';
import type { Severity } from './severity.js';

/** A finalized finding: aggregated, fingerprinted, ready for reporters and the store. */
export interface Finding {
  readonly fingerprint: string;
  readonly ruleId: string;
  readonly engine: string;
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly confidence: Confidence;
  readonly category: string;
  readonly asset: string;
  readonly locationKey: string;
  readonly tags: readonly string[];
  readonly references: readonly string[];
  readonly remediation?: string;
  readonly occurrences: number;
  /** ISO 8601 UTC, when the evidence carries a time. */
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  /** A capped sample, the first hit always first. */
  readonly evidence: readonly Evidence[];
  /** Lifecycle against the store, set only when the run was recorded (`--db`). */
  readonly status?: FindingStatus;
  /** 0–100, the explained risk; equals `priority.score`. Set by the prioritize step of finalize. */
  readonly risk?: number;
  readonly priority?: Priority;
  /** Fingerprints of findings joined with this one into one incident (log line → file → event). */
  readonly related?: readonly string[];
  /** Present (with `--show-suppressed`) when a suppression in the store covers this finding. */
  readonly suppression?: { readonly reason: string; readonly until?: string; readonly by?: string };
}
