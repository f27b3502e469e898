import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { pino } from 'pino';
import { UsageError } from './exit-code.js';
import { reportListening, runServePrimary, servingProcess } from './serve-processes.js';
import { defaultStorePath, storeOption } from './store-option.js';

interface ServeFlags {
  db?: string;
  listen: string;
  publicUrl?: string;
  worker: boolean;
  allowRoot: string[];
  jobsSchema?: string;
  ui?: string;
  rateLimit?: string;
  trustProxy: string[];
  logLevel: string;
  requireMfa?: boolean;
  passwordBlocklist?: string;
  processes: string;
}

/**
 * The UI `npm run build` ships beside the compiled server (`dist/ui`), found from this module's own place so the
 * working folder does not matter; undefined when it was not built (a source checkout serves only the API).
 */
export function shippedUi(): string | undefined {
  const folder = fileURLToPath(new URL('../ui/', import.meta.url));
  return existsSync(path.join(folder, 'index.html')) ? folder : undefined;
}

/** `127.0.0.1:8080`, `[::1]:8080`, `:8080` → host and port. */
export function listenOption(value: string): { readonly host: string; readonly port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (match === null || port > 65535) throw new UsageError(`--listen takes HOST:PORT such as 127.0.0.1:8080, not ${JSON.stringify(value)}.`);
  return { host: match[1] ?? (match[2] === '' ? '0.0.0.0' : (match[2] as string)), port };
}

/**
 * `w3guard serve`: the API (and the UI when built), schedules, notifications and scan jobs over one store.
 * Prints `w3guard serve: listening on URL` on stdout once it answers; logs are JSON lines (pino) on stderr.
 * SIGTERM or SIGINT stops taking requests and jobs and lets running ones finish.
 */
