import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/server/session-cookie.js';
import { totpCode, totpStep } from '../../src/server/totp.js';
import { AccountStore } from '../../src/store/account-store.js';
import { seedFindings } from './seed-findings.js';
import { startTestServer, TEST_PASSWORD, type TestServer, type TestSession } from './test-server.js';

describe('TOTP second factor', () => {
  let server: TestServer;
  let addresses = 0;
  /** Each call from an address of its own, unless one is given: tests of codes stay clear of the sign-in limit. */
  const signIn = (username: string, code?: string, remoteAddress = `10.20.${(addresses += 1) >> 8}.${addresses & 255}`) =>
    server.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress, payload: { username, password: TEST_PASSWORD, ...(code === undefined ? {} : { code }) } });
  const codeNow = (secret: string, offsetSteps = 0) => totpCode(secret, totpStep(server.deps.now()) + offsetSteps);
  /** Enrols a signed-in user: starts, confirms with a current code, returns the secret. */
  const enrol = async (session: TestSession): Promise<string> => {
    const started = await server.app.inject({ method: 'POST', url: '/api/v1/session/mfa', headers: session.headers });
    expect(started.statusCode, started.body).toBe(200);
    const { secret, uri } = started.json<{ secret: string; uri: string }>();
    expect(uri).toContain(`secret=${secret}`);
    const confirmed = await server.app.inject({ method: 'POST', url: '/api/v1/session/mfa/confirm', headers: session.headers, payload: { code: codeNow(secret) } });
    expect(confirmed.statusCode, confirmed.body).toBe(204);
    // The confirming code is spent: sign-in needs the next step's.
    server.advance(30_000);
    return secret;
  };

  beforeAll(async () => {
    server = await startTestServer({ db: 'sqlite' });
  });
  afterAll(async () => server.close());

  it('enrols, then asks for a code at sign-in: none gives 401 mfa-required and no session, a right one a session', async () => {
    const session = await server.login('mfa1', 'viewer');
    const pending = await server.app.inject({ method: 'POST', url: '/api/v1/session/mfa', headers: session.headers });
    const pendingSecret = pending.json<{ secret: string }>().secret;
    // Not confirmed yet: sign-in needs no code.
    expect((await signIn('mfa1')).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'POST', url: '/api/v1/session/mfa/confirm', headers: session.headers, payload: { code: codeNow(pendingSecret, 3) } })).statusCode).toBe(403);
    const secret = await enrol(session);
    expect(secret).not.toBe(pendingSecret);
    expect((await server.app.inject({ method: 'POST', url: '/api/v1/session/mfa', headers: session.headers })).statusCode).toBe(409);

    const none = await signIn('mfa1');
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ error: { code: 'mfa-required', message: expect.any(String) as string } });
    expect(none.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    const wrong = await signIn('mfa1', codeNow(secret, 5));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    const right = await signIn('mfa1', codeNow(secret));
    expect(right.statusCode).toBe(200);
    expect(right.json()).toMatchObject({ user: { name: 'mfa1', mfa: true } });
    expect(right.cookies.find((c) => c.name === SESSION_COOKIE)?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('keeps the secret sealed with AES-256-GCM at rest, never in clear', async () => {
    const session = await server.login('mfa2', 'viewer');
    const secret = await enrol(session);
    const row = await server.store.database.selectFrom('users').select(['mfa_secret', 'mfa_pending']).where('name', '=', 'mfa2').executeTakeFirstOrThrow();
    expect(row.mfa_pending).toBeNull();
    expect(row.mfa_secret).toMatch(/^v1\.[A-Za-z0-9+/=]+$/);
    expect(row.mfa_secret).not.toContain(secret);
    expect(Buffer.from((row.mfa_secret ?? '').slice(3), 'base64').toString('latin1')).not.toContain(secret);
  });

  it('6.5.1 takes each code once: the same code again is refused, the next step\'s works', async () => {
    const session = await server.login('mfa3', 'viewer');
    const secret = await enrol(session);
    const code = codeNow(secret);
    expect((await signIn('mfa3', code)).statusCode).toBe(200);
    expect((await signIn('mfa3', code)).statusCode).toBe(401);
    // An earlier step's code, though within the window, is older than the one used: refused too.
    expect((await signIn('mfa3', codeNow(secret, -1))).statusCode).toBe(401);
    server.advance(30_000);
    expect((await signIn('mfa3', codeNow(secret))).statusCode).toBe(200);
  });

  it('6.3.1 limits code attempts per address and locks the account after 10 wrong codes, the right password notwithstanding', async () => {
    const session = await server.login('mfa4', 'viewer');
    const secret = await enrol(session);
    const wrong = codeNow(secret, 7);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await signIn('mfa4', wrong, '10.21.0.1')).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    for (let i = 0; i < 5; i += 1) expect((await signIn('mfa4', wrong)).statusCode).toBe(401);
    // Ten wrong codes: locked, so even the right code is refused.
    expect((await signIn('mfa4', codeNow(secret))).statusCode).toBe(401);
    server.advance(16 * 60_000);
    expect((await signIn('mfa4', codeNow(secret))).statusCode).toBe(200);
  });

  it('removes the second factor with a current code only; an administrator can reset it, which ends the user\'s sessions', async () => {
    const session = await server.login('mfa5', 'viewer');
    const secret = await enrol(session);
    const removeWith = (code: string) => server.app.inject({ method: 'DELETE', url: '/api/v1/session/mfa', headers: session.headers, payload: { code } });
    expect((await removeWith(codeNow(secret, 4))).statusCode).toBe(403);
    expect((await removeWith(codeNow(secret))).statusCode).toBe(204);
    expect((await signIn('mfa5')).statusCode).toBe(200);

    const again = await server.login('mfa6', 'viewer');
    const secret6 = await enrol(again);
    const viewer = await server.token('viewer');
    const admin = await server.token('admin');
    expect((await server.app.inject({ method: 'PATCH', url: '/api/v1/users/mfa6', headers: { authorization: `Bearer ${viewer}` }, payload: { mfa: false } })).statusCode).toBe(403);
    expect((await server.app.inject({ method: 'PATCH', url: '/api/v1/users/mfa6', headers: { authorization: `Bearer ${admin}` }, payload: { mfa: true } })).statusCode).toBe(400);
    const reset = await server.app.inject({ method: 'PATCH', url: '/api/v1/users/mfa6', headers: { authorization: `Bearer ${admin}` }, payload: { mfa: false } });
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toMatchObject({ name: 'mfa6', mfa: false });
    expect((await server.app.inject({ url: '/api/v1/session', headers: { cookie: again.cookie } })).statusCode).toBe(401);
    const plain = await signIn('mfa6');
    expect(plain.statusCode).toBe(200);
    // The old secret is gone: enrolling again hands out a new one.
    const cookie = plain.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? '';
    const restarted = await server.app.inject({ method: 'POST', url: '/api/v1/session/mfa', headers: { cookie: `${SESSION_COOKIE}=${cookie}`, 'x-csrf-token': plain.json<{ csrfToken: string }>().csrfToken } });
    expect(restarted.json<{ secret: string }>().secret).not.toBe(secret6);
    const audit = await new AccountStore(server.store.database).listAudit(50);
    expect(audit.map((e) => `${e.action} ${e.target}`)).toEqual(expect.arrayContaining(['user.mfa-enrolled user:mfa6', 'user.changed user:mfa6', 'user.mfa-removed user:mfa5']));
  });

  it('an API token cannot enrol: a second factor belongs to a signed-in user', async () => {
    const token = await server.token('admin');
    const response = await server.app.inject({ method: 'POST', url: '/api/v1/session/mfa', headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode).toBe(400);
  });
});

