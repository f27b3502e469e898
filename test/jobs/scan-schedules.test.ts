import { afterEach, describe, expect, it } from 'vitest';
import { openQueue } from '../../src/jobs/open-queue.js';
import { createSchedule, listSchedules, runDueSchedules } from '../../src/jobs/scan-schedules.js';
import type { ServerDeps } from '../../src/server/server-context.js';
import { openStore } from '../../src/store/open-store.js';
import { postgresDown } from '../e2e/test-postgres.js';
import { openBench, silent, type Bench, type Dialect } from './job-fixtures.js';

const pgDown = await postgresDown('PostgreSQL schedule tests');
const DIALECTS: readonly Dialect[] = pgDown === undefined ? ['sqlite', 'postgres'] : ['sqlite'];

let bench: Bench | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await bench?.close();
  bench = undefined;
});

describe.each(DIALECTS)('schedules on %s', (dialect) => {
  it('refuses a bad cron or time zone with one sentence', async () => {
    const b = await openBench(dialect);
    bench = b;
    const base = { kind: 'scan', targets: ['https://a.example/'], by: 'op' };
    await expect(createSchedule(b.deps, { ...base, cron: '61 * * * *', timezone: 'UTC' })).rejects.toMatchObject({ status: 400, code: 'schedule.bad-cron', message: expect.stringContaining('minute') });
    await expect(createSchedule(b.deps, { ...base, cron: '0 3 * * *', timezone: 'Mars/Olympus' })).rejects.toMatchObject({ status: 400, code: 'schedule.bad-timezone' });
    expect(await listSchedules(b.deps)).toEqual([]);
  });

  it('runs in its time zone, runs a missed slot once after downtime, and one process of several requests each slot', async () => {
    const b = await openBench(dialect);
    bench = b;
    let clock = new Date('2026-11-30T00:00:00Z');
    const deps: ServerDeps = { ...b.deps, now: () => clock };
    const id = await createSchedule(deps, { kind: 'scan', targets: ['https://a.example/'], cron: '0 3 * * *', timezone: 'Europe/Berlin', by: 'op' });
    // 03:00 in Berlin in winter is 02:00 UTC.
    expect((await listSchedules(deps))[0]).toMatchObject({ id, nextRunAt: '2026-11-30T02:00:00.000Z', enabled: true });
    expect(await runDueSchedules(deps)).toEqual([]);

    // Down for three days: the three missed nights give one scan, and the next slot is after now.
    clock = new Date('2026-12-03T12:00:00Z');
    expect(await runDueSchedules(deps)).toHaveLength(1);
    expect(await runDueSchedules(deps)).toEqual([]);
    expect((await listSchedules(deps))[0]).toMatchObject({ lastRunAt: '2026-11-30T02:00:00.000Z', nextRunAt: '2026-12-04T02:00:00.000Z' });

    // A SQLite store has one serving process; on PostgreSQL several may serve: each night exactly one requests the scan.
    if (dialect === 'sqlite') return;
    const store2 = await openStore(b.url);
    const queue2 = await openQueue(store2, { url: b.url, log: silent, ...(b.bossSchema === undefined ? {} : { bossSchema: b.bossSchema }) });
    closers.push(async () => store2.close(), async () => queue2.stop());
    const deps2: ServerDeps = { ...deps, store: store2, queue: queue2 };
    let total = 0;
    for (let night = 4; night <= 9; night += 1) {
      clock = new Date(`2026-12-0${night}T02:00:01Z`);
      const [one, two] = await Promise.all([runDueSchedules(deps), runDueSchedules(deps2)]);
      expect((one?.length ?? 0) + (two?.length ?? 0), `night ${night}`).toBe(1);
      total += 1;
    }
    expect(await b.store.count('scans')).toBe(1 + total);
  });
});
