import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { severityRank } from '../core/severity.js';
import { DEFAULT_MAX_LINE_BYTES } from '../formats/web-log/web-log-reader.js';
import { runHunt } from '../scan/run-hunt.js';
import { recordReport } from '../scan/record-report.js';
import { EXIT } from './exit-code.js';
import { burstOption, integerOption, offsetOption, severityOption, timeOption } from './parse-option.js';
import { ProgressLine } from './progress-line.js';
import { storeOption } from './store-option.js';
import { reportFormatOption, writeReport } from './write-report.js';
import { withReportOptions } from './report-options.js';

interface HuntFlags {
  db?: string;
  showSuppressed?: boolean;
  format: string;
  output?: string;
  failOn?: string;
  minSeverity: string;
  since?: string;
  until?: string;
  threads?: string;
  evidenceCap: string;
  localOffset: string;
  progress: boolean;
  sigma: string[];
  burst: string[];
  content: boolean;
}

/** `w3guard hunt PATH…`: reads IIS logs and reports findings. Sets `process.exitCode`. */
export function huntCommand(signal: AbortSignal): Command {
  return withReportOptions(
    new Command('hunt')
    .description('hunt IIS W3C, HTTPERR, IIS-format and NCSA logs (files, folders, .gz, .zip, - for stdin) for attacks and web-shell use')
    .argument('<paths...>', 'log files or folders (folders are searched for u_ex*.log, *_x.log, httperr*.log, .gz and .zip)')
    .option('--since <time>', 'only requests at or after this time (ISO 8601, UTC)')
    .option('--until <time>', 'only requests before this time (ISO 8601, UTC)')
    .option('--threads <n>', `worker threads (default: all cores, ${availableParallelism()})`)
    .option('--local-offset <offset>', "server's UTC offset for IIS-format logs, which log local time", '+00:00')
    .option('--sigma <path>', 'also run the Sigma rules in this file or folder (repeatable)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--no-content', "run only the --sigma rules, not w3guard's own detection content")
    .option('--burst <id=n[/window]>', 'change a burst detector: threshold and optional window such as 30s, 5m, 1h (repeatable; see README)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--no-progress', 'no progress line on stderr')
    .option('--db <store>', 'record the run in this findings store (a SQLite file or a postgres:// URL): findings get new/open/reopened, closed ones are added as fixed')
    .option('--show-suppressed', 'with --db: also list findings under a suppression (they never count for --fail-on)'),
    'lines',
  )
    .action(async (paths: string[], flags: HuntFlags) => {
      const format = reportFormatOption(flags.format);
      const failOn = flags.failOn === undefined ? undefined : severityOption('--fail-on', flags.failOn);
      // Opened before the scan, so a store that cannot be reached costs nothing but one sentence.
      const store = flags.db === undefined ? undefined : await storeOption(flags.db);
      try {
        const progress = new ProgressLine(process.stderr, flags.progress);
        const report = await runHunt({
          paths,
          threads: flags.threads === undefined ? availableParallelism() : integerOption('--threads', flags.threads, 1, 256),
          evidenceCap: integerOption('--evidence-cap', flags.evidenceCap, 1, 1000),
          minSeverity: severityOption('--min-severity', flags.minSeverity),
          ...(flags.since === undefined ? {} : { since: timeOption('--since', flags.since) }),
          ...(flags.until === undefined ? {} : { until: timeOption('--until', flags.until) }),
          localOffsetMinutes: offsetOption('--local-offset', flags.localOffset),
          maxLineBytes: DEFAULT_MAX_LINE_BYTES,
          rules: { content: flags.content, sigmaPaths: flags.sigma },
          burstTuning: burstOption(flags.burst),
          signal,
          now: () => new Date(),
          onProgress: (p) => progress.update(p),
        });
        progress.done();
        const recorded = store === undefined ? undefined : await recordReport(store, report, flags.showSuppressed === true);
        await writeReport(recorded?.report ?? report, format, flags.output);
        if (recorded !== undefined) process.stderr.write(`w3guard hunt: recorded: ${recorded.fixedCount} fixed, ${recorded.suppressedCount} suppressed\n`);
        // Suppressed and fixed findings never fail a run.
        const failed = failOn !== undefined && (recorded?.active ?? report.findings).some((f) => severityRank(f.severity) >= severityRank(failOn));
        process.exitCode = failed ? EXIT.findings : EXIT.ok;
      } finally {
        await store?.close();
      }
    });
}
