import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node as YamlNode, YAMLMap } from 'yaml';
import { SIGMA_CORRELATION_OPERATORS, SIGMA_CORRELATION_TYPES } from './sigma-correlation.js';
import type {
  SigmaCorrelation,
  SigmaCorrelationComparison,
  SigmaCorrelationCondition,
  SigmaCorrelationRuleRef,
  SigmaCorrelationType,
} from './sigma-correlation.js';
import { entries, parseDocumentMeta, resolve, scalarText } from './sigma-yaml-entries.js';
import type { Emit, Entry, SigmaDocumentSource } from './sigma-yaml-entries.js';

/** Where the correlation document sits, and its id when it has one. */
export type SigmaCorrelationSource = SigmaDocumentSource;

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  // pySigma's lengths: a mean Gregorian month and year.
  M: 2_629_746_000,
  y: 31_556_952_000,
};
const TIMESPAN = /^\s*(\d{1,9})\s*([smhdwMy])\s*$/;
/** Correlations are written by hand; a longer list is hostile or broken. */
const MAX_REFERENCES = 100;
const KNOWN_KEYS = new Set(['type', 'rules', 'group-by', 'timespan', 'condition', 'aliases', 'generate']);

/** Parses one correlation document (a mapping with a `correlation` key); every problem is emitted, undefined when it cannot be used. */
export function parseSigmaCorrelation(
  doc: Document.Parsed,
  root: YAMLMap,
  top: ReadonlyMap<string, Entry>,
  correlation: Entry,
  at: SigmaCorrelationSource,
  emit: Emit,
): SigmaCorrelation | undefined {
  const meta = parseDocumentMeta(doc, root, top, at, emit);

  const node = correlation.value;
  if (!isMap(node)) {
    emit('sigma.correlation-shape', node ?? correlation.key, 'correlation must be a mapping');
    return undefined;
  }
  const fields = entries(doc, node);
  for (const [key, entry] of fields) {
    if (!KNOWN_KEYS.has(key)) emit('sigma.correlation-shape', entry.key, `unknown correlation key "${key}"; ignored`, 'warning');
  }
  const type = parseType(fields.get('type'), correlation.key, emit);
  const rules = parseRuleRefs(doc, fields.get('rules'), correlation.key, emit);
  const groupBy = fields.has('group-by') ? parseTextList(doc, fields.get('group-by'), 'group-by', emit) : [];
  const timespan = parseTimespan(fields.get('timespan'), correlation.key, emit);
  const conditionEntry = fields.get('condition');
  const condition = conditionEntry === undefined ? undefined : parseCondition(doc, conditionEntry, emit);
  const aliases = parseAliases(doc, fields.get('aliases'), emit);
  const generate = parseGenerate(fields.get('generate'), emit);

  if (type !== undefined) {
    if ((type === 'event_count' || type === 'value_count') && conditionEntry === undefined) {
      emit('sigma.correlation-condition', correlation.key, `a ${type} correlation needs a condition`);
    }
    if (type === 'value_count' && condition !== undefined && condition.field === undefined) {
      emit('sigma.correlation-condition', conditionEntry?.key, 'a value_count condition needs field: the field whose distinct values are counted');
    }
    if (type !== 'value_count' && condition?.field !== undefined) {
      emit('sigma.correlation-condition', conditionEntry?.key, `condition.field is only meaningful for value_count; ignored`, 'warning');
    }
    if (type === 'temporal_ordered' && condition !== undefined) {
      emit('sigma.correlation-condition', conditionEntry?.key, 'temporal_ordered always needs the whole sequence; condition ignored', 'warning');
    }
  }
  if (
    meta === undefined ||
    type === undefined ||
    rules === undefined ||
    groupBy === undefined ||
    timespan === undefined ||
    (conditionEntry !== undefined && condition === undefined) ||
    aliases === undefined
  ) {
    return undefined;
  }
  return {
    ...meta,
    correlationLine: emit.lineOf(correlation.key),
    type,
    rules,
    groupBy,
    timespan: timespan.text,
    timespanMs: timespan.ms,
    condition: type === 'temporal_ordered' ? undefined : condition,
    aliases,
    generate,
  };
}

function parseType(entry: Entry | undefined, at: YamlNode, emit: Emit): SigmaCorrelationType | undefined {
  if (entry === undefined || entry.value === null) {
    emit('sigma.correlation-shape', entry?.key ?? at, 'correlation.type is required');
    return undefined;
  }
  const text = scalarText(entry.value);
  const type = SIGMA_CORRELATION_TYPES.find((t) => t === text);
  if (type === undefined) {
    emit('sigma.correlation-type-unknown', entry.value, `unknown correlation type "${text ?? ''}" (known: ${SIGMA_CORRELATION_TYPES.join(', ')})`);
  }
  return type;
}

function parseRuleRefs(doc: Document.Parsed, entry: Entry | undefined, at: YamlNode, emit: Emit): SigmaCorrelationRuleRef[] | undefined {
  if (entry === undefined || entry.value === null) {
    emit('sigma.correlation-shape', entry?.key ?? at, 'correlation.rules is required: the names or ids of the rules it correlates');
    return undefined;
  }
  const items = isSeq(entry.value) ? entry.value.items.map((i) => resolve(doc, i as YamlNode)) : [entry.value];
  if (items.length === 0) {
    emit('sigma.correlation-shape', entry.value, 'correlation.rules is empty');
    return undefined;
  }
  if (items.length > MAX_REFERENCES) {
    emit('sigma.correlation-shape', entry.value, `correlation.rules lists more than ${MAX_REFERENCES} rules`);
    return undefined;
  }
  const refs: SigmaCorrelationRuleRef[] = [];
  for (const item of items) {
    const text = item === null ? undefined : scalarText(item);
    if (text === undefined || text.trim() === '') {
      emit('sigma.correlation-shape', item ?? entry.value, 'correlation.rules entries must be rule names or ids');
      return undefined;
    }
    refs.push({ ref: text, line: emit.lineOf(item ?? entry.value) });
  }
  return refs;
}

