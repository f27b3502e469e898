import { afterEach, describe, expect, it } from 'vitest';
import { jobHandlers } from '../../src/jobs/scan-jobs.js';
import { createSchedule, listSchedules, runDueSchedules, setScheduleEnabled } from '../../src/jobs/scan-schedules.js';
import type { ServerDeps } from '../../src/server/server-context.js';
import { appendScanLog, readScanLog, SCAN_LOG_LINES } from '../../src/store/scan-log.js';
import { getScan, listScans, requestScan, type ScanView } from '../../src/store/scan-store.js';
import { postgresDown } from '../e2e/test-postgres.js';
import { openBench, report, shellFindings, until, type Bench, type Dialect } from './job-fixtures.js';

const pgDown = await postgresDown('PostgreSQL scan log tests');
const DIALECTS: readonly Dialect[] = pgDown === undefined ? ['sqlite', 'postgres'] : ['sqlite'];

let bench: Bench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

async function settled(b: Bench, id: number): Promise<ScanView> {
  return until(`scan ${id}`, async () => {
    const scan = await getScan(b.deps, id);
    return scan.state === 'done' || scan.state === 'failed' ? scan : undefined;
  });
}

describe.each(DIALECTS)('scan log, list and schedule pausing on %s', (dialect) => {
  it('the job handler writes what a scan did: attempt, targets, inputs, issues, the outcome, and a refusal', async () => {
    const b = await openBench(dialect);
    bench = b;
    await b.queue.work(
      jobHandlers(b.deps, {
        runners: {
          async scan(targets) {
            const base = report('scan', targets.flatMap((t) => shellFindings(t, ['cmd.aspx', 'up.aspx'])));
            return { ...base, inputs: [{ kind: 'url', path: targets[0] ?? '', records: 12, skipped: 1, bytes: 900 }], issues: [{ code: 'http.timeout', message: 'no answer from /trace.axd\u202e in 10 s', path: '/trace.axd' }] };
          },
        },
      }),
    );
    const id = await requestScan(b.deps, { kind: 'scan', targets: ['https://a.example/'], by: 'alice' });
    expect(await settled(b, id)).toMatchObject({ state: 'done', findings: 2 });
    const lines = await readScanLog(b.store.database, id);
    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['info', 'attempt 1 started'],
      ['info', 'scanning one site from outside'],
      ['info', 'target https://a.example/'],
      ['info', 'read url https://a.example/: 12 records, 1 skipped'],
      ['warn', 'issue http.timeout: no answer from /trace.axd\u202e in 10 s (/trace.axd)'],
      ['info', 'recording 2 findings'],
      ['info', expect.stringMatching(/^done: run \d+, 2 findings, 0 fixed$/)],
    ]);
    expect(lines.every((line) => !Number.isNaN(Date.parse(line.at)))).toBe(true);

    // A host root this worker may not read fails at once; the log says why, as the scan's error does.
    const refused = await settled(b, await requestScan(b.deps, { kind: 'host', targets: ['/etc'], by: 'alice' }));
    expect(refused.state).toBe('failed');
    const refusal = await readScanLog(b.store.database, refused.id);
    expect(refusal.at(-1)).toMatchObject({ level: 'error', message: refused.error });
  }, 60_000);

  it('keeps the newest lines of each scan only, and cuts long ones', async () => {
    const b = await openBench(dialect);
    bench = b;
    const one = await requestScan(b.deps, { kind: 'scan', targets: ['https://a.example/'], by: 'a' });
    const two = await requestScan(b.deps, { kind: 'scan', targets: ['https://b.example/'], by: 'a' });
    await appendScanLog(b.store.database, two, new Date(), [{ level: 'info', message: 'other scan' }]);
    for (let batch = 0; batch < 3; batch += 1) {
      await appendScanLog(b.store.database, one, new Date(), Array.from({ length: 90 }, (_, i) => ({ level: 'info' as const, message: `line ${batch * 90 + i}` })));
    }
    const lines = await readScanLog(b.store.database, one);
    expect(lines).toHaveLength(SCAN_LOG_LINES);
    expect(lines[0]?.message).toBe(`line ${270 - SCAN_LOG_LINES}`);
    expect(lines.at(-1)?.message).toBe('line 269');
    expect(await readScanLog(b.store.database, two)).toHaveLength(1);
    await appendScanLog(b.store.database, two, new Date(), [{ level: 'warn', message: 'x'.repeat(5000) }]);
    expect((await readScanLog(b.store.database, two)).at(-1)?.message).toHaveLength(1001);
  });

  it('lists scans newest first by cursor, filtered by state and kind, with no scan repeated or skipped', async () => {
    const b = await openBench(dialect);
    bench = b;
    const ids: number[] = [];
    for (let i = 0; i < 7; i += 1) ids.push(await requestScan(b.deps, i % 3 === 0 ? { kind: 'host', targets: [`/srv/h${i}`], by: 'a' } : { kind: 'scan', targets: [`https://s${i}.example/`], by: 'a' }));
    await b.store.database.updateTable('scans').set({ state: 'failed', error: 'unreachable' }).where('id', 'in', [ids[1] ?? 0, ids[4] ?? 0]).execute();
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await listScans(b.deps, { limit: 3, ...(cursor === null ? {} : { cursor }) });
      seen.push(...page.items.map((scan) => scan.id));
      cursor = page.nextCursor;
      pages += 1;
      // A scan requested while paging is newer than every cursor: it never shifts the pages after.
      if (pages === 1) await requestScan(b.deps, { kind: 'scan', targets: ['https://late.example/'], by: 'a' });
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    expect((await listScans(b.deps, { state: 'failed' })).items.map((scan) => scan.id)).toEqual([ids[4], ids[1]]);
    expect((await listScans(b.deps, { kind: 'host' })).items.map((scan) => scan.id)).toEqual([ids[6], ids[3], ids[0]]);
    expect((await listScans(b.deps, { kind: 'host', state: 'failed' })).items).toEqual([]);
    expect(await listScans(b.deps, { kind: 'host', limit: 3 })).toMatchObject({ nextCursor: null });
    await expect(listScans(b.deps, { cursor: 'abc' })).rejects.toMatchObject({ status: 400, code: 'bad-cursor' });
  });

  it('a paused schedule requests nothing; resumed, it runs at its next time, not the slots it missed', async () => {
    const b = await openBench(dialect);
    bench = b;
    let clock = new Date('2026-11-30T00:00:00Z');
    const deps: ServerDeps = { ...b.deps, now: () => clock };
    const id = await createSchedule(deps, { kind: 'scan', targets: ['https://a.example/'], cron: '0 3 * * *', timezone: 'UTC', by: 'op' });
    expect(await setScheduleEnabled(deps, id, false)).toMatchObject({ id, enabled: false });
    expect((await listSchedules(deps))[0]?.nextRunAt).toBeUndefined();
    clock = new Date('2026-12-02T12:00:00Z');
    expect(await runDueSchedules(deps)).toEqual([]);
    expect(await setScheduleEnabled(deps, id, true)).toMatchObject({ enabled: true, nextRunAt: '2026-12-03T03:00:00.000Z' });
    expect(await runDueSchedules(deps)).toEqual([]);
    clock = new Date('2026-12-03T03:00:01Z');
    const [scanId] = await runDueSchedules(deps);
    expect(scanId).toBeDefined();
    await expect(setScheduleEnabled(deps, 999, true)).rejects.toMatchObject({ status: 404 });

    // The scheduled scan failing for good shows on its schedule as its last error.
    await b.queue.work(jobHandlers(deps, { runners: { scan: () => Promise.reject(new Error('connection refused')) } }));
    expect(await until('the failure', async () => ((await getScan(deps, scanId ?? 0)).state === 'failed' ? true : undefined), 30_000)).toBe(true);
    expect((await listSchedules(deps))[0]?.lastError).toBe(`scan ${scanId}: connection refused`);
  }, 60_000);
});
