import { Command } from 'commander';
import { runAudit } from '../scan/run-audit.js';
import { finishReport, withStoreOptions } from './finish-report.js';
import { integerOption, severityOption } from './parse-option.js';
import { withOptionalStore } from './store-option.js';
import { reportFormatOption } from './write-report.js';
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
  return withStoreOptions(withReportOptions(
    new Command('audit')
    .description('audit IIS configuration: CIS IIS 10, rogue native and managed modules, app pool identities, logging coverage')
    .argument('<paths...>', 'host roots (folders laid out like C:\\), applicationHost.config or web.config files'),
  ))
    .action(async (paths: string[], flags: AuditFlags) => {
      const format = reportFormatOption(flags.format);
      const failOn = flags.failOn === undefined ? undefined : severityOption('--fail-on', flags.failOn);
      await withOptionalStore(flags.db, async (store) => {
        const report = await runAudit({
          paths,
          evidenceCap: integerOption('--evidence-cap', flags.evidenceCap, 1, 1000),
          minSeverity: severityOption('--min-severity', flags.minSeverity),
          signal,
          now: () => new Date(),
        });
        await finishReport(store, report, { format, output: flags.output, failOn, showSuppressed: flags.showSuppressed });
        if (format !== 'table' && report.checks !== undefined) {
          const cis = report.checks.filter((check) => check.tags.some((tag) => tag.startsWith('cis.iis10.')));
          const sum = (pick: (check: (typeof cis)[number]) => number): number => cis.reduce((total, check) => total + pick(check), 0);
          process.stderr.write(`w3guard audit: CIS IIS 10 results: ${sum((c) => c.pass)} pass, ${sum((c) => c.fail)} fail, ${sum((c) => c.notEvaluated)} not evaluated\n`);
        }
      });
    });
}
