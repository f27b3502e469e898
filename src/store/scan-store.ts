import type { Kysely, Selectable } from 'kysely';
import type { ScanReport } from '../core/report.js';
import { inAssetScope, type AssetScope } from './asset-scope.js';
import type { RunOutcome } from './finding-store.js';
import type { ScansTable, StoreDatabase } from './store-schema.js';
import type { ServerDeps } from '../server/server-context.js';
import { ApiError } from '../server/server-context.js';

/** What a scan request may ask for: `scan` reaches base URLs from outside; `host` reads host roots on the worker. */
export const SCAN_KINDS = ['scan', 'host'] as const;
export type ScanKind = (typeof SCAN_KINDS)[number];

/** The data of a scan, host or verify job: the scan row it works. */
export interface ScanJobData {
  readonly scanId: number;
}

/** A scan as the API shows it. */
export interface ScanView {
  readonly id: number;
  readonly kind: string;
  readonly targets: readonly string[];
  readonly state: ScansTable['state'];
  readonly progress?: Record<string, unknown>;
  readonly findings?: number;
  readonly runId?: number;
  readonly error?: string;
  readonly requestedBy: string;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** A verify: the finding re-checked and, once done, whether it was `fixed` or is still `open`. */
  readonly verify?: { readonly fingerprint: string; readonly result?: string };
  /** One scan's page: the assets its run found anything on (at most `MAX_FINDING_ASSETS`), to link its findings. */
  readonly findingAssets?: readonly string[];
}

/** The states and kinds the scans list filters by. */
export const SCAN_STATES = ['queued', 'running', 'done', 'failed'] as const;
export const LISTED_SCAN_KINDS = [...SCAN_KINDS, 'verify'] as const;

/** What `listScans` may be asked for. */
export interface ScanListQuery {
  readonly limit?: number;
  /** The `nextCursor` of the page before: scans older than it. */
  readonly cursor?: string;
  /** The older form of `cursor`: scans with an id below this one. */
  readonly before?: number;
  readonly state?: ScansTable['state'];
  readonly kind?: string;
}

/** A page of scans, newest first, and the cursor of the next page (null on the last). */
export interface ScanPage {
  readonly items: ScanView[];
  readonly nextCursor: string | null;
}

/** Assets named on a scan's page; a run on more links the findings list instead. */
const MAX_FINDING_ASSETS = 50;

/** What `requestScan` needs. */
export interface ScanRequestInput {
  readonly kind: string;
  readonly targets: readonly unknown[];
  readonly by: string;
}

/** Targets longer than this, or more of them, are refused: one request must not fill the queue. */
const MAX_TARGETS = 1000;
const MAX_TARGET_LENGTH = 2048;

/**
 * The key that keeps two scans of one target apart: the origin of each URL (or each host root), sorted. A scan
 * and a verify of the same site share it, so they never run at the same time either.
 */
export function targetKey(kind: string, targets: readonly string[]): string {
  const parts = targets.map((target) => {
    if (kind === 'host') return `host:${target.replace(/[\\/]+$/, '')}`;
    try {
      return `site:${new URL(target).origin}`;
    } catch {
      return `site:${target}`;
    }
  });
  return [...new Set(parts)].sort().join('\n');
}

