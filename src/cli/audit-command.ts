import { Command } from 'commander';
import { severityRank } from '../core/severity.js';
import { runAudit } from '../scan/run-audit.js';
import { recordReport } from '../scan/record-report.js';
import { EXIT } from './exit-code.js';
import { integerOption, severityOption } from './parse-option.js';
import { storeOption } from './store-option.js';
import { reportFormatOption, writeReport } from './write-report.js';
import { withReportOptions } from './report-options.js';

interface AuditFlags {
  db?: string;
  showSuppressed?: boolean;
  format: string;
  output?: string;
  failOn?: string;
  minSeverity: string;
  evidenceCap: string;
}

/** `w3guard audit PATH…`: audits IIS configuration (CIS IIS 10, rogue modules, privileges, logging). Sets `process.exitCode`. */
export function auditCommand(signal: AbortSignal): Command {
  return withReportOptions(
    new Command('audit')
    .description('audit IIS configuration: CIS IIS 10, rogue native and managed modules, app pool identities, logging coverage')
    .argument('<paths...>', 'host roots (folders laid out like C:\\), applicationHost.config or web.config files')
    .option('--db <store>', 'record the run in this findings store (a SQLite file or a postgres:// URL): findings get new/open/reopened, closed ones are added as fixed')
    .option('--show-suppressed', 'with --db: also list findings under a suppression (they never count for --fail-on)'),
  )
    .action(async (paths: string[], flags: AuditFlags) => {
      const format = reportFormatOption(flags.format);
      const failOn = flags.failOn === undefined ? undefined : severityOption('--fail-on', flags.failOn);
      // Opened before the scan, so a store that cannot be reached costs nothing but one sentence.
      const store = flags.db === undefined ? undefined : await storeOption(flags.db);
      try {
        const report = await runAudit({
          paths,
          evidenceCap: integerOption('--evidence-cap', flags.evidenceCap, 1, 1000),
          minSeverity: severityOption('--min-severity', flags.minSeverity),
          signal,
          now: () => new Date(),
        });
        const recorded = store === undefined ? undefined : await recordReport(store, report, flags.showSuppressed === true);
        await writeReport(recorded?.report ?? report, format, flags.output);
        if (recorded !== undefined) process.stderr.write(`w3guard audit: recorded: ${recorded.fixedCount} fixed, ${recorded.suppressedCount} suppressed\n`);
        if (format !== 'table' && report.checks !== undefined) {
          const cis = report.checks.filter((check) => check.tags.some((tag) => tag.startsWith('cis.iis10.')));
          const sum = (pick: (check: (typeof cis)[number]) => number): number => cis.reduce((total, check) => total + pick(check), 0);
          process.stderr.write(`w3guard audit: CIS IIS 10 results: ${sum((c) => c.pass)} pass, ${sum((c) => c.fail)} fail, ${sum((c) => c.notEvaluated)} not evaluated\n`);
        }
        // Suppressed and fixed findings never fail a run.
        const failed = failOn !== undefined && (recorded?.active ?? report.findings).some((f) => severityRank(f.severity) >= severityRank(failOn));
        process.exitCode = failed ? EXIT.findings : EXIT.ok;
      } finally {
        await store?.close();
      }
    });
}
