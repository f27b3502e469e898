import { fileURLToPath } from 'node:url';
import type { ScanIssue } from '../../core/scan-issue.js';
import type { LazyNeedleAutomaton } from '../../engines/needle/lazy-needle-automaton.js';
import { FieldRuleIndex, type FieldNeedleDetector } from '../../engines/needle/field-rule-index.js';
import { compileSigmaRule, lazySigmaRule, summarizeSigmaCompile, type CompiledSigmaRule, type SigmaCompileOptions, type SigmaCompileSummary } from '../../engines/sigma/compile-sigma-rule.js';
import type { SigmaRuleSet } from '../../engines/sigma/compile-sigma-rules.js';
import { openSigmaCompileCache, sigmaRuleDigest } from '../../engines/sigma/sigma-compile-cache.js';
import { loadSigmaRules } from '../../engines/sigma/load-sigma-rules.js';
import type { SigmaDiagnostic } from '../../engines/sigma/sigma-diagnostic.js';
import { recordHasKey } from '../../engines/sigma/sigma-field-keys.js';
import type { SigmaRule } from '../../engines/sigma/sigma-rule.js';
import { CONTENT_ROOT } from '../content-root.js';
import type { EventRecordFields } from './event-record-fields.js';
import type { EventRuleSummary } from './event-task.js';
import { loadEventLogsourceMapping, type EventLogsourceMapping, type EventSource } from './event-logsource-mapping.js';

/** w3guard's own Sigma rules for Windows event logs. */
export const EVENT_CONTENT_DIR = fileURLToPath(new URL('sigma/eventlog/', CONTENT_ROOT));

/** Which rules an events run uses; plain data, so worker threads load the same. */
export interface EventRuleSources {
  readonly content: boolean;
  readonly sigmaPaths: readonly string[];
  /** Where parsed rule files are kept between runs (see `openSigmaParseCache`); none when undefined. */
  readonly cacheDir?: string;
}

interface Entry {
  readonly eventIds: ReadonlySet<number> | undefined;
  readonly rule: CompiledSigmaRule;
  /** The rule's `requires`, in lower case (event fields are named in lower case). */
  readonly requiredKeys: readonly (readonly string[])[];
}

/** Compiled rules indexed by channel and Event ID, so a record is tested only by rules for its channel and Event ID. */
export interface EventRules {
  /** Every distinct rule that can run (one per rule, whatever its number of sources). */
  readonly rules: readonly CompiledSigmaRule[];
  readonly diagnostics: readonly SigmaDiagnostic[];
  /** Rules for other log sources (web servers, Linux, …) or Windows categories with no EVTX source. */
  readonly otherLogsource: number;
  /** The rules whose logsource and detection match the record, each once. */
  match(record: EventRecordFields): CompiledSigmaRule[];
}

/**
 * Rule files read and parsed, not compiled: plain, structured-cloneable data, so the files are read once
 * per run and worker threads only compile (closures cannot cross threads).
 */
export interface ParsedEventRules {
  readonly rules: readonly SigmaRule[];
  readonly diagnostics: readonly SigmaDiagnostic[];
  /**
   * What each compilation gives but its test, by `summaryKey` (rule index, field set): with them, rules are
   * indexed without compiling and each test is compiled when a record first reaches it. Worked out once
   * per run for every thread, and kept between runs beside the parsed files. Rules without one compile in full.
   */
  readonly summaries?: ReadonlyMap<string, SigmaCompileSummary>;
}

/** Options of `readEventRules`. */
export interface ReadEventRulesOptions {
  /**
   * Work out the compile summaries (see `ParsedEventRules.summaries`): worth it when several threads would
   * each compile every rule, or when a cache keeps them for the next run; otherwise compiling once is less.
   */
  readonly summarize?: boolean;
}

