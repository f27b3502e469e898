import type { Asset } from '../../core/asset.js';
import type { Evidence } from '../../core/evidence.js';
import { FindingAggregator } from '../../core/finding-aggregator.js';
import type { ScanIssue } from '../../core/scan-issue.js';
import { RuleIndex } from '../../engines/needle/rule-index.js';
import { percentDecode } from '../../formats/web-log/percent-decode.js';
import { InputStreamError } from '../../formats/log-stream/input-stream-error.js';
import { WebLogReader, type WebLogReaderState } from '../../formats/web-log/web-log-reader.js';
import type { WebRecord } from '../../formats/web-log/web-record.js';
import { evidenceText } from './evidence-text.js';
import { OutcomeGrader } from './grade-by-outcome.js';
import { BUILTIN_BURSTS, BURST_LIMITS } from './burst-detector.js';
import type { BurstEvents, HuntSettings, MatchRef, StreamOutcome } from './hunt-task.js';
import type { CorrelationEvent } from '../../engines/sigma/compile-sigma-correlations.js';
import { webAsset, webSource } from './web-asset.js';
import type { WebRules } from './load-web-rules.js';
import type { WebDetector } from './web-detector.js';
import { webSigmaRecord } from './web-sigma-record.js';
import { huntPrefilter, runnableIn } from './hunt-prefilter.js';

/** Most correlation events one part of a hunt keeps: each is a few numbers and a reference. */
const MAX_CORRELATION_EVENTS = 200_000;

/** Counters a running scan reports as it goes: what was added since the last tick. */
export type ProgressTick = (bytes: number, records: number, matches: number) => void;

/**
 * Reads one log stream with the detectors and groups the matches into findings. A stream that fails
 * part-way (a cut-off gzip) keeps what was read and adds a ScanIssue at the line reached.
 */
