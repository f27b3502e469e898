import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import type { Coverage } from '../../src/core/coverage.js';
import { FindingAggregator } from '../../src/core/finding-aggregator.js';
import type { Finding } from '../../src/core/finding.js';
import type { ScanReport } from '../../src/core/report.js';
import type { RuleMeta } from '../../src/core/rule-meta.js';
import { finalizeFindings } from '../../src/scan/finalize-findings.js';
import type { JobQueue } from '../../src/jobs/job-queue.js';
import { openQueue, type OpenQueueOptions } from '../../src/jobs/open-queue.js';
import type { FindingStore } from '../../src/store/finding-store.js';
import { openStore } from '../../src/store/open-store.js';
import type { ServerDeps } from '../../src/server/server-context.js';
import { POSTGRES_URL } from '../e2e/test-postgres.js';

export const silent: Logger = pino({ level: process.env['W3GUARD_TEST_LOG'] ?? 'silent' });

export const SHELL: RuleMeta = { id: 'w3g-test-web-shell', title: 'Web shell in the web root', description: 'A web shell', severity: 'critical', confidence: 'firm', engine: 'test', category: 'web-shell', tags: [], references: [] };

/** Real findings, fingerprinted by the aggregator as a scan makes them. */
export function shellFindings(asset: string, names: readonly string[]): Finding[] {
  const aggregator = new FindingAggregator();
  for (const name of names) aggregator.add({ rule: SHELL, asset: { id: asset, kind: 'site' }, locationKey: `wwwroot/${name}`, evidence: { kind: 'file', path: `inetpub/wwwroot/${name}`, text: name } });
  return finalizeFindings(aggregator.groups(), 10, 'info');
}

export function report(command: string, findings: readonly Finding[], coverage: readonly Coverage[] = []): ScanReport {
  const now = new Date().toISOString();
  return { tool: { name: 'w3guard', version: 'test' }, command, startedAt: now, finishedAt: now, inputs: [], issues: [], findings, rules: [SHELL], coverage };
}

/** A store and queue on either dialect, closed and dropped by `close`. */
export interface Bench {
  readonly deps: ServerDeps;
  readonly store: FindingStore;
  readonly queue: JobQueue;
  /** The `--db` the store was opened with, and pg-boss's schema, for child worker processes. */
  readonly url: string;
  readonly bossSchema?: string;
  close(): Promise<void>;
}

export type Dialect = 'sqlite' | 'postgres';

/** Opens a fresh store (a temp SQLite file, or a fresh PostgreSQL schema) and its queue. */
export async function openBench(dialect: Dialect, options: Partial<OpenQueueOptions> = {}): Promise<Bench> {
  let url: string;
  let cleanup: () => Promise<void>;
  let bossSchema: string | undefined;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'w3g-jobs-'));
    url = join(dir, 'store.db');
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const hex = randomBytes(5).toString('hex');
    const schema = `w3g_test_${hex}`;
    bossSchema = `w3g_boss_${hex}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const u = new URL(POSTGRES_URL);
    u.searchParams.set('options', `-c search_path=${schema}`);
    url = u.toString();
    const boss = bossSchema;
    cleanup = async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.query(`DROP SCHEMA IF EXISTS ${boss} CASCADE`);
      await client.end();
    };
  }
  const store = await openStore(url);
  const queue = await openQueue(store, { url, log: silent, pollMs: 500, superviseSeconds: 2, retry: { retryLimit: 2, retryDelaySeconds: 1, retryDelayMaxSeconds: 10 }, ...(bossSchema === undefined ? {} : { bossSchema }), ...options });
  const deps: ServerDeps = { store, queue, log: silent, now: () => new Date(), publicUrl: 'http://127.0.0.1', secretKey: Buffer.alloc(32, 7) };
  return {
    deps,
    store,
    queue,
    url,
    ...(bossSchema === undefined ? {} : { bossSchema }),
    async close() {
      await queue.stop({ timeoutMs: 2000 }).catch(() => undefined);
      await store.close().catch(() => undefined);
      await cleanup();
    },
  };
}

/** Waits until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
