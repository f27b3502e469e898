import type { Analyzer, AnalyzerContext, AnalyzerResult } from '../../core/analyzer.js';
import type { ArtifactKind, InputSummary } from '../../core/artifact.js';
import { FindingAggregator, type FindingGroup } from '../../core/finding-aggregator.js';
import type { ScanIssue } from '../../core/scan-issue.js';
import type { LogSource } from '../../formats/log-stream/log-source.js';
import { readFileRange } from '../../formats/log-stream/read-file-range.js';
import type { WebLogReaderState } from '../../formats/web-log/web-log-reader.js';
import type { WebLogFormat } from '../../formats/web-log/web-record.js';
import type { BurstEvents, HuntSettings, HuntTask, MatchRef, StreamOutcome, TaskOutcome } from './hunt-task.js';
import { runOnWorkers } from './hunt-worker-pool.js';
import { workersAvailable } from '../run-worker-pool.js';
import { BUILTIN_BURSTS, type BurstDetector } from './burst-detector.js';
import { judgeBursts } from './judge-bursts.js';
import { attemptThenSuccess } from './grade-by-outcome.js';
import { WEB_BEHAVIOR_RULES } from './behavior-rules.js';
import { loadWebRules, ruleIssues, type WebRules } from './load-web-rules.js';
import { evaluateCorrelations } from '../../engines/sigma/evaluate-correlations.js';
import type { CompiledSigmaCorrelation, CorrelationEvent } from '../../engines/sigma/compile-sigma-correlations.js';
import { planHuntTasks } from './plan-hunt-tasks.js';
import { runHuntTask } from './run-hunt-task.js';
import { scanLogStream } from './scan-log-stream.js';

/** What `hunt` hands the web-log analyzer. */
export interface WeblogInput {
  readonly sources: readonly LogSource[];
  /** Worker threads to use; 1 reads everything on the calling thread. */
  readonly threads: number;
  readonly settings: HuntSettings;
}

/** Below this many bytes in all, starting worker threads costs more than it saves. */
const INLINE_MAX_BYTES = 16 * 1024 * 1024;

const FORMAT_KIND: Record<WebLogFormat, ArtifactKind> = { w3c: 'w3c-log', httperr: 'httperr-log', iis: 'iis-log', ncsa: 'ncsa-log' };

/** IIS web logs (W3C, HTTPERR, IIS, NCSA) → findings, across worker threads for large inputs. */
export const weblogAnalyzer: Analyzer<WeblogInput> = {
  id: 'weblog',
  version: '1',
  description: 'Hunts IIS web and HTTP.sys error logs for exploitation and web-shell use.',
  async run(input: WeblogInput, context: AnalyzerContext): Promise<AnalyzerResult> {
    const { sources, settings } = input;
    const rules = await loadWebRules(settings.rules);
    const detectors = rules.detectors;
    const totalBytes = sources.reduce((sum, s) => sum + s.size, 0);
    const threads = workersAvailable() && totalBytes >= INLINE_MAX_BYTES ? Math.max(1, input.threads) : 1;
    const tasks = await planHuntTasks(sources, threads, settings.maxLineBytes);
    const progress = { bytes: 0, records: 0, matches: 0 };
    const onProgress = (bytes: number, records: number, matches: number): void => {
      progress.bytes += bytes;
      progress.records += records;
      progress.matches += matches;
      context.onProgress?.(progress);
    };
    // Standard input belongs to this thread: read it here while the workers take the rest.
    const onWorkers = threads > 1 ? tasks.filter((t) => t.source.container !== 'stdin') : [];
    const here = threads > 1 ? tasks.filter((t) => t.source.container === 'stdin') : tasks;
    const [fromWorkers, fromHere] = await Promise.all([
      // Workers load only the files that hold web rules, not a whole rule tree of other log sources.
      onWorkers.length > 0 ? runOnWorkers(onWorkers, threads, { ...settings, rules: { content: settings.rules.content, sigmaPaths: rules.webRuleFiles } }, context.signal, onProgress) : Promise.resolve([]),
      runInline(here, rules, settings, context.signal, onProgress),
    ]);
    // Back in input order, so the first hit of every finding stays first.
    const outcomes = tasks.map((task) => {
      const w = onWorkers.indexOf(task);
      return (w >= 0 ? fromWorkers[w] : fromHere[here.indexOf(task)]) as TaskOutcome;
    });
    await recheckRanges(outcomes, rules, settings, context.signal);
    const bursts = settings.rules.content ? tuneBursts(BUILTIN_BURSTS, settings.burstTuning) : [];
    const metas = [...detectors.map((d) => d.meta), ...(settings.rules.content ? WEB_BEHAVIOR_RULES : []), ...rules.correlations.map((c) => c.meta)];
    const result = mergeOutcomes(outcomes, context.evidenceCap, metas, bursts, rules.correlations, settings.rules.content);
    return { ...result, issues: [...ruleIssues(rules), ...result.issues] };
  },
};

