import { BlockList, isIP } from 'node:net';
import RE2 from 're2';
import type { Detector } from '../../core/detector.js';
import type { RuleMeta } from '../../core/rule-meta.js';
import { LazyNeedleAutomaton } from '../needle/lazy-needle-automaton.js';
import { compileSigmaString, foldRecent } from './compile-sigma-string.js';
import { requiredRegexLiteral } from './regex-literal.js';
import { foldCase } from './fold-case.js';
import { parseSigmaCondition } from './parse-sigma-condition.js';
import type { SigmaConditionNode } from './parse-sigma-condition.js';
import type { SigmaDiagnostic, SigmaDiagnosticCode } from './sigma-diagnostic.js';
import { SIGMA_MODIFIERS } from './sigma-modifiers.js';
import type { SigmaMatcherType, SigmaTransformContext } from './sigma-modifiers.js';
import { fieldNeedles, needleOfString, needlesOfAll, needlesOfAny, termsOfAll, termsOfAny, termsOfNeedles, type SigmaNeedleTerms } from './sigma-needles.js';
import { requiredOfAll, requiredOfAny, type SigmaRequiredFields } from './sigma-required-fields.js';
import { keysOfAll, keysOfAny, keysOfValues, type SigmaFieldKeys } from './sigma-field-keys.js';
import type { SigmaNeedles } from './sigma-needles.js';
import type { SigmaRecord, SigmaValue } from './sigma-record.js';
import type { SigmaDetectionItem, SigmaLogsource, SigmaRule, SigmaSearch } from './sigma-rule.js';
import { parseSigmaString } from './sigma-string.js';
import type { SigmaString } from './sigma-string.js';

/** Sigma field name → the record field names it means; a match on any of them counts. Unmapped names are used as is. */
export type SigmaFieldMapping = ReadonlyMap<string, readonly string[]>;

/** What compiling needs besides the rule. */
export interface SigmaCompileOptions {
  readonly fieldMapping?: SigmaFieldMapping;
  /** Values of `%name%` placeholders for the `expand` modifier. */
  readonly placeholders?: ReadonlyMap<string, readonly string[]>;
}

/** A Sigma rule compiled into closures over a SigmaRecord. */
export interface CompiledSigmaRule extends Detector<SigmaRecord> {
  readonly meta: RuleMeta;
  readonly logsource: SigmaLogsource;
  /** Lower-case strings of which one occurs in the text of every matching record; undefined when unknown. */
  readonly needles: readonly string[] | undefined;
  /** Finer than `needles`: alternatives of one or two needle sets that must occur together; undefined when unknown. */
  readonly needleTerms: SigmaNeedleTerms;
  /**
   * The same promise per field: needles tagged with the field (see `fieldNeedles`) of which one occurs
   * in that field's values of every matching record; undefined when unknown.
   */
  readonly fieldNeedles: readonly string[] | undefined;
  /** Record fields (per entry, one of them) without which the rule cannot match. */
  readonly requires: SigmaRequiredFields;
  /** Integer values of which the record must hold one, per entry (`EventID: 4728`); absent or empty when none is known. */
  readonly keys?: readonly SigmaFieldKeys[];
  readonly rule: SigmaRule;
  test(record: SigmaRecord): boolean;
}

/** The compiled rule, when it has no error, and every diagnostic met while compiling. */
export interface SigmaCompileResult {
  readonly compiled: CompiledSigmaRule | undefined;
  readonly diagnostics: readonly SigmaDiagnostic[];
}

type Test = (record: SigmaRecord) => boolean;

interface Compiled {
  readonly test: Test;
  readonly needles: SigmaNeedles;
  readonly terms: SigmaNeedleTerms;
  readonly fieldNeedles: SigmaNeedles;
  readonly requires: SigmaRequiredFields;
  readonly keys: readonly SigmaFieldKeys[];
  /** Rough work of one test (values read times values compared): AND and OR try cheap parts first. */
  readonly cost: number;
}

/** A condition names a search that failed to compile; that failure is already reported. */
class FailedSearch extends Error {}

