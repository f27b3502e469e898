import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { BaselineError } from '../analyzers/webroot-sweep/sweep-baseline.js';
import { escapeTerminal } from '../report/escape-terminal.js';
import { defaultFeedsDir } from '../scan/load-feeds.js';
import { runSweep } from '../scan/run-sweep.js';
import { UsageError } from './exit-code.js';
import { finishReport, withStoreOptions } from './finish-report.js';
import { byteSizeOption, integerOption, severityOption } from './parse-option.js';
import { withOptionalStore } from './store-option.js';
import { reportFormatOption } from './write-report.js';
import { withReportOptions } from './report-options.js';

interface SweepFlags {
  host: string[];
  yara: string[];
  builtinRules: boolean;
  baseline?: string;
  updateBaseline?: boolean;
  maxFileSize: string;
  threads?: string;
  inventory: boolean;
  feedsDir?: string;
  format: string;
  output?: string;
  failOn?: string;
  minSeverity: string;
  evidenceCap: string;
  db?: string;
  showSuppressed?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];
/** `w3guard sweep PATH…`: YARA, placement rules and drift in web roots, temp and ProgramData folders. Sets `process.exitCode`. */
export function sweepCommand(signal: AbortSignal): Command {
  return withStoreOptions(withReportOptions(
    new Command('sweep')
    .description('sweep web roots for web shells, dropped binaries and what changed since a baseline')
    .argument('[paths...]', 'folders to sweep (web roots, any folder)')
    .option('--host <root>', 'a host root (a folder laid out like C:\\): every site folder from applicationHost.config, Windows/Temp, ProgramData, inetpub/temp (repeatable)', collect, [])
    .option('--yara <path>', 'a YARA rule file or folder of .yar/.yara files, loaded at run time (repeatable)', collect, [])
    .option('--no-builtin-rules', "leave out w3guard's own YARA rules (content/yara)")
    .option('--baseline <file>', 'compare with this baseline (written on the first run) and report new, changed and removed files')
    .option('--update-baseline', 'after reporting, replace the baseline with the current state')
    .option('--no-inventory', 'with --host: leave out the versions of web applications\' components (bin/ folders) judged against advisories')
    .option('--feeds-dir <dir>', `with --host: where "feeds update" keeps KEV and EPSS (default ${defaultFeedsDir()})`)
    .option('--max-file-size <size>', 'scan and hash at most this much of each file', '32M')
    .option('--threads <n>', `worker threads (default: all cores, ${availableParallelism()})`),
  ))
    .action(async (paths: string[], flags: SweepFlags) => {
      if (paths.length === 0 && flags.host.length === 0) throw new UsageError('sweep needs a folder or --host ROOT.');
      if (flags.updateBaseline === true && flags.baseline === undefined) throw new UsageError('--update-baseline needs --baseline FILE.');
      const format = reportFormatOption(flags.format);
      const failOn = flags.failOn === undefined ? undefined : severityOption('--fail-on', flags.failOn);
      const started = Date.now();
      await withOptionalStore(flags.db, async (store) => {
        let outcome;
        try {
          outcome = await runSweep({
            paths,
            hostRoots: flags.host,
            yaraPaths: flags.yara,
            builtinYara: flags.builtinRules,
            maxFileSize: byteSizeOption('--max-file-size', flags.maxFileSize),
            threads: flags.threads === undefined ? availableParallelism() : integerOption('--threads', flags.threads, 0, 256),
            ...(flags.baseline === undefined ? {} : { baselineFile: flags.baseline }),
            updateBaseline: flags.updateBaseline === true,
            ...(flags.inventory && flags.host.length > 0 ? { inventoryFeedsDir: flags.feedsDir ?? defaultFeedsDir() } : {}),
            evidenceCap: integerOption('--evidence-cap', flags.evidenceCap, 1, 1000),
            minSeverity: severityOption('--min-severity', flags.minSeverity),
            signal,
            now: () => new Date(),
          });
        } catch (error) {
          if (error instanceof BaselineError) throw new UsageError(error.message);
          throw error;
        }
        await finishReport(store, outcome.report, { format, output: flags.output, failOn, showSuppressed: flags.showSuppressed });
        const seconds = (Date.now() - started) / 1000;
        const baseline = outcome.baseline === undefined ? '' : `; baseline ${outcome.baseline === 'written' ? 'written' : outcome.baseline === 'compared' ? 'compared' : 'compared and updated'} (${escapeTerminal(flags.baseline ?? '')})`;
        process.stderr.write(`w3guard sweep: ${outcome.files} files in ${seconds.toFixed(1)} s; YARA rule files: ${outcome.ruleFiles.loaded} loaded, ${outcome.ruleFiles.refused} refused${baseline}\n`);
      });
    });
}