/** Reads and parses the rule files; broken files become diagnostics. */
export async function readEventRules(sources: EventRuleSources, options: ReadEventRulesOptions = {}): Promise<ParsedEventRules> {
  const paths = [...(sources.content ? [EVENT_CONTENT_DIR] : []), ...sources.sigmaPaths];
  if (paths.length === 0) return { rules: [], diagnostics: [] };
  const loaded = await loadSigmaRules(paths, sources.cacheDir === undefined ? {} : { cacheDir: sources.cacheDir });
  if (options.summarize !== true) return { rules: loaded.rules, diagnostics: loaded.diagnostics };
  return { rules: loaded.rules, diagnostics: loaded.diagnostics, summaries: await summarizeEventRules(loaded.rules, paths, sources.cacheDir) };
}

/** Loads, maps and compiles the rules; broken rules become diagnostics and the rest still run. */
export async function loadEventRules(sources: EventRuleSources): Promise<EventRules> {
  return compileEventRules(await readEventRules(sources));
}

/** The key of a rule's compilation with a field set ('' for the rule's own field names). */
const summaryKey = (index: number, fieldSet: string): string => `${index}:${fieldSet}`;

/** Which rules compile with which field sets: the rules for any channel, and per field set the rules and their sources. */
interface EventRulePlan {
  /** Rules of product windows without category or service: every channel, their own field names. */
  readonly own: readonly SigmaRule[];
  /** Field set ('' for the rules' own names) → its rules, and the sources each runs on with it. */
  readonly plans: ReadonlyMap<string, { readonly rules: readonly SigmaRule[]; readonly sources: ReadonlyMap<SigmaRule, readonly EventSource[]> }>;
  /** Rules for other log sources. */
  readonly otherLogsource: number;
}

/** How a rule compiles with a field set. */
const compileOptions = (mapping: EventLogsourceMapping, fieldSet: string): SigmaCompileOptions => (fieldSet === '' ? {} : { fieldMapping: mapping.fieldSets.get(fieldSet) ?? new Map() });

function planEventRules(rules: readonly SigmaRule[], mapping: EventLogsourceMapping): EventRulePlan {
  // Rules grouped by the field set each source needs: one compilation per (rule, field set).
  const plans = new Map<string, { rules: SigmaRule[]; sources: Map<SigmaRule, EventSource[]> }>();
  let otherLogsource = 0;
  const own: SigmaRule[] = [];
  for (const rule of rules) {
    const ruleSources = mapping.sources(rule.logsource);
    if (ruleSources === undefined) {
      otherLogsource += 1;
      continue;
    }
    if (ruleSources === 'any') {
      own.push(rule);
      continue;
    }
    for (const source of ruleSources) {
      const key = source.fieldSet ?? '';
      let plan = plans.get(key);
      if (plan === undefined) {
        plan = { rules: [], sources: new Map() };
        plans.set(key, plan);
      }
      const list = plan.sources.get(rule);
      if (list === undefined) {
        plan.rules.push(rule);
        plan.sources.set(rule, [source]);
      } else list.push(source);
    }
  }
  return { own, plans, otherLogsource };
}

/**
 * Every compilation's summary, from the cache in `cacheDir` where it holds one (keyed by the rule's content
 * and the field set, in a cache file of these paths and this mapping), else by compiling.
 */
async function summarizeEventRules(rules: readonly SigmaRule[], paths: readonly string[], cacheDir: string | undefined): Promise<Map<string, SigmaCompileSummary>> {
  const mapping = await loadEventLogsourceMapping();
  const { own, plans } = planEventRules(rules, mapping);
  const index = new Map(rules.map((rule, i) => [rule, i]));
  const cache = cacheDir === undefined ? undefined : openSigmaCompileCache(cacheDir, JSON.stringify({ paths, fieldSets: [...mapping.fieldSets].map(([name, fields]) => [name, [...fields]]) }));
  const summaries = new Map<string, SigmaCompileSummary>();
  const digests = new Map<SigmaRule, string>();
  const digest = (rule: SigmaRule): string => {
    let found = digests.get(rule);
    if (found === undefined) {
      found = sigmaRuleDigest(rule);
      digests.set(rule, found);
    }
    return found;
  };
  const summarize = (list: readonly SigmaRule[], fieldSet: string): void => {
    const options = compileOptions(mapping, fieldSet);
    for (const rule of list) {
      const key = summaryKey(index.get(rule) as number, fieldSet);
      if (summaries.has(key)) continue;
      const cacheKey = cache === undefined ? '' : `${digest(rule)}\0${fieldSet}`;
      let summary = cache?.get(cacheKey);
      if (summary === undefined) {
        summary = summarizeSigmaCompile(compileSigmaRule(rule, options));
        cache?.set(cacheKey, summary);
      }
      summaries.set(key, summary);
    }
  };
  summarize(own, '');
  for (const [fieldSet, plan] of plans) summarize(plan.rules, fieldSet);
  cache?.save();
  return summaries;
}

