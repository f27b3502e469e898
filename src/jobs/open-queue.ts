import type { Logger } from 'pino';
import type { FindingStore } from '../store/finding-store.js';
import type { JobQueue } from './job-queue.js';
import { PgBossQueue } from './pgboss-queue.js';
import type { RetryPolicy } from './retry-policy.js';
import { SqliteQueue } from './sqlite-queue.js';

/** How to open the queue. */
export interface OpenQueueOptions {
  /** The store's `--db` URL (pg-boss opens its own connections to the same PostgreSQL database). */
  readonly url: string;
  readonly log: Logger;
  /** PostgreSQL: the schema pg-boss keeps its tables in; default `w3guard_jobs`. */
  readonly bossSchema?: string;
  readonly retry?: RetryPolicy;
  /** Tests shorten these; see each queue. */
  readonly pollMs?: number;
  readonly heartbeatSeconds?: number;
  readonly superviseSeconds?: number;
  readonly concurrency?: number;
  /** PostgreSQL: false for a worker, which leaves the queues' policy to the server. */
  readonly manageQueues?: boolean;
}

/** The queue beside a store: pg-boss on PostgreSQL (a fleet of workers), a table of the store on SQLite (this process). */
export async function openQueue(store: FindingStore, options: OpenQueueOptions): Promise<JobQueue> {
  if (store.dialect === 'postgres') {
    return PgBossQueue.open({
      url: options.url,
      schema: options.bossSchema ?? 'w3guard_jobs',
      log: options.log,
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.heartbeatSeconds === undefined ? {} : { heartbeatSeconds: options.heartbeatSeconds }),
      ...(options.superviseSeconds === undefined ? {} : { superviseSeconds: options.superviseSeconds }),
      ...(options.pollMs === undefined ? {} : { pollSeconds: options.pollMs / 1000 }),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.manageQueues === undefined ? {} : { manageQueues: options.manageQueues }),
    });
  }
  return new SqliteQueue(store.database, options.log, {
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
  });
}
