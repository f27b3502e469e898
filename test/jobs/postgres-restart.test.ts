import { afterEach, describe, expect, it } from 'vitest';
import type { JobQueue } from '../../src/jobs/job-queue.js';
import { openQueue } from '../../src/jobs/open-queue.js';
import { jobHandlers } from '../../src/jobs/scan-jobs.js';
import type { ServerDeps } from '../../src/server/server-context.js';
import type { FindingStore } from '../../src/store/finding-store.js';
import { openStore } from '../../src/store/open-store.js';
import { getScan, requestScan } from '../../src/store/scan-store.js';
import { silent, until } from './job-fixtures.js';
import { initdbPath, startPrivateCluster, type PrivateCluster } from './private-postgres.js';
import { startSlowSite, type SlowSite } from './slow-site.js';

const BIN = initdbPath();

let cluster: PrivateCluster | undefined;
let site: SlowSite | undefined;
let queue: JobQueue | undefined;
let store: FindingStore | undefined;
afterEach(async () => {
  await queue?.stop({ timeoutMs: 1000 }).catch(() => undefined);
  await store?.close().catch(() => undefined);
  await site?.close();
  cluster?.destroy();
  queue = undefined;
  store = undefined;
  site = undefined;
  cluster = undefined;
});

describe.skipIf(BIN === undefined)('a PostgreSQL crash and restart mid-run (private cluster)', () => {
  it('loses no scan and records none twice', async () => {
    const c = await startPrivateCluster(BIN ?? '');
    cluster = c;
    const s = await startSlowSite(150);
    site = s;
    const st = await openStore(c.url);
    store = st;
    const q = await openQueue(st, { url: c.url, log: silent, bossSchema: 'w3g_boss', pollMs: 500, superviseSeconds: 2, concurrency: 3, retry: { retryLimit: 5, retryDelaySeconds: 1, retryDelayMaxSeconds: 5 } });
    queue = q;
    const deps: ServerDeps = { store: st, queue: q, log: silent, now: () => new Date(), publicUrl: 'http://127.0.0.1', secretKey: Buffer.alloc(32) };
    await q.work(jobHandlers(deps));
    const ids: number[] = [];
    for (const n of [0, 1, 2, 3]) ids.push(await requestScan(deps, { kind: 'scan', targets: [`${s.url}s${n}/`], by: 'test' }));
    await until('scans to reach the site', async () => (s.requests >= 8 ? true : undefined));
    const before = await Promise.all(ids.map((id) => getScan(deps, id)));
    expect(before.some((scan) => scan.state === 'running'), 'a scan was running when the database went down').toBe(true);
    const crashedAt = Date.now();
    c.crash();
    await new Promise((r) => setTimeout(r, 3000));
    c.start();
    const scans = await until('every scan to settle', async () => {
      const all = await Promise.all(ids.map((id) => getScan(deps, id).catch(() => undefined)));
      return all.every((scan) => scan !== undefined && (scan.state === 'done' || scan.state === 'failed')) ? all : undefined;
    }, 150_000);
    console.log(`PostgreSQL down 3 s mid-run: every scan settled ${((Date.now() - crashedAt) / 1000).toFixed(1)} s after the crash: ${scans.map((scan) => scan?.state).join(', ')}`);
    for (const scan of scans) expect(scan?.state, scan?.error).toBe('done');
    expect(await st.count('runs')).toBe(4);
    expect(new Set(scans.map((scan) => scan?.runId)).size).toBe(4);
  }, 200_000);
});