async function runInline(
  tasks: readonly HuntTask[],
  rules: WebRules,
  settings: HuntSettings,
  signal: AbortSignal,
  onProgress: (b: number, r: number, m: number) => void,
): Promise<TaskOutcome[]> {
  const outcomes: TaskOutcome[] = [];
  for (const task of tasks) {
    signal.throwIfAborted();
    outcomes.push(await runHuntTask(task, rules, settings, signal, onProgress));
  }
  return outcomes;
}

/**
 * Ranges after the first started from the state of the file's head. Where the real state at a range's
 * start differs (the `#Fields` changed in an earlier range), the range is read again from the right state.
 */
async function recheckRanges(outcomes: TaskOutcome[], rules: WebRules, settings: HuntSettings, signal: AbortSignal): Promise<void> {
  let carried: WebLogReaderState | undefined;
  for (let i = 0; i < outcomes.length; i += 1) {
    const outcome = outcomes[i] as TaskOutcome;
    const range = outcome.task.range;
    const stream = outcome.streams[0];
    if (range === undefined || stream === undefined) continue;
    if (range.index > 0 && carried !== undefined && !sameState(carried, range.state)) {
      const task: HuntTask = { source: outcome.task.source, range: { ...range, state: carried } };
      const again = await scanLogStream(task.source.path, readFileRange(task.source.path, range.start, range.end, undefined, signal), rules, settings, carried);
      outcomes[i] = { task, streams: [again], issues: outcome.issues };
      carried = again.endState;
      continue;
    }
    carried = stream.sawDirective || range.index === 0 ? stream.endState : (carried ?? stream.endState);
  }
}

function sameState(a: WebLogReaderState, b: WebLogReaderState | undefined): boolean {
  if (b === undefined) return false;
  const fa = a.fields ?? [];
  const fb = b.fields ?? [];
  const sameFields = fa.length === fb.length && fa.every((f, i) => f === fb[i]);
  // The #Date directive only matters to lines without a date field of their own.
  const datesMatter = !fa.some((f) => f.toLowerCase() === 'date');
  return a.format === b.format && a.httpErr === b.httpErr && sameFields && (!datesMatter || a.date === b.date);
}

