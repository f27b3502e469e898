import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../e2e/run-cli.js';

/** The full server's test harness (built alongside); these tests run once it is merged. */
const HARNESS = resolve(REPO_ROOT, 'test', 'server', 'test-server.ts');

interface TestServer {
  readonly url: string;
  token(role: 'viewer' | 'operator' | 'admin'): Promise<string>;
  close(): Promise<void>;
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe.skipIf(!existsSync(HARNESS))('scan routes on the full server', () => {
  it('scans, verify, reports and schedules answer as the contract says, with roles enforced', async () => {
    const harness = (await import(/* @vite-ignore */ HARNESS)) as { startTestServer(options: { db: 'sqlite' | 'postgres'; routes: unknown[] }): Promise<TestServer> };
    const { scanRoutes } = await import('../../src/server/routes/scan-routes.js');
    const s = await harness.startTestServer({ db: 'sqlite', routes: [scanRoutes] });
    server = s;
    const [viewer, operator] = [await s.token('viewer'), await s.token('operator')];
    const call = (method: string, path: string, token: string | undefined, body?: unknown): Promise<Response> =>
      fetch(`${s.url}${path}`, { method, headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const scan = { kind: 'scan', targets: ['https://a.example/'] };
    expect((await call('POST', '/api/v1/scans', undefined, scan)).status).toBe(401);
    expect((await call('POST', '/api/v1/scans', viewer, scan)).status).toBe(403);
    const started = await call('POST', '/api/v1/scans', operator, scan);
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: number };
    const shown = (await (await call('GET', `/api/v1/scans/${id}`, viewer)).json()) as { id: number; kind: string; state: string };
    expect(shown).toMatchObject({ id, kind: 'scan', state: expect.stringMatching(/queued|running|done|failed/) });
    expect((await call('POST', '/api/v1/findings/nope/verify', operator)).status).toBe(404);
    const malformed = await call('POST', '/api/v1/reports', operator, { tool: { name: 'w3guard', version: '1' } });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toBe('command must be a string.');
    expect((await call('POST', '/api/v1/schedules', operator, { ...scan, cron: '0 3 * * *', timezone: 'Nowhere/Atlantis' })).status).toBe(400);
    expect((await call('POST', '/api/v1/schedules', operator, { ...scan, cron: '0 3 * * *', timezone: 'UTC' })).status).toBe(201);
  });
});
