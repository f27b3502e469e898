import type { Kysely } from 'kysely';
import type { StoreDatabase } from '../store/store-schema.js';

/** The kinds of work the server hands to workers. */
export type JobKind = 'scan' | 'host' | 'import' | 'verify' | 'notify';

/** Options of one job. */
export interface SendOptions {
  /** At most one job with this key runs at a time (no two scans of one target at once). */
  readonly singletonKey?: string;
  /** Enqueue inside this transaction, so the job exists exactly when the caller's writes commit. */
  readonly trx?: Kysely<StoreDatabase>;
  /** Run no earlier than this. */
  readonly startAfter?: Date;
}

/** One job as a handler receives it. */
export interface Job<T = unknown> {
  readonly id: string;
  readonly kind: JobKind;
  readonly data: T;
  /** Aborted when the worker stops or the job expires. */
  readonly signal: AbortSignal;
  /** 1 for the first try, 2 for the first retry, … (absent where the queue cannot tell). */
  readonly attempt?: number;
  /** True when a failure of this attempt is final: no retry follows, so the handler records the failure. */
  readonly final?: boolean;
  /**
   * Marks the job complete inside the caller's transaction, so the job is settled exactly when the handler's
   * writes commit (pg-boss); absent where the queue settles jobs itself after the handler returns.
   */
  readonly completeWithin?: (trx: Kysely<StoreDatabase>) => Promise<void>;
}

/** Does one job; throwing fails the attempt (retried with back-off until the queue's retry limit). */
export type JobHandler = (job: Job) => Promise<void>;

/**
 * Where jobs wait: pg-boss on PostgreSQL for a fleet of workers, or a table in the SQLite store worked by the
 * serving process itself. Both run the same handlers.
 */
export interface JobQueue {
  send(kind: JobKind, data: unknown, options?: SendOptions): Promise<string>;
  /** Starts working jobs of these kinds in this process. */
  work(handlers: Partial<Record<JobKind, JobHandler>>): Promise<void>;
  /** Stops taking jobs, lets running ones finish (or aborts them after `timeoutMs`), and closes. */
  stop(options?: { readonly timeoutMs?: number }): Promise<void>;
}