/** Checks a request's targets: a clear sentence for the first problem. */
export function checkTargets(kind: string, targets: readonly unknown[]): string[] {
  if (!(SCAN_KINDS as readonly string[]).includes(kind)) throw new ApiError(400, 'scan.bad-kind', `kind must be one of ${SCAN_KINDS.join(', ')}, not ${JSON.stringify(kind).slice(0, 80)}.`);
  if (targets.length === 0) throw new ApiError(400, 'scan.no-targets', 'targets must name at least one target.');
  if (targets.length > MAX_TARGETS) throw new ApiError(400, 'scan.too-many-targets', `targets may name at most ${MAX_TARGETS} targets.`);
  return targets.map((target, index) => {
    if (typeof target !== 'string' || target.trim() === '' || target.length > MAX_TARGET_LENGTH) throw new ApiError(400, 'scan.bad-target', `targets[${index}] must be a non-empty string of at most ${MAX_TARGET_LENGTH} characters.`);
    if (kind === 'scan') {
      let url: URL;
      try {
        url = new URL(target);
      } catch {
        throw new ApiError(400, 'scan.bad-target', `targets[${index}] is not a URL: a scan takes base URLs such as https://www.example.com/.`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ApiError(400, 'scan.bad-target', `targets[${index}] must be an http or https URL.`);
      if (url.username !== '' || url.password !== '') throw new ApiError(400, 'scan.bad-target', `targets[${index}] must not carry a user name or password.`);
    } else if (target.includes('\0')) throw new ApiError(400, 'scan.bad-target', `targets[${index}] is not a folder path.`);
    return target;
  });
}

/** Inserts the scan row and enqueues its job in one transaction: a scan exists exactly when its job does. */
export async function requestScan(deps: Pick<ServerDeps, 'store' | 'queue' | 'now'>, input: ScanRequestInput): Promise<number> {
  const targets = checkTargets(input.kind, input.targets);
  return insertScanAndJob(deps, { kind: input.kind, jobKind: input.kind as ScanKind, targets, by: input.by });
}

/** Shared by scans, verifies and schedules. */
export async function insertScanAndJob(
  deps: Pick<ServerDeps, 'store' | 'queue' | 'now'>,
  scan: { readonly kind: string; readonly jobKind: 'scan' | 'host' | 'verify'; readonly targets: readonly string[]; readonly by: string; readonly verifyFingerprint?: string; readonly singletonKey?: string; readonly jobData?: Record<string, unknown> },
  within?: (trx: Kysely<StoreDatabase>, scanId: number) => Promise<void>,
): Promise<number> {
  return deps.store.database.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('scans')
      .values({
        kind: scan.kind,
        targets: JSON.stringify(scan.targets),
        state: 'queued',
        progress: null,
        requested_by: scan.by,
        created_at: deps.now().toISOString(),
        started_at: null,
        finished_at: null,
        run_id: null,
        finding_count: null,
        error: null,
        verify_fingerprint: scan.verifyFingerprint ?? null,
        verify_result: null,
        attempts: 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const data: ScanJobData = { ...scan.jobData, scanId: id };
    await deps.queue.send(scan.jobKind, data, { singletonKey: scan.singletonKey ?? targetKey(scan.jobKind, scan.targets), trx });
    if (within !== undefined) await within(trx, id);
    return id;
  });
}

/** One scan row, or undefined. */
export async function getScanRow(db: Kysely<StoreDatabase>, id: number): Promise<Selectable<ScansTable> | undefined> {
  return db.selectFrom('scans').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A scan for the API; 404 when there is none. */
export async function getScan(deps: Pick<ServerDeps, 'store'>, id: number): Promise<ScanView> {
  const row = await getScanRow(deps.store.database, id);
  if (row === undefined) throw new ApiError(404, 'scan.not-found', `there is no scan ${id}.`);
  return toScanView(row);
}

/**
 * A scan with the assets its run found anything on, within the caller's asset scope: its page links each one's
 * findings. Read from the run's occurrences, so a finding fixed since still counts for the scan that found it.
 */
export async function getScanWithAssets(deps: Pick<ServerDeps, 'store'>, id: number, scope?: AssetScope): Promise<ScanView> {
  const scan = await getScan(deps, id);
  if (scan.runId === undefined) return scan;
  const rows = await deps.store.database
    .selectFrom('occurrences as o')
    .innerJoin('findings as f', 'f.fingerprint', 'o.fingerprint')
    .select('f.asset')
    .distinct()
    .where('o.run_id', '=', scan.runId)
    .orderBy('f.asset')
    .limit(MAX_FINDING_ASSETS)
    .execute();
  return { ...scan, findingAssets: rows.map((row) => row.asset).filter((asset) => inAssetScope(asset, scope)) };
}

/** Scans newest first, a page at a time, by state and kind; the cursor is the last scan's id, so paging is stable while scans are added. */
export async function listScans(deps: Pick<ServerDeps, 'store'>, query: ScanListQuery = {}): Promise<ScanPage> {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
  let after: number | undefined = query.before;
  if (query.cursor !== undefined) {
    after = /^[1-9]\d{0,15}$/.test(query.cursor) ? Number(query.cursor) : Number.NaN;
    if (!Number.isSafeInteger(after)) throw new ApiError(400, 'bad-cursor', 'The cursor is not one this server gave.');
  }
  let select = deps.store.database.selectFrom('scans').selectAll().orderBy('id', 'desc').limit(limit + 1);
  if (after !== undefined) select = select.where('id', '<', after);
  if (query.state !== undefined) select = select.where('state', '=', query.state);
  if (query.kind !== undefined) select = select.where('kind', '=', query.kind);
  const rows = await select.execute();
  const items = rows.slice(0, limit).map(toScanView);
  return { items, nextCursor: rows.length > limit ? String(items.at(-1)?.id) : null };
}

export function toScanView(row: Selectable<ScansTable>): ScanView {
  return {
    id: row.id,
    kind: row.kind,
    targets: JSON.parse(row.targets) as string[],
    state: row.state,
    ...(row.progress === null ? {} : { progress: JSON.parse(row.progress) as Record<string, unknown> }),
    ...(row.finding_count === null ? {} : { findings: row.finding_count }),
    ...(row.run_id === null ? {} : { runId: row.run_id }),
    ...(row.error === null ? {} : { error: row.error }),
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    ...(row.started_at === null ? {} : { startedAt: row.started_at }),
    ...(row.finished_at === null ? {} : { finishedAt: row.finished_at }),
    ...(row.verify_fingerprint === null ? {} : { verify: { fingerprint: row.verify_fingerprint, ...(row.verify_result === null ? {} : { result: row.verify_result }) } }),
  };
}

/** Marks a scan running (another attempt when it was already); false when it is already done or failed. */
export async function startScan(db: Kysely<StoreDatabase>, id: number, at: Date): Promise<boolean> {
  const row = await getScanRow(db, id);
  if (row === undefined || row.state === 'done' || row.state === 'failed') return false;
  await db
    .updateTable('scans')
    .set({ state: 'running', started_at: row.started_at ?? at.toISOString(), attempts: row.attempts + 1, progress: JSON.stringify({ phase: 'starting', attempt: row.attempts + 1 }) })
    .where('id', '=', id)
    .where('state', 'in', ['queued', 'running'])
    .execute();
  return true;
}

/** Records how far a running scan is (phase, counts), for the UI's progress. */
export async function updateProgress(db: Kysely<StoreDatabase>, id: number, progress: Record<string, unknown>): Promise<void> {
  await db.updateTable('scans').set({ progress: JSON.stringify(progress) }).where('id', '=', id).where('state', '=', 'running').execute();
}

/** Marks a scan failed for good: its job will not be tried again. A scheduled scan's failure shows on its schedule. */
export async function failScan(db: Kysely<StoreDatabase>, id: number, error: string, at: Date): Promise<void> {
  const message = error.slice(0, 2000);
  await db.updateTable('scans').set({ state: 'failed', error: message, finished_at: at.toISOString() }).where('id', '=', id).where('state', '<>', 'done').execute();
  const schedule = /^schedule:(\d+)$/.exec((await getScanRow(db, id))?.requested_by ?? '')?.[1];
  if (schedule !== undefined) await db.updateTable('schedules').set({ last_error: `scan ${id}: ${message}` }).where('id', '=', Number(schedule)).execute();
}

/** A failed attempt that will be retried: the error shows while the scan waits. */
export async function noteAttemptError(db: Kysely<StoreDatabase>, id: number, error: string): Promise<void> {
  await db.updateTable('scans').set({ state: 'queued', error: error.slice(0, 2000) }).where('id', '=', id).where('state', '=', 'running').execute();
}

/** Thrown inside the run's transaction to roll it back when another attempt already recorded the scan. */
class AlreadyRecorded extends Error {}

/** What recording a scan's report decided. */
export interface ScanRecorded {
  readonly runId: number;
  /** False when another attempt of the same job had already recorded it: nothing was written. */
  readonly recorded: boolean;
  readonly outcome?: RunOutcome;
}

/**
 * Records a scan's report as a run and marks the scan `done` in the run's own transaction, so a scan is done
 * exactly when its run is stored. A second attempt of the same job (a worker that was thought dead finishing
 * after all, a redelivery after the commit) finds the scan done and rolls back its own run: a scan is recorded
 * once. `extraWithinTransaction` writes what must commit with it (the notification outbox).
 */
export async function recordScanReport(
  deps: Pick<ServerDeps, 'store' | 'now'>,
  scanId: number,
  report: ScanReport,
  extraWithinTransaction?: (trx: Kysely<StoreDatabase>, outcome: RunOutcome) => Promise<void>,
  scanFields: { readonly verifyResult?: (outcome: RunOutcome) => string } = {},
): Promise<ScanRecorded> {
  try {
    const outcome = await deps.store.recordRun({
      command: report.command,
      toolVersion: report.tool.version,
      startedAt: report.startedAt,
      finishedAt: report.finishedAt,
      findings: report.findings,
      keepFindings: true,
      ...(report.coverage === undefined ? {} : { coverage: report.coverage }),
      ...(report.feeds === undefined ? {} : { feeds: report.feeds }),
      withinTransaction: async (trx, outcome) => {
        // The row lock this UPDATE takes makes a concurrent second attempt wait, then match nothing.
        const updated = await trx
          .updateTable('scans')
          .set({
            state: 'done',
            run_id: outcome.runId,
            finding_count: outcome.findings.length,
            finished_at: deps.now().toISOString(),
            error: null,
            progress: JSON.stringify({ phase: 'done', findings: outcome.findings.length, fixed: outcome.fixed.length }),
            ...(scanFields.verifyResult === undefined ? {} : { verify_result: scanFields.verifyResult(outcome) }),
          })
          .where('id', '=', scanId)
          .where('state', '<>', 'done')
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) throw new AlreadyRecorded();
        if (extraWithinTransaction !== undefined) await extraWithinTransaction(trx, outcome);
      },
    });
    return { runId: outcome.runId, recorded: true, outcome };
  } catch (error) {
    if (!(error instanceof AlreadyRecorded)) throw error;
    const row = await getScanRow(deps.store.database, scanId);
    return { runId: row?.run_id ?? 0, recorded: false };
  }
}
