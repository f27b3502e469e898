import { Cron } from 'croner';
import type { Selectable } from 'kysely';
import type { ServerDeps } from '../server/server-context.js';
import { ApiError } from '../server/server-context.js';
import { checkTargets, insertScanAndJob, type ScanKind } from '../store/scan-store.js';
import type { SchedulesTable } from '../store/store-schema.js';

/** A schedule as the API shows it. */
export interface ScheduleView {
  readonly id: number;
  readonly kind: string;
  readonly targets: readonly string[];
  readonly cron: string;
  readonly timezone: string;
  readonly enabled: boolean;
  readonly lastRunAt?: string;
  readonly nextRunAt?: string;
  readonly lastError?: string;
  readonly createdBy: string;
}

/** What `createSchedule` needs. */
export interface ScheduleInput {
  readonly kind: string;
  readonly targets: readonly unknown[];
  readonly cron: string;
  readonly timezone: string;
  readonly by: string;
}

/** The next run after `after` of a cron expression in a time zone; throws a 400 naming what is wrong. */
export function nextRunOf(cron: string, timezone: string, after: Date): Date | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new ApiError(400, 'schedule.bad-timezone', `timezone must be an IANA time zone such as Europe/Berlin or UTC, not ${JSON.stringify(timezone).slice(0, 80)}.`);
  }
  let pattern: Cron;
  try {
    pattern = new Cron(cron, { timezone, paused: true });
  } catch (error) {
    throw new ApiError(400, 'schedule.bad-cron', `cron is not a valid expression (${error instanceof Error ? error.message.replace(/^CronPattern: /, '') : 'unreadable'}).`);
  }
  return pattern.nextRun(after) ?? undefined;
}