export function serveCommand(signal: AbortSignal): Command {
  return new Command('serve')
    .description('run the w3guard server: API at /api/v1, scheduled and on-demand scans, verification of fixes, notifications')
    .option('--db <store>', `the store: a SQLite file (one process does everything) or a postgres:// URL (a fleet, with "worker" processes) (default ${defaultStorePath()})`)
    .option('--listen <host:port>', 'where to answer; keep it on loopback behind a TLS proxy unless the network is trusted', '127.0.0.1:8080')
    .option('--public-url <url>', 'the address users reach the server at, for links in notifications (default: the address listened on)')
    .option('--no-worker', 'PostgreSQL: leave scans to "w3guard worker" processes')
    .option('--allow-root <folder>', 'host scans may read host roots in this folder (repeatable); without it host scans are refused', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--jobs-schema <name>', 'PostgreSQL: the schema the job queue keeps its tables in', 'w3guard_jobs')
    .option('--ui <folder>', 'serve this built UI at / (default: the one shipped, when built)')
    .option('--trust-proxy <address>', 'a TLS-terminating reverse proxy (address or CIDR, repeatable) whose X-Forwarded-For names the client, for rate limits, lock-out and the audit log', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--rate-limit <per-minute>', 'requests per minute one address may make (default 600); raise it when many clients share an address, as behind a proxy')
    .option('--log-level <level>', 'fatal, error, warn, info or debug', 'info')
    .option('--require-mfa', 'users without a TOTP second factor may only set one up after signing in')
    .option('--password-blocklist <file>', 'also refuse the passwords in this file (one a line, such as a top-100k list)')
    .option('--processes <n>', `answer requests in N processes sharing the address, to use more cores, or "auto" for one a core (${availableParallelism()} here); the first also runs schedules, notifications and scan jobs; each gets 1/N of --rate-limit`, '1')
    .action(async (flags: ServeFlags) => {
      const { host, port } = listenOption(flags.listen);
      if (!['fatal', 'error', 'warn', 'info', 'debug'].includes(flags.logLevel)) throw new UsageError(`--log-level takes fatal, error, warn, info or debug, not ${JSON.stringify(flags.logLevel)}.`);
      if (flags.publicUrl !== undefined && !/^https?:\/\/[^/\s]+/i.test(flags.publicUrl)) throw new UsageError('--public-url takes an http:// or https:// address.');
      const rateLimit = flags.rateLimit === undefined ? undefined : Number(flags.rateLimit);
      if (rateLimit !== undefined && (!Number.isInteger(rateLimit) || rateLimit < 1)) throw new UsageError(`--rate-limit takes a whole number of requests per minute, not ${JSON.stringify(flags.rateLimit)}.`);
      if (flags.jobsSchema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(flags.jobsSchema)) throw new UsageError('--jobs-schema takes a plain lower-case identifier.');
      const processes = flags.processes === 'auto' ? Math.min(availableParallelism(), 64) : Number(flags.processes);
      if (!Number.isInteger(processes) || processes < 1 || processes > 64) throw new UsageError(`--processes takes a whole number from 1 to 64 or "auto", not ${JSON.stringify(flags.processes)}.`);
      const serving = servingProcess();
      const { isPostgresUrl } = await import('../store/open-store.js');
      const { loadSecretKey } = await import('../server/secret-key.js');
      const { startServe } = await import('../server/start-serve.js');
      const { DEFAULT_RATE_LIMIT } = await import('../server/build-server.js');
      const db = flags.db ?? defaultStorePath();
      const postgres = isPostgresUrl(db);
      // SQLite: the key lives beside the store; PostgreSQL: in the data folder, or W3GUARD_SECRET_KEY shared by the fleet.
      const keyFile = postgres ? path.join(path.dirname(defaultStorePath()), 'secret.key') : `${db}.key`;
      let secret;
      try {
        secret = loadSecretKey(keyFile);
      } catch (error) {
        throw new UsageError(`the server's secret key: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
      }
      const { readBlocklistOption } = await import('./password-blocklist-option.js');
      const passwordBlocklist = flags.passwordBlocklist === undefined ? undefined : readBlocklistOption(flags.passwordBlocklist);
      const log = pino({ level: flags.logLevel, base: { pid: process.pid, role: 'serve', ...(serving === undefined ? {} : { process: serving.index }) }, redact: ['req.headers.authorization', 'req.headers.cookie'] }, pino.destination(2));
      if (processes > 1 && serving === undefined) {
        // The primary brings the store to the current schema (and made the key, above) once, before the serving
        // processes start, so they do not race for either.
        await (await storeOption(flags.db)).close();
        await runServePrimary(processes, log, signal);
        return;
      }
      const store = await storeOption(flags.db);
      const uiRoot = flags.ui ?? shippedUi();
      try {
        const server = await startServe({
          store,
          db,
          host,
          port,
          secretKey: secret.key,
          log,
          worker: !postgres || flags.worker,
          duties: serving === undefined || serving.index === 0,
          allowedRoots: flags.allowRoot,
          ...(flags.jobsSchema === undefined ? {} : { jobsSchema: flags.jobsSchema }),
          ...(flags.publicUrl === undefined ? {} : { publicUrl: flags.publicUrl }),
          ...(uiRoot === undefined ? {} : { uiRoot }),
          ...(flags.requireMfa === true ? { requireMfa: true } : {}),
          ...(passwordBlocklist === undefined ? {} : { passwordBlocklist }),
          ...(rateLimit === undefined && serving === undefined ? {} : { rateLimitPerMinute: Math.ceil((rateLimit ?? DEFAULT_RATE_LIMIT) / (serving?.count ?? 1)) }),
          ...(flags.trustProxy.length === 0 ? {} : { trustProxy: flags.trustProxy }),
        });
        log.info({ url: server.url, store: postgres ? 'postgres' : 'sqlite', key: secret.source, requireMfa: flags.requireMfa === true, passwordBlocklist: passwordBlocklist?.size ?? 0 }, 'serving');
        if (serving === undefined) process.stdout.write(`w3guard serve: listening on ${server.url}\n`);
        else reportListening(server.url);
        const why = await new Promise<string>((resolve) => {
          const onStop = (name: string) => () => resolve(name);
          process.once('SIGTERM', onStop('SIGTERM'));
          process.once('SIGINT', onStop('SIGINT'));
          // A serving process whose primary is gone (even while it was starting) stops too.
          if (serving !== undefined) {
            if (process.connected) process.once('disconnect', onStop('disconnect'));
            else resolve('disconnect');
          }
          signal.addEventListener('abort', onStop('abort'), { once: true });
        });
        log.info({ signal: why }, 'stopping: running requests and jobs may finish');
        await server.close();
      } finally {
        await store.close();
        // The channel to the primary would keep a serving process alive.
        if (serving !== undefined && process.connected) process.disconnect();
      }
    });
}
