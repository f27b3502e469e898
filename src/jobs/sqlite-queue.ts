import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { StoreDatabase } from '../store/store-schema.js';
import type { Job, JobHandler, JobKind, JobQueue, SendOptions } from './job-queue.js';
import { DEFAULT_RETRY, retryDelaySeconds, type RetryPolicy } from './retry-policy.js';

/** Tuning of the SQLite queue; tests shorten the waits. */
export interface SqliteQueueOptions {
  readonly retry?: RetryPolicy;
  /** How often an idle worker looks for due jobs, in milliseconds. */
  readonly pollMs?: number;
  /** Jobs worked at once by this process. */
  readonly concurrency?: number;
}

type Handlers = Partial<Record<JobKind, JobHandler>>;
type Claimed = { readonly id: number; readonly kind: JobKind; readonly data: string; readonly attempts: number };

/**
 * The queue of a SQLite store: a `jobs` table worked by the serving process itself. A claim is one write
 * transaction (SQLite has a single writer), so two claims never race; a job is claimable only when no `active`
 * job holds its singleton key. Jobs a crashed process left `active` are queued again when work starts.
 */
export class SqliteQueue implements JobQueue {
  readonly #db: Kysely<StoreDatabase>;
  readonly #log: Logger;
  readonly #retry: RetryPolicy;
  readonly #pollMs: number;
  readonly #concurrency: number;
  readonly #running = new Map<number, { readonly controller: AbortController; readonly done: Promise<void> }>();
  #handlers: Handlers = {};
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;
  #pumping = false;

  constructor(db: Kysely<StoreDatabase>, log: Logger, options: SqliteQueueOptions = {}) {
    this.#db = db;
    this.#log = log;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#pollMs = options.pollMs ?? 1000;
    this.#concurrency = options.concurrency ?? 2;
  }

  async send(kind: JobKind, data: unknown, options: SendOptions = {}): Promise<string> {
    const now = new Date().toISOString();
    const { id } = await (options.trx ?? this.#db)
      .insertInto('jobs')
      .values({
        kind,
        data: JSON.stringify(data ?? null),
        singleton_key: options.singletonKey ?? null,
        state: 'queued',
        attempts: 0,
        run_after: (options.startAfter ?? new Date()).toISOString(),
        created_at: now,
        started_at: null,
        finished_at: null,
        last_error: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    this.#kick();
    return String(id);
  }

  async work(handlers: Handlers): Promise<void> {
    this.#handlers = { ...this.#handlers, ...handlers };
    // Only this process works a SQLite store's queue: whatever is still active was cut off by a crash or a kill.
    const released = await this.#db.updateTable('jobs').set({ state: 'queued', run_after: new Date().toISOString() }).where('state', '=', 'active').executeTakeFirst();
    if (Number(released.numUpdatedRows) > 0) this.#log.warn({ jobs: Number(released.numUpdatedRows) }, 'jobs cut off by an earlier stop are queued again');
    this.#timer ??= setInterval(() => this.#kick(), this.#pollMs);
    this.#kick();
  }

  async stop(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    this.#stopping = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    const all = Promise.all([...this.#running.values()].map((entry) => entry.done));
    const timeoutMs = options.timeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    if ((await Promise.race([all.then(() => 'done' as const), timedOut])) === 'timeout') {
      for (const entry of this.#running.values()) entry.controller.abort(new Error('the worker is stopping'));
      await all;
    }
    clearTimeout(timer);
  }

  /** Claims and starts due jobs until the concurrency is used up or none is due. */
  #kick(): void {
    if (this.#pumping || this.#stopping || Object.keys(this.#handlers).length === 0) return;
    this.#pumping = true;
    void (async () => {
      try {
        while (!this.#stopping && this.#running.size < this.#concurrency) {
          const job = await this.#claim();
          if (job === undefined) break;
          this.#start(job);
        }
      } catch (error) {
        this.#log.error({ err: error }, 'cannot claim a job');
      } finally {
        this.#pumping = false;
      }
    })();
  }

  async #claim(): Promise<Claimed | undefined> {
    const kinds = Object.keys(this.#handlers) as JobKind[];
    const now = new Date().toISOString();
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('jobs as j')
        .select(['j.id', 'j.kind', 'j.data', 'j.attempts'])
        .where('j.state', '=', 'queued')
        .where('j.run_after', '<=', now)
        .where('j.kind', 'in', kinds)
        .where((eb) =>
          eb.or([
            eb('j.singleton_key', 'is', null),
            eb.not(eb.exists(eb.selectFrom('jobs as a').select(sql<number>`1`.as('one')).where('a.state', '=', 'active').whereRef('a.singleton_key', '=', 'j.singleton_key'))),
          ]),
        )
        .orderBy('j.run_after')
        .orderBy('j.id')
        .limit(1)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      await trx.updateTable('jobs').set({ state: 'active', attempts: row.attempts + 1, started_at: now }).where('id', '=', row.id).execute();
      return { id: row.id, kind: row.kind as JobKind, data: row.data, attempts: row.attempts + 1 };
    });
  }

  #start(claimed: Claimed): void {
    const controller = new AbortController();
    const handler = this.#handlers[claimed.kind];
    const job: Job = { id: String(claimed.id), kind: claimed.kind, data: JSON.parse(claimed.data) as unknown, signal: controller.signal, attempt: claimed.attempts, final: claimed.attempts > this.#retry.retryLimit };
    const done = (async () => {
      try {
        if (handler === undefined) throw new Error(`no handler for ${claimed.kind} jobs`);
        await handler(job);
        await this.#db.updateTable('jobs').set({ state: 'done', finished_at: new Date().toISOString(), last_error: null }).where('id', '=', claimed.id).execute();
      } catch (error) {
        await this.#settleFailure(claimed, error, controller.signal.aborted && this.#stopping).catch((settleError: unknown) => this.#log.error({ err: settleError, job: claimed.id }, 'cannot record a failed job'));
      } finally {
        this.#running.delete(claimed.id);
        this.#kick();
      }
    })();
    this.#running.set(claimed.id, { controller, done });
  }

  async #settleFailure(claimed: Claimed, error: unknown, released: boolean): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    if (released) {
      // Cut off by a stop: not the job's fault, so the attempt does not count.
      await this.#db.updateTable('jobs').set({ state: 'queued', attempts: claimed.attempts - 1, run_after: new Date().toISOString() }).where('id', '=', claimed.id).execute();
      return;
    }
    const final = claimed.attempts > this.#retry.retryLimit;
    const runAfter = new Date(Date.now() + retryDelaySeconds(this.#retry, claimed.attempts) * 1000).toISOString();
    this.#log.warn({ job: claimed.id, kind: claimed.kind, attempt: claimed.attempts, final, err: message }, final ? 'job failed for good' : 'job failed; retried later');
    await this.#db
      .updateTable('jobs')
      .set(final ? { state: 'failed', finished_at: new Date().toISOString(), last_error: message } : { state: 'queued', run_after: runAfter, last_error: message })
      .where('id', '=', claimed.id)
      .execute();
  }
}
