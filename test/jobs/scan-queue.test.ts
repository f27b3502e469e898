import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { jobHandlers } from '../../src/jobs/scan-jobs.js';
import type { ScanRunners } from '../../src/jobs/scan-runners.js';
import { getScan, recordScanReport, requestScan } from '../../src/store/scan-store.js';
import { postgresDown } from '../e2e/test-postgres.js';
import { openBench, report, shellFindings, until, type Bench, type Dialect } from './job-fixtures.js';

const pgDown = await postgresDown('PostgreSQL job queue tests');
const DIALECTS: readonly Dialect[] = pgDown === undefined ? ['sqlite', 'postgres'] : ['sqlite'];

let bench: Bench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runners that find one web shell per target after `ms`, noting when each ran. */
function slowRunners(ms: number, spans: { target: string; start: number; end: number }[]): Partial<ScanRunners> {
  return {
    async scan(targets) {
      const start = Date.now();
      await sleep(ms);
      spans.push({ target: targets.join(','), start, end: Date.now() });
      return report('scan', targets.flatMap((t) => shellFindings(t, ['cmd.aspx'])));
    },
  };
}

describe('the SQLite queue after a crash', () => {
  it('queues again the jobs a killed process left active, and runs them once', async () => {
    const b = await openBench('sqlite');
    bench = b;
    const id = await requestScan(b.deps, { kind: 'scan', targets: ['https://a.example/'], by: 'a' });
    // What a process killed mid-scan leaves behind: its job claimed, its scan running.
    await b.store.database.updateTable('jobs').set({ state: 'active', attempts: 1 }).execute();
    await b.store.database.updateTable('scans').set({ state: 'running', attempts: 1 }).execute();
    const spans: { target: string; start: number; end: number }[] = [];
    await b.queue.work(jobHandlers(b.deps, { runners: slowRunners(10, spans) }));
    const done = await until('the scan', async () => {
      const scan = await getScan(b.deps, id);
      return scan.state === 'done' ? scan : undefined;
    });
    expect(done.findings).toBe(1);
    expect(spans).toHaveLength(1);
    expect(await b.store.count('runs')).toBe(1);
    const job = await b.store.database.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
    expect(job).toMatchObject({ state: 'done', attempts: 2 });
  });
});