function parseTextList(doc: Document.Parsed, entry: Entry | undefined, name: string, emit: Emit): string[] | undefined {
  if (entry === undefined || entry.value === null) return [];
  const items = isSeq(entry.value) ? entry.value.items.map((i) => resolve(doc, i as YamlNode)) : [entry.value];
  const out: string[] = [];
  for (const item of items) {
    const text = item === null ? undefined : scalarText(item);
    if (text === undefined || text === '') {
      emit('sigma.correlation-shape', item ?? entry.value, `correlation.${name} entries must be field names`);
      return undefined;
    }
    out.push(text);
  }
  if (out.length > MAX_REFERENCES) {
    emit('sigma.correlation-shape', entry.value, `correlation.${name} lists more than ${MAX_REFERENCES} fields`);
    return undefined;
  }
  return out;
}

function parseTimespan(entry: Entry | undefined, at: YamlNode, emit: Emit): { text: string; ms: number } | undefined {
  if (entry === undefined || entry.value === null) {
    emit('sigma.correlation-timespan', entry?.key ?? at, 'correlation.timespan is required (for example 5m, 1h, 7d)');
    return undefined;
  }
  const text = scalarText(entry.value);
  const match = text === undefined ? null : TIMESPAN.exec(text);
  const count = Number(match?.[1] ?? 0);
  const unit = UNIT_MS[match?.[2] ?? ''];
  if (text === undefined || unit === undefined || count <= 0) {
    emit('sigma.correlation-timespan', entry.value, `invalid timespan "${text ?? ''}": a positive whole number and one of s, m, h, d, w, M, y`);
    return undefined;
  }
  return { text: text.trim(), ms: count * unit };
}

function parseCondition(doc: Document.Parsed, entry: Entry, emit: Emit): SigmaCorrelationCondition | undefined {
  if (!isMap(entry.value)) {
    emit('sigma.correlation-condition', entry.value ?? entry.key, 'condition must be a mapping such as {gte: 10}');
    return undefined;
  }
  const comparisons: SigmaCorrelationComparison[] = [];
  let field: string | undefined;
  let ok = true;
  for (const [key, { key: keyNode, value }] of entries(doc, entry.value)) {
    if (key === 'field') {
      field = value === null ? undefined : scalarText(value);
      if (field === undefined || field === '') {
        emit('sigma.correlation-condition', value ?? keyNode, 'condition.field must be a field name');
        ok = false;
      }
      continue;
    }
    const operator = SIGMA_CORRELATION_OPERATORS.find((o) => o === key);
    if (operator === undefined) {
      emit('sigma.correlation-condition', keyNode, `unknown condition operator "${key}" (known: ${SIGMA_CORRELATION_OPERATORS.join(', ')})`);
      ok = false;
      continue;
    }
    const number = value !== null && isScalar(value) && typeof value.value === 'number' ? value.value : Number.NaN;
    if (!Number.isInteger(number) || number < 0) {
      emit('sigma.correlation-condition', value ?? keyNode, `condition.${key} must be a whole number, at least 0`);
      ok = false;
      continue;
    }
    comparisons.push({ operator, value: number });
  }
  if (comparisons.length === 0 && ok) {
    emit('sigma.correlation-condition', entry.key, 'condition needs one of gt, gte, lt, lte, eq');
    ok = false;
  }
  return ok ? { comparisons, field, line: emit.lineOf(entry.key) } : undefined;
}

function parseAliases(doc: Document.Parsed, entry: Entry | undefined, emit: Emit): Map<string, Map<string, string>> | undefined {
  const out = new Map<string, Map<string, string>>();
  if (entry === undefined || entry.value === null) return out;
  if (!isMap(entry.value)) {
    emit('sigma.correlation-shape', entry.value, 'correlation.aliases must map each alias to {rule: field}');
    return undefined;
  }
  for (const [alias, { key, value }] of entries(doc, entry.value)) {
    if (!isMap(value)) {
      emit('sigma.correlation-shape', value ?? key, `alias "${alias}" must map rule names or ids to fields`);
      return undefined;
    }
    const perRule = new Map<string, string>();
    for (const [rule, { key: ruleKey, value: fieldNode }] of entries(doc, value)) {
      const field = fieldNode === null ? undefined : scalarText(fieldNode);
      if (field === undefined || field === '') {
        emit('sigma.correlation-shape', fieldNode ?? ruleKey, `alias "${alias}" for rule "${rule}" must be a field name`);
        return undefined;
      }
      perRule.set(rule, field);
    }
    out.set(alias, perRule);
  }
  return out;
}

function parseGenerate(entry: Entry | undefined, emit: Emit): boolean {
  if (entry === undefined || entry.value === null) return false;
  if (isScalar(entry.value) && typeof entry.value.value === 'boolean') return entry.value.value;
  emit('sigma.correlation-shape', entry.value, 'correlation.generate must be true or false; false is used', 'warning');
  return false;
}
