import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { SERVE_ROUTES } from '../../src/server/start-serve.js';
import { actNowItems } from '../../src/store/dashboard-queries.js';
import { postgresDown } from '../e2e/test-postgres.js';
import { makeFinding } from '../server/seed-findings.js';
import { AccountStore } from '../../src/store/account-store.js';
import { startTestServer, type TestServer } from '../server/test-server.js';
import { distinctChanged, expectedChanges, HOUR, percentileDays, recordScenario, tracked } from './dashboard-history.js';
import { prioritized } from './prioritized-findings.js';

interface Dashboard {
  openByLabel: Record<string, number>;
  openTotal: number;
  actNow: { total: number; items: { fingerprint: string; reasons: string[] }[] };
  series: { days: string[]; labels: { label: string; counts: number[] }[] };
  topAssets: { asset: string; open: number; riskSum: number; maxRisk: number; lastScan?: string }[];
  freshness: { assets: { asset: string; lastScan?: string; lastFound?: string }[]; failingSchedules: { id: number; lastError: string }[] };
}

/** Twelve prioritized findings (two per label) and one without a priority whose title starts like a formula. */
const findings: Finding[] = [...Array.from({ length: 12 }, (_, i) => prioritized(i)), makeFinding(12, { title: '=HYPERLINK("http://x","y")' })];
const coverage = findings.map((f) => ({ ruleId: f.ruleId, asset: f.asset }));
const run = (day: string, found: readonly Finding[]) => ({ command: 'scan', toolVersion: '0', startedAt: `${day}T10:00:00.000Z`, finishedAt: `${day}T10:05:00.000Z`, findings: found, coverage, keepFindings: false });