describe.each(DIALECTS)('scan jobs on %s', (dialect) => {
  it('records a requested scan once, with its findings, progress and run', async () => {
    const b = await openBench(dialect);
    bench = b;
    const spans: { target: string; start: number; end: number }[] = [];
    await b.queue.work(jobHandlers(b.deps, { runners: slowRunners(50, spans) }));
    const id = await requestScan(b.deps, { kind: 'scan', targets: ['https://a.example/'], by: 'alice' });
    expect((await getScan(b.deps, id)).state).toMatch(/queued|running/);
    const done = await until('the scan', async () => {
      const scan = await getScan(b.deps, id);
      return scan.state === 'done' ? scan : undefined;
    });
    expect(done).toMatchObject({ kind: 'scan', state: 'done', findings: 1, requestedBy: 'alice', progress: { phase: 'done', findings: 1 } });
    if (b.bossSchema !== undefined) {
      // The job completed in the run's transaction: settled the moment the scan is done.
      const jobs = await sql<{ state: string }>`SELECT state FROM ${sql.table(`${b.bossSchema}.job`)} WHERE name = 'scan'`.execute(b.store.database);
      expect(jobs.rows.map((row) => row.state)).toEqual(['completed']);
    }
    expect(await b.store.count('runs')).toBe(1);
    // A second attempt of the same job (a redelivery after the commit) records nothing.
    const again = await recordScanReport(b.deps, id, report('scan', shellFindings('https://a.example/', ['cmd.aspx'])));
    expect(again).toMatchObject({ recorded: false, runId: done.runId });
    expect(await b.store.count('runs')).toBe(1);
  });

  it('refuses a bad request with one clear sentence and queues nothing', async () => {
    const b = await openBench(dialect);
    bench = b;
    await expect(requestScan(b.deps, { kind: 'scan', targets: ['ftp://x/'], by: 'a' })).rejects.toThrow('targets[0] must be an http or https URL.');
    await expect(requestScan(b.deps, { kind: 'nmap', targets: ['x'], by: 'a' })).rejects.toThrow(/kind must be one of scan, host/);
    await expect(requestScan(b.deps, { kind: 'scan', targets: [], by: 'a' })).rejects.toThrow('targets must name at least one target.');
    expect(await b.store.count('scans')).toBe(0);
  });

  it('never runs two scans of one target at once, while other targets run beside them', async () => {
    const b = await openBench(dialect, { concurrency: 3 });
    bench = b;
    const spans: { target: string; start: number; end: number }[] = [];
    await b.queue.work(jobHandlers(b.deps, { runners: slowRunners(1200, spans) }));
    const ids = [
      await requestScan(b.deps, { kind: 'scan', targets: ['https://same.example/'], by: 'a' }),
      await requestScan(b.deps, { kind: 'scan', targets: ['https://same.example/login'], by: 'a' }),
      await requestScan(b.deps, { kind: 'scan', targets: ['https://same.example/'], by: 'a' }),
      await requestScan(b.deps, { kind: 'scan', targets: ['https://other.example/'], by: 'a' }),
    ];
    await until('four scans', async () => ((await Promise.all(ids.map((id) => getScan(b.deps, id)))).every((s) => s.state === 'done') ? true : undefined), 40_000);
    const same = spans.filter((s) => s.target.startsWith('https://same.example')).sort((a, b) => a.start - b.start);
    expect(same).toHaveLength(3);
    for (let i = 1; i < same.length; i += 1) expect((same[i]?.start ?? 0), 'a scan of same.example started before the previous one ended').toBeGreaterThanOrEqual((same[i - 1]?.end ?? Infinity));
    const other = spans.find((s) => s.target === 'https://other.example/') ?? { start: 0, end: 0 };
    expect(same.some((s) => s.start < other.end && other.start < s.end), 'other.example ran beside same.example').toBe(true);
  }, 60_000);

  it('retries a failing scan with growing waits, and marks it failed after the last try', async () => {
    const b = await openBench(dialect);
    bench = b;
    const attempts: number[] = [];
    let failUntil = 2;
    await b.queue.work(
      jobHandlers(b.deps, {
        runners: {
          async scan(targets) {
            attempts.push(Date.now());
            if (attempts.length <= failUntil) throw new Error(`the site reset the connection (try ${attempts.length})`);
            return report('scan', shellFindings(targets[0] ?? '', ['x.aspx']));
          },
        },
      }),
    );
    const id = await requestScan(b.deps, { kind: 'scan', targets: ['https://flaky.example/'], by: 'a' });
    const done = await until('the flaky scan', async () => {
      const scan = await getScan(b.deps, id);
      return scan.state === 'done' ? scan : undefined;
    }, 30_000);
    expect(done.findings).toBe(1);
    expect(attempts).toHaveLength(3);
    const at = (i: number): number => attempts[i] ?? 0;
    const waits = [at(1) - at(0), at(2) - at(1)];
    console.log(`${dialect}: retry waits ${waits.join(' ms, ')} ms`);
    expect(waits[0]).toBeGreaterThanOrEqual(900);
    expect(waits[1]).toBeGreaterThanOrEqual(900);

    attempts.length = 0;
    failUntil = 99;
    const doomed = await requestScan(b.deps, { kind: 'scan', targets: ['https://down.example/'], by: 'a' });
    const failed = await until('the doomed scan', async () => {
      const scan = await getScan(b.deps, doomed);
      return scan.state === 'failed' ? scan : undefined;
    }, 30_000);
    // retryLimit 2: three tries in all.
    expect(attempts).toHaveLength(3);
    expect(failed.error).toBe('the site reset the connection (try 3)');
  }, 70_000);
});