class CompileError extends Error {
  constructor(
    readonly code: SigmaDiagnosticCode,
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** Compiles a parsed Sigma rule; an unsupported feature is a diagnostic and no compiled rule, never a silent non-match. */
export function compileSigmaRule(rule: SigmaRule, options: SigmaCompileOptions = {}): SigmaCompileResult {
  const ruleId = rule.id ?? rule.fallbackId;
  const diagnostics: SigmaDiagnostic[] = [];
  const report = (error: CompileError): void => {
    diagnostics.push({ code: error.code, message: `${rule.title}: ${error.message}`, file: rule.file, line: error.line, ruleId, severity: 'error' });
  };
  const context: ItemContext = {
    mapping: options.fieldMapping ?? new Map(),
    transform: { placeholders: options.placeholders ?? new Map() },
  };
  const searches = new Map<string, Compiled>();
  for (const search of rule.detection.searches.values()) {
    try {
      searches.set(search.name, compileSearch(search, context));
    } catch (error) {
      if (!(error instanceof CompileError)) throw error;
      report(error);
    }
  }
  const conditions: Compiled[] = [];
  for (const condition of rule.detection.conditions) {
    const parsed = parseSigmaCondition(condition.text);
    if (!parsed.ok) {
      report(new CompileError(parsed.aggregation ? 'sigma.aggregation-unsupported' : 'sigma.condition-syntax', parsed.message, condition.line));
      continue;
    }
    try {
      conditions.push(compileCondition(parsed.node, rule.detection.searches, searches, condition.line));
    } catch (error) {
      if (error instanceof FailedSearch) continue;
      if (!(error instanceof CompileError)) throw error;
      report(error);
    }
  }
  if (diagnostics.length > 0) return { compiled: undefined, diagnostics };
  const combined = anyOf(conditions);
  return {
    compiled: { meta: sigmaRuleMeta(rule), logsource: rule.logsource, needles: combined.needles, needleTerms: combined.terms, fieldNeedles: combined.fieldNeedles, requires: combined.requires, ...(combined.keys.length === 0 ? {} : { keys: combined.keys }), rule, test: combined.test },
    diagnostics,
  };
}

/** The finding rule a Sigma rule reports as. */
function sigmaRuleMeta(rule: SigmaRule): RuleMeta {
  return {
    id: rule.name ?? rule.id ?? rule.fallbackId,
    title: rule.title,
    description: rule.description,
    severity: rule.level,
    confidence: 'firm',
    engine: 'sigma',
    category: rule.logsource.category ?? rule.logsource.service ?? rule.logsource.product ?? 'sigma',
    tags: rule.tags,
    references: rule.references,
  };
}

/**
 * What compiling a rule (with given options) found, as plain, structured-cloneable data: everything of a
 * compiled rule but its test. An index of rules is built from this alone, so it can be worked out once per
 * run (or kept between runs) and a rule's closures built only when a record first reaches its test.
 */
export type SigmaCompileSummary =
  | ({ readonly ok: true } & Pick<CompiledSigmaRule, 'needles' | 'needleTerms' | 'fieldNeedles' | 'requires' | 'keys'>)
  | { readonly ok: false; readonly diagnostics: readonly SigmaDiagnostic[] };

/** A compile result as its summary. */
export function summarizeSigmaCompile(result: SigmaCompileResult): SigmaCompileSummary {
  const c = result.compiled;
  if (c === undefined) return { ok: false, diagnostics: result.diagnostics };
  return { ok: true, needles: c.needles, needleTerms: c.needleTerms, fieldNeedles: c.fieldNeedles, requires: c.requires, ...(c.keys === undefined ? {} : { keys: c.keys }) };
}

/**
 * The rule as its summary says it compiles (with the same options), its test compiled on its first call:
 * most of a large rule set is never tested on a given log (its needles never occur there), and compiling
 * SigmaHQ's closures takes a thread over a second.
 */
export function lazySigmaRule(rule: SigmaRule, summary: SigmaCompileSummary, options: SigmaCompileOptions = {}): SigmaCompileResult {
  if (!summary.ok) return { compiled: undefined, diagnostics: summary.diagnostics };
  const compiled: CompiledSigmaRule & { test: Test } = {
    meta: sigmaRuleMeta(rule),
    logsource: rule.logsource,
    needles: summary.needles,
    needleTerms: summary.needleTerms,
    fieldNeedles: summary.fieldNeedles,
    requires: summary.requires,
    ...(summary.keys === undefined ? {} : { keys: summary.keys }),
    rule,
    test(record) {
      // The summary was made by this compiler from this rule: it compiles. Should it not, it matches nothing.
      compiled.test = compileSigmaRule(rule, options).compiled?.test ?? (() => false);
      return compiled.test(record);
    },
  };
  return { compiled, diagnostics: [] };
}

/**
 * The parts' tests, cheapest first (stable): tests are pure, so AND and OR give the same answer in any
 * order, and a rule that needs `cs-method: POST` and a path in one of four URI values fails on a GET after
 * one comparison instead of after the path search.
 */
function cheapFirst(parts: readonly Compiled[]): Test[] {
  return parts
    .map((part, i) => ({ part, i }))
    .sort((a, b) => a.part.cost - b.part.cost || a.i - b.i)
    .map(({ part }) => part.test);
}

const costOf = (parts: readonly Compiled[]): number => parts.reduce((sum, p) => sum + p.cost, 0);

/*
 * The tests below run for every record a rule is tried on: they loop instead of calling `some`/`every` with a
 * closure, which allocated a function per call (1.3 KB a record of the events benchmark's garbage, of 22 KB).
 */

/** True when one of `tests` holds for `a` (and `b`). */
function anyHolds<A, B>(tests: readonly ((a: A, b: B) => boolean)[], a: A, b: B): boolean {
  for (let i = 0; i < tests.length; i += 1) if ((tests[i] as (a: A, b: B) => boolean)(a, b)) return true;
  return false;
}

/** True when every one of `tests` holds for `a` (and `b`). */
function allHold<A, B>(tests: readonly ((a: A, b: B) => boolean)[], a: A, b: B): boolean {
  for (let i = 0; i < tests.length; i += 1) if (!(tests[i] as (a: A, b: B) => boolean)(a, b)) return false;
  return true;
}

function anyOf(parts: readonly Compiled[]): Compiled {
  // An OR of one part is that part: its needle sets are minimal already, and SigmaHQ's long value lists
  // would otherwise be sorted and minimised again at every level of the rule (a search of one map, a
  // rule of one condition).
  const [single] = parts;
  if (parts.length === 1 && single !== undefined) return single;
  const tests = cheapFirst(parts);
  const only = tests[0];
  return {
    test: tests.length === 1 && only !== undefined ? only : (r) => anyHolds(tests, r, undefined),
    needles: needlesOfAny(parts.map((p) => p.needles)),
    terms: termsOfAny(parts.map((p) => p.terms)),
    fieldNeedles: needlesOfAny(parts.map((p) => p.fieldNeedles), true),
    requires: requiredOfAny(parts.map((p) => p.requires)),
    keys: keysOfAny(parts.map((p) => p.keys)),
    cost: costOf(parts),
  };
}

function allOf(parts: readonly Compiled[]): Compiled {
  const [single] = parts;
  // Of one part, only the needle terms change (an AND keeps at most two sets of one alternative).
  if (parts.length === 1 && single !== undefined) return { ...single, terms: termsOfAll([single.terms]) };
  const tests = cheapFirst(parts);
  const only = tests[0];
  return {
    test: tests.length === 1 && only !== undefined ? only : (r) => allHold(tests, r, undefined),
    needles: needlesOfAll(parts.map((p) => p.needles)),
    terms: termsOfAll(parts.map((p) => p.terms)),
    fieldNeedles: needlesOfAll(parts.map((p) => p.fieldNeedles), true),
    requires: requiredOfAll(parts.map((p) => p.requires)),
    keys: keysOfAll(parts.map((p) => p.keys)),
    cost: costOf(parts),
  };
}

function compileCondition(
  node: SigmaConditionNode,
  declared: ReadonlyMap<string, SigmaSearch>,
  searches: ReadonlyMap<string, Compiled>,
  line: number,
): Compiled {
  switch (node.kind) {
    case 'and':
      return allOf(node.children.map((c) => compileCondition(c, declared, searches, line)));
    case 'or':
      return anyOf(node.children.map((c) => compileCondition(c, declared, searches, line)));
    case 'not': {
      const child = compileCondition(node.child, declared, searches, line);
      const inner = child.test;
      return { test: (r) => !inner(r), needles: undefined, terms: undefined, fieldNeedles: undefined, requires: [], keys: [], cost: child.cost };
    }
    case 'search': {
      const found = searches.get(node.name);
      if (found === undefined && declared.has(node.name)) throw new FailedSearch(node.name);
      if (found === undefined) {
        throw new CompileError('sigma.condition-unknown-selection', `condition names "${node.name}", which detection does not define`, line);
      }
      return found;
    }
    case 'of': {
      const names = [...declared.keys()].filter((name) =>
        node.pattern === 'them' ? !name.startsWith('_') : globMatches(node.pattern, name),
      );
      if (names.length === 0) {
        throw new CompileError('sigma.condition-unknown-selection', `"${node.pattern}" matches no search of the detection`, line);
      }
      const parts = names.map((name) => {
        const found = searches.get(name);
        if (found === undefined) throw new FailedSearch(name);
        return found;
      });
      return node.quantifier === 'all' ? allOf(parts) : anyOf(parts);
    }
  }
}

/** Search name patterns in conditions use `*` only, matched case-sensitively as pySigma does. */
function globMatches(pattern: string, name: string): boolean {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return pattern === name;
  const first = pieces[0] as string;
  const last = pieces[pieces.length - 1] as string;
  if (!name.startsWith(first) || !name.endsWith(last) || name.length < first.length + last.length) return false;
  let at = first.length;
  const end = name.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = name.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

interface ItemContext {
  readonly mapping: SigmaFieldMapping;
  readonly transform: SigmaTransformContext;
}

function compileSearch(search: SigmaSearch, context: ItemContext): Compiled {
  return anyOf(search.alternatives.map((items) => allOf(items.map((item) => compileItem(item, context)))));
}

/** A test over the values a record holds for the item's field (all mapped names, lists flattened). */
type ValuesTest = (values: readonly SigmaValue[], record: SigmaRecord) => boolean;

interface ParsedModifiers {
  readonly type: SigmaMatcherType | undefined;
  readonly transforms: readonly string[];
  readonly all: boolean;
  readonly cased: boolean;
  readonly regexFlags: string;
}

function parseModifiers(item: SigmaDetectionItem): ParsedModifiers {
  let type: SigmaMatcherType | undefined;
  const transforms: string[] = [];
  let all = false;
  let cased = false;
  let regexFlags = '';
  for (const name of item.modifiers) {
    const modifier = SIGMA_MODIFIERS.get(name);
    if (modifier === undefined) throw new CompileError('sigma.modifier-unknown', `unknown modifier "${name}"`, item.line);
    switch (modifier.kind) {
      case 'transform':
        transforms.push(name);
        break;
      case 'type':
        if (type !== undefined) throw new CompileError('sigma.modifier-invalid', `"${type}" and "${modifier.type}" cannot be combined`, item.line);
        type = modifier.type;
        break;
      case 'flag':
        if (modifier.flag === 'all') all = true;
        else cased = true;
        break;
      case 'regex-flag':
        if (!regexFlags.includes(modifier.flag)) regexFlags += modifier.flag;
        break;
    }
  }
  if (regexFlags !== '' && type !== 're') throw new CompileError('sigma.modifier-invalid', `"${regexFlags}" flags need the "re" modifier`, item.line);
  if (type !== undefined && type !== 'fieldref' && transforms.length > 0) {
    throw new CompileError('sigma.modifier-invalid', `"${type}" cannot be combined with "${transforms.join('|')}"`, item.line);
  }
  if (type === 'fieldref') {
    const bad = transforms.find((t) => SIGMA_MODIFIERS.get(t)?.kind !== 'transform' || !isWildcardTransform(t));
    if (bad !== undefined) throw new CompileError('sigma.modifier-invalid', `"fieldref" cannot be combined with "${bad}"`, item.line);
  }
  if (item.field === undefined && type !== undefined && type !== 're') {
    throw new CompileError('sigma.modifier-invalid', `"${type}" needs a field`, item.line);
  }
  return { type, transforms, all, cased, regexFlags };
}

function isWildcardTransform(name: string): boolean {
  const modifier = SIGMA_MODIFIERS.get(name);
  return modifier?.kind === 'transform' && modifier.wildcard;
}

function compileItem(item: SigmaDetectionItem, context: ItemContext): Compiled {
  const modifiers = parseModifiers(item);
  const names = item.field === undefined ? undefined : (context.mapping.get(item.field) ?? [item.field]);
  const read = names === undefined ? (r: SigmaRecord) => r.keywordTexts() : fieldReader(names);
  const built = buildValueTests(item, modifiers, context);
  const tests = built.tests;
  const anyValue = (values: readonly SigmaValue[], record: SigmaRecord): boolean => anyHolds(tests, values, record);
  const matches: (values: readonly SigmaValue[], record: SigmaRecord) => boolean = modifiers.all
    ? (values, record) => allHold(tests, values, record)
    : built.nonAscii
      ? // Hundreds of emoji or look-alike values: an ASCII-only field is ruled out with one scan.
        (values, record) => values.some(hasNonAscii) && anyValue(values, record)
      : anyValue;
  const needles = modifiers.all ? needlesOfAll(built.needles) : needlesOfAny(built.needles);
  return {
    test: (record) => matches(read(record), record),
    needles,
    terms: modifiers.all ? termsOfAll(built.needles.map(termsOfNeedles)) : termsOfNeedles(needles),
    fieldNeedles: fieldNeedles(names, needles),
    // A `null` value or `exists: false` matches a record without the field; everything else needs it.
    requires: names === undefined || item.values.some((v) => v === null || (modifiers.type === 'exists' && v === false)) ? [] : [names],
    // Plain integer values (no modifier at all) bind the rule to those values of the field.
    keys: names === undefined || modifiers.type !== undefined || modifiers.transforms.length > 0 || (modifiers.all && item.values.length > 1) ? [] : keysOfValues(names, item.values),
    // Keywords search whole texts; a regular expression costs more than a comparison.
    cost: (names === undefined ? 8 : names.length) * Math.max(1, item.values.length) * (modifiers.type === 're' ? 4 : 1),
  };
}

const NO_VALUES: readonly SigmaValue[] = [];
const NON_ASCII = /[^\x00-\x7f]/;

function hasNonAscii(value: SigmaValue): boolean {
  return typeof value === 'string' && NON_ASCII.test(value);
}

function fieldReader(names: readonly string[]): (record: SigmaRecord) => readonly SigmaValue[] {
  const [only] = names;
  if (names.length === 1 && only !== undefined) {
    // One name (the common case): the record's own list is read as is, and a single value is lent in a list
    // of one the reader keeps (tests read values at once and keep none), so nothing is built per test.
    const one: SigmaValue[] = [null];
    const key = only.toLowerCase();
    return (record) => {
      const v = record.fieldByKey === undefined ? record.field(only) : record.fieldByKey(key);
      if (v === undefined) return NO_VALUES;
      if (Array.isArray(v)) return v as readonly SigmaValue[];
      one[0] = v as SigmaValue;
      return one;
    };
  }
  return (record) => {
    const out: SigmaValue[] = [];
    for (const name of names) {
      const v = record.field(name);
      if (v === undefined) continue;
      if (Array.isArray(v)) out.push(...(v as readonly SigmaValue[]));
      else out.push(v as SigmaValue);
    }
    return out;
  };
}

interface ValueTests {
  readonly tests: readonly ValuesTest[];
  /** One needle set per rule value. */
  readonly needles: readonly SigmaNeedles[];
  /** True when every value can only match a text with a non-ASCII character (emoji, homoglyph lists). */
  readonly nonAscii: boolean;
}

function buildValueTests(item: SigmaDetectionItem, modifiers: ParsedModifiers, context: ItemContext): ValueTests {
  const tests: ValuesTest[] = [];
  const needles: SigmaNeedles[] = [];
  let nonAscii = item.values.length > 0;
  let contained: string[] | undefined = modifiers.all ? undefined : [];
  for (const value of item.values) {
    const built = buildValueTest(item, value, modifiers, context);
    tests.push(built.test);
    needles.push(built.needles);
    nonAscii &&= built.nonAscii === true;
    if (built.contained === undefined) contained = undefined;
    else contained?.push(...built.contained);
  }
  if (contained === undefined || contained.length < MIN_CONTAINED_LIST) return { tests, needles, nonAscii };
  // A list of `contains` literals (SigmaHQ's command-line lists): one pass of one automaton over each
  // text instead of a search per literal. The automaton folds ASCII case, as the literals' test does,
  // and sees every other character as none of theirs.
  // Built on the first test: most rules are never tested on a given log (their needles never occur).
  const literals = contained;
  let automaton: LazyNeedleAutomaton | undefined;
  const any: ValuesTest = (values) => {
    automaton ??= LazyNeedleAutomaton.build([...new Set(literals)]);
    const found = automaton;
    return values.some((v) => v !== null && found.test(String(v)));
  };
  return { tests: [any], needles, nonAscii };
}

const RECENT = 4;
const recentTexts: (string | undefined)[] = new Array<string | undefined>(RECENT).fill(undefined);
const recentBytes: Buffer[] = new Array<Buffer>(RECENT).fill(Buffer.alloc(0));
let recentNext = 0;

/**
 * RE2 converts a string argument to UTF-8 on every call; the rules of a log source test the same few field
 * values one after another (the logged and the decoded text, the whole URI), so the last few values' bytes
 * are kept (same matches, on bytes instead of text).
 */
function utf8Recent(text: string): Buffer {
  for (let i = 0; i < RECENT; i += 1) if (recentTexts[i] === text) return recentBytes[i] as Buffer;
  const bytes = Buffer.from(text, 'utf8');
  recentTexts[recentNext] = text;
  recentBytes[recentNext] = bytes;
  recentNext = (recentNext + 1) % RECENT;
  return bytes;
}

const some = (predicate: (value: SigmaValue) => boolean): ValuesTest => (values) => values.some(predicate);

function textOf(value: SigmaValue): string | undefined {
  return value === null ? undefined : String(value);
}

/** One rule value's test and what is known of it. */
interface BuiltValueTest {
  readonly test: ValuesTest;
  readonly needles: SigmaNeedles;
  readonly nonAscii?: boolean;
  /** Lower-case ASCII literals of which the value matches a text exactly when the text contains one. */
  readonly contained?: readonly string[];
}

/** The literal of a `*literal*` string of printable ASCII, lower case; undefined for any other string. */
function containedLiteral(value: SigmaString): string | undefined {
  const [first, literal, last] = value.parts;
  if (value.parts.length !== 3 || typeof first === 'string' || first?.wildcard !== '*' || typeof last === 'string' || last?.wildcard !== '*') return undefined;
  if (typeof literal !== 'string' || !/^[\x20-\x7e]+$/.test(literal)) return undefined;
  return literal.toLowerCase();
}

/** Below this many literals a list is searched one literal at a time. */
const MIN_CONTAINED_LIST = 6;

function buildValueTest(
  item: SigmaDetectionItem,
  value: SigmaValue,
  modifiers: ParsedModifiers,
  context: ItemContext,
): BuiltValueTest {
  const fail = (code: SigmaDiagnosticCode, message: string): never => {
    throw new CompileError(code, message, item.line);
  };
  switch (modifiers.type) {
    case 'exists': {
      if (typeof value !== 'boolean') fail('sigma.value-invalid', '"exists" takes true or false');
      return { test: (values) => values.length > 0 === value, needles: undefined };
    }
    case 're': {
      if (typeof value !== 'string') return fail('sigma.value-invalid', '"re" takes a regular expression text');
      let re: RE2;
      try {
        re = new RE2(value, modifiers.regexFlags);
      } catch (error) {
        return fail('sigma.regex-invalid', `RE2 rejects /${value}/: ${error instanceof Error ? error.message : String(error)}`);
      }
      const literal = requiredRegexLiteral(value, modifiers.regexFlags);
      if (literal === undefined) return { test: some((v) => v !== null && re.test(utf8Recent(String(v)))), needles: undefined };
      // A literal every match holds is looked for first: most texts lack it, and RE2 is not called.
      const { text: needed, folded } = literal;
      return {
        test: some((v) => {
          if (v === null) return false;
          const text = String(v);
          return (folded ? foldRecent(text) : text).includes(needed) && re.test(utf8Recent(text));
        }),
        needles: undefined,
      };
    }
    case 'cidr': {
      const list = cidrList(typeof value === 'string' ? value : '');
      if (list === undefined) return fail('sigma.cidr-invalid', `"${String(value)}" is not an IPv4 or IPv6 CIDR range`);
      return {
        test: some((v) => {
          const text = textOf(v)?.trim();
          if (text === undefined) return false;
          const family = isIP(text);
          return family !== 0 && list.check(text, family === 4 ? 'ipv4' : 'ipv6');
        }),
        needles: undefined,
      };
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      const bound = numberOf(value);
      if (bound === undefined) return fail('sigma.value-invalid', `"${modifiers.type}" takes a number`);
      const compare = COMPARE[modifiers.type];
      return {
        test: some((v) => {
          const n = numberOf(v);
          return n !== undefined && compare(n, bound);
        }),
        needles: undefined,
      };
    }
    case 'fieldref': {
      if (typeof value !== 'string' || value === '') return fail('sigma.value-invalid', '"fieldref" takes a field name');
      const other = fieldReader(context.mapping.get(value) ?? [value]);
      const mode = modifiers.transforms.includes('contains')
        ? 'contains'
        : modifiers.transforms.includes('startswith')
          ? 'startswith'
          : modifiers.transforms.includes('endswith')
            ? 'endswith'
            : 'equals';
      const fold = modifiers.cased ? (t: string) => t : foldCase;
      return {
        test: (values, record) => {
          const refs = other(record).map(textOf).filter((t): t is string => t !== undefined).map(fold);
          return values.some((v) => {
            const text = textOf(v);
            if (text === undefined) return false;
            const t = fold(text);
            return refs.some((ref) => REF_MODES[mode](t, ref));
          });
        },
        needles: undefined,
      };
    }
    case undefined:
      return stringValueTest(item, value, modifiers, context);
  }
}

const COMPARE: Readonly<Record<'lt' | 'lte' | 'gt' | 'gte', (a: number, b: number) => boolean>> = {
  lt: (a, b) => a < b,
  lte: (a, b) => a <= b,
  gt: (a, b) => a > b,
  gte: (a, b) => a >= b,
};

const REF_MODES: Readonly<Record<'equals' | 'contains' | 'startswith' | 'endswith', (text: string, ref: string) => boolean>> = {
  equals: (t, r) => t === r,
  contains: (t, r) => t.includes(r),
  startswith: (t, r) => t.startsWith(r),
  endswith: (t, r) => t.endsWith(r),
};

function numberOf(value: SigmaValue): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : undefined;
}

function cidrList(text: string): BlockList | undefined {
  const slash = text.indexOf('/');
  const address = (slash < 0 ? text : text.slice(0, slash)).trim();
  const family = isIP(address);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : text.slice(slash + 1).trim();
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > max) return undefined;
  const list = new BlockList();
  list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list;
}

function stringValueTest(
  item: SigmaDetectionItem,
  value: SigmaValue,
  modifiers: ParsedModifiers,
  context: ItemContext,
): BuiltValueTest {
  if (value === null) {
    if (modifiers.transforms.length > 0) throw new CompileError('sigma.value-invalid', 'null cannot take modifiers', item.line);
    // `field: null` means the field is absent or empty of any value.
    return { test: (values) => values.length === 0 || values.includes(null), needles: undefined };
  }
  const isText = typeof value === 'string';
  if (!isText && modifiers.transforms.length === 0) {
    // Numbers and booleans compare by their text, and numbers also by value (`200` matches `"200"` and `200.0`).
    const text = String(value);
    return {
      test: some((v) => {
        if (v === null) return false;
        if (typeof value === 'number' && numberOf(v) === value) return true;
        return foldCase(String(v)) === text.toLowerCase();
      }),
      needles: undefined,
    };
  }
  // Keywords search the whole text, so a keyword without a position modifier is a `contains`.
  const transforms =
    item.field === undefined && !modifiers.transforms.some(isWildcardTransform) ? [...modifiers.transforms, 'contains'] : modifiers.transforms;
  let variants: SigmaString[] = [parseSigmaString(String(value))];
  for (const name of transforms) {
    const modifier = SIGMA_MODIFIERS.get(name);
    if (modifier?.kind !== 'transform') continue;
    const next: SigmaString[] = [];
    for (const variant of variants) {
      const out = modifier.apply(variant, context.transform);
      if ('error' in out) throw new CompileError(out.error, `${name}: ${out.message}`, item.line);
      next.push(...out);
    }
    variants = next;
  }
  const matchers = variants.map((v) => compileSigmaString(v, modifiers.cased));
  const only = matchers[0];
  const matchText = matchers.length === 1 && only !== undefined ? only : (t: string) => anyHolds(matchers, t, undefined);
  // `*literal*` of ASCII text, case folded: one search for a whole list of them (see `buildValueTests`).
  const contained = modifiers.cased ? [] : variants.map(containedLiteral);
  return {
    ...(contained.length > 0 && contained.every((c) => c !== undefined) ? { contained: contained as string[] } : {}),
    test: some((v) => v !== null && matchText(String(v))),
    needles: isText ? needlesOfAny(variants.map(needleOfString)) : undefined,
    // Folding never turns a non-ASCII character into ASCII, so such a literal needs a non-ASCII text.
    nonAscii: variants.length > 0 && variants.every((v) => !v.binary && v.parts.some((p) => typeof p === 'string' && NON_ASCII.test(p))),
  };
}
