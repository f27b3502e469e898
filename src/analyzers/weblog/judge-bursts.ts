import type { Asset } from '../../core/asset.js';
import type { FindingDraft } from '../../core/finding-draft.js';
import type { BurstDetector, BurstTally } from './burst-detector.js';
import type { BurstEvents } from './hunt-task.js';

/** One counted request placed in time. */
export interface BurstPoint {
  readonly time: number;
  readonly file: string;
  readonly line: number;
  readonly asset: Asset;
}

/** The first and last request time (ms, UTC) read for a site, by asset id: its analysed period. */
export type SiteSpans = ReadonlyMap<string, { readonly first: number; readonly last: number }>;

/**
 * Merges the tallies of every part of a hunt and turns each key that qualifies into drafts, one per
 * request of its densest window (so the finding counts them). Window detectors need `threshold` requests
 * within `windowMs`; lone-client detectors need one single client over all parts, `threshold` requests
 * and enough of them marked; periodic, first-seen and above-site-rate detectors are judged as their
 * settings say, against the sites' analysed periods in `spans`.
 */
export function judgeBursts(parts: readonly BurstEvents[], detectors: readonly BurstDetector[], spans: SiteSpans = new Map()): FindingDraft[] {
  const drafts: FindingDraft[] = [];
  for (const detector of detectors) {
    const merged = new Map<string, BurstTally[]>();
    for (const part of parts) {
      for (const [key, tally] of part.get(detector.meta.id) ?? []) {
        const list = merged.get(key);
        if (list === undefined) merged.set(key, [tally]);
        else list.push(tally);
      }
    }
    const siteTotals = new Map<string, number>();
    if (detector.aboveSiteRate !== undefined) {
      for (const tallies of merged.values()) for (const t of tallies) siteTotals.set(t.asset.id, (siteTotals.get(t.asset.id) ?? 0) + t.count);
    }
    for (const [key, tallies] of [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const count = tallies.reduce((sum, t) => sum + t.count, 0);
      if (count < detector.threshold) continue;
      const siteId = tallies[0]?.asset.id ?? '';
      const span = spans.get(siteId);
      let location = key;
      if (detector.loneClient !== undefined) {
        const client = tallies[0]?.client;
        if (client === undefined || tallies.some((t) => t.client !== client)) continue;
        if (tallies.reduce((sum, t) => sum + t.marked, 0) < detector.loneClient.minMarkedShare * count) continue;
        location = `${key} ${client}`;
      }
      const points = tallies.flatMap((t) => t.times.map((time, i): BurstPoint => ({ time, file: t.file, line: t.lines[i] ?? 0, asset: t.asset })));
      if (detector.periodic !== undefined && !isPeriodic(points, detector.periodic)) continue;
      if (detector.firstSeen !== undefined && !isFirstSeenLate(points, span, detector.firstSeen)) continue;
      const window = densestWindow(points, detector.windowMs);
      if (detector.loneClient === undefined && window.length < detector.threshold) continue;
      if (detector.aboveSiteRate !== undefined) {
        // Without a period several windows long there is no rate to compare with.
        const windows = span === undefined ? 1 : (span.last - span.first) / detector.windowMs;
        if (windows < 2 || window.length < detector.aboveSiteRate.factor * ((siteTotals.get(siteId) ?? 0) / windows)) continue;
      }
      const asset = (window[0] ?? points[0])?.asset;
      if (asset === undefined) continue;
      for (const point of window) {
        drafts.push({ rule: detector.meta, asset, locationKey: location, evidence: { kind: 'log-line', file: point.file, line: point.line, time: point.time } });
      }
    }
  }
  return drafts;
}

/** True when the gaps between the points keep a timer (see `BurstDetector.periodic`). */
export function isPeriodic(points: readonly { readonly time: number }[], settings: NonNullable<BurstDetector['periodic']>): boolean {
  const times = points.map((p) => p.time).sort((a, b) => a - b);
  const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
  if (gaps.length === 0) return false;
  const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)] as number;
  if (median < settings.minIntervalMs) return false;
  const regular = gaps.filter((gap) => Math.abs(gap - median) <= settings.tolerance * median).length;
  return regular >= settings.minRegularShare * gaps.length;
}

/** True when the first point comes after the site's baseline (see `BurstDetector.firstSeen`); false when the period is too short to have one. */
export function isFirstSeenLate(
  points: readonly { readonly time: number }[],
  span: { readonly first: number; readonly last: number } | undefined,
  settings: NonNullable<BurstDetector['firstSeen']>,
): boolean {
  if (span === undefined || points.length === 0) return false;
  const length = span.last - span.first;
  const baseline = Math.max(settings.minBaselineMs, settings.baselineShare * length);
  if (length <= baseline) return false;
  const first = points.reduce((min, p) => Math.min(min, p.time), Number.POSITIVE_INFINITY);
  return first > span.first + baseline;
}

/** The largest run of points (in time order) that fits in one window; the earliest such run on ties. */
export function densestWindow<P extends { readonly time: number }>(points: readonly P[], windowMs: number): P[] {
  const sorted = [...points].sort((a, b) => a.time - b.time);
  let bestStart = 0;
  let bestEnd = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while ((sorted[end] as P).time - (sorted[start] as P).time >= windowMs) start += 1;
    if (end + 1 - start > bestEnd - bestStart) {
      bestStart = start;
      bestEnd = end + 1;
    }
  }
  return sorted.slice(bestStart, bestEnd);
}
