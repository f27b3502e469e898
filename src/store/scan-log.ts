import type { Kysely } from 'kysely';
import type { ScanReport } from '../core/report.js';
import type { StoreDatabase } from './store-schema.js';

/** Lines kept per scan: the newest ones, so a scan that meets thousands of issues cannot fill the store. */
export const SCAN_LOG_LINES = 200;
/** A line longer than this is cut: messages can quote what a scanned server answered. */
const MAX_MESSAGE = 1000;
/** Inputs and issues of one report written line by line; the rest is summed up in one line. */
const MAX_REPORT_LINES = 100;

export type ScanLogLevel = 'info' | 'warn' | 'error';

/** One line of a scan's log as the API shows it. */
export interface ScanLogLine {
  readonly at: string;
  readonly level: ScanLogLevel;
  readonly message: string;
}

/**
 * Appends lines to a scan's log and drops the oldest beyond `SCAN_LOG_LINES`, in one transaction. Writing the log
 * must never fail a scan, so callers in the job handler go through `noteScan`, which only logs a failure.
 */
export async function appendScanLog(db: Kysely<StoreDatabase>, scanId: number, at: Date, lines: readonly { readonly level: ScanLogLevel; readonly message: string }[]): Promise<void> {
  if (lines.length === 0) return;
  const time = at.toISOString();
  // Within a transaction already (a run being recorded), the lines commit with it.
  const write = async (trx: Kysely<StoreDatabase>): Promise<void> => {
    await trx
      .insertInto('scan_log')
      .values(lines.map((line) => ({ scan_id: scanId, at: time, level: line.level, message: line.message.length > MAX_MESSAGE ? `${line.message.slice(0, MAX_MESSAGE)}…` : line.message })))
      .execute();
    const oldestKept = await trx.selectFrom('scan_log').select('id').where('scan_id', '=', scanId).orderBy('id', 'desc').offset(SCAN_LOG_LINES - 1).limit(1).executeTakeFirst();
    if (oldestKept !== undefined) await trx.deleteFrom('scan_log').where('scan_id', '=', scanId).where('id', '<', oldestKept.id).execute();
  };
  if (db.isTransaction) await write(db);
  else await db.transaction().execute(write);
}

/** A scan's log, oldest line first. */
export async function readScanLog(db: Kysely<StoreDatabase>, scanId: number): Promise<ScanLogLine[]> {
  const rows = await db.selectFrom('scan_log').select(['at', 'level', 'message']).where('scan_id', '=', scanId).orderBy('id').execute();
  return rows.map((row) => ({ at: row.at, level: row.level as ScanLogLevel, message: row.message }));
}

/** What a finished report tells its reader: the inputs reached and the issues met, capped, then a count. */
export function reportLines(report: ScanReport): { level: ScanLogLevel; message: string }[] {
  const lines: { level: ScanLogLevel; message: string }[] = [];
  for (const input of report.inputs.slice(0, MAX_REPORT_LINES)) {
    lines.push({ level: 'info', message: `read ${input.kind} ${input.path}: ${input.records} records${input.skipped > 0 ? `, ${input.skipped} skipped` : ''}` });
  }
  if (report.inputs.length > MAX_REPORT_LINES) lines.push({ level: 'info', message: `… and ${report.inputs.length - MAX_REPORT_LINES} more inputs` });
  for (const issue of report.issues.slice(0, MAX_REPORT_LINES)) {
    const where = issue.path === undefined ? '' : ` (${issue.path}${issue.line === undefined ? '' : `:${issue.line}`})`;
    lines.push({ level: 'warn', message: `issue ${issue.code}: ${issue.message}${where}` });
  }
  if (report.issues.length > MAX_REPORT_LINES) lines.push({ level: 'warn', message: `… and ${report.issues.length - MAX_REPORT_LINES} more issues` });
  return lines;
}