/**
 * Rules of one channel that share one Event ID set (or none): needles picked by one automaton, and the
 * rules without needles, each behind a check of the fields it cannot match without.
 */
interface EventGroup {
  /** Its number, in the order groups were made: names a list of groups. */
  readonly id: number;
  readonly eventIds: ReadonlySet<number> | undefined;
  readonly needled: Entry[];
  /** Rules without needles bound to Event IDs in their detection (`EventID: 4728`), by those IDs. */
  readonly byEventId: Map<number, Entry[]>;
  /** The other rules without needles. */
  readonly plain: Entry[];
}

/**
 * The groups a record of one channel and Event ID is tested by, and one needle index over all their
 * rules with needles: a record's fields are searched once, not once per group (the field-less keyword
 * rules for any channel, SigmaHQ's Mimikatz keywords for one, search every field of every record).
 */
interface EventPlan {
  readonly groups: readonly EventGroup[];
  /** Built on first use; undefined when no group has a rule with needles. */
  index?: FieldRuleIndex<EventRecordFields> | undefined;
  indexed: boolean;
}

/** What a record of one channel and Event ID is tested by: its groups' plan, and their rules without needles for that Event ID. */
interface KeyPlan {
  readonly plan: EventPlan;
  /** Each group's rules bound to the Event ID, then its other rules without needles, group after group. */
  readonly tested: readonly Entry[];
}

function testedFor(groups: readonly EventGroup[], eventId: number | undefined): Entry[] {
  const tested: Entry[] = [];
  for (const group of groups) {
    const keyed = eventId === undefined ? undefined : group.byEventId.get(eventId);
    if (keyed !== undefined) tested.push(...keyed);
    tested.push(...group.plain);
  }
  return tested;
}

/** At most this many (channel, Event ID) pairs keep their list of groups; both come from the records. */
const MAX_CACHED_KEYS = 4096;

const idsKey = (ids: ReadonlySet<number> | undefined): string => (ids === undefined ? '*' : [...ids].sort((a, b) => a - b).join(','));