describe('serve --require-mfa', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ db: 'sqlite', requireMfa: true });
    await seedFindings(server.store, 0, 3);
  });
  afterAll(async () => server.close());

  it('gives users without a second factor a session that may only enrol; once enrolled, everything their role allows', async () => {
    const session = await server.login('newcomer', 'operator');
    const who = await server.app.inject({ url: '/api/v1/session', headers: { cookie: session.cookie } });
    expect(who.json()).toMatchObject({ user: { name: 'newcomer', mfa: false }, mfaEnrolmentRequired: true });
    for (const [method, url] of [['GET', '/api/v1/findings'], ['GET', '/api/v1/sessions'], ['PUT', '/api/v1/session/password'], ['DELETE', '/api/v1/session/mfa']] as const) {
      const response = await server.app.inject({ method, url, headers: session.headers, ...(method === 'GET' ? {} : { payload: {} }) });
      expect(response.statusCode, url).toBe(403);
      expect(response.json<{ error: { code: string } }>().error.code, url).toBe('mfa-enrolment-required');
    }
    const started = await server.app.inject({ method: 'POST', url: '/api/v1/session/mfa', headers: session.headers });
    const { secret } = started.json<{ secret: string }>();
    const confirmed = await server.app.inject({ method: 'POST', url: '/api/v1/session/mfa/confirm', headers: session.headers, payload: { code: totpCode(secret, totpStep(server.deps.now())) } });
    expect(confirmed.statusCode).toBe(204);
    const findings = await server.app.inject({ url: '/api/v1/findings', headers: { cookie: session.cookie } });
    expect(findings.statusCode).toBe(200);
    expect(findings.json<{ items: unknown[] }>().items).toHaveLength(3);
    const after = await server.app.inject({ url: '/api/v1/session', headers: { cookie: session.cookie } });
    expect(after.json()).not.toHaveProperty('mfaEnrolmentRequired');
  });

  it('leaves API tokens alone: they are not people and carry no second factor', async () => {
    const token = await server.token('viewer');
    expect((await server.app.inject({ url: '/api/v1/findings', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
  });
});
