import { Command } from 'commander';
import { pino } from 'pino';
import { UsageError } from './exit-code.js';
import { integerOption } from './parse-option.js';
import { storeOption } from './store-option.js';

interface WorkerFlags {
  db?: string;
  concurrency: string;
  grace: string;
  jobsSchema?: string;
  logLevel: string;
  allowRoot: string[];
}

/**
 * `w3guard worker --db postgres://…`: one more process working the server's scan, host and verify jobs (fleet
 * mode). Logs are JSON lines (pino) on stderr. SIGTERM or SIGINT stops taking jobs and lets the running one
 * finish for `--grace` seconds; after that it is aborted and pg-boss hands it to another worker.
 */
export function workerCommand(signal: AbortSignal): Command {
  return new Command('worker')
    .description('work scans for a w3guard server from another machine (fleet mode; needs a PostgreSQL store)')
    .requiredOption('--db <url>', 'the server\'s PostgreSQL store (postgres://…)')
    .option('--concurrency <n>', 'jobs of each kind worked at once', '1')
    .option('--grace <seconds>', 'on SIGTERM, how long a running scan may take to finish before it is handed back', '30')
    .option('--jobs-schema <name>', 'the schema the job queue keeps its tables in (as the server uses)', 'w3guard_jobs')
    .option('--allow-root <folder>', 'host scans may read host roots in this folder (repeatable); without it host scans are refused', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--log-level <level>', 'fatal, error, warn, info or debug', 'info')
    .action(async (flags: WorkerFlags) => {
      const { isPostgresUrl } = await import('../store/open-store.js');
      if (flags.db === undefined || !isPostgresUrl(flags.db)) throw new UsageError('worker needs the server\'s PostgreSQL store (--db postgres://…): a SQLite store is worked by serve itself.');
      if (!['fatal', 'error', 'warn', 'info', 'debug'].includes(flags.logLevel)) throw new UsageError(`--log-level takes fatal, error, warn, info or debug, not ${JSON.stringify(flags.logLevel)}.`);
      if (flags.jobsSchema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(flags.jobsSchema)) throw new UsageError('--jobs-schema takes a plain lower-case identifier.');
      const concurrency = integerOption('--concurrency', flags.concurrency, 1, 64);
      const graceMs = integerOption('--grace', flags.grace, 0, 3600) * 1000;
      const log = pino({ level: flags.logLevel, base: { pid: process.pid, role: 'worker' } }, pino.destination(2));
      const { openQueue } = await import('../jobs/open-queue.js');
      const { jobHandlers } = await import('../jobs/scan-jobs.js');
      const { runAnnouncer } = await import('../notify/announce-runs.js');
      const store = await storeOption(flags.db);
      try {
        const queue = await openQueue(store, { url: flags.db, log, concurrency, manageQueues: false, ...(flags.jobsSchema === undefined ? {} : { bossSchema: flags.jobsSchema }) });
        const stopped = new Promise<string>((resolve) => {
          const onStop = (name: string) => () => resolve(name);
          process.once('SIGTERM', onStop('SIGTERM'));
          process.once('SIGINT', onStop('SIGINT'));
          signal.addEventListener('abort', onStop('abort'), { once: true });
        });
        const now = (): Date => new Date();
        // What a scan changed goes to the outbox in the run's transaction; the serving processes send it.
        await queue.work(jobHandlers({ store, log, now, announcer: runAnnouncer({ store, now }) }, { allowedRoots: flags.allowRoot }));
        log.info({ concurrency }, 'worker ready');
        const why = await stopped;
        log.info({ signal: why, graceMs }, 'worker stopping: running jobs may finish');
        await queue.stop({ timeoutMs: graceMs });
        log.info('worker stopped');
      } finally {
        await store.close();
      }
    });
}
