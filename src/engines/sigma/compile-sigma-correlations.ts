import type { RuleMeta } from '../../core/rule-meta.js';
import type { CompiledSigmaRule, SigmaCompileOptions } from './compile-sigma-rule.js';
import type { SigmaCorrelation, SigmaCorrelationComparison, SigmaCorrelationType } from './sigma-correlation.js';
import type { SigmaDiagnostic } from './sigma-diagnostic.js';
import type { SigmaRecord } from './sigma-record.js';

/** Default bound on what one group of one correlation may hold (timestamps, distinct values). */
export const DEFAULT_MAX_EVENTS_PER_GROUP = 10_000;

/** What compiling correlations needs besides them: the rule field mapping, and the per-group memory bound. */
export interface SigmaCorrelationCompileOptions extends SigmaCompileOptions {
  /** A condition needing more remembered events (or distinct values) per group than this is a diagnostic. */
  readonly maxEventsPerGroup?: number;
}

/**
 * One matching record as a correlation sees it: small enough to collect per worker and evaluate later.
 * `ref` is the caller's reference to the record (for example `file:line`); hits keep a capped sample of them.
 */
export interface CorrelationEvent<R> {
  /** `meta.id` of the correlation. */
  readonly correlationId: string;
  /** `meta.id` of the referenced rule that matched. */
  readonly ruleId: string;
  readonly groupKey: string;
  /** Milliseconds; events must come in time order. */
  readonly time: number;
  /** For value_count: the value of the counted field (one event per value of a list field). */
  readonly value?: string;
  readonly ref: R;
}

/** A correlation bound to the compiled rules it references. */
export interface CompiledSigmaCorrelation {
  readonly meta: RuleMeta;
  readonly correlation: SigmaCorrelation;
  readonly type: SigmaCorrelationType;
  readonly timespanMs: number;
  /** `meta.id` of each referenced rule, in the order the correlation lists them. */
  readonly ruleIds: readonly string[];
  /** True when the condition has an upper bound (`lt`, `lte`, `eq`): it is judged when a window closes, not as events arrive. */
  readonly upperBounded: boolean;
  /** The most a group must remember (timestamps or distinct values) to judge the condition. */
  readonly stateLimit: number;
  /** The group of a record that matched `ruleId`: a JSON array of the group-by values (`[]` without group-by). */
  groupKey(record: SigmaRecord, ruleId?: string): string;
  /** For value_count: the values of the counted field in a record that matched `ruleId`; empty otherwise. */
  values(record: SigmaRecord, ruleId?: string): readonly string[];
  /** The events a record that matched `ruleIds` gives this correlation (none when it matched no referenced rule). */
  events<R>(ruleIds: readonly string[], record: SigmaRecord, time: number, ref: R): CorrelationEvent<R>[];
  /** True when the counted quantity (events, distinct values, distinct rules) satisfies the condition. */
  holds(quantity: number): boolean;
}

/** The correlations that compiled, and the diagnostics of all of them. */
export interface SigmaCorrelationSet {
  readonly compiled: readonly CompiledSigmaCorrelation[];
  readonly diagnostics: readonly SigmaDiagnostic[];
}

/**
 * Binds correlations to compiled rules (referenced by `name` or `id`); a correlation naming a rule that is
 * missing or failed to compile, or another correlation (chaining), is a diagnostic and is left out.
 */
export function compileSigmaCorrelations(
  correlations: readonly SigmaCorrelation[],
  compiledRules: readonly CompiledSigmaRule[],
  options: SigmaCorrelationCompileOptions = {},
): SigmaCorrelationSet {
  const byRef = new Map<string, CompiledSigmaRule>();
  for (const rule of compiledRules) {
    for (const ref of [rule.meta.id, rule.rule.name, rule.rule.id]) if (ref !== undefined && !byRef.has(ref)) byRef.set(ref, rule);
  }
  const correlationRefs = new Set(correlations.flatMap((c) => [c.name, c.id].filter((x): x is string => x !== undefined)));
  const maxEvents = options.maxEventsPerGroup ?? DEFAULT_MAX_EVENTS_PER_GROUP;
  const compiled: CompiledSigmaCorrelation[] = [];
  const diagnostics: SigmaDiagnostic[] = [];
  for (const correlation of correlations) {
    const ruleId = correlation.name ?? correlation.id ?? correlation.fallbackId;
    const local: SigmaDiagnostic[] = [];
    const report = (code: SigmaDiagnostic['code'], line: number, message: string): void => {
      local.push({ code, message: `${correlation.title}: ${message}`, file: correlation.file, line, ruleId, severity: 'error' });
    };
    const rules: CompiledSigmaRule[] = [];
    for (const { ref, line } of correlation.rules) {
      const rule = byRef.get(ref);
      if (rule !== undefined) rules.push(rule);
      else if (correlationRefs.has(ref)) report('sigma.correlation-unsupported', line, `"${ref}" is a correlation; chained correlations are not supported`);
      else report('sigma.correlation-rule-unknown', line, `no compiled rule has the name or id "${ref}" (missing, or it failed to compile)`);
    }
    const comparisons = conditionOf(correlation, new Set(rules.map((r) => r.meta.id)).size);
    const upperBounded = correlation.type !== 'temporal_ordered' && comparisons.some((c) => c.operator !== 'gt' && c.operator !== 'gte');
    const stateLimit = stateLimitOf(correlation.type, comparisons, upperBounded, rules.length);
    if (stateLimit > maxEvents) {
      report(
        'sigma.correlation-condition',
        correlation.condition?.line ?? correlation.correlationLine,
        `the condition needs ${stateLimit} remembered events per group, more than the limit of ${maxEvents}`,
      );
    }
    diagnostics.push(...local);
    if (local.length > 0) continue;
    compiled.push(bind(correlation, ruleId, rules, comparisons, upperBounded, stateLimit, byRef, options));
  }
  return { compiled, diagnostics };
}

