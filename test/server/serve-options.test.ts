import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveCommand } from '../../src/cli/serve-command.js';
import { loadPasswordBlocklist } from '../../src/server/password-policy.js';
import { startServe, type RunningServe } from '../../src/server/start-serve.js';
import { AccountStore } from '../../src/store/account-store.js';
import type { FindingStore } from '../../src/store/finding-store.js';
import { openStore } from '../../src/store/open-store.js';
import { TEST_PASSWORD } from './test-server.js';

/** `serve --require-mfa --password-blocklist FILE` as startServe gets it: over a real socket, on a real SQLite store. */
describe('serve options for the second factor and the password blocklist', () => {
  let dir: string;
  let store: FindingStore;
  let serve: RunningServe;
  let admin: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'w3g-serve-opts-'));
    const db = path.join(dir, 'store.db');
    const blocklist = path.join(dir, 'top.txt');
    writeFileSync(blocklist, 'orchard lantern 47\n');
    store = await openStore(db);
    const accounts = new AccountStore(store.database);
    await accounts.addUser('dana', 'operator', TEST_PASSWORD, new Date());
    admin = (await accounts.createToken({ name: 'admin', role: 'admin', createdBy: 'test' }, new Date())).token;
    serve = await startServe({ store, db, host: '127.0.0.1', port: 0, secretKey: randomBytes(32), log: pino({ level: 'silent' }), worker: false, notifyEveryMs: 60_000, requireMfa: true, passwordBlocklist: loadPasswordBlocklist(blocklist) });
  });
  afterAll(async () => {
    await serve.close(1000);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('limits a user without a second factor to enrolment', async () => {
    const login = await fetch(`${serve.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'dana', password: TEST_PASSWORD }) });
    expect(login.status).toBe(200);
    expect(await login.json()).toMatchObject({ mfaEnrolmentRequired: true });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const findings = await fetch(`${serve.url}/api/v1/findings`, { headers: { cookie } });
    expect(findings.status).toBe(403);
    expect(await findings.json()).toMatchObject({ error: { code: 'mfa-enrolment-required' } });
  });

  it('refuses a password of the blocklist file', async () => {
    const add = (password: string) =>
      fetch(`${serve.url}/api/v1/users`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'erin', role: 'viewer', password }) });
    const refused = await add('Orchard Lantern 47');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: 'weak-password' } });
    expect((await add('orchard lantern 48')).status).toBe(201);
  });

  it('stops serve with one sentence when the blocklist file cannot be read', async () => {
    const command = serveCommand(new AbortController().signal).exitOverride();
    await expect(command.parseAsync(['--db', path.join(dir, 'other.db'), '--listen', '127.0.0.1:0', '--password-blocklist', path.join(dir, 'missing.txt')], { from: 'user' })).rejects.toThrow(/--password-blocklist .*missing\.txt cannot be read/);
  });

  it('believes X-Forwarded-For only from a proxy named with --trust-proxy', async () => {
    const behindProxy = await startServe({ store, db: path.join(dir, 'store.db'), host: '127.0.0.1', port: 0, secretKey: randomBytes(32), log: pino({ level: 'silent' }), worker: false, notifyEveryMs: 60_000, trustProxy: ['127.0.0.1'] });
    try {
      const add = (url: string, name: string) =>
        fetch(`${url}/api/v1/users`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' }, body: JSON.stringify({ name, role: 'viewer', password: 'a quiet harbour at dawn' }) });
      expect((await add(behindProxy.url, 'fred')).status).toBe(201);
      expect((await add(serve.url, 'gina')).status).toBe(201);
      const audit = (await (await fetch(`${serve.url}/api/v1/audit?limit=10`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { items: { action: string; target: string; ip: string }[] };
      expect(audit.items.find((e) => e.target === 'user:fred')?.ip).toBe('203.0.113.7');
      expect(audit.items.find((e) => e.target === 'user:gina')?.ip).toBe('127.0.0.1');
    } finally {
      await behindProxy.close(1000);
    }
  });
});
