import type { SigmaDocumentMeta } from './sigma-rule.js';

/** The correlation types of the Sigma v2 specification. */
export const SIGMA_CORRELATION_TYPES = ['event_count', 'value_count', 'temporal', 'temporal_ordered'] as const;

/** One correlation type. */
export type SigmaCorrelationType = (typeof SIGMA_CORRELATION_TYPES)[number];

/** The comparison operators a correlation condition may use. */
export const SIGMA_CORRELATION_OPERATORS = ['gt', 'gte', 'lt', 'lte', 'eq'] as const;

/** One comparison operator. */
export type SigmaCorrelationOperator = (typeof SIGMA_CORRELATION_OPERATORS)[number];

/** One `operator: number` of a condition; several are AND-ed (`gte: 10, lte: 20` is a range). */
export interface SigmaCorrelationComparison {
  readonly operator: SigmaCorrelationOperator;
  readonly value: number;
}

/** The `condition` of a correlation: comparisons on the counted quantity, and for `value_count` the field whose distinct values are counted. */
export interface SigmaCorrelationCondition {
  readonly comparisons: readonly SigmaCorrelationComparison[];
  readonly field: string | undefined;
  readonly line: number;
}

/** A rule named in `correlation.rules`, by `name` or `id`, with the line it is written on. */
export interface SigmaCorrelationRuleRef {
  readonly ref: string;
  readonly line: number;
}

/** `aliases.<alias>.<rule ref>: field`: the field an alias (used in `group-by`) means for each referenced rule. */
export type SigmaCorrelationAliases = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** A Sigma correlation (meta-)rule, shape-checked, its references not yet resolved. */
export interface SigmaCorrelation extends SigmaDocumentMeta {
  /** 1-based line of the `correlation:` key. */
  readonly correlationLine: number;
  readonly type: SigmaCorrelationType;
  readonly rules: readonly SigmaCorrelationRuleRef[];
  /** Sigma field names (or alias names); empty means one group for everything. */
  readonly groupBy: readonly string[];
  /** The timespan as written (`5m`). */
  readonly timespan: string;
  /** The timespan in milliseconds. */
  readonly timespanMs: number;
  /** Undefined for `temporal` / `temporal_ordered` without a condition: all referenced rules must match. */
  readonly condition: SigmaCorrelationCondition | undefined;
  readonly aliases: SigmaCorrelationAliases;
  /** `generate: true`: the referenced rules also report their own matches; the caller decides what that means. */
  readonly generate: boolean;
}
