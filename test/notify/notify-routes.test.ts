import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { notifyRoutes } from '../../src/server/routes/notify-routes.js';
import { ApiError, roleAtLeast, type Role, type ServerDeps } from '../../src/server/server-context.js';
import { httpSink, tempStore, WEBHOOK_SECRET } from './notify-fixtures.js';
import { postgresDown } from '../e2e/test-postgres.js';
import { startTestServer } from '../server/test-server.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const VALID_SECRET = WEBHOOK_SECRET;

/**
 * The routes on a bare Fastify with the decorations the server provides: the role comes from an `x-role`
 * header (authentication itself is the server's and is tested there), audit entries are collected.
 */
async function bareApp(): Promise<{ app: FastifyInstance; audit: string[] }> {
  const { store, cleanup } = await tempStore();
  cleanups.push(cleanup);
  const audit: string[] = [];
  const app = Fastify();
  const deps = { store, now: () => new Date(), publicUrl: 'https://w3guard.example', secretKey: randomBytes(32) } as unknown as ServerDeps;
  app.decorate('deps', deps);
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const role = request.headers['x-role'];
    request.principal = typeof role === 'string' ? { kind: 'token', name: `${role}-token`, role: role as Role } : null;
  });
  app.decorate('needRole', (role: Role) => async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.principal === null) return reply.code(401).send({ error: { code: 'auth.required', message: 'sign in first' } });
    if (!roleAtLeast(request.principal.role, role)) return reply.code(403).send({ error: { code: 'auth.forbidden', message: 'not allowed' } });
  });
  app.decorate('audit', async (request: FastifyRequest, action: string, target: string) => void audit.push(`${request.principal?.name ?? '?'} ${action} ${target}`));
  app.setErrorHandler((error: Error & { validation?: unknown; statusCode?: number }, _request, reply) => {
    if (error instanceof ApiError) return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
    if (error.validation !== undefined) return reply.code(400).send({ error: { code: 'request.invalid', message: error.message } });
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error' } });
  });
  await app.register(notifyRoutes);
  await app.ready();
  cleanups.push(() => app.close());
  return { app, audit };
}