/** True when the record holds, for each field group the rule needs, at least one of its fields, and one of its key values. */
function mayMatch(entry: Entry, record: EventRecordFields): boolean {
  for (const keys of entry.rule.keys ?? []) if (!recordHasKey(keys, record)) return false;
  for (const names of entry.requiredKeys) {
    let found = false;
    for (const name of names) {
      if (record.fieldByKey(name) !== undefined) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

/** Maps and compiles parsed rules; the needle automata are built on the first record, not before. */
export async function compileEventRules(parsed: ParsedEventRules): Promise<EventRules> {
  const mapping = await loadEventLogsourceMapping();
  const diagnostics: SigmaDiagnostic[] = [...parsed.diagnostics];
  const registered: { source: EventSource; rule: CompiledSigmaRule }[] = [];
  const anyChannel: CompiledSigmaRule[] = [];
  const distinct = new Map<string, CompiledSigmaRule>();
  const { own, plans, otherLogsource } = planEventRules(parsed.rules, mapping);
  const index = new Map(parsed.rules.map((rule, i) => [rule, i]));
  const compile = (rules: readonly SigmaRule[], fieldSet: string): SigmaRuleSet => {
    const options = compileOptions(mapping, fieldSet);
    const compiled: CompiledSigmaRule[] = [];
    const found: SigmaDiagnostic[] = [];
    for (const rule of rules) {
      const summary = parsed.summaries?.get(summaryKey(index.get(rule) as number, fieldSet));
      const result = summary === undefined ? compileSigmaRule(rule, options) : lazySigmaRule(rule, summary, options);
      found.push(...result.diagnostics);
      if (result.compiled !== undefined) compiled.push(result.compiled);
    }
    return { compiled, diagnostics: found };
  };
  const native = compile([...own, ...(plans.get('')?.rules ?? [])], '');
  diagnostics.push(...native.diagnostics);
  const compiledOf = new Map<SigmaRule, CompiledSigmaRule>();
  for (const compiled of native.compiled) compiledOf.set(compiled.rule, compiled);
  for (const rule of own) {
    const compiled = compiledOf.get(rule);
    if (compiled === undefined) continue;
    anyChannel.push(compiled);
    distinct.set(compiled.meta.id, compiled);
  }
  for (const [fieldSet, plan] of plans) {
    // A rule that fails to compile natively has already been reported; its variants would only repeat it.
    const set =
      fieldSet === ''
        ? native
        : compile(
            plan.rules.filter((r) => !diagnostics.some((d) => d.file === r.file && d.severity === 'error' && d.ruleId === (r.id ?? r.fallbackId))),
            fieldSet,
          );
    for (const compiled of set.compiled) {
      const ruleSources = plan.sources.get(compiled.rule);
      if (ruleSources === undefined) continue;
      for (const source of ruleSources) registered.push({ source, rule: compiled });
      if (!distinct.has(compiled.meta.id)) distinct.set(compiled.meta.id, compiled);
    }
  }
  const order = new Map<string, number>();
  for (const id of distinct.keys()) order.set(id, order.size);
  // channel → Event ID set → group; rules for any channel sit under ''.
  const byChannel = new Map<string, Map<string, EventGroup>>();
  let groupCount = 0;
  const place = (channel: string, item: Entry): void => {
    let groups = byChannel.get(channel);
    if (groups === undefined) {
      groups = new Map();
      byChannel.set(channel, groups);
    }
    const key = idsKey(item.eventIds);
    let group = groups.get(key);
    if (group === undefined) {
      group = { id: groupCount, eventIds: item.eventIds, needled: [], byEventId: new Map(), plain: [] };
      groupCount += 1;
      groups.set(key, group);
    }
    const keys = item.rule.keys?.find((k) => k.names.length === 1 && k.names[0]?.toLowerCase() === 'eventid');
    if (item.rule.needles !== undefined && item.rule.needles.length > 0) group.needled.push(item);
    else if (keys !== undefined) {
      for (const id of keys.values) {
        const list = group.byEventId.get(id) ?? [];
        list.push(item);
        group.byEventId.set(id, list);
      }
    } else group.plain.push(item);
  };
  const requiredKeys = (rule: CompiledSigmaRule): string[][] => rule.requires.map((names) => names.map((n) => n.toLowerCase()));
  for (const { source, rule } of registered) place(source.channel, { eventIds: source.eventIds, rule, requiredKeys: requiredKeys(rule) });
  for (const rule of anyChannel) place('', { eventIds: undefined, rule, requiredKeys: requiredKeys(rule) });
  // (channel, Event ID) → the groups a record there is tested by; built on first use.
  const cache = new Map<string, Map<number | undefined, KeyPlan>>();
  // Plans by their list of groups: Event IDs tested by the same groups share one plan and its index.
  const eventPlans = new Map<string, EventPlan>();
  let cachedKeys = 0;
  const groupsFor = (channel: string, eventId: number | undefined): KeyPlan => {
    let byEventId = cache.get(channel);
    const cached = byEventId?.get(eventId);
    if (cached !== undefined) return cached;
    const list: EventGroup[] = [];
    for (const groups of [byChannel.get(channel), byChannel.get('')]) {
      if (groups === undefined) continue;
      for (const group of groups.values()) {
        if (group.eventIds !== undefined && (eventId === undefined || !group.eventIds.has(eventId))) continue;
        list.push(group);
      }
    }
    const planKey = list.map((g) => g.id).join(',');
    let found = eventPlans.get(planKey);
    if (found === undefined) {
      // Kept whatever the number of keys: a list of groups is set by the rules' channels and Event IDs, not by the records.
      found = { groups: list, indexed: false };
      eventPlans.set(planKey, found);
    }
    const keyPlan: KeyPlan = { plan: found, tested: testedFor(list, eventId) };
    if (cachedKeys < MAX_CACHED_KEYS) {
      if (byEventId === undefined) {
        byEventId = new Map();
        cache.set(channel, byEventId);
      }
      byEventId.set(eventId, keyPlan);
      cachedKeys += 1;
    }
    return keyPlan;
  };
  // Records come in runs of one channel: its lower-case name is kept for the next record.
  let lastChannel: string | undefined;
  let lastChannelLower = '';
  const lowerChannel = (channel: string): string => {
    if (channel !== lastChannel) {
      lastChannel = channel;
      lastChannelLower = channel.toLowerCase();
    }
    return lastChannelLower;
  };
  // Sysmon and Security 4688 process creations, for one, hold the same rules under two field mappings.
  const automata = new Map<string, LazyNeedleAutomaton>();
  const detector = (item: Entry): FieldNeedleDetector<EventRecordFields> => ({ meta: item.rule.meta, fieldNeedles: item.rule.fieldNeedles, test: (record) => mayMatch(item, record) && item.rule.test(record) });
  return {
    rules: [...distinct.values()],
    diagnostics,
    otherLogsource,
    match(record) {
      const out: CompiledSigmaRule[] = [];
      if (distinct.size === 0) return out;
      const { plan, tested } = groupsFor(lowerChannel(record.channel), record.eventId);
      const groups = plan.groups;
      if (groups.length === 0) return out;
      // Rule ids found so far; most records match nothing, so it is made on the first match.
      let seen: Set<string> | undefined;
      for (const item of tested) {
        const id = item.rule.meta.id;
        if (seen?.has(id) === true || !mayMatch(item, record) || !item.rule.test(record)) continue;
        seen ??= new Set();
        seen.add(id);
        const distinctRule = distinct.get(id);
        if (distinctRule !== undefined) out.push(distinctRule);
      }
      // Rules are pure tests and the matches are put in rule order below, so testing every group's rules
      // without needles first, then the candidates of all groups at once, finds the same rules.
      if (!plan.indexed) {
        plan.indexed = true;
        const needled = groups.flatMap((g) => g.needled);
        plan.index = needled.length === 0 ? undefined : new FieldRuleIndex(needled.map(detector), automata);
      }
      if (plan.index !== undefined) {
        for (const candidate of plan.index.candidates(record.fields)) {
          const id = candidate.meta.id;
          if (seen?.has(id) === true || !candidate.test(record)) continue;
          seen ??= new Set();
          seen.add(id);
          const distinctRule = distinct.get(id);
          if (distinctRule !== undefined) out.push(distinctRule);
        }
      }
      if (out.length > 1) out.sort((a, b) => (order.get(a.meta.id) ?? 0) - (order.get(b.meta.id) ?? 0));
      return out;
    },
  };
}

/** The rule list and diagnostics as plain data, as a worker thread hands them to the main thread. */
export function eventRuleSummary(rules: EventRules): EventRuleSummary {
  return { metas: rules.rules.map((r) => r.meta), diagnostics: rules.diagnostics, otherLogsource: rules.otherLogsource };
}

/** Rule diagnostics as report issues (`rules.<code>`), with file and line. */
export function eventRuleIssues(rules: Pick<EventRules, 'diagnostics' | 'otherLogsource'>): ScanIssue[] {
  const issues: ScanIssue[] = rules.diagnostics.map((d) => ({ code: `rules.${d.code}`, message: `${d.severity}: ${d.message}`, path: d.file, line: d.line }));
  if (rules.otherLogsource > 0) {
    issues.push({ code: 'rules.other-logsource', message: `${rules.otherLogsource} Sigma rules are for other log sources than Windows event logs and were not run` });
  }
  return issues;
}
