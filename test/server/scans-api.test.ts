import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVE_ROUTES } from '../../src/server/start-serve.js';
import { appendScanLog } from '../../src/store/scan-log.js';
import { recordScanReport, requestScan } from '../../src/store/scan-store.js';
import { postgresDown } from '../e2e/test-postgres.js';
import { report, shellFindings } from '../jobs/job-fixtures.js';
import { startTestServer, type TestServer } from './test-server.js';

const pgDown = await postgresDown('scans API on PostgreSQL');
const DIALECTS = pgDown === undefined ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

interface ScanList {
  items: { id: number; kind: string; state: string }[];
  nextCursor: string | null;
}

describe.each(DIALECTS)('scans and schedules API on %s', (db) => {
  let server: TestServer;
  let viewer = '';
  let operator = '';
  let admin = '';
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: Record<string, unknown>) =>
    server.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload }) });

  beforeAll(async () => {
    server = await startTestServer({ db, routes: SERVE_ROUTES });
    [viewer, operator, admin] = [await server.token('viewer'), await server.token('operator'), await server.token('admin')];
  });
  afterAll(async () => server.close());

  it('pages scans by cursor and filters them by state and kind; refuses an unknown state or cursor', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await call('POST', '/api/v1/scans', operator, { kind: i === 2 ? 'host' : 'scan', targets: [i === 2 ? '/srv/web' : `https://s${i}.example/`] })).json<{ id: number }>().id);
    const first = (await call('GET', '/api/v1/scans?limit=2', viewer)).json<ScanList>();
    expect(first.items.map((s) => s.id)).toEqual([ids[4], ids[3]]);
    const second = (await call('GET', `/api/v1/scans?limit=2&cursor=${first.nextCursor}`, viewer)).json<ScanList>();
    expect(second.items.map((s) => s.id)).toEqual([ids[2], ids[1]]);
    const last = (await call('GET', `/api/v1/scans?limit=2&cursor=${second.nextCursor}`, viewer)).json<ScanList>();
    expect(last).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    expect((await call('GET', '/api/v1/scans?kind=host', viewer)).json<ScanList>().items.map((s) => s.id)).toEqual([ids[2]]);
    expect((await call('GET', '/api/v1/scans?state=queued&kind=scan', viewer)).json<ScanList>().items).toHaveLength(4);
    expect((await call('GET', '/api/v1/scans?state=done', viewer)).json<ScanList>().items).toEqual([]);
    expect((await call('GET', '/api/v1/scans?state=lost', viewer)).statusCode).toBe(400);
    expect((await call('GET', '/api/v1/scans?cursor=-1', viewer)).json()).toEqual({ error: { code: 'bad-cursor', message: 'The cursor is not one this server gave.' } });
  });

  it('shows a scan’s log and the assets its run found anything on, within the caller’s scope', async () => {
    const id = await requestScan(server.deps, { kind: 'scan', targets: ['https://a.example/', 'https://b.example/'], by: 'op' });
    await appendScanLog(server.store.database, id, server.deps.now(), [
      { level: 'info', message: 'attempt 1 started' },
      { level: 'warn', message: 'issue http.reset: <b>reset</b>' },
    ]);
    const log = await call('GET', `/api/v1/scans/${id}/log`, viewer);
    expect(log.statusCode).toBe(200);
    expect(log.json()).toEqual({ items: [
      { at: '2026-06-01T00:00:00.000Z', level: 'info', message: 'attempt 1 started' },
      { at: '2026-06-01T00:00:00.000Z', level: 'warn', message: 'issue http.reset: <b>reset</b>' },
    ] });
    expect((await call('GET', '/api/v1/scans/999999/log', viewer)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/scans/${id}`, viewer)).json()).not.toHaveProperty('findingAssets');

    await recordScanReport(server.deps, id, report('scan', [...shellFindings('WEB01', ['a.aspx', 'b.aspx']), ...shellFindings('WEB02', ['c.aspx'])]));
    expect((await call('GET', `/api/v1/scans/${id}`, viewer)).json()).toMatchObject({ state: 'done', findings: 3, findingAssets: ['WEB01', 'WEB02'] });
    const scoped = await call('POST', '/api/v1/tokens', admin, { name: 'web01-viewer', role: 'viewer', assets: ['WEB01'] });
    expect(scoped.statusCode, scoped.body).toBe(201);
    expect((await call('GET', `/api/v1/scans/${id}`, scoped.json<{ token: string }>().token)).json()).toMatchObject({ findingAssets: ['WEB01'] });
  });

  it('pauses, resumes and deletes a schedule, each in the audit log; viewers may not', async () => {
    const created = await call('POST', '/api/v1/schedules', operator, { kind: 'scan', targets: ['https://a.example/'], cron: '0 3 * * *', timezone: 'Europe/Berlin' });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json<{ id: number }>();
    expect((await call('PATCH', `/api/v1/schedules/${id}`, viewer, { enabled: false })).statusCode).toBe(403);
    expect((await call('DELETE', `/api/v1/schedules/${id}`, viewer)).statusCode).toBe(403);
    const paused = await call('PATCH', `/api/v1/schedules/${id}`, operator, { enabled: false });
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json()).toMatchObject({ id, enabled: false });
    expect(paused.json()).not.toHaveProperty('nextRunAt');
    expect((await call('PATCH', `/api/v1/schedules/${id}`, operator, { enabled: 'no' })).statusCode).toBe(400);
    expect((await call('PATCH', `/api/v1/schedules/${id}`, operator, {})).statusCode).toBe(400);
    // 03:00 in Berlin in summer is 01:00 UTC; the server's clock is 2026-06-01T00:00Z.
    expect((await call('PATCH', `/api/v1/schedules/${id}`, operator, { enabled: true })).json()).toMatchObject({ enabled: true, nextRunAt: '2026-06-01T01:00:00.000Z' });
    expect((await call('PATCH', '/api/v1/schedules/999999', operator, { enabled: true })).statusCode).toBe(404);
    expect((await call('DELETE', `/api/v1/schedules/${id}`, operator)).statusCode).toBe(204);
    expect((await call('DELETE', `/api/v1/schedules/${id}`, operator)).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/schedules', viewer)).json<{ items: { id: number }[] }>().items.map((s) => s.id)).not.toContain(id);
    const audit = await server.store.database.selectFrom('audit_log').select(['action', 'target']).where('target', '=', `schedule:${id}`).orderBy('id').execute();
    expect(audit.map((row) => row.action)).toEqual(['schedule.create', 'schedule.disable', 'schedule.enable', 'schedule.delete']);
  });
});
