import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_AFTER_FAILURES, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../../src/store/account-store.js';
import { SESSION_COOKIE } from '../../src/server/session-cookie.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from './test-server.js';

describe('sessions, sign-in and CSRF', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ db: 'sqlite' });
  });
  afterEach(async () => server.close());

  it('signs in with a __Host- cookie that is Secure, HttpOnly, SameSite=Lax on /, and only a digest of it is stored', async () => {
    await server.login('alice', 'operator');
    const response = await server.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'alice', password: TEST_PASSWORD } });
    expect(response.statusCode).toBe(200);
    const header = String(response.headers['set-cookie']);
    expect(header).toMatch(/^__Host-w3g_sid=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect(response.json()).toEqual({ user: { name: 'alice', role: 'operator', mfa: false }, csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as string });
    const value = /=([^;]+)/.exec(header)?.[1] ?? '';
    const rows = await server.store.database.selectFrom('sessions').select('id_hash').execute();
    expect(rows.map((r) => r.id_hash)).not.toContain(value);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.id_hash))).toBe(true);
  });

  it('gives a new session id at each sign-in and ends the old one', async () => {
    const first = await server.login('alice', 'viewer');
    const again = await server.app.inject({ method: 'POST', url: '/api/v1/session', headers: { cookie: first.cookie }, payload: { username: 'alice', password: TEST_PASSWORD } });
    const second = again.cookies.find((c) => c.name === SESSION_COOKIE)?.value;
    expect(second).toBeDefined();
    expect(`${SESSION_COOKIE}=${second ?? ''}`).not.toBe(first.cookie);
    expect((await server.app.inject({ url: '/api/v1/session', headers: { cookie: first.cookie } })).statusCode).toBe(401);
    expect((await server.app.inject({ url: '/api/v1/session', headers: { cookie: `${SESSION_COOKIE}=${second ?? ''}` } })).statusCode).toBe(200);
  });

  it('answers an unknown user and a wrong password alike, in similar time', async () => {
    await server.login('alice', 'viewer');
    const time = async (username: string): Promise<{ ms: number; body: string; status: number }> => {
      const start = performance.now();
      const response = await server.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password: 'wrong password here' } });
      return { ms: performance.now() - start, body: response.body, status: response.statusCode };
    };
    await time('warm-up');
    const unknown = await time('nobody');
    const wrong = await time('alice');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toBe(wrong.body);
    // Both verify an Argon2id hash: neither answers in a fraction of the other's time.
    expect(unknown.ms).toBeGreaterThan(wrong.ms / 4);
    expect(wrong.ms).toBeGreaterThan(unknown.ms / 4);
  });

  it('limits sign-ins to 5 a minute per address and user name', async () => {
    await server.login('alice', 'viewer');
    const attempt = (username: string, remoteAddress = '10.0.0.1') => server.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress, payload: { username, password: 'wrong password here' } });
    for (let i = 0; i < 5; i += 1) expect((await attempt('alice')).statusCode).toBe(401);
    const limited = await attempt('alice');
    expect(limited.statusCode).toBe(429);
    expect(limited.json<{ error: { code: string } }>().error.code).toBe('rate-limited');
    // Another name from the same address, and the same name from another address, are still heard.
    expect((await attempt('bob')).statusCode).toBe(401);
    expect((await attempt('alice', '10.0.0.2')).statusCode).toBe(401);
  });

  it('locks an account for 15 minutes after 10 failures, even for the right password', async () => {
    await server.login('alice', 'viewer');
    for (let i = 0; i < LOCK_AFTER_FAILURES; i += 1) {
      const response = await server.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress: `10.0.1.${i}`, payload: { username: 'alice', password: 'wrong password here' } });
      expect(response.statusCode).toBe(401);
    }
    const right = { method: 'POST' as const, url: '/api/v1/session', remoteAddress: '10.0.2.1', payload: { username: 'alice', password: TEST_PASSWORD } };
    expect((await server.app.inject(right)).statusCode).toBe(401);
    server.advance(15 * 60_000 + 1000);
    expect((await server.app.inject({ ...right, remoteAddress: '10.0.2.2' })).statusCode).toBe(200);
  });

  it('ends a session idle for 30 minutes, and any session after 12 hours', async () => {
    const idle = await server.login('alice', 'viewer');
    server.advance(SESSION_IDLE_MS - 60_000);
    expect((await server.app.inject({ url: '/api/v1/session', headers: { cookie: idle.cookie } })).statusCode).toBe(200);
    server.advance(SESSION_IDLE_MS + 1000);
    expect((await server.app.inject({ url: '/api/v1/session', headers: { cookie: idle.cookie } })).statusCode).toBe(401);

    const busy = await server.login('alice', 'viewer');
    let elapsed = 0;
    while (elapsed < SESSION_ABSOLUTE_MS - 20 * 60_000) {
      server.advance(20 * 60_000);
      elapsed += 20 * 60_000;
      expect((await server.app.inject({ url: '/api/v1/session', headers: { cookie: busy.cookie } })).statusCode).toBe(200);
    }
    server.advance(25 * 60_000);
    expect((await server.app.inject({ url: '/api/v1/session', headers: { cookie: busy.cookie } })).statusCode).toBe(401);
  });

  it('signs out on the server and tells the browser to drop its cookies', async () => {
    const session = await server.login('alice', 'viewer');
    const out = await server.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: session.headers });
    expect(out.statusCode).toBe(204);
    expect(out.headers['clear-site-data']).toBe('"cookies"');
    expect((await server.app.inject({ url: '/api/v1/findings', headers: { cookie: session.cookie } })).statusCode).toBe(401);
    expect(await server.store.count('sessions')).toBe(0);
  });

  it('ends every session of a user whose password changes or who is disabled', async () => {
    const admin = await server.login('root', 'admin');
    const alice = await server.login('alice', 'viewer');
    const change = await server.app.inject({ method: 'PATCH', url: '/api/v1/users/alice', headers: admin.headers, payload: { password: 'a brand new passphrase' } });
    expect(change.statusCode).toBe(200);
    expect((await server.app.inject({ url: '/api/v1/session', headers: { cookie: alice.cookie } })).statusCode).toBe(401);
    const again = await server.login('alice', 'viewer', 'a brand new passphrase');
    expect((await server.app.inject({ method: 'PATCH', url: '/api/v1/users/alice', headers: admin.headers, payload: { disabled: true } })).statusCode).toBe(200);
    expect((await server.app.inject({ url: '/api/v1/session', headers: { cookie: again.cookie } })).statusCode).toBe(401);
    await expect(server.login('alice', 'viewer', 'a brand new passphrase')).rejects.toThrow(/401/);
  });

  it('refuses cookie-authenticated changes without the CSRF token, from another site, or with a non-JSON body', async () => {
    const admin = await server.login('root', 'admin');
    const body = { name: 'bob', role: 'viewer', password: 'a good long passphrase' };
    const noToken = await server.app.inject({ method: 'POST', url: '/api/v1/users', headers: { cookie: admin.cookie }, payload: body });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json<{ error: { code: string } }>().error.code).toBe('csrf');
    const wrongToken = await server.app.inject({ method: 'POST', url: '/api/v1/users', headers: { cookie: admin.cookie, 'x-csrf-token': 'x'.repeat(43) }, payload: body });
    expect(wrongToken.statusCode).toBe(403);
    const crossSite = await server.app.inject({ method: 'POST', url: '/api/v1/users', headers: { ...admin.headers, 'sec-fetch-site': 'cross-site' }, payload: body });
    expect(crossSite.statusCode).toBe(403);
    const form = await server.app.inject({ method: 'POST', url: '/api/v1/users', headers: { ...admin.headers, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=bob&role=viewer' });
    expect(form.statusCode).toBe(415);
    const text = await server.app.inject({ method: 'POST', url: '/api/v1/users', headers: { ...admin.headers, 'content-type': 'text/plain' }, payload: JSON.stringify(body) });
    expect(text.statusCode).toBe(415);
    expect(await server.app.inject({ url: '/api/v1/users', headers: admin.headers }).then((r) => r.json<{ items: unknown[] }>().items)).toHaveLength(1);
    const good = await server.app.inject({ method: 'POST', url: '/api/v1/users', headers: { ...admin.headers, 'sec-fetch-site': 'same-origin' }, payload: body });
    expect(good.statusCode).toBe(201);
    // A bearer token needs no CSRF token: no browser sends it on its own.
    const token = await server.token('admin');
    const byToken = await server.app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: `Bearer ${token}` }, payload: { ...body, name: 'carol' } });
    expect(byToken.statusCode).toBe(201);
  });

  it('shows an API token once, stores only its digest, and stops it when revoked', async () => {
    const admin = await server.token('admin');
    const created = await server.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { authorization: `Bearer ${admin}` }, payload: { name: 'ci', role: 'viewer' } });
    expect(created.statusCode).toBe(201);
    const { token, info } = created.json<{ token: string; info: { id: number } }>();
    expect(token).toMatch(/^w3g_[A-Za-z0-9_-]{43}$/);
    const listed = await server.app.inject({ url: '/api/v1/tokens', headers: { authorization: `Bearer ${admin}` } });
    expect(listed.body).not.toContain(token);
    expect(listed.body).not.toContain('token_hash');
    const stored = await server.store.database.selectFrom('api_tokens').select('token_hash').execute();
    expect(stored.map((row) => row.token_hash).join()).not.toContain(token);
    expect((await server.app.inject({ url: '/api/v1/findings', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${info.id}`, headers: { authorization: `Bearer ${admin}` } })).statusCode).toBe(204);
    expect((await server.app.inject({ url: '/api/v1/findings', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
    const audit = await server.app.inject({ url: '/api/v1/audit', headers: { authorization: `Bearer ${admin}` } });
    expect(audit.json<{ items: { action: string }[] }>().items.map((e) => e.action)).toEqual(expect.arrayContaining(['token.created', 'token.revoked']));
  });

  it('stops a token revoked by another process within a second, while this process believes it no longer', async () => {
    const admin = await server.token('admin');
    const created = await server.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { authorization: `Bearer ${admin}` }, payload: { name: 'elsewhere', role: 'viewer' } });
    const { token, info } = created.json<{ token: string; info: { id: number } }>();
    const list = async () => (await server.app.inject({ url: '/api/v1/findings', headers: { authorization: `Bearer ${token}` } })).statusCode;
    expect(await list()).toBe(200);
    // As `w3guard token revoke` in another process does: the row changes, this process is not told.
    await server.store.database.updateTable('api_tokens').set({ revoked_at: new Date().toISOString() }).where('id', '=', info.id).execute();
    const revokedAt = Date.now();
    let status = await list();
    while (status === 200 && Date.now() - revokedAt < 3000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await list();
    }
    expect(status).toBe(401);
    // One second of belief, and the time a loaded machine takes to answer.
    expect(Date.now() - revokedAt).toBeLessThan(1500);
  });

  it('stops an expired token', async () => {
    const admin = await server.token('admin');
    const created = await server.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { authorization: `Bearer ${admin}` }, payload: { name: 'short', role: 'viewer', expiresAt: '2026-06-01T01:00:00Z' } });
    const { token } = created.json<{ token: string }>();
    expect((await server.app.inject({ url: '/api/v1/findings', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    server.advance(60 * 60_000);
    expect((await server.app.inject({ url: '/api/v1/findings', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
  });

  it('never returns a password hash and refuses weak passwords', async () => {
    const admin = await server.login('root', 'admin');
    const weak = await server.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin.headers, payload: { name: 'bob', role: 'viewer', password: 'short' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json<{ error: { code: string } }>().error.code).toBe('weak-password');
    const list = await server.app.inject({ url: '/api/v1/users', headers: admin.headers });
    expect(list.body).not.toMatch(/argon2|password/i);
  });
});
