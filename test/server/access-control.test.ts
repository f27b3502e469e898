import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredRoutes } from '../../src/server/build-server.js';
import type { Role } from '../../src/server/server-context.js';
import { SERVE_ROUTES } from '../../src/server/start-serve.js';
import { seedFindings } from './seed-findings.js';
import { startTestServer, type TestServer } from './test-server.js';

/** The lowest role each protected route needs; a route missing here fails the test, so new routes are decided on. */
const NEEDS: Readonly<Record<string, Role>> = {
  'GET /api/v1/openapi.json': 'viewer',
  'GET /api/v1/session': 'viewer',
  'DELETE /api/v1/session': 'viewer',
  'PUT /api/v1/session/password': 'viewer',
  'GET /api/v1/sessions': 'viewer',
  'POST /api/v1/session/end-others': 'viewer',
  'POST /api/v1/session/mfa': 'viewer',
  'POST /api/v1/session/mfa/confirm': 'viewer',
  'DELETE /api/v1/session/mfa': 'viewer',
  'DELETE /api/v1/users/:name/sessions': 'admin',
  'GET /api/v1/users': 'admin',
  'POST /api/v1/users': 'admin',
  'PATCH /api/v1/users/:name': 'admin',
  'GET /api/v1/tokens': 'admin',
  'POST /api/v1/tokens': 'admin',
  'DELETE /api/v1/tokens/:id': 'admin',
  'GET /api/v1/audit': 'admin',
  'GET /api/v1/findings': 'viewer',
  'GET /api/v1/findings/:fingerprint': 'viewer',
  'PATCH /api/v1/findings/:fingerprint': 'operator',
  'POST /api/v1/findings/bulk': 'operator',
  'POST /api/v1/findings/:fingerprint/verify': 'operator',
  'POST /api/v1/scans': 'operator',
  'GET /api/v1/scans': 'viewer',
  'GET /api/v1/scans/:id': 'viewer',
  'GET /api/v1/scans/:id/log': 'viewer',
  'POST /api/v1/reports': 'operator',
  'GET /api/v1/schedules': 'viewer',
  'POST /api/v1/schedules': 'operator',
  'PATCH /api/v1/schedules/:id': 'operator',
  'DELETE /api/v1/schedules/:id': 'operator',
  'POST /api/v1/channels': 'admin',
  'GET /api/v1/channels': 'admin',
  'DELETE /api/v1/channels/:id': 'admin',
  'POST /api/v1/channels/:id/test': 'admin',
  'POST /api/v1/rules': 'admin',
  'GET /api/v1/rules': 'admin',
  'DELETE /api/v1/rules/:id': 'admin',
  'GET /api/v1/deliveries': 'admin',
  'GET /api/v1/deliveries/:id': 'admin',
  'GET /api/v1/dashboard': 'viewer',
  'GET /api/v1/assets': 'viewer',
  'GET /api/v1/assets/:asset': 'viewer',
  'PATCH /api/v1/assets/:asset': 'operator',
  'GET /api/v1/findings/export': 'viewer',
};
const PUBLIC = new Set(['GET /api/v1/health', 'POST /api/v1/session']);
const BELOW: Readonly<Record<Role, Role | undefined>> = { viewer: undefined, operator: 'viewer', admin: 'operator' };

function concrete(url: string): string {
  return url.replace(':name', 'nobody').replace(':fingerprint', 'ffffffffffffffffffffffffffffffff').replace(':id', '999999').replace(':asset', 'site-0');
}

