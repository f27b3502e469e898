import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanRoutes } from '../../src/server/routes/scan-routes.js';
import { AccountStore } from '../../src/store/account-store.js';
import { postgresDown } from '../e2e/test-postgres.js';
import { report, shellFindings } from '../jobs/job-fixtures.js';
import { makeFinding } from './seed-findings.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from './test-server.js';

const pgDown = await postgresDown('asset scopes on PostgreSQL');
const DIALECTS = pgDown === undefined ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

/** Assets around the prefix `WEB01`: three within (one in other letter case), and three that only look close. */
const ASSETS = ['WEB01', 'WEB01/W3SVC2', 'web01/w3svc3', 'WEB010', 'WEB02', 'WEB02/WEB01', 'WEB0_', 'WEB%1'];
const WITHIN = new Set(['WEB01', 'WEB01/W3SVC2', 'web01/w3svc3']);
const finding = (i: number) => makeFinding(i, { asset: ASSETS[i] as string });
const fingerprintOf = (asset: string) => finding(ASSETS.indexOf(asset)).fingerprint;

describe.each(DIALECTS)('asset-scoped access on %s (ASVS 8.2.2)', (db) => {
  let server: TestServer;
  let viewer: { cookie: string };
  let operator: string;
  let unscoped: string;
  const asViewer = (url: string) => server.app.inject({ url, headers: { cookie: viewer.cookie } });
  const asOperator = (method: 'PATCH' | 'POST', url: string, payload: unknown) => server.app.inject({ method, url, headers: { authorization: `Bearer ${operator}` }, payload: payload as Record<string, unknown> });
  const assetsOf = (body: { items: { asset: string }[] }) => body.items.map((f) => f.asset).sort();

  beforeAll(async () => {
    server = await startTestServer({ db, routes: [scanRoutes] });
    const at = '2026-05-31T00:00:00.000Z';
    await server.store.recordRun({ command: 'test', toolVersion: '0', startedAt: at, finishedAt: at, findings: ASSETS.map((_, i) => finding(i)), keepFindings: false });
    const admin = await server.token('admin');
    const added = await server.app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: `Bearer ${admin}` }, payload: { name: 'web01-team', role: 'viewer', password: TEST_PASSWORD, assets: ['WEB01'] } });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ assets: ['WEB01'] });
    viewer = await server.login('web01-team', 'viewer');
    const token = await server.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { authorization: `Bearer ${admin}` }, payload: { name: 'web01-ops', role: 'operator', assets: ['WEB01'] } });
    expect(token.statusCode, token.body).toBe(201);
    operator = token.json<{ token: string }>().token;
    unscoped = await server.token('operator');
  });
  afterAll(async () => server.close());

  it('lists only findings of assets equal to or under a prefix, whatever the filter asks', async () => {
    const all = await asViewer('/api/v1/findings?status=all&limit=500');
    expect(all.statusCode).toBe(200);
    expect(assetsOf(all.json())).toEqual([...WITHIN].sort());
    expect((await asViewer('/api/v1/findings?asset=WEB02')).json()).toMatchObject({ items: [] });
    expect(assetsOf((await asViewer('/api/v1/findings?q=web0')).json())).toEqual([...WITHIN].sort());
    // Page by page, still nothing outside.
    const first = (await asViewer('/api/v1/findings?limit=1')).json<{ items: { asset: string }[]; nextCursor: string }>();
    const second = (await asViewer(`/api/v1/findings?limit=5&cursor=${first.nextCursor}`)).json<{ items: { asset: string }[] }>();
    expect([...first.items, ...second.items].every((f) => WITHIN.has(f.asset))).toBe(true);
    const session = await asViewer('/api/v1/session');
    expect(session.json()).toMatchObject({ user: { assets: ['WEB01'] } });
    // Unscoped: everything.
    expect((await server.app.inject({ url: '/api/v1/findings?status=all&limit=500', headers: { authorization: `Bearer ${unscoped}` } })).json<{ items: unknown[] }>().items).toHaveLength(ASSETS.length);
  });

  it('answers 404, as for an unknown finding, to a get of another host\'s finding', async () => {
    expect((await asViewer(`/api/v1/findings/${fingerprintOf('WEB01/W3SVC2')}`)).statusCode).toBe(200);
    for (const asset of ['WEB010', 'WEB02', 'WEB02/WEB01', 'WEB0_', 'WEB%1']) {
      const response = await asViewer(`/api/v1/findings/${fingerprintOf(asset)}`);
      expect(response.statusCode, asset).toBe(404);
      expect(response.body).toBe((await asViewer('/api/v1/findings/ffffffffffffffffffffffffffffffff')).body);
    }
  });

  it('triages, in one or in bulk, only findings within the scope', async () => {
    expect((await asOperator('PATCH', `/api/v1/findings/${fingerprintOf('WEB02')}`, { triage: { state: 'false_positive' } })).statusCode).toBe(404);
    expect((await asOperator('PATCH', `/api/v1/findings/${fingerprintOf('WEB01')}`, { triage: { state: 'exploitable' } })).statusCode).toBe(200);
    const named = await asOperator('POST', '/api/v1/findings/bulk', { fingerprints: [fingerprintOf('WEB02'), fingerprintOf('WEB010')], triage: { state: 'false_positive' } });
    expect(named.json()).toEqual({ count: 0 });
    const filtered = await asOperator('POST', '/api/v1/findings/bulk', { filter: { status: 'all' }, triage: { state: 'in_triage', comment: 'looking' } });
    expect(filtered.json()).toEqual({ count: WITHIN.size });
    const rows = await server.store.database.selectFrom('findings').select(['asset', 'triage_state']).execute();
    for (const row of rows) expect(row.triage_state, row.asset).toBe(WITHIN.has(row.asset) ? 'in_triage' : null);
  });

  it('verifies only findings within the scope: another host\'s answers 404', async () => {
    const outside = await asOperator('POST', `/api/v1/findings/${fingerprintOf('WEB02')}/verify`, {});
    expect(outside.statusCode).toBe(404);
    // Within the scope the request goes through to the verification (which needs a host scan to re-run).
    const within = await asOperator('POST', `/api/v1/findings/${fingerprintOf('WEB01')}/verify`, {});
    expect(within.statusCode).toBe(409);
    expect(server.sent).toHaveLength(0);
  });

  it('refuses a pushed report naming an asset outside the token\'s scope, in findings or coverage; records one within', async () => {
    const push = (body: unknown, key: string) => server.app.inject({ method: 'POST', url: '/api/v1/reports', headers: { authorization: `Bearer ${operator}`, 'idempotency-key': key }, payload: body as Record<string, unknown> });
    const foreign = await push(report('host', shellFindings('WEB02', ['cmd.aspx'])), 'k1');
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toEqual({ error: { code: 'report.out-of-scope', message: expect.stringContaining('"WEB02"') as string } });
    const coverage = await push(report('host', shellFindings('WEB01/W3SVC9', ['cmd.aspx']), [{ ruleId: 'w3g-test-web-shell', asset: 'WEB010' }]), 'k2');
    expect(coverage.statusCode).toBe(403);
    const runs = await server.store.database.selectFrom('runs').select('id').execute();
    expect(runs).toHaveLength(1);
    const own = await push(report('host', shellFindings('WEB01/W3SVC9', ['cmd.aspx']), [{ ruleId: 'w3g-test-web-shell', asset: 'WEB01/W3SVC9' }]), 'k3');
    expect(own.statusCode, own.body).toBe(201);
    expect(await server.store.database.selectFrom('findings').select('asset').where('asset', '=', 'WEB01/W3SVC9').execute()).toHaveLength(1);
  });

  it('lets a scoped administrator grant only within its own scope', async () => {
    const admin = await server.token('admin');
    const scoped = (await server.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { authorization: `Bearer ${admin}` }, payload: { name: 'web01-admin', role: 'admin', assets: ['WEB01'] } })).json<{ token: string }>().token;
    const mint = (assets?: string[]) => server.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { authorization: `Bearer ${scoped}` }, payload: { name: 'minted', role: 'viewer', ...(assets === undefined ? {} : { assets }) } });
    expect((await mint()).statusCode).toBe(403);
    expect((await mint(['WEB02'])).statusCode).toBe(403);
    expect((await mint(['WEB01/W3SVC2'])).statusCode).toBe(201);
    const lift = await server.app.inject({ method: 'PATCH', url: '/api/v1/users/web01-team', headers: { authorization: `Bearer ${scoped}` }, payload: { assets: null } });
    expect(lift.statusCode).toBe(403);
    const user = await server.app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: `Bearer ${scoped}` }, payload: { name: 'wide', role: 'viewer', password: TEST_PASSWORD } });
    expect(user.statusCode).toBe(403);
  });

  it('lets an administrator change and lift a user\'s scope, refusing malformed prefixes', async () => {
    const admin = await server.token('admin');
    const patch = (payload: unknown) => server.app.inject({ method: 'PATCH', url: '/api/v1/users/web01-team', headers: { authorization: `Bearer ${admin}` }, payload: payload as Record<string, unknown> });
    expect((await patch({ assets: ['WEB01/'] })).statusCode).toBe(400);
    expect((await patch({ assets: [] })).statusCode).toBe(400);
    expect((await patch({ assets: ['WEB02'] })).json()).toMatchObject({ assets: ['WEB02'] });
    expect(assetsOf((await asViewer('/api/v1/findings?status=all')).json())).toEqual(['WEB02', 'WEB02/WEB01']);
    const lifted = await patch({ assets: null });
    expect(lifted.json()).not.toHaveProperty('assets');
    expect((await new AccountStore(server.store.database).findUser('web01-team'))?.assets).toBeUndefined();
    expect((await asViewer('/api/v1/findings?status=all&limit=500')).json<{ items: unknown[] }>().items.length).toBeGreaterThanOrEqual(ASSETS.length);
  });
});
