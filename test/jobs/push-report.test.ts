import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { importReport } from '../../src/jobs/import-report.js';
import { pushReport, PushError } from '../../src/jobs/push-report.js';
import { jsonReporter } from '../../src/report/json-reporter.js';
import { ApiError } from '../../src/server/server-context.js';
import { postgresDown } from '../e2e/test-postgres.js';
import { REPO_ROOT } from '../e2e/run-cli.js';
import { openBench, report, shellFindings, type Bench, type Dialect } from './job-fixtures.js';
import { plantedRoot, type PlantedRoot } from './host-root.js';

const CLI = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');
const pgDown = await postgresDown('PostgreSQL report push tests');
const DIALECTS: readonly Dialect[] = pgDown === undefined ? ['sqlite', 'postgres'] : ['sqlite'];
const TOKEN = 'w3g_test_token';

/** The server's side of POST /api/v1/reports, on a real loopback port: the route's logic without the framework. */
interface Endpoint {
  readonly url: string;
  /** Answers to give before the real one: a status and an optional Retry-After. */
  readonly faults: { status: number; retryAfter?: string }[];
  readonly seen: { key: string | undefined; at: number }[];
  close(): Promise<void>;
}

async function startEndpoint(bench: Bench): Promise<Endpoint> {
  const faults: Endpoint['faults'] = [];
  const seen: Endpoint['seen'] = [];
  const read = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await read(req);
      const key = req.headers['idempotency-key'];
      seen.push({ key: typeof key === 'string' ? key : undefined, at: Date.now() });
      const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      const fault = faults.shift();
      if (fault !== undefined) return send(fault.status, { error: { code: 'busy', message: 'try later' } }, fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter });
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { error: { code: 'auth.required', message: 'sign in or send an API token.' } });
      try {
        const body = JSON.parse(raw) as unknown;
        const imported = await importReport(bench.deps, body, { by: 'token:web7', rawBody: raw, ...(typeof key === 'string' ? { idempotencyKey: key } : {}) });
        send(imported.created ? 201 : 200, { runId: imported.runId });
      } catch (error) {
        if (error instanceof ApiError) send(error.status, { error: { code: error.code, message: error.message } });
        else send(500, { error: { code: 'internal', message: String(error) } });
      }
    })();
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    faults,
    seen,
    async close() {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}

let bench: Bench | undefined;
let endpoint: Endpoint | undefined;
let planted: PlantedRoot;
beforeAll(() => {
  planted = plantedRoot();
});
afterAll(() => rmSync(planted.dir, { recursive: true, force: true }));
afterEach(async () => {
  await endpoint?.close();
  await bench?.close();
  endpoint = undefined;
  bench = undefined;
});

const body = (): string => {
  const made = JSON.parse(jsonReporter.render(report('host', shellFindings('WEB7', ['a.aspx', 'b.aspx'])), { color: false })) as Record<string, unknown>;
  return JSON.stringify({ ...made, coverage: [{ ruleId: 'w3g-test-web-shell', asset: 'WEB7' }] });
};

describe.each(DIALECTS)('pushed reports on %s', (dialect) => {
  it('retries 503 and 429 with back-off, honouring Retry-After, with one idempotency key; the same push twice is one run', async () => {
    const b = await openBench(dialect);
    bench = b;
    const e = await startEndpoint(b);
    endpoint = e;
    e.faults.push({ status: 503, retryAfter: '1' }, { status: 429 });
    const waits: number[] = [];
    const runId = await pushReport(body(), { url: e.url, token: TOKEN, delayMs: 200, onRetry: (_attempt, waitMs) => waits.push(waitMs) });
    expect(waits).toEqual([1000, 400]);
    expect(e.seen).toHaveLength(3);
    expect(new Set(e.seen.map((s) => s.key)).size).toBe(1);
    expect((e.seen[1]?.at ?? 0) - (e.seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    // The same body again, under a new key: its hash is not the key, but the key is new, so a second run. The same key again: the same run.
    const again = await importReport(b.deps, JSON.parse(body()) as unknown, { by: 't', idempotencyKey: e.seen[0]?.key ?? '' });
    expect(again).toEqual({ runId, created: false });
    expect(await b.store.count('runs')).toBe(1);
    // Without a key, the body's hash decides.
    const raw = body();
    const first = await importReport(b.deps, JSON.parse(raw) as unknown, { by: 't', rawBody: raw });
    const second = await importReport(b.deps, JSON.parse(raw) as unknown, { by: 't', rawBody: raw });
    expect(second).toEqual({ runId: first.runId, created: false });
    expect(await b.store.count('runs')).toBe(2);
  });

  it('refuses a malformed report with 400 naming the first problem, stores nothing, and does not retry a 4xx', async () => {
    const b = await openBench(dialect);
    bench = b;
    const e = await startEndpoint(b);
    endpoint = e;
    const bad = JSON.parse(body()) as { findings: Record<string, unknown>[] };
    (bad.findings[1] as Record<string, unknown>)['severity'] = 'catastrophic';
    (bad.findings[1] as Record<string, unknown>)['occurrences'] = 0;
    const refused = pushReport(JSON.stringify(bad), { url: e.url, token: TOKEN, delayMs: 10 });
    await expect(refused).rejects.toBeInstanceOf(PushError);
    await expect(refused).rejects.toThrow('the server refused the report (400): findings[1].severity must be one of info, low, medium, high, critical.');
    await expect(pushReport('{"tool":{"name":"w3guard","version":"1"},"command":"host"}', { url: e.url, token: TOKEN })).rejects.toThrow('(400): startedAt must be a string.');
    await expect(pushReport(body(), { url: e.url, token: 'wrong', delayMs: 10 })).rejects.toMatchObject({ status: 401 });
    expect(e.seen).toHaveLength(3);
    expect(await b.store.count('runs')).toBe(0);
    expect(await b.store.count('findings')).toBe(0);
  });

  it.skipIf(!existsSync(CLI))('host ROOT --push: the built command sends its report, which the store records with what it covered', async () => {
    const b = await openBench(dialect);
    bench = b;
    const e = await startEndpoint(b);
    endpoint = e;
    e.faults.push({ status: 502 });
    const run = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, [CLI, 'host', planted.root, '--no-inventory', '--no-hunt', '--no-events', '--no-audit', '--format', 'json', '--push', e.url], { env: { ...process.env, W3GUARD_TOKEN: TOKEN }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => done({ code, stderr }));
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/push try 1 failed \(502 try later\); again in 1\.0 s/);
    expect(run.stderr).toMatch(/report pushed as run 1/);
    const stored = await b.store.listFindings({ now: new Date() });
    expect(stored.map((f) => [f.ruleId, f.asset, f.status])).toContainEqual([planted.ruleId, 'WEB7', 'new']);
    expect(new Set(stored.map((f) => f.status))).toEqual(new Set(['new']));
    expect(await b.store.count('coverage')).toBeGreaterThan(0);
  }, 60_000);
});