for (const db of ['sqlite', 'postgres'] as const) {
  describe(`GET /api/v1/dashboard, /assets and /findings/export on ${db}`, async () => {
    const down = db === 'postgres' ? await postgresDown('dashboard API on PostgreSQL') : undefined;
    let server: TestServer;
    let headers: Record<string, string>;
    const get = async <T>(url: string): Promise<T> => {
      const response = await server.app.inject({ url, headers });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<T>();
    };
    beforeAll(async () => {
      if (down !== undefined) return;
      server = await startTestServer({ db, routes: SERVE_ROUTES });
      headers = { authorization: `Bearer ${await server.token('operator')}` };
      // Found on the 28th; two not found on the 30th (fixed); found again on the 31st (reopened). The clock is at June 1st.
      await server.store.recordRun(run('2026-05-28', findings));
      await server.store.recordRun(run('2026-05-30', findings.filter((_, i) => i !== 10 && i !== 11)));
      await server.store.recordRun(run('2026-05-31', findings));
      await server.store.database.insertInto('schedules').values({ kind: 'scan', targets: '["http://a/"]', cron: '0 * * * *', timezone: 'UTC', enabled: 1, last_run_at: '2026-05-31T23:00:00.000Z', next_run_at: null, last_error: 'connection refused', created_by: 'test', created_at: '2026-05-01T00:00:00.000Z' }).execute();
    }, 60_000);
    afterAll(async () => server?.close());

    it.skipIf(down !== undefined)('counts open findings per label, lists what to act on now, and says why', async () => {
      const dashboard = await get<Dashboard>('/api/v1/dashboard');
      expect(dashboard.openByLabel).toEqual({ incident: 2, '3d-forensic': 2, '3d': 2, '14d': 2, '60d': 2, 'next-upgrade': 2, none: 1 });
      expect(dashboard.openTotal).toBe(13);
      const reasons = Object.fromEntries(dashboard.actNow.items.map((item) => [item.fingerprint, item.reasons]));
      // Incidents; 3-day items due within a day (due at noon on June 1st); the two reopened.
      expect(dashboard.actNow.total).toBe(8);
      expect(reasons[findings[0]?.fingerprint ?? '']).toEqual(['incident']);
      expect(reasons[findings[2]?.fingerprint ?? '']).toEqual(['due']);
      expect(reasons[findings[10]?.fingerprint ?? '']).toEqual(['reopened']);
      expect(reasons[findings[3]?.fingerprint ?? '']).toBeUndefined();
      expect(dashboard.freshness.failingSchedules.map((s) => s.lastError)).toEqual(['connection refused']);
      // Rare items are looked up by index instead of along the risk order: the same list either way.
      const now = server.deps.now();
      const walked = await actNowItems(server.store.database, now, 20);
      expect(await actNowItems(server.store.database, now, 20, undefined, { total: 8, open: 1_000_000 })).toEqual(walked);
      expect(walked.map((item) => item.fingerprint)).toEqual(dashboard.actNow.items.map((item) => item.fingerprint));
    });

    it.skipIf(down !== undefined)('computes the daily series from the history: opened, fixed, reopened', async () => {
      const { series } = await get<Dashboard>('/api/v1/dashboard');
      expect(series.days).toHaveLength(30);
      expect(series.days.at(-1)).toBe('2026-06-01');
      const at = (label: string, day: string) => series.labels.find((l) => l.label === label)?.counts[series.days.indexOf(day)];
      expect(at('60d', '2026-05-27')).toBe(0);
      expect(at('60d', '2026-05-28')).toBe(2);
      expect(at('60d', '2026-05-29')).toBe(2);
      expect(at('60d', '2026-05-30')).toBe(1);
      expect(at('next-upgrade', '2026-05-30')).toBe(1);
      expect(at('incident', '2026-05-30')).toBe(2);
      expect(at('60d', '2026-05-31')).toBe(2);
      expect(at('none', '2026-06-01')).toBe(1);
    });

    it.skipIf(down !== undefined)('ranks assets by open risk and tells when each was last scanned', async () => {
      const { topAssets, freshness } = await get<Dashboard>('/api/v1/dashboard');
      const sums = new Map<string, number>();
      for (const f of findings) sums.set(f.asset, (sums.get(f.asset) ?? 0) + (f.risk ?? 0));
      const ranked = [...sums.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      expect(topAssets.map((a) => [a.asset, a.riskSum])).toEqual(ranked);
      expect(topAssets.every((a) => a.lastScan === '2026-05-31T10:05:00.000Z')).toBe(true);
      expect(freshness.assets).toHaveLength(5);
      const one = await get<{ asset: string; open: number }>('/api/v1/assets/site-0');
      expect(one.open).toBe(findings.filter((f) => f.asset === 'site-0').length);
      const listed = await get<{ items: { asset: string }[] }>('/api/v1/assets?limit=2');
      expect(listed.items.map((a) => a.asset)).toEqual(ranked.slice(0, 2).map(([asset]) => asset));
      expect((await server.app.inject({ url: '/api/v1/assets/nowhere', headers })).statusCode).toBe(404);
    });

    it.skipIf(down !== undefined)('keeps every figure, asset and export within the asset scope of who asks', async () => {
      const { token } = await new AccountStore(server.store.database).createToken({ name: 'site-1-team', role: 'viewer', createdBy: 'test', assets: ['site-1'] }, server.deps.now());
      const scoped = { authorization: `Bearer ${token}` };
      const as = async <T>(url: string): Promise<T> => (await server.app.inject({ url, headers: scoped })).json<T>();
      const within = findings.filter((f) => f.asset === 'site-1');
      const dashboard = await as<Dashboard>('/api/v1/dashboard');
      expect(dashboard.openTotal).toBe(within.length);
      expect(dashboard.topAssets.map((a) => a.asset)).toEqual(['site-1']);
      expect(dashboard.freshness.assets.map((a) => a.asset)).toEqual(['site-1']);
      expect(dashboard.freshness.failingSchedules).toEqual([]);
      expect(dashboard.series.labels.reduce((sum, l) => sum + (l.counts.at(-1) ?? 0), 0)).toBe(within.length);
      expect(dashboard.actNow.items.every((item) => within.some((f) => f.fingerprint === item.fingerprint))).toBe(true);
      expect((await as<{ items: { asset: string }[] }>('/api/v1/assets')).items.map((a) => a.asset)).toEqual(['site-1']);
      expect((await server.app.inject({ url: '/api/v1/assets/site-0', headers: scoped })).statusCode).toBe(404);
      const exported = await as<{ items: { asset: string }[] }>('/api/v1/findings/export?format=json&status=all');
      expect(exported.items.map((f) => f.asset)).toEqual(within.map(() => 'site-1'));
    });

    it.skipIf(down !== undefined)('exports exactly the filtered list, as CSV safe for spreadsheets and as JSON', async () => {
      const list = await get<{ items: { fingerprint: string }[] }>('/api/v1/findings?severity=high&limit=500');
      const json = await get<{ items: { fingerprint: string }[] }>('/api/v1/findings/export?severity=high&format=json');
      expect(json.items.map((f) => f.fingerprint)).toEqual(list.items.map((f) => f.fingerprint));
      const csv = await server.app.inject({ url: '/api/v1/findings/export?format=csv', headers });
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="w3guard-findings-2026-06-01\.csv"$/);
      const lines = csv.body.split('\r\n').filter((line) => line !== '');
      expect(lines).toHaveLength(1 + 13);
      expect(csv.body).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
      const sarif = await server.app.inject({ url: '/api/v1/findings/export?format=sarif&severity=high', headers });
      expect(sarif.headers['content-type']).toBe('application/sarif+json; charset=utf-8');
      const log = sarif.json<{ version: string; runs: { results: { ruleId: string }[] }[] }>();
      expect(log.version).toBe('2.1.0');
      expect(log.runs[0]?.results).toHaveLength(list.items.length);
      // Suppressing one moves it out of the default export and into status=suppressed.
      const bulk = await server.app.inject({ method: 'POST', url: '/api/v1/findings/bulk', headers, payload: { fingerprints: [findings[0]?.fingerprint], suppression: { reason: 'accepted' } } });
      expect(bulk.statusCode).toBe(200);
      expect((await get<{ items: unknown[] }>('/api/v1/findings/export?format=json')).items).toHaveLength(12);
      expect((await get<{ items: unknown[] }>('/api/v1/findings/export?format=json&status=suppressed')).items).toHaveLength(1);
      expect((await get<Dashboard>('/api/v1/dashboard')).openByLabel['incident']).toBe(1);
    });
  });
}

