import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetRoutes } from '../../src/server/routes/asset-routes.js';
import { postgresDown } from '../e2e/test-postgres.js';
import { makeFinding } from './seed-findings.js';
import { startTestServer, type TestServer } from './test-server.js';

const pgDown = await postgresDown('asset registry on PostgreSQL');
const DIALECTS = pgDown === undefined ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

interface Node {
  asset: string;
  kind: string;
  open: number;
  riskSum: number;
  totalOpen: number;
  totalRisk: number;
  lastScan?: string;
  criticality?: string;
  exposure?: string;
  tags: string[];
  owners: string[];
  children: Node[];
}
interface Detail extends Omit<Node, 'children' | 'totalOpen' | 'totalRisk'> {
  updatedBy?: string;
  effective: { criticality?: string; exposure?: string; tags?: string[]; owners?: string[] };
}

/** The tree as `asset(children)` text: short to compare, and it shows the order. */
const shape = (nodes: readonly Node[]): string => nodes.map((n) => (n.children.length === 0 ? n.asset : `${n.asset}(${shape(n.children)})`)).join(' ');

describe.each(DIALECTS)('the asset registry and tree on %s', (db) => {
  let server: TestServer;
  let operator: string;
  let viewer: string;
  let scoped: string;
  const get = (url: string, token = viewer) => server.app.inject({ url, headers: { authorization: `Bearer ${token}` } });
  const patch = (asset: string, payload: unknown, token = operator) => server.app.inject({ method: 'PATCH', url: `/api/v1/assets/${encodeURIComponent(asset)}`, headers: { authorization: `Bearer ${token}` }, payload: payload as Record<string, unknown> });

  beforeAll(async () => {
    server = await startTestServer({ db, routes: [assetRoutes] });
    // Two sites and an application on WEB01 (whose host has no finding of its own), a URL, and WEB02/W3SVC1 known
    // only from a run's coverage: every one must be in the tree.
    const findings = [
      makeFinding(1, { asset: 'WEB01/W3SVC1', risk: 40 }),
      makeFinding(2, { asset: 'WEB01/W3SVC1', risk: 20 }),
      makeFinding(3, { asset: 'WEB01/W3SVC1/api', risk: 75 }),
      makeFinding(4, { asset: 'WEB01/W3SVC2', risk: 5 }),
      makeFinding(5, { asset: 'https://portal.example.com', risk: 30 }),
    ];
    await server.store.recordRun({ command: 'test', toolVersion: '0', startedAt: '2026-05-31T09:00:00.000Z', finishedAt: '2026-05-31T10:00:00.000Z', findings, coverage: [{ ruleId: 'rule-1', asset: 'WEB02/W3SVC1' }], keepFindings: false });
    operator = await server.token('operator');
    viewer = await server.token('viewer');
    const admin = await server.token('admin');
    const token = await server.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { authorization: `Bearer ${admin}` }, payload: { name: 'w3svc1-team', role: 'operator', assets: ['WEB01/W3SVC1'] } });
    expect(token.statusCode, token.body).toBe(201);
    scoped = token.json<{ token: string }>().token;
  });
  afterAll(async () => server.close());

  it('lists every known asset as trees host → site → application, the riskiest first, with sums and freshness', async () => {
    const response = await get('/api/v1/assets');
    expect(response.statusCode, response.body).toBe(200);
    const { items, total } = response.json<{ items: Node[]; total: number }>();
    expect(shape(items)).toBe('WEB01(WEB01/W3SVC1(WEB01/W3SVC1/api) WEB01/W3SVC2) https://portal.example.com WEB02(WEB02/W3SVC1)');
    expect(total).toBe(3);
    const [web01, portal, web02] = items;
    expect(web01).toMatchObject({ kind: 'host', open: 0, riskSum: 0, totalOpen: 4, totalRisk: 140, tags: [], owners: [] });
    expect(web01?.children[0]).toMatchObject({ kind: 'site', open: 2, riskSum: 60, totalOpen: 3, totalRisk: 135 });
    expect(web01?.children[0]?.lastScan).toBeUndefined();
    expect(web01?.children[0]?.children[0]).toMatchObject({ kind: 'application', open: 1, riskSum: 75 });
    expect(portal).toMatchObject({ kind: 'url', open: 1, children: [] });
    expect(web02?.children[0]).toMatchObject({ kind: 'site', open: 0, lastScan: '2026-05-31T10:00:00.000Z' });
    // `limit` counts roots.
    expect(shape((await get('/api/v1/assets?limit=1')).json<{ items: Node[] }>().items).startsWith('WEB01(')).toBe(true);
    expect((await get('/api/v1/assets?limit=1')).json<{ items: Node[] }>().items).toHaveLength(1);
  });

  it('sets criticality, exposure, tags and owners (operators), audits the change, and children inherit them', async () => {
    const set = await patch('WEB01/W3SVC1', { criticality: 'high', exposure: 'internal', tags: ['pci', 'shop', 'pci'], owners: ['Shop team <shop@example.com>'] });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json<Detail>()).toMatchObject({ asset: 'WEB01/W3SVC1', kind: 'site', criticality: 'high', exposure: 'internal', tags: ['pci', 'shop'], owners: ['Shop team <shop@example.com>'], open: 2, updatedBy: expect.stringMatching(/^token:/) as unknown });
    expect((await patch('WEB01', { criticality: 'critical', tags: ['prod'] })).statusCode).toBe(200);
    // A field left out stays; null clears.
    expect((await patch('WEB01/W3SVC1', { owners: [] })).json<Detail>()).toMatchObject({ criticality: 'high', exposure: 'internal', tags: ['pci', 'shop'], owners: [] });
    const app = (await get(`/api/v1/assets/${encodeURIComponent('WEB01/W3SVC1/api')}`)).json<Detail>();
    expect(app).toMatchObject({ kind: 'application', tags: [], effective: { criticality: 'high', exposure: 'internal', tags: ['prod', 'pci', 'shop'] } });
    expect(app.criticality).toBeUndefined();
    expect((await patch('WEB01/W3SVC1', { exposure: null })).json<Detail>()).toMatchObject({ effective: { criticality: 'high', tags: ['prod', 'pci', 'shop'] } });
    expect((await get(`/api/v1/assets/${encodeURIComponent('WEB01/W3SVC1')}`)).json<Detail>().exposure).toBeUndefined();
    // The tree shows what was set.
    const [web01] = (await get('/api/v1/assets')).json<{ items: Node[] }>().items;
    expect(web01).toMatchObject({ criticality: 'critical', tags: ['prod'] });
    expect(web01?.children[0]).toMatchObject({ criticality: 'high', tags: ['pci', 'shop'] });
    // A host not yet scanned can be registered ahead of its first run.
    expect((await patch('WEB09', { exposure: 'internet' })).json<Detail>()).toMatchObject({ asset: 'WEB09', kind: 'host', open: 0, exposure: 'internet' });
    const audit = await server.store.database.selectFrom('audit_log').select(['action', 'target', 'detail']).where('action', '=', 'asset.changed').orderBy('id').execute();
    expect(audit.map((a) => a.target)).toEqual(['asset:WEB01/W3SVC1', 'asset:WEB01', 'asset:WEB01/W3SVC1', 'asset:WEB01/W3SVC1', 'asset:WEB09']);
    expect(JSON.parse(audit[0]?.detail ?? '{}')).toMatchObject({ criticality: 'high', exposure: 'internal' });
  });

  it('refuses bad values with 400 and changes nothing', async () => {
    const before = (await get(`/api/v1/assets/${encodeURIComponent('WEB01/W3SVC1')}`)).json<Detail>();
    const bad: unknown[] = [
      {},
      { exposure: 'dmz' },
      { criticality: 'urgent' },
      { tags: ['ok', 'line\nbreak'] },
      { tags: [' padded'] },
      { tags: ['x'.repeat(65)] },
      { tags: Array.from({ length: 51 }, (_, k) => `t${k}`) },
      { owners: Array.from({ length: 21 }, (_, k) => `o${k}`) },
      { colour: 'red' },
    ];
    for (const body of bad) expect((await patch('WEB01/W3SVC1', body)).statusCode, JSON.stringify(body)).toBe(400);
    expect((await patch('WEB01/', { exposure: 'internal' })).statusCode).toBe(400);
    expect((await patch(`WEB01/${'\u0007'}`, { exposure: 'internal' })).statusCode).toBe(400);
    // Longer than an asset id may be: refused before any route (414) or by the route (400).
    expect([400, 414]).toContain((await patch('x'.repeat(1001), { exposure: 'internal' })).statusCode);
    expect((await get(`/api/v1/assets/${encodeURIComponent('WEB01/W3SVC1')}`)).json<Detail>()).toEqual(before);
    expect((await patch('WEB01/W3SVC1', { exposure: 'internal' }, viewer)).statusCode).toBe(403);
    expect((await get('/api/v1/assets/nowhere')).statusCode).toBe(404);
  });

  it('keeps a scoped user to its assets: its site is a root, other assets are unknown to it, even to change', async () => {
    const { items } = (await get('/api/v1/assets', scoped)).json<{ items: Node[] }>();
    expect(shape(items)).toBe('WEB01/W3SVC1(WEB01/W3SVC1/api)');
    expect((await get('/api/v1/assets/WEB01', scoped)).statusCode).toBe(404);
    expect((await get(`/api/v1/assets/${encodeURIComponent('WEB01/W3SVC1/api')}`, scoped)).statusCode).toBe(200);
    const outside = await patch('WEB02/W3SVC1', { tags: ['mine'] }, scoped);
    expect(outside.statusCode).toBe(404);
    expect((await get(`/api/v1/assets/${encodeURIComponent('WEB02/W3SVC1')}`)).json<Detail>().tags).toEqual([]);
    expect((await patch(`WEB01/W3SVC1/api`, { tags: ['api'] }, scoped)).json<Detail>()).toMatchObject({ tags: ['api'] });
  });
});
