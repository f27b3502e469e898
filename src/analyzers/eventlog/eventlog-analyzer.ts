import type { Analyzer, AnalyzerContext, AnalyzerResult } from '../../core/analyzer.js';
import type { InputSummary } from '../../core/artifact.js';
import { FindingAggregator } from '../../core/finding-aggregator.js';
import type { ScanIssue } from '../../core/scan-issue.js';
import { evtxChunkCount } from '../../formats/evtx/read-evtx-file.js';
import type { EvtxSource } from '../../targets/find-evtx-files.js';
import type { EventRuleSummary, EventSettings, EventTask, EventTaskOutcome } from './event-task.js';
import { compileEventRules, eventRuleIssues, eventRuleSummary, readEventRules, type ParsedEventRules } from './load-event-rules.js';
import { readPackedEventRules, unpackEventRules } from './packed-event-rules.js';
import { ESCALATION_INCIDENT_RULE, INCIDENT_RULE, ProcessTreeCorrelator } from './process-tree-incidents.js';
import { scanEventTask } from './scan-event-task.js';
import { runEventTasksOnWorkers } from './event-worker-pool.js';
import { workersAvailable } from '../run-worker-pool.js';

/** What `events` hands the event-log analyzer. */
export interface EventlogInput {
  readonly sources: readonly EvtxSource[];
  readonly threads: number;
  readonly settings: EventSettings;
  /** Events further apart than this start a new incident in the same process tree. */
  readonly correlationWindowMs: number;
}

/** Chunks per task when the work is spread over threads: 4 MiB, enough to amortise a message. */
const CHUNKS_PER_TASK = 64;
/** Below this many bytes in all, starting worker threads costs more than it saves. */
const INLINE_MAX_BYTES = 8 * 1024 * 1024;

/** Splits files into chunk ranges, in file order. */
export function planEventTasks(sources: readonly EvtxSource[], chunksPerTask: number): EventTask[] {
  const tasks: EventTask[] = [];
  for (const source of sources) {
    const chunks = Math.max(1, evtxChunkCount(source.size));
    for (let from = 0; from < chunks; from += chunksPerTask) tasks.push({ path: source.path, size: source.size, from, to: from + chunksPerTask >= chunks ? Number.MAX_SAFE_INTEGER : from + chunksPerTask });
  }
  return tasks;
}

/** Windows event logs (EVTX) → Sigma findings and w3wp.exe process-tree incidents. */
export const eventlogAnalyzer: Analyzer<EventlogInput> = {
  id: 'eventlog',
  version: '1',
  description: 'Runs Sigma on Windows event logs and joins what a w3wp.exe process tree did into incidents.',
  async run(input: EventlogInput, context: AnalyzerContext): Promise<AnalyzerResult> {
    const totalBytes = input.sources.reduce((sum, s) => sum + s.size, 0);
    const threads = workersAvailable() && totalBytes >= INLINE_MAX_BYTES ? Math.max(1, input.threads) : 1;
    // Rule files are read and parsed once per run, and what compiling finds but the tests worked out once
    // (or all of it read from the rule cache); threads then compile each test when a record first reaches it.
    // Threads are posted the rules packed; a single thread packs them only for the rule cache to keep.
    const sources = input.settings.rules;
    const packed = threads > 1 || sources.cacheDir !== undefined ? readPackedEventRules(sources, { summarize: true }) : undefined;
    const parsed = async (): Promise<ParsedEventRules> => (packed === undefined ? readEventRules(sources) : unpackEventRules(await packed));
    const tasks = planEventTasks(input.sources, threads > 1 ? CHUNKS_PER_TASK : Number.MAX_SAFE_INTEGER);
    const progress = { bytes: 0, records: 0, matches: 0 };
    const onRecords = (records: number, matches: number): void => {
      progress.records += records;
      progress.matches += matches;
      context.onProgress?.(progress);
    };
    let outcomes: EventTaskOutcome[];
    let rules: EventRuleSummary;
    if (threads > 1) {
      // Workers start on the parsed rules at once and compile them; the first outcome of each carries the
      // rule list and diagnostics, so this thread does not compile the rules a second time.
      outcomes = await runEventTasksOnWorkers(tasks, threads, input.settings, packed as Promise<Uint8Array>, context.signal, onRecords);
      rules = outcomes.find((o) => o.rules !== undefined)?.rules ?? eventRuleSummary(await compileEventRules(await parsed()));
    } else {
      const compiled = await compileEventRules(await parsed());
      rules = eventRuleSummary(compiled);
      outcomes = [];
      for (const task of tasks) outcomes.push(await scanEventTask(task, compiled, input.settings, context.signal, onRecords));
    }
    const aggregator = new FindingAggregator(context.evidenceCap);
    const correlator = new ProcessTreeCorrelator(input.correlationWindowMs);
    const issues: ScanIssue[] = [...eventRuleIssues(rules)];
    const inputs = new Map<string, InputSummary>();
    for (const [i, outcome] of outcomes.entries()) {
      const task = tasks[i] as EventTask;
      aggregator.merge(outcome.groups);
      for (const e of outcome.tree) correlator.add(e);
      issues.push(...outcome.issues);
      const summary = inputs.get(task.path) ?? { kind: 'evtx', path: task.path, records: 0, skipped: 0, bytes: task.size };
      summary.records += outcome.records;
      summary.skipped += outcome.skipped;
      inputs.set(task.path, summary);
    }
    for (const draft of correlator.incidents()) aggregator.add(draft);
    if (correlator.droppedEvents > 0) issues.push({ code: 'events.correlation-capped', message: `${correlator.droppedEvents} events were left out of the process-tree correlation once its memory bound was reached` });
    // Every rule ran on every record read, so each covers the hosts the records came from — unless a file or
    // record could not be read, in which case the run closes nothing.
    const complete = outcomes.every((o) => o.issues.length === 0 && o.skipped === 0 && o.notEvtx === undefined);
    const hosts = complete ? [...new Set(outcomes.flatMap((o) => o.hosts))].sort() : [];
    const covered = [...rules.metas.map((m) => m.id), ...(correlator.droppedEvents > 0 ? [] : [INCIDENT_RULE.id, ESCALATION_INCIDENT_RULE.id])];
    return {
      groups: aggregator.groups(),
      inputs: [...inputs.values()],
      issues,
      rules: [...rules.metas, INCIDENT_RULE, ESCALATION_INCIDENT_RULE],
      coverage: covered.flatMap((ruleId) => hosts.map((asset) => ({ ruleId, asset }))),
    };
  },
};
