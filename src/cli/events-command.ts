import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { defaultSigmaCacheDir } from '../engines/sigma/sigma-parse-cache.js';
import { runEvents } from '../scan/run-events.js';
import { UsageError } from './exit-code.js';
import { finishReport, withStoreOptions } from './finish-report.js';
import { integerOption, severityOption, timeOption } from './parse-option.js';
import { ProgressLine } from './progress-line.js';
import { withOptionalStore } from './store-option.js';
import { reportFormatOption } from './write-report.js';
import { withReportOptions } from './report-options.js';

interface EventsFlags {
  format: string;
  output?: string;
  failOn?: string;
  minSeverity: string;
  since?: string;
  until?: string;
  threads?: string;
  evidenceCap: string;
  window: string;
  host: string[];
  progress: boolean;
  sigma: string[];
  content: boolean;
  ruleCache: boolean;
  db?: string;
  showSuppressed?: boolean;
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--window`: a duration such as 30m or 2h. */
function windowOption(value: string): number {
  const m = /^(\d{1,6})([smhd])$/.exec(value);
  if (m === null) throw new UsageError(`--window takes a duration such as 30m, 1h or 1d, not ${JSON.stringify(value)}.`);
  return Number(m[1]) * (UNIT_MS[m[2] ?? 'm'] ?? 60_000);
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `w3guard events PATH…`: Sigma over Windows event logs, and w3wp.exe process trees as incidents. Sets `process.exitCode`. */
export function eventsCommand(signal: AbortSignal): Command {
  return withStoreOptions(withReportOptions(
    new Command('events')
    .description('hunt Windows event logs (EVTX: Sysmon, Security, Application, IIS-Configuration) for w3wp.exe children, DLL side-loading and privilege escalation')
    .argument('[paths...]', 'EVTX files or folders (searched for *.evtx)')
    .option('--host <root>', 'a host root (live C:\\ or a mounted image): read its Windows/System32/winevt/Logs (repeatable)', collect, [] as string[])
    .option('--since <time>', 'only events at or after this time (ISO 8601, UTC)')
    .option('--until <time>', 'only events before this time (ISO 8601, UTC)')
    .option('--threads <n>', `worker threads (default: all cores, ${availableParallelism()})`)
    .option('--window <duration>', 'events of one w3wp.exe process tree further apart than this start a new incident', '1h')
    .option('--sigma <path>', 'also run the Sigma rules in this file or folder (repeatable)', collect, [] as string[])
    .option('--no-content', "run only the --sigma rules, not w3guard's own detection content")
    .option('--no-rule-cache', 'parse every rule file again instead of reusing the parses kept in the user cache folder ($XDG_CACHE_HOME/w3guard/sigma)')
    .option('--no-progress', 'no progress line on stderr'),
    'events',
  ))
    .action(async (paths: string[], flags: EventsFlags) => {
      if (paths.length === 0 && flags.host.length === 0) throw new UsageError('events needs EVTX files or folders, or --host ROOT.');
      const format = reportFormatOption(flags.format);
      const failOn = flags.failOn === undefined ? undefined : severityOption('--fail-on', flags.failOn);
      await withOptionalStore(flags.db, async (store) => {
        const progress = new ProgressLine(process.stderr, flags.progress);
        const report = await runEvents({
          paths,
          hosts: flags.host,
          threads: flags.threads === undefined ? availableParallelism() : integerOption('--threads', flags.threads, 1, 256),
          evidenceCap: integerOption('--evidence-cap', flags.evidenceCap, 1, 1000),
          minSeverity: severityOption('--min-severity', flags.minSeverity),
          ...(flags.since === undefined ? {} : { since: timeOption('--since', flags.since) }),
          ...(flags.until === undefined ? {} : { until: timeOption('--until', flags.until) }),
          correlationWindowMs: windowOption(flags.window),
          rules: { content: flags.content, sigmaPaths: flags.sigma, ...(flags.ruleCache ? { cacheDir: defaultSigmaCacheDir() } : {}) },
          signal,
          now: () => new Date(),
          onProgress: (p) => progress.update(p),
        });
        progress.done();
        await finishReport(store, report, { format, output: flags.output, failOn, showSuppressed: flags.showSuppressed });
      });
    });
}