describe('access control over every registered route', () => {
  let server: TestServer;
  let routes: { method: string; url: string; key: string }[];
  beforeAll(async () => {
    server = await startTestServer({ db: 'sqlite', routes: SERVE_ROUTES });
    await seedFindings(server.store, 0, 5);
    routes = registeredRoutes(server.app)
      .filter((route) => route.method !== 'HEAD' && route.url.startsWith('/api/'))
      .map((route) => ({ ...route, key: `${route.method} ${route.url}` }));
  });
  afterAll(async () => server.close());

  it('knows the access rule of every API route', () => {
    expect(routes.length).toBeGreaterThanOrEqual(Object.keys(NEEDS).length + PUBLIC.size);
    for (const route of routes) expect(NEEDS[route.key] !== undefined || PUBLIC.has(route.key), route.key).toBe(true);
  });

  it('answers 401 in the error shape without credentials on every protected route, over a real socket', async () => {
    for (const route of routes.filter((r) => !PUBLIC.has(r.key))) {
      const response = await fetch(`${server.url}${concrete(route.url)}`, { method: route.method, ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: '{}', headers: { 'content-type': 'application/json' } }) });
      expect(response.status, route.key).toBe(401);
      expect(await response.json(), route.key).toEqual({ error: { code: 'unauthorized', message: expect.any(String) as string } });
    }
  });

  it('answers 401 to a forged, malformed or revoked token', async () => {
    for (const authorization of ['Bearer w3g_' + 'A'.repeat(43), 'Bearer nonsense', 'Basic YWRtaW46YWRtaW4=', 'Bearer ']) {
      const response = await server.app.inject({ url: '/api/v1/findings', headers: { authorization } });
      expect(response.statusCode, authorization).toBe(401);
    }
  });

  it('answers 403 to a role one step too low on every route, and not 403 to the role needed', async () => {
    const tokens: Record<Role, string> = { viewer: await server.token('viewer'), operator: await server.token('operator'), admin: await server.token('admin') };
    for (const route of routes.filter((r) => NEEDS[r.key] !== undefined)) {
      const need = NEEDS[route.key] as Role;
      const payload = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
      const below = BELOW[need];
      if (below !== undefined) {
        const response = await server.app.inject({ method: route.method as 'GET', url: concrete(route.url), headers: { authorization: `Bearer ${tokens[below]}` }, ...(payload === undefined ? {} : { payload }) });
        expect(response.statusCode, `${route.key} as ${below}`).toBe(403);
        expect(response.json<{ error: { code: string } }>().error.code).toBe('forbidden');
      }
      const allowed = await server.app.inject({ method: route.method as 'GET', url: concrete(route.url), headers: { authorization: `Bearer ${tokens[need]}` }, ...(payload === undefined ? {} : { payload }) });
      expect([401, 403], `${route.key} as ${need}: ${allowed.body}`).not.toContain(allowed.statusCode);
    }
  });

  it('publishes an OpenAPI 3.1 document naming every route, with a response schema on each', async () => {
    const token = await server.token('viewer');
    const response = await server.app.inject({ url: '/api/v1/openapi.json', headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode).toBe(200);
    const document = JSON.parse(response.body) as { openapi: string; paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    expect(document.openapi).toBe('3.1.0');
    for (const route of routes) {
      const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
      const operation = document.paths[path]?.[route.method.toLowerCase()];
      expect(operation, route.key).toBeDefined();
      expect(Object.keys(operation?.responses ?? {}), route.key).toContain('401');
    }
  });

  it('answers unknown paths, TRACE and bad input in the error shape without a stack', async () => {
    const token = await server.token('admin');
    const headers = { authorization: `Bearer ${token}` };
    const notFound = await server.app.inject({ url: '/api/v1/nothing-here', headers });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.json()).toEqual({ error: { code: 'not-found', message: expect.any(String) as string } });
    const trace = await server.app.inject({ method: 'TRACE' as 'GET', url: '/api/v1/findings', headers });
    expect(trace.statusCode).toBe(405);
    const bad = await server.app.inject({ url: '/api/v1/findings?limit=0', headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { code: string } }>().error.code).toBe('bad-request');
    const badJson = await server.app.inject({ method: 'POST', url: '/api/v1/users', headers: { ...headers, 'content-type': 'application/json' }, payload: '{"name":' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.body).not.toMatch(/at .*\.(js|ts):\d+/);
    const badCursor = await server.app.inject({ url: '/api/v1/findings?cursor=bm90IGEgY3Vyc29y', headers });
    expect(badCursor.json()).toEqual({ error: { code: 'bad-cursor', message: 'The cursor is not one this server gave.' } });
  });

  it('answers 500 with a generic message and no stack when a route fails', async () => {
    const failing = await startTestServer({
      db: 'sqlite',
      routes: [
        async (app) => {
          app.get('/api/v1/fails', { preHandler: app.needRole('viewer') }, async () => {
            throw new Error('secret internal detail at /srv/x.js:1');
          });
        },
      ],
    });
    try {
      const token = await failing.token('viewer');
      const response = await failing.app.inject({ url: '/api/v1/fails', headers: { authorization: `Bearer ${token}` } });
      expect(response.statusCode).toBe(500);
      expect(response.json<{ error: { code: string } }>().error.code).toBe('internal');
      expect(response.body).not.toContain('secret internal detail');
    } finally {
      await failing.close();
    }
  });

  it('sends security headers and no-store on API answers', async () => {
    const response = await server.app.inject({ url: '/api/v1/health' });
    expect(response.json()).toEqual({ status: 'ok' });
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  });
});
