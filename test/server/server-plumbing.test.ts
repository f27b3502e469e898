import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT, UI_CSP } from '../../src/server/build-server.js';
import { startTestServer, TEST_PASSWORD, type TestServer } from './test-server.js';

describe('server plumbing', () => {
  let dir: string;
  let server: TestServer;
  const lines: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'w3g-ui-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>w3guard</title><script src="/assets/app.js"></script>');
    writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(dir, '.env'), 'SECRET=1');
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    server = await startTestServer({
      db: 'sqlite',
      uiRoot: dir,
      logger: pino({ level: 'info' }, sink),
      routes: [
        async (app) => {
          // Stands for the pushed-report route: only its size limit is under test here.
          app.post('/api/v1/reports', { preValidation: app.needRole('operator') }, async (request) => ({ bytes: JSON.stringify(request.body).length }));
          app.post('/api/v1/echo', { preValidation: app.needRole('operator') }, async (request) => ({ bytes: JSON.stringify(request.body).length }));
        },
      ],
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes large pushed reports but refuses bodies over 1 MiB elsewhere, in the error shape', async () => {
    const token = await server.token('operator');
    const big = JSON.stringify({ data: 'x'.repeat(BODY_LIMIT * 3) });
    const report = await server.app.inject({ method: 'POST', url: '/api/v1/reports', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: big });
    expect(report.statusCode).toBe(200);
    const elsewhere = await server.app.inject({ method: 'POST', url: '/api/v1/echo', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: big });
    expect(elsewhere.statusCode).toBe(413);
    expect(elsewhere.json<{ error: { code: string } }>().error.code).toBe('too-large');
  });

  it('writes no token, cookie or password to its log', async () => {
    const token = await server.token('admin');
    const session = await server.login('logged', 'viewer');
    await server.app.inject({ url: '/api/v1/findings', headers: { authorization: `Bearer ${token}` } });
    await server.app.inject({ url: '/api/v1/findings', headers: { cookie: session.cookie } });
    await server.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'logged', password: 'a wrong password for the log' } });
    const log = lines.join('');
    expect(log).toContain('/api/v1/findings');
    expect(log).not.toContain(token);
    expect(log).not.toContain(session.cookie.split('=')[1]);
    expect(log).not.toContain('a wrong password for the log');
    expect(log).not.toContain(TEST_PASSWORD);
  });

  it('serves the UI without sign-in, with deep links, its own CSP, and no dotfiles', async () => {
    const index = await server.app.inject({ url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('<title>w3guard</title>');
    expect(index.headers['content-security-policy']).toBe(UI_CSP);
    const deep = await server.app.inject({ url: '/findings/0123abcd' });
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toContain('<title>w3guard</title>');
    expect((await server.app.inject({ url: '/assets/app.js' })).body).toBe('console.log(1)');
    expect((await server.app.inject({ url: '/.env' })).body).not.toContain('SECRET');
    const api = await server.app.inject({ url: '/api/v1/nothing', headers: { authorization: `Bearer ${await server.token('viewer')}` } });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('closes gracefully: a request in flight finishes, new connections are refused', async () => {
    const other = await startTestServer({
      db: 'sqlite',
      routes: [
        async (app) => {
          app.get('/api/v1/slow', { preValidation: app.needRole('viewer') }, async () => {
            await new Promise((resolve) => setTimeout(resolve, 300));
            return { done: true };
          });
        },
      ],
    });
    const token = await other.token('viewer');
    const inFlight = fetch(`${other.url}/api/v1/slow`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    const closing = other.close();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    await closing;
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(fetch(`${other.url}/api/v1/health`)).rejects.toThrow();
  });
});
