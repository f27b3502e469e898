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

/**
 * Merges the tallies of every part of a hunt and turns each key that qualifies into drafts, one per
 * request of its densest window (so the finding counts them). Window detectors need `threshold` requests
 * within `windowMs`; lone-client detectors need one single client over all parts, `threshold` requests
 * and enough of them marked.
 */
export function judgeBursts(parts: readonly BurstEvents[], detectors: readonly BurstDetector[]): FindingDraft[] {
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
    for (const [key, tallies] of [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const count = tallies.reduce((sum, t) => sum + t.count, 0);
      if (count < detector.threshold) continue;
      let location = key;
      if (detector.loneClient !== undefined) {
        const client = tallies[0]?.client;
        if (client === undefined || tallies.some((t) => t.client !== client)) continue;
        if (tallies.reduce((sum, t) => sum + t.marked, 0) < detector.loneClient.minMarkedShare * count) continue;
        location = `${key} ${client}`;
      }
      const points = tallies.flatMap((t) => t.times.map((time, i): BurstPoint => ({ time, file: t.file, line: t.lines[i] ?? 0, asset: t.asset })));
      const window = densestWindow(points, detector.windowMs);
      if (detector.loneClient === undefined && window.length < detector.threshold) continue;
      const asset = (window[0] ?? points[0])?.asset;
      if (asset === undefined) continue;
      for (const point of window) {
        drafts.push({ rule: detector.meta, asset, locationKey: location, evidence: { kind: 'log-line', file: point.file, line: point.line, time: point.time } });
      }
    }
  }
  return drafts;
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