export async function scanLogStream(
  path: string,
  chunks: AsyncIterable<Buffer>,
  rules: Pick<WebRules, 'detectors' | 'correlations'>,
  settings: HuntSettings,
  state?: WebLogReaderState,
  onProgress?: ProgressTick,
): Promise<StreamOutcome> {
  const aggregator = new FindingAggregator(settings.evidenceCap);
  const issues: ScanIssue[] = [];
  let matches = 0;
  let sawDirective = false;
  const bursts = settings.rules.content ? BUILTIN_BURSTS : [];
  const burstEvents: BurstEvents = new Map();
  const { detectors, correlations } = rules;
  const correlationEvents: CorrelationEvent<MatchRef>[] = [];
  const plan = huntPrefilter(detectors, bursts);
  const prefilter = plan.prefilter;
  const index = new RuleIndex(detectors);
  // The byte pass already ran every rule needle over each line (raw and decoded): its states give a
  // record's candidates without scanning the line again.
  const ownersByState = prefilter === undefined ? undefined : index.ownersByState(prefilter);
  // The rules a line's columns cannot satisfy, per layout: a rule needing a header the log does not record
  // (IIS-Raid's X-Password, IIStealer's X-IIS-Data) can never match there, so it is not even a candidate.
  const excludedByColumns = new Map<string, Uint8Array>();
  let lastColumns: readonly string[] | undefined;
  let lastExcluded: Uint8Array | undefined;
  const excludedFor = (record: WebRecord): Uint8Array => {
    const names = record.fields();
    if (names === lastColumns && lastExcluded !== undefined) return lastExcluded;
    const key = names.join(' ');
    let excluded = excludedByColumns.get(key);
    if (excluded === undefined) {
      const columns = new Set(names);
      excludedByColumns.set(key, (excluded = Uint8Array.from(detectors, (detector) => (runnableIn(detector, columns) ? 0 : 1))));
    }
    lastColumns = names;
    lastExcluded = excluded;
    return excluded;
  };
  const candidatesOf = (record: WebRecord): WebDetector[] => {
    // `+` needs no decoding here: needles with a space are also searched with `+`.
    const decoded = record.raw.includes('%') ? percentDecode(record.raw, true) : record.raw;
    return index.candidates(decoded === record.raw ? [record.raw] : [record.raw, decoded], excludedFor(record));
  };
  const grader = new OutcomeGrader();
  // Limits reached are said once per stream: the counts behind a burst or correlation may then be low.
  const capped = new Set<string>();
  const capIssue = (what: string, message: string): void => {
    if (capped.has(what)) return;
    capped.add(what);
    issues.push({ code: 'hunt.limit-reached', message, path });
  };
  const spans = new Map<string, { first: number; last: number }>();
  const siteIds = new Map<string, string>();
  const last: { host: string; siteName: string; site: string | undefined } = { host: '', siteName: '', site: undefined };
  const onRecord = (record: WebRecord, groups: number, states?: ArrayLike<number>): void => {
    const time = record.time;
    if (time !== undefined && ((settings.since !== undefined && time < settings.since) || (settings.until !== undefined && time >= settings.until))) return;
    if (time !== undefined) {
      // The site's analysed period, from the requests read for it (burst detectors judge against it, and the
      // store takes the sites read as what the run covered); the asset id is the same for every line of one server and site.
      const host = record.get('s-computername') ?? record.get('s-ip') ?? '';
      const siteName = record.get('s-sitename') ?? '';
      // Lines of one server and site come in long runs: the last line's site is reused without a lookup.
      let site = host === last.host && siteName === last.siteName ? last.site : undefined;
      if (site === undefined) {
        const server = `${host} ${siteName}`;
        site = siteIds.get(server);
        if (site === undefined) siteIds.set(server, (site = webAsset(record).id));
        last.host = host;
        last.siteName = siteName;
        last.site = site;
      }
      const span = spans.get(site);
      if (span === undefined) spans.set(site, { first: time, last: time });
      else if (time < span.first) span.first = time;
      else if (time > span.last) span.last = time;
    }
    const httpErr = record.format === 'httperr';
    for (const burst of time === undefined || !plan.anyBurst(groups) ? [] : bursts) {
      if (!plan.burstWants(burst, groups) || (burst.logs === 'httperr') !== httpErr) continue;
      const key = burst.key(record);
      if (key === undefined || time === undefined) continue;
      let byKey = burstEvents.get(burst.meta.id);
      if (byKey === undefined) burstEvents.set(burst.meta.id, (byKey = new Map()));
      let tally = byKey.get(key);
      const client = burst.loneClient?.client(record);
      if (tally === undefined) {
        if (byKey.size >= BURST_LIMITS.keysPerDetector) {
          capIssue(burst.meta.id, `${burst.meta.id}: more than ${BURST_LIMITS.keysPerDetector} keys; requests of further keys were not counted`);
          continue;
        }
        tally = { asset: webAsset(record), file: record.file, times: [], lines: [], count: 0, marked: 0, client };
        byKey.set(key, tally);
      }
      tally.count += 1;
      if (burst.mark?.(record) === true) tally.marked += 1;
      if (client !== tally.client) tally.client = undefined;
      // A page used by two clients can never qualify; a lone-client finding only needs a sample.
      if (burst.loneClient !== undefined && (tally.client === undefined || tally.times.length >= BURST_LIMITS.loneClientSample)) continue;
      if (tally.times.length < BURST_LIMITS.eventsPerKey) {
        tally.times.push(time);
        tally.lines.push(record.line);
      } else if (burst.loneClient === undefined) {
        capIssue(burst.meta.id, `${burst.meta.id}: more than ${BURST_LIMITS.eventsPerKey} requests for one key; only the first were placed in time`);
      }
    }
    if (!plan.rulesWant(record, groups)) return;
    const matched: string[] = [];
    let asset: Asset | undefined;
    let evidence: Evidence | undefined;
    for (const detector of states !== undefined && ownersByState !== undefined ? index.candidatesAt(states, ownersByState, excludedFor(record)) : candidatesOf(record)) {
      if (!detector.test(record)) continue;
      matches += 1;
      asset ??= webAsset(record);
      evidence ??= { kind: 'log-line', file: record.file, line: record.line, text: evidenceText(record.raw), ...(time === undefined ? {} : { time }) };
      const graded = grader.grade(detector.meta, record);
      aggregator.add({ rule: graded.rule, asset, locationKey: `${webSource(record)}${graded.outcome}`, evidence });
      // Correlations count what reached its target: a refused exploit request is not a step of a chain.
      if (graded.outcome === '') matched.push(detector.meta.id);
    }
    if (matched.length > 0 && correlations.length > 0 && time !== undefined && asset !== undefined && evidence !== undefined) {
      const view = webSigmaRecord(record);
      for (const correlation of correlations) {
        if (correlationEvents.length >= MAX_CORRELATION_EVENTS) {
          capIssue('correlations', `more than ${MAX_CORRELATION_EVENTS} matches for correlation rules; the rest were not counted`);
          break;
        }
        correlationEvents.push(...correlation.events(matched, view, time, { asset, evidence }));
      }
    }
  };
  const reader = new WebLogReader({
    file: path,
    onRecord,
    onIssue: (issue) => issues.push(issue),
    ...(prefilter === undefined ? {} : { prefilter, wantedGroups: plan.wantedGroups }),
    maxLineBytes: settings.maxLineBytes,
    localOffsetMinutes: settings.localOffsetMinutes,
    ...(state === undefined ? {} : { state }),
  });
  const start = reader.state();
  const ticked = { bytes: 0, records: 0, matches: 0 };
  const tick = (): void => {
    onProgress?.(reader.stats.bytes - ticked.bytes, reader.stats.records - ticked.records, matches - ticked.matches);
    ticked.bytes = reader.stats.bytes;
    ticked.records = reader.stats.records;
    ticked.matches = matches;
  };
  try {
    for await (const chunk of chunks) {
      reader.push(chunk);
      if (onProgress !== undefined && reader.stats.bytes - ticked.bytes >= 8 * 1024 * 1024) tick();
    }
  } catch (error) {
    if (!(error instanceof InputStreamError)) throw error;
    issues.push({ code: error.code, message: error.message, path, line: reader.stats.lines + 1 });
  }
  reader.end();
  tick();
  const endState = reader.state();
  sawDirective = endState.fields !== start.fields || endState.format !== start.format || endState.date !== start.date;
  return { path, format: endState.format, stats: { ...reader.stats }, issues, groups: aggregator.groups(), bursts: burstEvents, spans, correlationEvents, endState, sawDirective };
}
