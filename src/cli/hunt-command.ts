import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { defaultSigmaCacheDir } from '../engines/sigma/sigma-parse-cache.js';
import { DEFAULT_MAX_LINE_BYTES } from '../formats/web-log/web-log-reader.js';
import { runHunt } from '../scan/run-hunt.js';
import { finishReport, withStoreOptions } from './finish-report.js';
import { burstOption, integerOption, offsetOption, severityOption, timeOption } from './parse-option.js';
import { ProgressLine } from './progress-line.js';
import { withOptionalStore } from './store-option.js';
import { reportFormatOption } from './write-report.js';
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
  ruleCache: boolean;
}

/** `w3guard hunt PATH…`: reads IIS logs and reports findings. Sets `process.exitCode`. */
export function huntCommand(signal: AbortSignal): Command {
  return withStoreOptions(withReportOptions(
    new Command('hunt')
    .description('hunt IIS W3C, HTTPERR, IIS-format and NCSA logs (files, folders, .gz, .zip, - for stdin) for attacks and web-shell use')
    .argument('<paths...>', 'log files or folders (folders are searched for u_ex*.log, *_x.log, httperr*.log, .gz and .zip)')
    .option('--since <time>', 'only requests at or after this time (ISO 8601, UTC)')
    .option('--until <time>', 'only requests before this time (ISO 8601, UTC)')
    .option('--threads <n>', `worker threads (default: all cores, ${availableParallelism()})`)
    .option('--local-offset <offset>', "server's UTC offset for IIS-format logs, which log local time", '+00:00')
    .option('--sigma <path>', 'also run the Sigma rules in this file or folder (repeatable)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--no-content', "run only the --sigma rules, not w3guard's own detection content")
    .option('--no-rule-cache', 'parse every rule file again instead of reusing the parses kept in the user cache folder ($XDG_CACHE_HOME/w3guard/sigma)')
    .option('--burst <id=n[/window]>', 'change a burst detector: threshold and optional window such as 30s, 5m, 1h (repeatable; see README)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--no-progress', 'no progress line on stderr'),
    'lines',
  ))
    .action(async (paths: string[], flags: HuntFlags) => {
      const format = reportFormatOption(flags.format);
      const failOn = flags.failOn === undefined ? undefined : severityOption('--fail-on', flags.failOn);
      await withOptionalStore(flags.db, async (store) => {
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
          rules: { content: flags.content, sigmaPaths: flags.sigma, ...(flags.ruleCache ? { cacheDir: defaultSigmaCacheDir() } : {}) },
          burstTuning: burstOption(flags.burst),
          signal,
          now: () => new Date(),
          onProgress: (p) => progress.update(p),
        });
        progress.done();
        await finishReport(store, report, { format, output: flags.output, failOn, showSuppressed: flags.showSuppressed });
      });
    });
}
