import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { getScan, getScanRow, requestScan } from '../../src/store/scan-store.js';
import { POSTGRES_URL, postgresDown } from '../e2e/test-postgres.js';
import { REPO_ROOT } from '../e2e/run-cli.js';
import { openBench, until, type Bench } from './job-fixtures.js';
import { startSlowSite, type SlowSite } from './slow-site.js';

const CLI = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');
const pgDown = await postgresDown('worker fault tests');

interface Worker {
  readonly child: ChildProcess;
  readonly log: string[];
  readonly exited: Promise<number | null>;
}

/** Starts `w3guard worker` from the build and waits until it works jobs. */
async function startWorker(url: string, jobsSchema: string): Promise<Worker> {
  const child = spawn(process.execPath, [CLI, 'worker', '--db', url, '--jobs-schema', jobsSchema, '--grace', '5'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => log.push(...chunk.toString().split('\n').filter((line) => line !== '')));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  await until('the worker to start', async () => (log.some((line) => line.includes('worker ready')) ? true : undefined), 20_000).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${String(error)}: ${log.join('\n')}`);
  });
  return { child, log, exited };
}

let bench: Bench | undefined;
let site: SlowSite | undefined;
const workers: Worker[] = [];
afterEach(async () => {
  for (const worker of workers.splice(0)) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  await site?.close();
  await bench?.close();
  bench = undefined;
  site = undefined;
});

describe.skipIf(pgDown !== undefined || !existsSync(CLI))('worker faults (PostgreSQL, built CLI)', () => {
  it('a worker killed with SIGKILL mid-scan: another worker re-runs the scan, which is recorded once', async () => {
    const b = await openBench('postgres', { superviseSeconds: 2 });
    bench = b;
    site = await startSlowSite(400);
    const first = await startWorker(b.url, b.bossSchema ?? '');
    workers.push(first);
    const id = await requestScan(b.deps, { kind: 'scan', targets: [site.url], by: 'test' });
    await until('the scan to reach the site', async () => ((site?.requests ?? 0) >= 3 ? true : undefined));
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    await first.exited;
    const requestsAtKill = site.requests;
    const second = await startWorker(b.url, b.bossSchema ?? '');
    workers.push(second);
    await until('the scan to start again', async () => ((await getScanRow(b.store.database, id))?.attempts === 2 ? true : undefined), 120_000);
    const redeliveredMs = Date.now() - killedAt;
    const done = await until('the re-run scan', async () => {
      const scan = await getScan(b.deps, id);
      return scan.state === 'done' || scan.state === 'failed' ? scan : undefined;
    }, 120_000);
    console.log(`SIGKILL mid-scan: redelivered to another worker after ${(redeliveredMs / 1000).toFixed(1)} s; ${requestsAtKill} requests before the kill, ${site.requests} in all`);
    expect(done.state, done.error).toBe('done');
    expect(await b.store.count('runs')).toBe(1);
    expect(site.requests).toBeGreaterThan(requestsAtKill);
    // SIGTERM: the worker stops taking jobs and exits cleanly.
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.log.some((line) => line.includes('worker stopped'))).toBe(true);
  }, 180_000);

  it('every database connection of the worker cut mid-run: nothing lost, nothing recorded twice', async () => {
    // The worker's connections carry their own application name, so only they are cut (other tests share the server).
    const app = `w3g_fault_${randomBytes(4).toString('hex')}`;
    const b = await openBench('postgres', { superviseSeconds: 2 });
    bench = b;
    const workerUrl = new URL(b.url);
    workerUrl.searchParams.set('application_name', app);
    site = await startSlowSite(150);
    const worker = await startWorker(workerUrl.toString(), b.bossSchema ?? '');
    workers.push(worker);
    const ids = await Promise.all([0, 1, 2].map((n) => requestScan(b.deps, { kind: 'scan', targets: [`${site?.url ?? ''}?n=${n}`.replace('/?', `/s${n}/?`)], by: 'test' })));
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    let cuts = 0;
    let cutConnections = 0;
    try {
      const deadline = Date.now() + 120_000;
      // A worker that died cannot finish the scans: stop cutting and say so below rather than wait out the deadline.
      while (Date.now() < deadline && worker.child.exitCode === null) {
        const scans = await Promise.all(ids.map((id) => getScan(b.deps, id)));
        if (scans.every((scan) => scan.state === 'done' || scan.state === 'failed')) break;
        const cut = await admin.query('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1', [app]);
        if (cut.rowCount !== null && cut.rowCount > 0) {
          cuts += 1;
          cutConnections += cut.rowCount;
        }
        await new Promise((r) => setTimeout(r, 1500));
      }
    } finally {
      await admin.end();
    }
    const scans = await Promise.all(ids.map((id) => getScan(b.deps, id)));
    console.log(`connections cut ${cuts} times (${cutConnections} connections); scans: ${scans.map((s) => `${s.state}${s.error === undefined ? '' : ` (${s.error})`}`).join(', ')}`);
    // First, so a worker that died is reported with its last words (an uncaught error's stack) and not as a scan left running.
    expect(worker.child.exitCode, worker.log.slice(-30).join('\n')).toBe(null);
    expect(cuts).toBeGreaterThan(1);
    for (const scan of scans) expect(scan.state, scan.error).toBe('done');
    expect(await b.store.count('runs')).toBe(3);
  }, 180_000);
});
