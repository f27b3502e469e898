import type { RuleMeta } from './rule-meta.js';

/**
 * A compiled rule. `needles` lets a caller skip records cheaply: a record can only match when at least
 * one needle (lower case) occurs in its text, raw or decoded. No needles means every record is tested.
 */
export interface Detector<R> {
  readonly meta: RuleMeta;
  readonly needles?: readonly string[];
  /** Record fields without which the detector cannot match: per entry, at least one must be present. */
  readonly requires?: readonly (readonly string[])[];
  test(record: R): boolean;
}
