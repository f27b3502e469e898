import path from 'node:path';
import type { Kysely } from 'kysely';
import type { ScanReport } from '../core/report.js';
import type { ServerDeps } from '../server/server-context.js';
import type { RunOutcome } from '../store/finding-store.js';
import { appendScanLog, reportLines, type ScanLogLevel } from '../store/scan-log.js';
import { failScan, getScanRow, noteAttemptError, recordScanReport, startScan, updateProgress } from '../store/scan-store.js';
import type { StoreDatabase } from '../store/store-schema.js';
import type { Job, JobHandler, JobKind } from './job-queue.js';
import { loadAssetContext } from '../store/asset-registry.js';
import { defaultRunners, joinReports, type RunContext, type ScanRunners } from './scan-runners.js';
import { judgeVerify, type VerifyJobData } from './request-verify.js';

/** The scan a run was recorded for, as hooks see it. */
export interface RecordedScan {
  readonly id: number;
  readonly kind: string;
  readonly verifyFingerprint?: string;
  /** A verify: `fixed` or `open`. */
  readonly verifyResult?: string;
}

/** What the serving process or a worker plugs into the scan jobs. */
export interface ScanJobOptions {
  /** Engines to run; tests and benchmarks substitute their own. */
  readonly runners?: Partial<ScanRunners>;
  /** Runs inside the run's transaction, after the scan is marked done: the notification outbox writes here. */
  readonly withinTransaction?: (trx: Kysely<StoreDatabase>, outcome: RunOutcome, scan: RecordedScan) => Promise<void>;
  /**
   * Folders whose host roots `host` jobs may read on this machine (a root must be one of them or inside one).
   * None: host jobs are refused, since a host scan reads files and reports excerpts of them, and an API user
   * must not point a worker at any folder it can read.
   */
  readonly allowedRoots?: readonly string[];
  /** After a scan failed for good (no retry follows): a `scan.failed` notification. */
  readonly onFailed?: (scan: RecordedScan, error: string) => Promise<void>;
}

type Deps = Pick<ServerDeps, 'store' | 'log' | 'now' | 'announcer'>;

/** The handlers of scan, host and verify jobs; hand them to `queue.work`. */
export function jobHandlers(deps: Deps, options: ScanJobOptions = {}): Partial<Record<JobKind, JobHandler>> {
  const runners: ScanRunners = { ...defaultRunners(), ...options.runners };
  const handler: JobHandler = (job) => workScan(deps, runners, options, job);
  return { scan: handler, host: handler, verify: handler };
}

