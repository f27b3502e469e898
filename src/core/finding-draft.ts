import type { Asset } from './asset.js';
import type { Evidence } from './evidence.js';
import type { RuleMeta } from './rule-meta.js';

/** One analyzer's claim from one match, before aggregation and fingerprinting. */
export interface FindingDraft {
  readonly rule: RuleMeta;
  readonly asset: Asset;
  /** What separates findings of one rule on one asset: the client IP for web logs, a path for files. */
  readonly locationKey: string;
  readonly evidence: Evidence;
}
