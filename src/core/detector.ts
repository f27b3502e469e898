import type { RuleMeta } from './rule-meta.js';

/**
 * A compiled rule. `needles` lets a caller skip records cheaply: a record can only match when at least
 * one needle (lower case) occurs in its text, raw or decoded. No needles means every record is tested.
 */
export interface Detector<R> {
  readonly meta: RuleMeta;
  readonly needles?: readonly string[];
  test(record: R): boolean;
}