async function workScan(deps: Deps, runners: ScanRunners, options: ScanJobOptions, job: Job): Promise<void> {
  const data = job.data as Partial<VerifyJobData> | null;
  const scanId = Number(data?.scanId);
  if (!Number.isInteger(scanId)) {
    deps.log.error({ job: job.id, kind: job.kind }, 'a scan job without a scan id was dropped');
    return;
  }
  const db = deps.store.database;
  const row = await getScanRow(db, scanId);
  // Done already: this is a redelivery of a job whose run committed (recorded once, nothing to do).
  if (row === undefined || !(await startScan(db, scanId, deps.now()))) {
    deps.log.info({ scan: scanId, job: job.id }, 'scan already settled; job skipped');
    return;
  }
  const log = deps.log.child({ scan: scanId, job: job.id, kind: job.kind, attempt: job.attempt });
  // The scan's own log, for its page: what it did, in words. Losing a line must not fail the scan.
  const noteLines = async (lines: readonly { readonly level: ScanLogLevel; readonly message: string }[]): Promise<void> => {
    await appendScanLog(db, scanId, deps.now(), lines).catch((error: unknown) => log.warn({ err: error }, 'cannot write the scan log'));
  };
  const note = (level: ScanLogLevel, ...messages: string[]): Promise<void> => noteLines(messages.map((message) => ({ level, message })));
  const targets = JSON.parse(row.targets) as string[];
  await note('info', `attempt ${job.attempt ?? 1} started`);
  const scan: RecordedScan = { id: scanId, kind: row.kind, ...(row.verify_fingerprint === null ? {} : { verifyFingerprint: row.verify_fingerprint }) };
  const started = performance.now();
  try {
    // A verify travels on the queue of the engine it re-runs (or on `verify`); its data names the finding.
    const isVerify = typeof data?.fingerprint === 'string';
    const via = isVerify ? data?.via : job.kind;
    await updateProgress(db, scanId, { phase: 'scanning', targets: targets.length, attempt: job.attempt ?? 1 });
    // Read when the run starts: a change to the registry counts from the next run on.
    const context: RunContext = { assetContext: await loadAssetContext(db) };
    let report: ScanReport;
    if (via === 'scan') {
      await note('info', `scanning ${targets.length === 1 ? 'one site' : `${targets.length} sites`} from outside`, ...targets.map((target) => `target ${target}`));
      report = await runners.scan(targets, job.signal, context);
    }
    else if (via === 'host') {
      const refused = targets.find((root) => !rootAllowed(root, options.allowedRoots ?? []));
      if (refused !== undefined) {
        // Not worth a retry: the same root is refused every time.
        const message = `this worker may not read ${JSON.stringify(refused)}: start it with --allow-root naming that folder or one above it.`;
        log.warn({ root: refused }, 'host root refused');
        await note('error', message);
        await failScan(db, scanId, message, deps.now());
        await announceFailure(deps, options, scan, message);
        return;
      }
      const reports: ScanReport[] = [];
      for (const [index, root] of targets.entries()) {
        await updateProgress(db, scanId, { phase: 'scanning', targets: targets.length, done: index, attempt: job.attempt ?? 1 });
        await note('info', `reading host root ${root} (${index + 1} of ${targets.length})`);
        reports.push(await runners.host(root, job.signal, context));
      }
      report = joinReports(reports);
    } else throw new Error(`a ${job.kind} job cannot run a ${String(via)} scan`);
    await noteLines(reportLines(report));
    await updateProgress(db, scanId, { phase: 'recording', findings: report.findings.length });
    await note('info', `recording ${report.findings.length} findings`);
    const verify = isVerify ? judgeVerify(report, data as VerifyJobData) : undefined;
    const recordedReport = verify?.report ?? report;
    const recorded = await recordScanReport(
      deps,
      scanId,
      recordedReport,
      async (trx, outcome) => {
        const settled: RecordedScan = { ...scan, ...(verify === undefined ? {} : { verifyResult: verify.result(outcome) }) };
        await options.withinTransaction?.(trx, outcome, settled);
        await deps.announcer?.recorded(trx, outcome, {
          command: recordedReport.command,
          scan: { id: scanId, kind: row.kind, targets },
          ...(settled.verifyFingerprint === undefined || settled.verifyResult === undefined ? {} : { verify: { fingerprint: settled.verifyFingerprint, result: settled.verifyResult } }),
          ...(recordedReport.incidents === undefined ? {} : { incidents: recordedReport.incidents }),
        });
        // The log's last line commits with the run: whoever sees the scan done sees the line that says so.
        await appendScanLog(trx, scanId, deps.now(), [{ level: 'info', message: `done: run ${outcome.runId}, ${outcome.findings.length} findings, ${outcome.fixed.length} fixed${verify === undefined ? '' : `; the finding is ${verify.result(outcome)}`}` }]);
        // With pg-boss the job completes in the run's transaction: recorded and settled together.
        await job.completeWithin?.(trx);
      },
      verify === undefined ? {} : { verifyResult: verify.result },
    );
    log.info({ run: recorded.runId, recorded: recorded.recorded, findings: report.findings.length, ms: Math.round(performance.now() - started) }, recorded.recorded ? 'scan recorded' : 'scan was recorded by an earlier attempt');
    if (!recorded.recorded) await note('info', `an earlier attempt recorded this scan as run ${recorded.runId}`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (job.final === true) {
      log.error({ err: message }, 'scan failed for good');
      await note('error', `failed: ${message}`);
      await failScan(db, scanId, message, deps.now());
      await announceFailure(deps, options, scan, message);
    } else {
      log.warn({ err: message }, 'scan attempt failed; the queue retries it');
      await note('warn', `attempt ${job.attempt ?? 1} failed, to be tried again: ${message}`);
      await noteAttemptError(db, scanId, message);
    }
    throw error;
  }
}

async function announceFailure(deps: Deps, options: ScanJobOptions, scan: RecordedScan, message: string): Promise<void> {
  await options.onFailed?.(scan, message);
  await deps.announcer?.failed(scan, message);
}

/** Whether a host root lies in one of the allowed folders (compared after resolving `..` and trailing slashes). */
export function rootAllowed(root: string, allowed: readonly string[]): boolean {
  const target = path.resolve(root);
  return allowed.some((folder) => {
    const base = path.resolve(folder);
    return target === base || target.startsWith(base.endsWith(path.sep) ? base : `${base}${path.sep}`);
  });
}