/** Merges task outcomes in input order: line numbers of ranges shifted to whole-file numbers. */
function mergeOutcomes(
  outcomes: readonly TaskOutcome[],
  evidenceCap: number,
  rules: AnalyzerResult['rules'],
  bursts: readonly BurstDetector[],
  correlations: readonly CompiledSigmaCorrelation[],
  content: boolean,
): AnalyzerResult {
  const burstParts: BurstEvents[] = [];
  const spans = new Map<string, { first: number; last: number }>();
  const correlationEvents: CorrelationEvent<MatchRef>[] = [];
  const aggregator = new FindingAggregator(evidenceCap);
  const issues: ScanIssue[] = [];
  const inputs = new Map<string, InputSummary>();
  const lineOffsets = new Map<string, number>();
  for (const outcome of outcomes) {
    issues.push(...outcome.issues);
    for (const stream of outcome.streams) {
      const offset = outcome.task.range === undefined ? 0 : (lineOffsets.get(stream.path) ?? 0);
      if (outcome.task.range !== undefined) lineOffsets.set(stream.path, offset + stream.stats.lines);
      issues.push(...stream.issues.map((issue) => (offset === 0 || issue.line === undefined ? issue : { ...issue, line: issue.line + offset })));
      aggregator.merge(offset === 0 ? stream.groups : stream.groups.map((g) => shiftGroup(g, offset)));
      burstParts.push(offset === 0 ? stream.bursts : shiftBursts(stream.bursts, offset));
      for (const [site, span] of stream.spans) {
        const known = spans.get(site);
        spans.set(site, known === undefined ? { ...span } : { first: Math.min(known.first, span.first), last: Math.max(known.last, span.last) });
      }
      for (const event of stream.correlationEvents) {
        const line = event.ref.evidence.line;
        correlationEvents.push(offset === 0 || line === undefined ? event : { ...event, ref: { ...event.ref, evidence: { ...event.ref.evidence, line: line + offset } } });
      }
      addInput(inputs, stream);
    }
  }
  for (const draft of judgeBursts(burstParts, bursts, spans)) aggregator.add(draft);
  if (content) for (const draft of attemptThenSuccess(aggregator.groups())) aggregator.add(draft);
  for (const hit of evaluateCorrelations(correlations, correlationEvents)) {
    const location = correlationLocation(hit.groupKey);
    for (const ref of hit.samples) aggregator.add({ rule: hit.meta, asset: ref.asset, locationKey: location, evidence: ref.evidence });
  }
  // Every rule ran on every request read, so each rule covers every site that had a request in the logs.
  const sites = [...spans.keys()].sort();
  const coverage = rules.flatMap((rule) => sites.map((asset) => ({ ruleId: rule.id, asset })));
  return { groups: aggregator.groups(), inputs: [...inputs.values()], issues, rules, coverage };
}

function shiftBursts(bursts: BurstEvents, offset: number): BurstEvents {
  const shifted: BurstEvents = new Map();
  for (const [id, byKey] of bursts) {
    shifted.set(id, new Map([...byKey].map(([key, tally]) => [key, { ...tally, lines: tally.lines.map((line) => line + offset) }])));
  }
  return shifted;
}

function shiftGroup(group: FindingGroup, offset: number): FindingGroup {
  const shift = <E extends { line?: number }>(e: E): E => (e.line === undefined ? e : { ...e, line: e.line + offset });
  return { ...group, head: group.head.map(shift), ...(group.last === undefined ? {} : { last: shift(group.last) }) };
}

function addInput(inputs: Map<string, InputSummary>, stream: StreamOutcome): void {
  const existing = inputs.get(stream.path);
  const kind: ArtifactKind = stream.format === undefined ? 'web-log' : FORMAT_KIND[stream.format];
  if (existing === undefined) {
    inputs.set(stream.path, { kind, path: stream.path, records: stream.stats.records, skipped: stream.stats.skipped, bytes: stream.stats.bytes });
    return;
  }
  existing.records += stream.stats.records;
  existing.skipped += stream.stats.skipped;
  existing.bytes += stream.stats.bytes;
  if (existing.kind === 'web-log') existing.kind = kind;
}

/** The burst detectors with the user's thresholds and windows (judging happens here, on the main thread). */
function tuneBursts(bursts: readonly BurstDetector[], tuning: HuntSettings['burstTuning']): BurstDetector[] {
  return bursts.map((burst) => {
    const change = tuning === undefined || !Object.hasOwn(tuning, burst.meta.id) ? undefined : tuning[burst.meta.id];
    return change === undefined ? burst : { ...burst, threshold: change.threshold, windowMs: change.windowMs ?? burst.windowMs };
  });
}

/** A correlation's group as people read it: the value itself when it is grouped by one field (a client address), else the JSON list. */
function correlationLocation(groupKey: string): string {
  const values: unknown = JSON.parse(groupKey);
  return Array.isArray(values) && values.length === 1 && typeof values[0] === 'string' ? values[0] : groupKey;
}
