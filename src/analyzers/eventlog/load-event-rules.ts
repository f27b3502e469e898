import { fileURLToPath } from 'node:url';
import type { Detector } from '../../core/detector.js';
import type { ScanIssue } from '../../core/scan-issue.js';
import { RuleIndex } from '../../engines/needle/rule-index.js';
import type { CompiledSigmaRule } from '../../engines/sigma/compile-sigma-rule.js';
import { compileSigmaRules } from '../../engines/sigma/compile-sigma-rules.js';
import { loadSigmaRules } from '../../engines/sigma/load-sigma-rules.js';
import type { SigmaDiagnostic } from '../../engines/sigma/sigma-diagnostic.js';
import type { SigmaRule } from '../../engines/sigma/sigma-rule.js';
import { CONTENT_ROOT } from '../content-root.js';
import type { EventRecordFields } from './event-record-fields.js';
import { loadEventLogsourceMapping, type EventSource } from './event-logsource-mapping.js';

/** w3guard's own Sigma rules for Windows event logs. */
export const EVENT_CONTENT_DIR = fileURLToPath(new URL('sigma/eventlog/', CONTENT_ROOT));

/** Which rules an events run uses; plain data, so worker threads load the same. */
export interface EventRuleSources {
  readonly content: boolean;
  readonly sigmaPaths: readonly string[];
}

interface Entry {
  readonly eventIds: ReadonlySet<number> | undefined;
  readonly rule: CompiledSigmaRule;
}

/** Compiled rules indexed by channel, so a record is tested only by rules for its channel and Event ID. */
export interface EventRules {
  /** Every distinct rule that can run (one per rule, whatever its number of sources). */
  readonly rules: readonly CompiledSigmaRule[];
  readonly diagnostics: readonly SigmaDiagnostic[];
  /** Rules for other log sources (web servers, Linux, …) or Windows categories with no EVTX source. */
  readonly otherLogsource: number;
  /** The rules whose logsource and detection match the record, each once. */
  match(record: EventRecordFields): CompiledSigmaRule[];
}

/** Loads, maps and compiles the rules; broken rules become diagnostics and the rest still run. */
export async function loadEventRules(sources: EventRuleSources): Promise<EventRules> {
  const mapping = await loadEventLogsourceMapping();
  const paths = [...(sources.content ? [EVENT_CONTENT_DIR] : []), ...sources.sigmaPaths];
  const loaded = paths.length === 0 ? { rules: [], correlations: [], diagnostics: [] } : await loadSigmaRules(paths);
  const diagnostics: SigmaDiagnostic[] = [...loaded.diagnostics];
  const byChannel = new Map<string, Entry[]>();
  const anyChannel: CompiledSigmaRule[] = [];
  const distinct = new Map<string, CompiledSigmaRule>();
  // Rules grouped by the field set each source needs: one compilation per (rule, field set).
  const plans = new Map<string, { rules: SigmaRule[]; sources: Map<SigmaRule, EventSource[]> }>();
  let otherLogsource = 0;
  const own: SigmaRule[] = [];
  for (const rule of loaded.rules) {
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
  const native = compileSigmaRules([...own, ...(plans.get('')?.rules ?? [])]);
  diagnostics.push(...native.diagnostics);
  const compiledOf = new Map<SigmaRule, CompiledSigmaRule>();
  for (const compiled of native.compiled) compiledOf.set(compiled.rule, compiled);
  const register = (rule: CompiledSigmaRule, source: EventSource): void => {
    const list = byChannel.get(source.channel) ?? [];
    list.push({ eventIds: source.eventIds, rule });
    byChannel.set(source.channel, list);
  };
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
        : compileSigmaRules(
            plan.rules.filter((r) => !diagnostics.some((d) => d.file === r.file && d.severity === 'error' && d.ruleId === (r.id ?? r.fallbackId))),
            { fieldMapping: mapping.fieldSets.get(fieldSet) ?? new Map() },
          );
    for (const compiled of set.compiled) {
      const ruleSources = plan.sources.get(compiled.rule);
      if (ruleSources === undefined) continue;
      for (const source of ruleSources) register(compiled, source);
      if (!distinct.has(compiled.meta.id)) distinct.set(compiled.meta.id, compiled);
    }
  }
  // One needle index per channel: a record is tested only by its channel's rules whose needles occur in it.
  const detector = (entry: Entry): Detector<EventRecordFields> => ({
    meta: entry.rule.meta,
    ...(entry.rule.needles === undefined ? {} : { needles: entry.rule.needles }),
    test: (record) => (entry.eventIds === undefined || (record.eventId !== undefined && entry.eventIds.has(record.eventId))) && entry.rule.test(record),
  });
  const indexes = new Map<string, RuleIndex<EventRecordFields>>();
  for (const [channel, entries] of byChannel) indexes.set(channel, new RuleIndex(entries.map(detector)));
  const anyIndex = new RuleIndex(anyChannel.map((rule) => detector({ eventIds: undefined, rule })));
  return {
    rules: [...distinct.values()],
    diagnostics,
    otherLogsource,
    match(record) {
      const out: CompiledSigmaRule[] = [];
      if (distinct.size === 0) return out;
      const seen = new Set<string>();
      const texts = [record.keywordTexts().join('\n')];
      for (const index of [indexes.get(record.channel.toLowerCase()), anyIndex]) {
        if (index === undefined) continue;
        for (const candidate of index.candidates(texts)) {
          if (seen.has(candidate.meta.id) || !candidate.test(record)) continue;
          seen.add(candidate.meta.id);
          const rule = distinct.get(candidate.meta.id);
          if (rule !== undefined) out.push(rule);
        }
      }
      return out;
    },
  };
}

/** Rule diagnostics as report issues (`rules.<code>`), with file and line. */
export function eventRuleIssues(rules: EventRules): ScanIssue[] {
  const issues: ScanIssue[] = rules.diagnostics.map((d) => ({ code: `rules.${d.code}`, message: `${d.severity}: ${d.message}`, path: d.file, line: d.line }));
  if (rules.otherLogsource > 0) {
    issues.push({ code: 'rules.other-logsource', message: `${rules.otherLogsource} Sigma rules are for other log sources than Windows event logs and were not run` });
  }
  return issues;
}
