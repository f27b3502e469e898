import { CompiledQuery, type Kysely } from 'kysely';
import { PgBoss } from 'pg-boss';

/** pg-boss's database adapter and queue settings, as its methods take them. */
type IDatabase = NonNullable<NonNullable<Parameters<PgBoss['send']>[2]>['db']>;
type QueueSettings = NonNullable<Parameters<PgBoss['createQueue']>[1]>;
import type { Logger } from 'pino';
import type { StoreDatabase } from '../store/store-schema.js';
import type { JobHandler, JobKind, JobQueue, SendOptions } from './job-queue.js';
import { DEFAULT_RETRY, type RetryPolicy } from './retry-policy.js';

/** Tuning of the pg-boss queue; tests shorten the waits. */
export interface PgBossQueueOptions {
  readonly url: string;
  /** The schema pg-boss keeps its tables in (created when missing). */
  readonly schema: string;
  readonly log: Logger;
  readonly retry?: RetryPolicy;
  /** Seconds between a worker's heartbeats may lapse before its job is taken from it (pg-boss: at least 10). */
  readonly heartbeatSeconds?: number;
  /** How often pg-boss looks for lapsed jobs, in seconds. */
  readonly superviseSeconds?: number;
  /** How often an idle worker looks for jobs, in seconds (at least 0.5). */
  readonly pollSeconds?: number;
  /** Jobs of each kind worked at once by this process. */
  readonly concurrency?: number;
  /**
   * Whether this process sets the queues' retry and heartbeat policy (the server does); a worker only creates
   * missing queues, so a worker of another version never changes the fleet's policy.
   */
  readonly manageQueues?: boolean;
}

const KINDS: readonly JobKind[] = ['scan', 'host', 'verify', 'import', 'notify'];
/** Kinds that contact a target: one job per target at a time, enforced by pg-boss's unique index on active singleton keys. */
const PER_TARGET: ReadonlySet<JobKind> = new Set(['scan', 'host', 'verify']);

/** Lets pg-boss write inside a Kysely transaction, so a job exists exactly when the caller's rows commit. */
export function kyselyAdapter(trx: Kysely<StoreDatabase>): IDatabase {
  return {
    async executeSql(text: string, values?: unknown[]) {
      const result = await trx.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: result.rows as unknown[] as Record<string, unknown>[] };
    },
  };
}

/**
 * The queue of a PostgreSQL store: pg-boss in its own schema of the same database, so any number of `worker`
 * processes share it. scan, host and verify queues use the `singleton` policy keyed by target (a hard limit of
 * one active job per target); heartbeats let a killed worker's job be taken up again by another.
 */
export class PgBossQueue implements JobQueue {
  readonly #boss: PgBoss;
  readonly #log: Logger;
  readonly #retry: RetryPolicy;
  readonly #heartbeatSeconds: number;
  readonly #pollSeconds: number;
  readonly #concurrency: number;

  private constructor(boss: PgBoss, options: PgBossQueueOptions) {
    this.#boss = boss;
    this.#log = options.log;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#heartbeatSeconds = Math.max(10, options.heartbeatSeconds ?? 10);
    this.#pollSeconds = Math.max(0.5, options.pollSeconds ?? 2);
    this.#concurrency = options.concurrency ?? 1;
  }

  /** Starts pg-boss (creating or migrating its schema) and creates one queue per job kind. */
  static async open(options: PgBossQueueOptions): Promise<PgBossQueue> {
    const supervise = options.superviseSeconds ?? 5;
    const boss = new PgBoss({
      connectionString: options.url,
      schema: options.schema,
      // Polling only: LISTEN needs a pinned connection, which poolers in transaction mode cannot give.
      useListenNotify: false,
      // The lapse of a heartbeat is noticed on the next supervise pass: keep it short so redelivery is quick.
      superviseIntervalSeconds: supervise,
      monitorIntervalSeconds: supervise,
      max: 4,
    });
    boss.on('error', (error: unknown) => options.log.error({ err: error }, 'job queue error'));
    await boss.start();
    const queue = new PgBossQueue(boss, options);
    for (const kind of KINDS) {
      const settings: QueueSettings = {
        policy: PER_TARGET.has(kind) ? 'singleton' : 'standard',
        retryLimit: queue.#retry.retryLimit,
        retryDelay: queue.#retry.retryDelaySeconds,
        retryBackoff: true,
        retryDelayMax: queue.#retry.retryDelayMaxSeconds,
        heartbeatSeconds: queue.#heartbeatSeconds,
        // A scan longer than this is cut off and retried; heartbeats catch dead workers long before.
        expireInSeconds: 4 * 3600,
      };
      if ((await boss.getQueue(kind)) === null) await boss.createQueue(kind, settings);
      else if (options.manageQueues !== false) await boss.updateQueue(kind, { retryLimit: settings.retryLimit, retryDelay: settings.retryDelay, retryBackoff: true, retryDelayMax: settings.retryDelayMax, heartbeatSeconds: settings.heartbeatSeconds, expireInSeconds: settings.expireInSeconds });
    }
    return queue;
  }

  async send(kind: JobKind, data: unknown, options: SendOptions = {}): Promise<string> {
    const id = await this.#boss.send(kind, (data ?? {}) as object, {
      ...(options.singletonKey === undefined ? {} : { singletonKey: options.singletonKey }),
      ...(options.startAfter === undefined ? {} : { startAfter: options.startAfter }),
      ...(options.trx === undefined ? {} : { db: kyselyAdapter(options.trx) }),
    });
    if (id === null) throw new Error(`the ${kind} job was not queued`);
    return id;
  }

  async work(handlers: Partial<Record<JobKind, JobHandler>>): Promise<void> {
    for (const kind of KINDS) {
      const handler = handlers[kind];
      if (handler === undefined) continue;
      await this.#boss.work(kind, { batchSize: 1, localConcurrency: this.#concurrency, pollingIntervalSeconds: this.#pollSeconds, includeMetadata: true }, async ([job]) => {
        if (job === undefined) return;
        const attempt = job.retryCount + 1;
        await handler({
          id: job.id,
          kind,
          data: job.data,
          signal: job.signal,
          attempt,
          final: job.retryCount >= job.retryLimit,
          // Only this attempt: a claim that lapsed meanwhile (a heartbeat missed) is left to its new holder.
          completeWithin: async (trx) => {
            await this.#boss.complete(kind, { id: job.id, retryCount: job.retryCount }, null, { db: kyselyAdapter(trx) });
          },
        });
      });
    }
  }

  async stop(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    // Graceful: running jobs may finish within the timeout; pg-boss aborts their signals after it.
    await this.#boss.stop({ graceful: true, timeout: options.timeoutMs ?? 30_000, close: true });
    this.#log.info('job queue stopped');
  }

  /** pg-boss itself, for tests that look at the jobs table. */
  get boss(): PgBoss {
    return this.#boss;
  }
}
