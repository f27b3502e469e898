import type { Finding } from '../../src/core/finding.js';
import type { FindingStore } from '../../src/store/finding-store.js';
import { makeFinding } from '../server/seed-findings.js';
import { prioritized } from './prioritized-findings.js';

/**
 * A history for the dashboard's history figures, and the same figures worked out here from the scenario alone
 * (not from the store), for the API and browser tests to compare against.
 */

/** Eighteen prioritized findings (three per label) and one on an asset no run covers. */
export const tracked: Finding[] = Array.from({ length: 18 }, (_, i) => prioritized(i));
const uncovered = makeFinding(40, { asset: 'stale-host' });
/** Runs every five days from February 25th to May 31st, each at another hour; finding i is found by run k per `found`. */
export const RUNS = Array.from({ length: 20 }, (_, k) => new Date(Date.UTC(2026, 1, 25 + 5 * k, (k * 7) % 24, k % 60)).toISOString());
export const found = (i: number, k: number): boolean => k >= i % 4 && (i * 7 + k * 3) % 5 !== 0;
export const HOUR = 3_600_000;

/** The lifecycle changes the runs make, worked out here from `found` alone: what the store's history must hold. */
export function expectedChanges(): { fingerprint: string; label: string; asset: string; kind: 'opened' | 'fixed'; at: string }[] {
  const changes: ReturnType<typeof expectedChanges> = [];
  const state = new Map<string, 'open' | 'fixed'>();
  RUNS.forEach((at, k) => {
    tracked.forEach((f, i) => {
      const was = state.get(f.fingerprint);
      const label = f.priority?.label ?? 'none';
      if (found(i, k)) {
        if (was !== 'open') changes.push({ fingerprint: f.fingerprint, label, asset: f.asset, kind: 'opened', at });
        state.set(f.fingerprint, 'open');
      } else if (was === 'open') {
        changes.push({ fingerprint: f.fingerprint, label, asset: f.asset, kind: 'fixed', at });
        state.set(f.fingerprint, 'fixed');
      }
    });
  });
  return changes;
}

/** Nearest-rank percentile of whole hours, in days to a tenth. */
export function percentileDays(hours: readonly number[], p: number): number {
  const sorted = [...hours].sort((a, b) => a - b);
  return Math.round(((sorted[Math.ceil(p * sorted.length) - 1] ?? 0) / 24) * 10) / 10;
}

/** Records the scenario's runs: each covers the tracked findings' rules and assets (stale-host never). */
export async function recordScenario(store: FindingStore): Promise<void> {
  const coverage = tracked.map((f) => ({ ruleId: f.ruleId, asset: f.asset }));
  for (const [k, at] of RUNS.entries()) {
    const findings = [...tracked.filter((_, i) => found(i, k)), ...(k === 0 ? [uncovered] : [])];
    // The next-to-last run names its feeds, as an inventory report does; the others only carry the priorities' dates.
    const feeds = k === RUNS.length - 2 ? { feeds: { kev: { catalogVersion: '2026.06.02', dateReleased: '2026-06-02T14:00:00.000Z', count: 1, source: 'kev.json' }, epss: { scoreDate: '2026-05-01', count: 1, source: 'epss.csv' } } } : {};
    await store.recordRun({ command: 'scan', toolVersion: '0', startedAt: at, finishedAt: at, findings, coverage, keepFindings: false, ...feeds });
  }
}

/** Findings each weekly count must show: distinct findings with such a change in [from, to), optionally on one asset. */
export function distinctChanged(kind: 'opened' | 'fixed', from: string, to: string, asset?: string): number {
  return new Set(expectedChanges().filter((c) => c.kind === kind && c.at >= from && c.at < to && (asset === undefined || c.asset === asset)).map((c) => c.fingerprint)).size;
}
