import type { FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Incident } from '../core/incident.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { AssetScope } from '../store/asset-scope.js';
import type { FindingStore, RunOutcome } from '../store/finding-store.js';
import type { StoreDatabase } from '../store/store-schema.js';

/** What a signed-in user or an API token may do: viewer reads; operator also scans, triages and suppresses; admin also manages users, tokens, channels and rules. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Whether `have` is allowed what `need` is allowed. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** Who a request acts for: a user by a session cookie, or an API token. */
export interface Principal {
  readonly kind: 'session' | 'token';
  /** The user (a session, or the user a token was made for, when any). */
  readonly userId?: number;
  readonly tokenId?: number;
  /** A user name or a token name, as the audit log and history show it. */
  readonly name: string;
  readonly role: Role;
  /** The asset prefixes the user or token may see (ASVS 8.2.2); absent: every asset. */
  readonly assets?: AssetScope;
}

/** An error the API answers as `{"error": {"code", "message"}}` with its status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** A run the server recorded: a scan or verification a job ran, or a report a host pushed. */
export interface AnnouncedRun {
  readonly command: string;
  /** The server's scan, when a job ran it (absent for a pushed report). */
  readonly scan?: { readonly id: number; readonly kind: string; readonly targets: readonly string[] };
  /** A verification: the finding and what became of it (`fixed` or `open`). */
  readonly verify?: { readonly fingerprint: string; readonly result: string };
  readonly incidents?: readonly Incident[];
}

/**
 * Tells people what a run changed. `recorded` runs inside the run's own transaction, so an announcement exists
 * exactly when the run committed (the notification outbox); `failed` after a scan failed for good.
 */
export interface RunAnnouncer {
  recorded(trx: Kysely<StoreDatabase>, outcome: RunOutcome, run: AnnouncedRun): Promise<void>;
  failed(scan: { readonly id: number; readonly kind: string }, error: string): Promise<void>;
}

/** What every route module gets: the store (with the server's tables on the same database), the job queue, the clock. */
export interface ServerDeps {
  readonly store: FindingStore;
  readonly queue: JobQueue;
  readonly log: Logger;
  /** The clock; tests move it. */
  readonly now: () => Date;
  /** The address users reach the UI at, for deep links in notifications (no trailing slash). */
  readonly publicUrl: string;
  /** 32 bytes that encrypt secrets at rest (channel secrets, SMTP passwords) with AES-256-GCM. */
  readonly secretKey: Buffer;
  /** Announces recorded runs (the notification outbox); absent: nothing is announced. */
  readonly announcer?: RunAnnouncer;
  /** Passwords refused besides the built-in list (`--password-blocklist`), lower-cased. */
  readonly passwordBlocklist?: ReadonlySet<string>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook; null when the request carries neither a session nor a token. */
    principal: Principal | null;
  }
  interface FastifyInstance {
    readonly deps: ServerDeps;
    /**
     * A hook answering 401 without a principal and 403 below `role`. Use it as `preValidation`, so a role too
     * low is refused before the body is validated and learns nothing of the route's schema.
     */
    needRole(role: Role): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /** Appends to the audit log: who (the request's principal) did what to which object. */
    audit(request: FastifyRequest, action: string, target: string, detail?: Record<string, unknown>): Promise<void>;
  }
}
