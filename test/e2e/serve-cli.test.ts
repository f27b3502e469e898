import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSiteProfiles, startSwitchableSite, type SiteProfiles } from '../fixtures/switchable-site.js';
import { httpSink, smtpSink, type Received } from '../notify/notify-fixtures.js';
import { POSTGRES_URL, postgresDown, withSchema } from './test-postgres.js';
import { REPO_ROOT } from './run-cli.js';

const CLI = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');
const PASSWORD = 'lantern-orchard-47-quietly';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const pgDown = await postgresDown('serve end-to-end on PostgreSQL');

let profiles: SiteProfiles;
beforeAll(async () => {
  profiles = await startSiteProfiles();
});
afterAll(async () => {
  await profiles.close();
});

/** `w3guard serve` as a user starts it, stopped with SIGTERM. */
async function startServe(db: string, env: NodeJS.ProcessEnv, extra: readonly string[]): Promise<{ url: string; child: ChildProcess; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--db', db, '--listen', '127.0.0.1:0', ...extra], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((done, fail) => {
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match !== null) done(match[1] as string);
    });
    child.on('exit', (code) => fail(new Error(`serve exited with ${String(code)}: ${stderr}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise((done) => {
        child.once('exit', (code) => done(code));
        child.kill('SIGTERM');
      }),
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** What a receiver of Standard Webhooks checks: the HMAC of id.timestamp.body under the secret's key. */
function signatureValid(delivery: Received): boolean {
  const id = String(delivery.headers['webhook-id']);
  const timestamp = String(delivery.headers['webhook-timestamp']);
  const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${delivery.body}`).digest('base64');
  return String(delivery.headers['webhook-signature']).split(' ').includes(`v1,${expected}`);
}

async function newcomer(db: string, env: NodeJS.ProcessEnv, serveArgs: readonly string[]): Promise<void> {
  const added = spawnSync(process.execPath, [CLI, 'user', 'add', 'admin', '--role', 'admin', '--password-stdin', '--db', db], { cwd: REPO_ROOT, env, input: `${PASSWORD}\n`, encoding: 'utf8' });
  expect(added.status, added.stderr).toBe(0);
  const sink = await httpSink([{ status: 204 }]);
  const smtp = await smtpSink();
  const site = await startSwitchableSite(profiles);
  const server = await startServe(db, env, serveArgs);
  try {
    const api = (path: string): string => `${server.url}/api/v1${path}`;
    for (const path of ['/findings', '/scans', '/channels', '/openapi.json']) expect((await fetch(api(path))).status, path).toBe(401);
    expect(await (await fetch(api('/health'))).json()).toEqual({ status: 'ok' });

    const login = await fetch(api('/session'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(cookie).toMatch(/^__Host-w3g_sid=/);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const headers = { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown): Promise<Response> => fetch(api(path), { method: 'POST', headers, body: JSON.stringify(body) });
    const get = async <T>(path: string): Promise<T> => (await fetch(api(path), { headers: { cookie } })).json() as Promise<T>;

    const webhook = await post('/channels', { kind: 'webhook', name: 'soc', config: { url: sink.url, secret: SECRET } });
    expect(webhook.status).toBe(201);
    const email = await post('/channels', { kind: 'email', name: 'ops', config: { host: '127.0.0.1', port: smtp.port, from: 'w3guard@example.org', to: ['ops@example.org'] } });
    expect(email.status).toBe(201);
    for (const channel of [(await webhook.json()) as { id: number }, (await email.json()) as { id: number }]) {
      const rule = await post('/rules', { channel: channel.id, events: ['finding.created', 'finding.fixed', 'scan.completed', 'verify.completed'], mode: 'instant' });
      expect(rule.status, await rule.clone().text()).toBe(201);
    }

    // Add the site: a scan through the API finds what was planted.
    const started = await post('/scans', { kind: 'scan', targets: [site.url] });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: number };
    const scan = await until('the scan', async () => {
      const s = await get<{ state: string; error?: string; findings?: number }>(`/scans/${id}`);
      return s.state === 'done' || s.state === 'failed' ? s : undefined;
    });
    expect(scan.state, scan.error).toBe('done');
    const { items } = await get<{ items: { fingerprint: string; ruleId: string; status: string }[] }>('/findings?limit=500');
    const planted = items.find((f) => f.ruleId === 'w3g-http-viewstate-no-mac');
    expect(planted, items.map((f) => f.ruleId).join(', ')).toMatchObject({ status: 'new' });

    // A signed webhook and an e-mail say so.
    const created = await until('the finding.created webhook', async () => sink.received.find((d) => d.body.includes('"finding.created"')));
    expect(signatureValid(created)).toBe(true);
    expect(JSON.parse(created.body)).toMatchObject({ type: 'finding.created', data: expect.any(Object) });
    await until('an e-mail', async () => (smtp.messages.length > 0 ? true : undefined));
    expect(smtp.messages[0]?.to).toEqual(['ops@example.org']);

    // The administrator fixes the site; verify proves it.
    site.fixed = true;
    const fingerprint = planted?.fingerprint ?? '';
    const verify = await post(`/findings/${encodeURIComponent(fingerprint)}/verify`, {});
    expect(verify.status).toBe(202);
    const { scanId } = (await verify.json()) as { scanId: number };
    await until('the verification', async () => {
      const s = await get<{ state: string }>(`/scans/${scanId}`);
      return s.state === 'done' ? s : undefined;
    });
    expect(await get<{ status: string; history: unknown[] }>(`/findings/${encodeURIComponent(fingerprint)}`)).toMatchObject({ status: 'fixed' });
    await until('the verify.completed webhook', async () => sink.received.find((d) => d.body.includes('"verify.completed"')));
    // Every delivery is signed, and no event was announced twice.
    expect(sink.received.every(signatureValid)).toBe(true);
    const ids = sink.received.map((d) => String(d.headers['webhook-id']));
    expect(new Set(ids).size).toBe(ids.length);
    expect(await server.stop()).toBe(0);
  } finally {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await site.close();
    await sink.close();
    await smtp.close();
  }
}

describe('w3guard serve, as the README starts it', () => {
  it.skipIf(!existsSync(CLI))('SQLite: admin, serve, a site scanned through the API, a signed webhook and an e-mail, verify marks the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'w3g-serve-'));
    try {
      await newcomer(join(dir, 'w3guard.db'), { ...process.env, XDG_DATA_HOME: dir, NO_COLOR: '1' }, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it.skipIf(!existsSync(CLI) || pgDown !== undefined)('PostgreSQL: the same, with the job queue in PostgreSQL, answered by two processes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'w3g-serve-'));
    const jobs = `w3g_jobs_${randomBytes(5).toString('hex')}`;
    try {
      await withSchema(async (url) => {
        // Two serving processes: requests reach either; the first runs the schedules, notifications and jobs.
        await newcomer(url, { ...process.env, XDG_DATA_HOME: dir, NO_COLOR: '1', W3GUARD_SECRET_KEY: randomBytes(32).toString('base64') }, ['--jobs-schema', jobs, '--processes', '2']);
      });
    } finally {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${jobs} CASCADE`);
      await client.end();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