interface History {
  weekly: { from: string; to: string; opened: number; fixed: number }[];
  timeToFix: { from: string; to: string; labels: { label: string; fixed: number; medianDays?: number; p90Days?: number }[] };
  freshness: { notScanned: { since: string; count: number }; feeds: { kev?: { date: string; ageDays: number; stale: boolean }; epss?: { date: string; ageDays: number; stale: boolean } } };
}

for (const db of ['sqlite', 'postgres'] as const) {
  describe(`GET /api/v1/dashboard: new against fixed, time to fix, feeds and coverage on ${db}`, async () => {
    const down = db === 'postgres' ? await postgresDown('dashboard history on PostgreSQL') : undefined;
    let server: TestServer;
    let headers: Record<string, string>;
    const get = async <T>(url: string, as = headers): Promise<T> => {
      const response = await server.app.inject({ url, headers: as });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<T>();
    };
    /** How many findings the list shows for a query string, following its cursors. */
    const listed = async (query: string, as = headers): Promise<number> => {
      let count = 0;
      let cursor: string | undefined;
      do {
        const page = await get<{ items: unknown[]; nextCursor: string | null }>(`/api/v1/findings?${query}&limit=7${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`, as);
        count += page.items.length;
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      return count;
    };
    beforeAll(async () => {
      if (down !== undefined) return;
      // Wednesday June 3rd, noon: this ISO week started on Monday June 1st.
      server = await startTestServer({ db, routes: SERVE_ROUTES, start: new Date('2026-06-03T12:00:00Z') });
      headers = { authorization: `Bearer ${await server.token('operator')}` };
      await recordScenario(server.store);
    }, 60_000);
    afterAll(async () => server?.close());

    it.skipIf(down !== undefined)('counts findings new or reopened and fixed per ISO week, each once, and each count is what its link lists', async () => {
      const { weekly } = await get<History>('/api/v1/dashboard');
      expect(weekly).toHaveLength(12);
      expect(weekly.at(-1)).toMatchObject({ from: '2026-06-01', to: '2026-06-08' });
      expect(weekly[0]).toMatchObject({ from: '2026-03-16', to: '2026-03-23' });
      expect(weekly.map((w) => [w.from, w.opened, w.fixed])).toEqual(weekly.map((w) => [w.from, distinctChanged('opened', w.from, w.to), distinctChanged('fixed', w.from, w.to)]));
      // Not all empty: the scenario moves findings both ways in most weeks.
      expect(weekly.filter((w) => w.opened > 0 && w.fixed > 0).length).toBeGreaterThan(6);
      for (const week of weekly) {
        expect(await listed(`status=all&openedIn=${week.from}/${week.to}`)).toBe(week.opened);
        expect(await listed(`status=all&fixedIn=${week.from}/${week.to}`)).toBe(week.fixed);
      }
      expect((await server.app.inject({ url: '/api/v1/findings?fixedIn=2026-06-01', headers })).statusCode).toBe(400);
    });

    it.skipIf(down !== undefined)('measures time to fix per label over the last 90 days from each fix back to its opening', async () => {
      const { timeToFix } = await get<History>('/api/v1/dashboard');
      expect(timeToFix).toMatchObject({ from: '2026-03-06', to: '2026-06-04' });
      const changes = expectedChanges();
      for (const row of timeToFix.labels) {
        const hours: number[] = [];
        for (const f of tracked.filter((t) => (t.priority?.label ?? 'none') === row.label)) {
          const own = changes.filter((c) => c.fingerprint === f.fingerprint);
          const fix = own.filter((c) => c.kind === 'fixed' && c.at >= '2026-03-06' && c.at < '2026-06-04').at(-1);
          if (fix === undefined) continue;
          const opening = own.filter((c) => c.kind === 'opened' && c.at <= fix.at).at(-1);
          hours.push(Math.floor(Math.round((Date.parse(fix.at) - Date.parse(opening?.at ?? '')) / 60_000) / 60));
        }
        expect(row.fixed, row.label).toBe(hours.length);
        if (hours.length > 0) expect([row.medianDays, row.p90Days], row.label).toEqual([percentileDays(hours, 0.5), percentileDays(hours, 0.9)]);
        else expect(row.medianDays).toBeUndefined();
        expect(await listed(`status=all&label=${row.label}&fixedIn=${timeToFix.from}/${timeToFix.to}`)).toBe(row.fixed);
      }
      expect(timeToFix.labels.filter((row) => row.fixed > 0).length).toBe(6);
      expect(timeToFix.labels.find((row) => row.label === 'none')?.fixed).toBe(0);
    });

    it.skipIf(down !== undefined)('tells the feeds the runs judged by, flags the stale one, and counts assets not scanned lately', async () => {
      const { freshness } = await get<History>('/api/v1/dashboard');
      expect(freshness.feeds.kev).toEqual({ date: '2026-06-02', ageDays: 1, stale: false });
      // Found: the priorities' KEV input is as of May 30th, older than the catalogue the next-to-last run named.
      expect(tracked[0]?.priority?.inputs.find((input) => input.name === 'inKev')?.asOf).toBe('2026-05-30');
      expect(freshness.feeds.epss).toEqual({ date: '2026-05-01', ageDays: 33, stale: true });
      // stale-host: found once, never covered. The five sites were covered on May 31st.
      expect(freshness.notScanned).toEqual({ since: '2026-05-27T12:00:00.000Z', count: 1 });
      server.advance(5 * 24 * HOUR);
      expect((await get<History>('/api/v1/dashboard')).freshness.notScanned.count).toBe(6);
    });

    it.skipIf(down !== undefined)('keeps the history figures within the asset scope of who asks', async () => {
      const { token } = await new AccountStore(server.store.database).createToken({ name: 'site-2-team', role: 'viewer', createdBy: 'test', assets: ['site-2'] }, server.deps.now());
      const scoped = { authorization: `Bearer ${token}` };
      const { weekly, timeToFix } = await get<History>('/api/v1/dashboard', scoped);
      expect(weekly.map((w) => [w.opened, w.fixed])).toEqual(weekly.map((w) => [distinctChanged('opened', w.from, w.to, 'site-2'), distinctChanged('fixed', w.from, w.to, 'site-2')]));
      expect(weekly.reduce((sum, w) => sum + w.opened, 0)).toBeGreaterThan(0);
      const fixedInWindow = distinctChanged('fixed', timeToFix.from, timeToFix.to, 'site-2');
      expect(timeToFix.labels.reduce((sum, row) => sum + row.fixed, 0)).toBe(fixedInWindow);
      expect(await listed(`status=all&fixedIn=${timeToFix.from}/${timeToFix.to}`, scoped)).toBe(fixedInWindow);
    });
  });
}
