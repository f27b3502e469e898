import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { openQueue } from '../jobs/open-queue.js';
import { requestVerify } from '../jobs/request-verify.js';
import { jobHandlers } from '../jobs/scan-jobs.js';
import { startScheduler } from '../jobs/scan-schedules.js';
import { runAnnouncer } from '../notify/announce-runs.js';
import { closeNotifyRuntime } from '../notify/dispatch-notifications.js';
import { runNotifications } from '../notify/notify-job.js';
import type { FindingStore } from '../store/finding-store.js';
import { buildServer } from './build-server.js';
import { assetRoutes } from './routes/asset-routes.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { exportRoutes } from './routes/export-routes.js';
import { notifyRoutes } from './routes/notify-routes.js';
import { scanRoutes } from './routes/scan-routes.js';
import type { ServerDeps } from './server-context.js';

/** The route modules `serve` adds to buildServer's own (the OpenAPI generator for the UI uses the same list). */
export const SERVE_ROUTES: readonly FastifyPluginAsync[] = [scanRoutes, notifyRoutes, dashboardRoutes, assetRoutes, exportRoutes];

/** How to run the server. */
export interface ServeOptions {
  readonly store: FindingStore;
  /** The store's `--db` (pg-boss opens its own connections to the same database). */
  readonly db: string;
  readonly host: string;
  /** 0: any free port (tests, benchmarks). */
  readonly port: number;
  /** Where users reach the UI, for links in notifications; default: the address listened on. */
  readonly publicUrl?: string;
  readonly secretKey: Buffer;
  readonly log: Logger;
  /** Work scan jobs in this process too (always on SQLite; on PostgreSQL unless workers do it all). */
  readonly worker: boolean;
  /**
   * Run the schedules, the notifications and (with `worker`) the scan jobs here; default true. False for the
   * extra processes of `serve --processes N`, which answer requests only (the first process does the rest).
   */
  readonly duties?: boolean;
  /** Folders whose host roots `host` scans may read (see `worker --allow-root`). */
  readonly allowedRoots?: readonly string[];
  readonly jobsSchema?: string;
  /** How often notifications are routed and sent (and overdue findings looked for). */
  readonly notifyEveryMs?: number;
  readonly uiRoot?: string;
  /** Requests per minute from one address; default 600 (see `buildServer`). */
  readonly rateLimitPerMinute?: number;
  /** Reverse proxies (addresses or CIDRs) whose X-Forwarded-For names the client; default none. */
  readonly trustProxy?: readonly string[];
  readonly now?: () => Date;
  /** Users without a second factor may only set one up. */
  readonly requireMfa?: boolean;
  /** Passwords refused besides the built-in list, lower-cased (see `loadPasswordBlocklist`). */
  readonly passwordBlocklist?: ReadonlySet<string>;
}

/** A running server. */
export interface RunningServe {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly deps: ServerDeps;
  /** Stops taking requests and jobs, lets running ones finish (up to `graceMs`), and closes the queue. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts `serve`: the API (and UI), the scheduler, the notification dispatcher and, unless workers do it, the
 * scan jobs — all over one store. Several serving processes may share a PostgreSQL store: the queue keeps one
 * scan per target, the schedules let one process request each slot, and deliveries are claimed row by row.
 */
export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const { store, log } = options;
  const now = options.now ?? (() => new Date());
  const queue = await openQueue(store, { url: options.db, log, ...(options.jobsSchema === undefined ? {} : { bossSchema: options.jobsSchema }) });
  let publicUrl = options.publicUrl?.replace(/\/+$/, '') ?? '';
  const deps: ServerDeps = {
    store,
    queue,
    log,
    now,
    get publicUrl() {
      return publicUrl;
    },
    secretKey: options.secretKey,
    announcer: runAnnouncer({ store, now }),
    ...(options.passwordBlocklist === undefined ? {} : { passwordBlocklist: options.passwordBlocklist }),
  };
  const app = await buildServer(deps, {
    routes: SERVE_ROUTES,
    ...(options.requireMfa === true ? { requireMfa: true } : {}),
    ...(options.uiRoot === undefined ? {} : { uiRoot: options.uiRoot }),
    ...(options.rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute: options.rateLimitPerMinute }),
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
    // A finding marked resolved is checked at once: the verification closes it or leaves it open.
    onTriaged: async (finding, state, by) => {
      if (state !== 'resolved') return;
      try {
        await requestVerify(deps, finding.fingerprint, by);
      } catch (error) {
        // Findings from pushed reports cannot be re-run here; the triage itself stands.
        log.info({ fingerprint: finding.fingerprint, err: error instanceof Error ? error.message : String(error) }, 'no verification queued for a resolved finding');
      }
    },
  });
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close();
    await queue.stop();
    throw error;
  }
  const address = app.server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  if (publicUrl === '') publicUrl = url;
  const duties = options.duties ?? true;
  if (duties && options.worker) await queue.work(jobHandlers(deps, { allowedRoots: options.allowedRoots ?? [] }));
  const scheduler = duties ? startScheduler(deps) : undefined;
  let sending: Promise<unknown> = Promise.resolve();
  let busy = false;
  const notifyTimer = duties
    ? setInterval(() => {
        if (busy) return;
        busy = true;
        sending = runNotifications(deps)
          .catch((error: unknown) => log.error({ err: error instanceof Error ? error.message : String(error) }, 'notification round failed'))
          .finally(() => (busy = false));
      }, options.notifyEveryMs ?? 5_000)
    : undefined;
  notifyTimer?.unref();
  let closing: Promise<void> | undefined;
  return {
    url,
    app,
    deps,
    close(graceMs = 30_000) {
      closing ??= (async () => {
        clearInterval(notifyTimer);
        await scheduler?.stop();
        await app.close();
        await queue.stop({ timeoutMs: graceMs });
        await sending;
        closeNotifyRuntime();
      })();
      return closing;
    },
  };
}
