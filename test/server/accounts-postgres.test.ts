import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_IDLE_MS } from '../../src/store/account-store.js';
import { postgresDown } from '../e2e/test-postgres.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from './test-server.js';

describe('accounts on PostgreSQL', () => {
  let server: TestServer | undefined;
  beforeAll(async () => {
    if ((await postgresDown('accounts on PostgreSQL')) !== undefined) return;
    server = await startTestServer({ db: 'postgres' });
  });
  afterAll(async () => server?.close());

  it('signs in, audits, expires idle sessions and ends them when a user is disabled', async (context) => {
    if (server === undefined) return context.skip();
    const admin = await server.login('root', 'admin');
    const created = await server.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin.headers, payload: { name: 'pat', role: 'operator', password: 'a pg passphrase' } });
    expect(created.statusCode).toBe(201);
    const pat = await server.login('pat', 'operator', 'a pg passphrase');
    expect((await server.app.inject({ url: '/api/v1/session', headers: { cookie: pat.cookie } })).json()).toMatchObject({ user: { name: 'pat', role: 'operator' } });
    expect((await server.app.inject({ method: 'PATCH', url: '/api/v1/users/pat', headers: admin.headers, payload: { disabled: true } })).statusCode).toBe(200);
    expect((await server.app.inject({ url: '/api/v1/session', headers: { cookie: pat.cookie } })).statusCode).toBe(401);
    server.advance(SESSION_IDLE_MS + 1000);
    expect((await server.app.inject({ url: '/api/v1/session', headers: { cookie: admin.cookie } })).statusCode).toBe(401);
    const again = await server.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: '10.3.0.1', payload: { username: 'root', password: TEST_PASSWORD } });
    expect(again.statusCode).toBe(200);
  });

  it('creates, uses, lists and revokes tokens, and keeps the audit log', async (context) => {
    if (server === undefined) return context.skip();
    const admin = await server.token('admin');
    const auth = { authorization: `Bearer ${admin}` };
    const made = (await server.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: auth, payload: { name: 'push', role: 'operator' } })).json<{ token: string; info: { id: number } }>();
    expect((await server.app.inject({ url: '/api/v1/findings', headers: { authorization: `Bearer ${made.token}` } })).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${made.info.id}`, headers: auth })).statusCode).toBe(204);
    expect((await server.app.inject({ url: '/api/v1/findings', headers: { authorization: `Bearer ${made.token}` } })).statusCode).toBe(401);
    const audit = (await server.app.inject({ url: '/api/v1/audit', headers: auth })).json<{ items: { action: string; actor: string }[] }>();
    expect(audit.items.slice(0, 2).map((e) => e.action)).toEqual(['token.revoked', 'token.created']);
    expect(audit.items[0]?.actor).toMatch(/^token:/);
  });
});