describe('notification routes on the server decorations', () => {
  it('creates, lists (without secrets), tests and deletes channels and rules', async () => {
    const { app, audit } = await bareApp();
    const sink = await httpSink([{ status: 200 }]);
    cleanups.push(sink.close);
    const admin = { 'x-role': 'admin' };
    expect((await app.inject({ method: 'GET', url: '/api/v1/channels' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/channels', headers: { 'x-role': 'operator' } })).statusCode).toBe(403);
    const created = await app.inject({ method: 'POST', url: '/api/v1/channels', headers: admin, payload: { kind: 'webhook', name: 'siem', config: { url: sink.url, secret: VALID_SECRET } } });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<{ id: number }>();
    const listed = await app.inject({ method: 'GET', url: '/api/v1/channels', headers: admin });
    expect(listed.json()).toEqual({ items: [expect.objectContaining({ id, kind: 'webhook', name: 'siem', summary: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/…$/) as unknown, disabled: false })] });
    expect(listed.body).not.toContain(VALID_SECRET.slice(6, 20));
    expect(listed.body).not.toContain('/hook');
    const tested = await app.inject({ method: 'POST', url: `/api/v1/channels/${id}/test`, headers: admin });
    expect(tested.statusCode).toBe(200);
    expect(tested.json()).toMatchObject({ delivered: true, status: 200 });
    expect(sink.received).toHaveLength(1);
    const rule = await app.inject({ method: 'POST', url: '/api/v1/rules', headers: admin, payload: { channel: id, events: ['finding.created', 'incident.opened'], minLabel: '14d', mode: 'digest:daily' } });
    expect(rule.statusCode).toBe(201);
    const rules = await app.inject({ method: 'GET', url: '/api/v1/rules', headers: admin });
    expect(rules.json()).toEqual({ items: [expect.objectContaining({ channel: id, events: ['finding.created', 'incident.opened'], minLabel: '14d', mode: 'digest:daily', assetTags: [] })] });
    const log = await app.inject({ method: 'GET', url: '/api/v1/deliveries?limit=10', headers: admin });
    expect(log.json()).toEqual({ items: [expect.objectContaining({ eventType: 'test', state: 'sent', attempts: 1, lastStatus: 200 })] });
    const one = await app.inject({ method: 'GET', url: `/api/v1/deliveries/${log.json<{ items: { id: number }[] }>().items[0]?.id ?? 0}`, headers: admin });
    expect(one.json()).toMatchObject({ state: 'sent', attemptLog: [{ attempt: 1, status: 200 }] });
    expect((await app.inject({ method: 'GET', url: '/api/v1/deliveries/999', headers: admin })).statusCode).toBe(404);
    // Pages by id: two more tests, then the log two at a time, newest first, with no repeat and no gap.
    for (let k = 0; k < 2; k += 1) expect((await app.inject({ method: 'POST', url: `/api/v1/channels/${id}/test`, headers: admin })).statusCode).toBe(200);
    const ids = async (query: string) => (await app.inject({ method: 'GET', url: `/api/v1/deliveries?${query}`, headers: admin })).json<{ items: { id: number }[] }>().items.map((item) => item.id);
    const first = await ids('limit=2');
    expect(first).toHaveLength(2);
    const second = await ids(`limit=2&before=${first[1] ?? 0}`);
    expect([...first, ...second]).toEqual(await ids('limit=10'));
    expect(second).toHaveLength(1);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/rules/${rule.json<{ id: number }>().id}`, headers: admin })).statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/channels/${id}`, headers: admin })).statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/channels/${id}`, headers: admin })).statusCode).toBe(404);
    expect(audit).toEqual([`admin-token channel.create channel:${id}`, `admin-token channel.test channel:${id}`, 'admin-token rule.create rule:1', `admin-token channel.test channel:${id}`, `admin-token channel.test channel:${id}`, 'admin-token rule.delete rule:1', `admin-token channel.delete channel:${id}`]);
  });

  it('answers 502 with the receiver’s status when a test fails, and 400 for bad configurations', async () => {
    const { app } = await bareApp();
    const sink = await httpSink([{ status: 503 }]);
    cleanups.push(sink.close);
    const admin = { 'x-role': 'admin' };
    const { id } = (await app.inject({ method: 'POST', url: '/api/v1/channels', headers: admin, payload: { kind: 'slack', name: 'soc', config: { url: sink.url } } })).json<{ id: number }>();
    const failed = await app.inject({ method: 'POST', url: `/api/v1/channels/${id}/test`, headers: admin });
    expect(failed.statusCode).toBe(502);
    expect(failed.json()).toEqual({ error: { code: 'channel.test-failed', message: 'the receiver answered 503 to the test notification' } });
    const bad = async (payload: unknown) => (await app.inject({ method: 'POST', url: '/api/v1/channels', headers: admin, payload: payload as Record<string, unknown> })).json<{ error: { message: string } }>();
    expect((await bad({ kind: 'webhook', name: 'x', config: { url: 'https://ok.example', secret: 'whsec_c2hvcnQ=' } })).error.message).toBe('secret must encode 24 to 64 bytes');
    expect((await bad({ kind: 'webhook', name: 'x', config: { url: 'https://ok.example', secret: 'plain' } })).error.message).toBe('secret must be "whsec_" followed by base64');
    expect((await bad({ kind: 'slack', name: 'x', config: { url: 'http://169.254.169.254/latest/meta-data' } })).error.message).toMatch(/^url is not allowed: 169\.254\.169\.254 is a link-local/);
    expect((await bad({ kind: 'slack', name: 'x', config: { url: 'http://[::ffff:169.254.169.254]/' } })).error.message).toMatch(/^url is not allowed/);
    expect((await bad({ kind: 'teams', name: 'x', config: { url: 'file:///etc/passwd' } })).error.message).toBe('url must use http or https');
    expect((await bad({ kind: 'email', name: 'x', config: { host: 'smtp.example', from: 'a@b.example', to: ['x\r\nBcc: y@z.example'] } })).error.message).toBe('to must be plain e-mail addresses (name@domain)');
    expect((await bad({ kind: 'pager', name: 'x', config: {} })).error).toBeDefined();
    const legacy = await app.inject({ method: 'POST', url: '/api/v1/channels', headers: admin, payload: { kind: 'teams', name: 'old', config: { url: 'https://contoso.webhook.office.com/webhookb2/abc' } } });
    expect(legacy.statusCode).toBe(201);
    const listed = (await app.inject({ method: 'GET', url: '/api/v1/channels', headers: admin })).json<{ items: { name: string; summary: string }[] }>();
    expect(listed.items.find((c) => c.name === 'old')?.summary).toBe('https://contoso.webhook.office.com/… (legacy Office 365 connector: replace it with a Workflows webhook)');
    const rule = await app.inject({ method: 'POST', url: '/api/v1/rules', headers: admin, payload: { channel: 999, events: ['finding.created'], mode: 'instant' } });
    expect(rule.json()).toEqual({ error: { code: 'rule.invalid', message: 'there is no channel 999' } });
    expect((await app.inject({ method: 'POST', url: '/api/v1/rules', headers: admin, payload: { channel: id, events: ['finding.eaten'], mode: 'instant' } })).statusCode).toBe(400);
  });
});

describe.each(['sqlite', 'postgres'] as const)('notification routes on the real server (%s)', (db) => {
  it('need an admin token and never return secrets', async ({ skip }) => {
    if (db === 'postgres' && (await postgresDown('notification routes on PostgreSQL')) !== undefined) skip();
    const server = await startTestServer({ db, routes: [notifyRoutes] });
    try {
      const sink = await httpSink([{ status: 204 }]);
      cleanups.push(sink.close);
      const admin = { authorization: `Bearer ${await server.token('admin')}`, 'content-type': 'application/json' };
      const viewer = { authorization: `Bearer ${await server.token('viewer')}` };
      expect((await fetch(`${server.url}/api/v1/channels`)).status).toBe(401);
      expect((await fetch(`${server.url}/api/v1/channels`, { headers: viewer })).status).toBe(403);
      const created = await fetch(`${server.url}/api/v1/channels`, { method: 'POST', headers: admin, body: JSON.stringify({ kind: 'webhook', name: 'siem', config: { url: sink.url, secret: VALID_SECRET } }) });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: number };
      const listed = await (await fetch(`${server.url}/api/v1/channels`, { headers: admin })).text();
      expect(listed).not.toContain(VALID_SECRET.slice(6, 20));
      expect((await fetch(`${server.url}/api/v1/channels/${id}/test`, { method: 'POST', headers: { authorization: admin.authorization } })).status).toBe(200);
      expect(sink.received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
