import { createHash } from 'node:crypto';
import type { ServerDeps } from '../server/server-context.js';
import { ApiError } from '../server/server-context.js';
import { inAssetScope, type AssetScope } from '../store/asset-scope.js';
import { checkPushedReport, ReportShapeError } from './check-pushed-report.js';

/** What importing a pushed report gave. */
export interface ImportedReport {
  readonly runId: number;
  /** False when the same report (or idempotency key) was pushed before: the earlier run is returned. */
  readonly created: boolean;
}

/** Keys and hashes are stored as given up to this length. */
const MAX_KEY = 200;

/**
 * Records a report pushed by `host --push` (or any `--format json` report) as a run. Inline rather than as a
 * job: the report is already made, recording it is one short transaction, and the pusher wants the run id in
 * the answer. Idempotent: the `Idempotency-Key` (or, without one, the body's SHA-256) is stored in the run's
 * transaction under a primary key, so the same push twice, even at once, records one run.
 */
export async function importReport(deps: Pick<ServerDeps, 'store' | 'now' | 'announcer'>, body: unknown, options: { readonly by: string; readonly idempotencyKey?: string; readonly rawBody?: string; readonly scope?: AssetScope }): Promise<ImportedReport> {
  if (options.idempotencyKey !== undefined && (options.idempotencyKey.length === 0 || options.idempotencyKey.length > MAX_KEY)) throw new ApiError(400, 'report.bad-idempotency-key', `Idempotency-Key must be 1 to ${MAX_KEY} characters.`);
  const key = options.idempotencyKey === undefined ? `sha256:${createHash('sha256').update(options.rawBody ?? JSON.stringify(body)).digest('hex')}` : `key:${options.idempotencyKey}`;
  let report;
  try {
    report = checkPushedReport(body);
  } catch (error) {
    if (error instanceof ReportShapeError) throw new ApiError(400, 'report.invalid', error.message, { cause: error });
    throw error;
  }
  // A scoped pusher records nothing outside its assets: neither findings nor coverage, which would close
  // findings of other hosts as fixed. Checked before the retry lookup, so a retry tells nothing either.
  if (options.scope !== undefined) {
    const outside = [...report.findings, ...report.coverage].find((item) => !inAssetScope(item.asset, options.scope));
    if (outside !== undefined) throw new ApiError(403, 'report.out-of-scope', `The report holds the asset ${JSON.stringify(outside.asset.slice(0, 200))}, which this token may not push.`);
  }
  const known = await lookup(deps, key);
  if (known !== undefined) return { runId: known, created: false };
  try {
    const outcome = await deps.store.recordRun({
      command: report.command,
      toolVersion: report.toolVersion,
      startedAt: report.startedAt,
      finishedAt: report.finishedAt,
      findings: report.findings,
      coverage: report.coverage,
      // Kept: the announcer tells what the push changed (a report holds at most MAX_FINDINGS findings).
      keepFindings: deps.announcer !== undefined,
      withinTransaction: async (trx, outcome) => {
        await trx.insertInto('report_imports').values({ key, run_id: outcome.runId, created_by: options.by, created_at: deps.now().toISOString() }).execute();
        await deps.announcer?.recorded(trx, outcome, { command: report.command, ...(report.incidents.length === 0 ? {} : { incidents: report.incidents }) });
      },
    });
    return { runId: outcome.runId, created: true };
  } catch (error) {
    // A push of the same key that committed first: its run is the answer, this one rolled back.
    const raced = await lookup(deps, key);
    if (raced !== undefined) return { runId: raced, created: false };
    throw error;
  }
}

async function lookup(deps: Pick<ServerDeps, 'store'>, key: string): Promise<number | undefined> {
  const row = await deps.store.database.selectFrom('report_imports').select('run_id').where('key', '=', key).executeTakeFirst();
  return row?.run_id;
}