/** The comparisons to apply; temporal types without a condition need every distinct referenced rule. */
function conditionOf(correlation: SigmaCorrelation, distinctRules: number): readonly SigmaCorrelationComparison[] {
  if (correlation.type === 'temporal_ordered' || correlation.condition === undefined) return [{ operator: 'gte', value: distinctRules }];
  return correlation.condition.comparisons;
}

/** How much a group must remember: lower bounds fire once reached; upper bounds need one more than the bound to know it is broken. */
function stateLimitOf(type: SigmaCorrelationType, comparisons: readonly SigmaCorrelationComparison[], upperBounded: boolean, rules: number): number {
  if (type === 'temporal' || type === 'temporal_ordered') return rules;
  // A closed window of event_count only counts.
  if (type === 'event_count' && upperBounded) return 0;
  let need = 0;
  for (const { operator, value } of comparisons) need = Math.max(need, operator === 'gt' || operator === 'lte' || operator === 'eq' ? value + 1 : value);
  return need;
}

function bind(
  correlation: SigmaCorrelation,
  id: string,
  rules: readonly CompiledSigmaRule[],
  comparisons: readonly SigmaCorrelationComparison[],
  upperBounded: boolean,
  stateLimit: number,
  byRef: ReadonlyMap<string, CompiledSigmaRule>,
  options: SigmaCorrelationCompileOptions,
): CompiledSigmaCorrelation {
  const mapping = options.fieldMapping ?? new Map<string, readonly string[]>();
  // alias → rule meta.id → Sigma field
  const aliases = new Map<string, Map<string, string>>();
  for (const [alias, perRule] of correlation.aliases) {
    const resolved = new Map<string, string>();
    for (const [ref, field] of perRule) {
      const rule = byRef.get(ref);
      if (rule !== undefined) resolved.set(rule.meta.id, field);
    }
    aliases.set(alias, resolved);
  }
  const fieldFor = (name: string, ruleId: string | undefined): string => (ruleId === undefined ? undefined : aliases.get(name)?.get(ruleId)) ?? name;
  const read = (record: SigmaRecord, sigmaField: string): string[] => {
    for (const name of mapping.get(sigmaField) ?? [sigmaField]) {
      const value = record.field(name);
      if (value === undefined) continue;
      const list = Array.isArray(value) ? value : [value];
      return list.filter((v) => v !== null).map(String);
    }
    return [];
  };
  const groupKey = (record: SigmaRecord, ruleId?: string): string =>
    JSON.stringify(correlation.groupBy.map((name) => read(record, fieldFor(name, ruleId)).join(',')));
  const counted = correlation.type === 'value_count' ? correlation.condition?.field : undefined;
  const values = (record: SigmaRecord, ruleId?: string): readonly string[] => (counted === undefined ? [] : [...new Set(read(record, fieldFor(counted, ruleId)))]);
  const ruleIds = rules.map((r) => r.meta.id);
  const referenced = new Set(ruleIds);
  const first = rules[0];
  const meta: RuleMeta = {
    id,
    title: correlation.title,
    description: correlation.description,
    severity: correlation.level,
    confidence: 'firm',
    engine: 'sigma',
    category: first?.meta.category ?? 'sigma',
    tags: correlation.tags,
    references: correlation.references,
  };
  return {
    meta,
    correlation,
    type: correlation.type,
    timespanMs: correlation.timespanMs,
    ruleIds,
    upperBounded,
    stateLimit,
    groupKey,
    values,
    events<R>(matched: readonly string[], record: SigmaRecord, time: number, ref: R): CorrelationEvent<R>[] {
      const out: CorrelationEvent<R>[] = [];
      for (const ruleId of new Set(matched)) {
        if (!referenced.has(ruleId)) continue;
        const key = groupKey(record, ruleId);
        if (counted === undefined) out.push({ correlationId: id, ruleId, groupKey: key, time, ref });
        else for (const value of values(record, ruleId)) out.push({ correlationId: id, ruleId, groupKey: key, time, value, ref });
      }
      return out;
    },
    holds: (quantity) => comparisons.every((c) => compare(quantity, c)),
  };
}

function compare(quantity: number, { operator, value }: SigmaCorrelationComparison): boolean {
  switch (operator) {
    case 'gt':
      return quantity > value;
    case 'gte':
      return quantity >= value;
    case 'lt':
      return quantity < value;
    case 'lte':
      return quantity <= value;
    case 'eq':
      return quantity === value;
  }
}
