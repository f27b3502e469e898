import { Command, Option } from 'commander';
import { DEFAULT_EVIDENCE_CAP } from '../core/finding-aggregator.js';
import { severityRank } from '../core/severity.js';
import { REPORT_FORMATS } from '../report/reporters.js';
import { runAudit } from '../scan/run-audit.js';
import { EXIT } from './exit-code.js';
import { integerOption, severityOption } from './parse-option.js';
import { reportFormatOption, writeReport } from './write-report.js';

interface AuditFlags {
  format: string;
  output?: string;
  failOn?: string;
  minSeverity: string;
  evidenceCap: string;
}

/** `w3guard audit PATH…`: audits IIS configuration (CIS IIS 10, rogue modules, privileges, logging). Sets `process.exitCode`. */
export function auditCommand(signal: AbortSignal): Command {
  return new Command('audit')
    .description('audit IIS configuration: CIS IIS 10, rogue native and managed modules, app pool identities, logging coverage')
    .argument('<paths...>', 'host roots (folders laid out like C:\\), applicationHost.config or web.config files')
    .addOption(new Option('-f, --format <format>', 'output format').choices(REPORT_FORMATS).default('table'))
    .option('-o, --output <file>', 'write the report to this file instead of stdout')
    .option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity')
    .option('--min-severity <severity>', 'report only findings at or above this severity', 'info')
    .option('--evidence-cap <n>', 'evidence items kept per finding', String(DEFAULT_EVIDENCE_CAP))
    .action(async (paths: string[], flags: AuditFlags) => {
      const format = reportFormatOption(flags.format);
      const failOn = flags.failOn === undefined ? undefined : severityOption('--fail-on', flags.failOn);
      const report = await runAudit({
        paths,
        evidenceCap: integerOption('--evidence-cap', flags.evidenceCap, 1, 1000),
        minSeverity: severityOption('--min-severity', flags.minSeverity),
        signal,
        now: () => new Date(),
      });
      await writeReport(report, format, flags.output);
      if (format !== 'table' && report.checks !== undefined) {
        const cis = report.checks.filter((check) => check.tags.some((tag) => tag.startsWith('cis.iis10.')));
        const sum = (pick: (check: (typeof cis)[number]) => number): number => cis.reduce((total, check) => total + pick(check), 0);
        process.stderr.write(`w3guard audit: CIS IIS 10 results: ${sum((c) => c.pass)} pass, ${sum((c) => c.fail)} fail, ${sum((c) => c.notEvaluated)} not evaluated\n`);
      }
      const failed = failOn !== undefined && report.findings.some((f) => severityRank(f.severity) >= severityRank(failOn));
      process.exitCode = failed ? EXIT.findings : EXIT.ok;
    });
}
