import type { Command } from 'commander';
import type { ScanReport } from '../core/report.js';
import { severityRank, type Severity } from '../core/severity.js';
import type { ReportFormat } from '../report/reporters.js';
import { recordReport, type RecordedReport } from '../scan/record-report.js';
import type { FindingStore } from '../store/finding-store.js';
import { EXIT } from './exit-code.js';
import { writeReport } from './write-report.js';

/** What every scanning command decides about its report once the scan is done. */
export interface FinishFlags {
  readonly format: ReportFormat;
  readonly output?: string | undefined;
  /** Exit 1 when a finding of this run, not suppressed, is at or above it. */
  readonly failOn?: Severity | undefined;
  /** With a store: list suppressed findings too (with their `suppression`). */
  readonly showSuppressed?: boolean | undefined;
}

/**
 * Ends a scanning command: records the run in the store when there is one (statuses, closed findings,
 * suppressions left out), writes the report, says what the store decided on stderr, and sets the exit code.
 * Suppressed and fixed findings never fail a run.
 */
export async function finishReport(store: FindingStore | undefined, report: ScanReport, flags: FinishFlags): Promise<RecordedReport> {
  const recorded: RecordedReport =
    store === undefined ? { report, active: report.findings, suppressedCount: 0, fixedCount: 0 } : await recordReport(store, report, flags.showSuppressed === true);
  await writeReport(recorded.report, flags.format, flags.output);
  if (store !== undefined) process.stderr.write(`w3guard ${report.command}: recorded: ${recorded.fixedCount} fixed, ${recorded.suppressedCount} suppressed\n`);
  const { failOn } = flags;
  const failed = failOn !== undefined && recorded.active.some((f) => severityRank(f.severity) >= severityRank(failOn));
  process.exitCode = failed ? EXIT.findings : EXIT.ok;
  return recorded;
}

/** Adds `--db` and `--show-suppressed`, declared once for every command that can record its run. */
export function withStoreOptions(command: Command): Command {
  return command
    .option('--db <store>', 'record the run in this findings store (a SQLite file or a postgres:// URL): findings get new/open/reopened, closed ones are added as fixed')
    .option('--show-suppressed', 'with --db: also list findings under a suppression (they never count for --fail-on)');
}
