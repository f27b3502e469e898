import type { FindingDraft } from '../../core/finding-draft.js';
import { KEY_SEPARATOR, type BurstDetector, type BurstEvent } from './burst-detector.js';
import type { BurstEvents } from './hunt-task.js';

/**
 * Merges the burst events of every part of a hunt and turns each key whose events reach the threshold
 * within the window into drafts: one per event of the densest window (so the finding counts them), on
 * the asset of the window's first request.
 */
export function judgeBursts(parts: readonly BurstEvents[], detectors: readonly BurstDetector[]): FindingDraft[] {
  const drafts: FindingDraft[] = [];
  for (const detector of detectors) {
    const merged = new Map<string, BurstEvent[]>();
    for (const part of parts) {
      for (const [key, events] of part.get(detector.meta.id) ?? []) {
        const list = merged.get(key);
        if (list === undefined) merged.set(key, [...events]);
        else list.push(...events);
      }
    }
    const clientsPerPage = new Map<string, number>();
    if (detector.loneClient !== undefined) {
      for (const key of merged.keys()) {
        const page = key.slice(0, key.lastIndexOf(KEY_SEPARATOR));
        clientsPerPage.set(page, (clientsPerPage.get(page) ?? 0) + 1);
      }
    }
    for (const [key, events] of [...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (events.length < detector.threshold) continue;
      if (detector.loneClient !== undefined) {
        if (clientsPerPage.get(key.slice(0, key.lastIndexOf(KEY_SEPARATOR))) !== 1) continue;
        if (events.filter((e) => e.marked === true).length < detector.loneClient.minMarkedShare * events.length) continue;
      }
      const window = densestWindow(events, detector.windowMs);
      if (window.length < detector.threshold) continue;
      const first = window[0] as BurstEvent;
      const location = key.replaceAll(KEY_SEPARATOR, ' ');
      for (const event of window) drafts.push({ rule: detector.meta, asset: first.asset, locationKey: location, evidence: event.evidence });
    }
  }
  return drafts;
}

/** The largest run of events (in time order) that fits in one window; the earliest such run on ties. */
export function densestWindow(events: readonly BurstEvent[], windowMs: number): BurstEvent[] {
  const sorted = [...events].sort((a, b) => a.time - b.time);
  let bestStart = 0;
  let bestEnd = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while ((sorted[end] as BurstEvent).time - (sorted[start] as BurstEvent).time >= windowMs) start += 1;
    if (end + 1 - start > bestEnd - bestStart) {
      bestStart = start;
      bestEnd = end + 1;
    }
  }
  return sorted.slice(bestStart, bestEnd);
}