/** Adds a schedule; its first run is the cron's next time. */
export async function createSchedule(deps: Pick<ServerDeps, 'store' | 'now'>, input: ScheduleInput): Promise<number> {
  const targets = checkTargets(input.kind, input.targets);
  if (typeof input.cron !== 'string' || input.cron.length > 200) throw new ApiError(400, 'schedule.bad-cron', 'cron must be a cron expression such as "0 3 * * *".');
  const next = nextRunOf(input.cron, input.timezone, deps.now());
  if (next === undefined) throw new ApiError(400, 'schedule.bad-cron', 'cron never runs again: give an expression with a future time.');
  const { id } = await deps.store.database
    .insertInto('schedules')
    .values({ kind: input.kind, targets: JSON.stringify(targets), cron: input.cron, timezone: input.timezone, enabled: 1, last_run_at: null, next_run_at: next.toISOString(), last_error: null, created_by: input.by, created_at: deps.now().toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function listSchedules(deps: Pick<ServerDeps, 'store'>): Promise<ScheduleView[]> {
  return (await deps.store.database.selectFrom('schedules').selectAll().orderBy('id').execute()).map(toScheduleView);
}

/** One schedule; 404 when there is none. */
export async function getSchedule(deps: Pick<ServerDeps, 'store'>, id: number): Promise<ScheduleView> {
  const row = await deps.store.database.selectFrom('schedules').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw new ApiError(404, 'schedule.not-found', `there is no schedule ${id}.`);
  return toScheduleView(row);
}

/**
 * Pauses or resumes a schedule. A paused schedule has no next run (the scheduler only reads enabled ones); resuming
 * starts from the cron's next time after now, so the slots missed while it was paused do not run at once.
 */
export async function setScheduleEnabled(deps: Pick<ServerDeps, 'store' | 'now'>, id: number, enabled: boolean): Promise<ScheduleView> {
  const current = await getSchedule(deps, id);
  const next = enabled ? (nextRunOf(current.cron, current.timezone, deps.now())?.toISOString() ?? null) : null;
  await deps.store.database
    .updateTable('schedules')
    .set({ enabled: enabled ? 1 : 0, next_run_at: next, ...(enabled ? { last_error: null } : {}) })
    .where('id', '=', id)
    .execute();
  return getSchedule(deps, id);
}

/** Removes a schedule; false when there was none. The scans it requested stay. */
export async function deleteSchedule(deps: Pick<ServerDeps, 'store'>, id: number): Promise<boolean> {
  const deleted = await deps.store.database.deleteFrom('schedules').where('id', '=', id).executeTakeFirst();
  return Number(deleted.numDeletedRows) > 0;
}

function toScheduleView(row: Selectable<SchedulesTable>): ScheduleView {
  return {
    id: row.id,
    kind: row.kind,
    targets: JSON.parse(row.targets) as string[],
    cron: row.cron,
    timezone: row.timezone,
    enabled: Number(row.enabled) === 1,
    ...(row.last_run_at === null ? {} : { lastRunAt: row.last_run_at }),
    ...(row.next_run_at === null ? {} : { nextRunAt: row.next_run_at }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    createdBy: row.created_by,
  };
}

/** Thrown inside a slot's transaction when another process claimed the slot first: rolls back its scan and job. */
class SlotTaken extends Error {}

/**
 * Requests the scans of every schedule that is due, one per schedule however many of its times passed while
 * nothing ran (a missed run after downtime runs once). Claiming a slot is a compare-and-set of `next_run_at` in
 * the transaction that inserts the scan and its job, so of several serving processes exactly one requests it.
 * Returns the scans requested.
 */
export async function runDueSchedules(deps: Pick<ServerDeps, 'store' | 'queue' | 'now' | 'log'>): Promise<number[]> {
  const now = deps.now();
  const due = await deps.store.database.selectFrom('schedules').selectAll().where('enabled', '=', 1).where('next_run_at', '<=', now.toISOString()).orderBy('id').execute();
  const requested: number[] = [];
  for (const schedule of due) {
    const slot = schedule.next_run_at;
    if (slot === null) continue;
    let next: string | null;
    try {
      next = nextRunOf(schedule.cron, schedule.timezone, now)?.toISOString() ?? null;
    } catch (error) {
      // A schedule whose time zone this machine no longer knows stops, and says why.
      await deps.store.database.updateTable('schedules').set({ enabled: 0, last_error: error instanceof Error ? error.message : String(error) }).where('id', '=', schedule.id).execute();
      continue;
    }
    try {
      const scanId = await insertScanAndJob(deps, { kind: schedule.kind, jobKind: schedule.kind as ScanKind, targets: JSON.parse(schedule.targets) as string[], by: `schedule:${schedule.id}` }, async (trx) => {
        const claimed = await trx.updateTable('schedules').set({ last_run_at: slot, next_run_at: next, last_error: null }).where('id', '=', schedule.id).where('next_run_at', '=', slot).executeTakeFirst();
        if (Number(claimed.numUpdatedRows) === 0) throw new SlotTaken();
      });
      requested.push(scanId);
      deps.log.info({ schedule: schedule.id, scan: scanId, slot }, 'scheduled scan requested');
    } catch (error) {
      if (error instanceof SlotTaken) continue;
      deps.log.error({ err: error, schedule: schedule.id }, 'cannot request a scheduled scan');
      await deps.store.database.updateTable('schedules').set({ last_error: error instanceof Error ? error.message : String(error) }).where('id', '=', schedule.id).execute().catch(() => undefined);
    }
  }
  return requested;
}

/** A running scheduler. */
export interface Scheduler {
  stop(): Promise<void>;
}

/**
 * Looks for due schedules now (so a run missed while the server was down happens at start) and then every
 * `tickMs`. Croner computes each next time in the schedule's time zone; the database decides who runs a slot.
 */
export function startScheduler(deps: Pick<ServerDeps, 'store' | 'queue' | 'now' | 'log'>, options: { readonly tickMs?: number } = {}): Scheduler {
  let running: Promise<unknown> = Promise.resolve();
  const tick = (): void => {
    running = running.then(() => runDueSchedules(deps)).catch((error: unknown) => deps.log.error({ err: error }, 'scheduler tick failed'));
  };
  tick();
  const timer = setInterval(tick, options.tickMs ?? 30_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
