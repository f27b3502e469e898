import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import type { HostAnalyzerId } from '../scan/attribute-to-host.js';
import { defaultFeedsDir } from '../scan/load-feeds.js';
import { HOST_ANALYZERS, runHost } from '../scan/run-host.js';
import { HostConfigError, readHostConfig, type HostConfig } from '../targets/read-host-config.js';
import { UsageError } from './exit-code.js';
import { byteSizeOption, integerOption, severityOption } from './parse-option.js';
import { withOptionalStore } from './store-option.js';
import { finishReport, withStoreOptions } from './finish-report.js';
import { reportFormatOption } from './write-report.js';
import type { ScanReport } from '../core/report.js';
import { jsonReporter } from '../report/json-reporter.js';
import { withReportOptions } from './report-options.js';

interface HostFlags {
  db?: string;
  showSuppressed?: boolean;
  config?: string;
  drive: string[];
  yara: string[];
  sigma: string[];
  feedsDir?: string;
  maxFileSize: string;
  threads?: string;
  format: string;
  output?: string;
  failOn?: string;
  minSeverity: string;
  evidenceCap: string;
  audit: boolean;
  sweep: boolean;
  inventory: boolean;
  hunt: boolean;
  events: boolean;
  push?: string;
  token?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `--drive D:=/mnt/d`: another drive letter of the server, mapped to a folder. */
function driveOption(values: readonly string[]): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const drives: Record<string, string> = {};
  for (const value of values) {
    const match = /^([A-Za-z]):?=(.+)$/.exec(value);
    if (match === null) throw new UsageError(`--drive takes LETTER:=FOLDER such as D:=/mnt/d, not ${JSON.stringify(value)}.`);
    drives[`${(match[1] as string).toUpperCase()}:`] = match[2] as string;
  }
  return drives;
}

/** Sends the report to the server as JSON, with what the run covered so the server can close what is gone. */
async function pushHostReport(report: ScanReport, url: string, token: string, signal: AbortSignal): Promise<void> {
  const { pushReport, PushError } = await import('../jobs/push-report.js');
  const body = JSON.parse(jsonReporter.render(report, { color: false })) as Record<string, unknown>;
  body['coverage'] = (report.coverage ?? []).map((entry) => ({ ruleId: entry.ruleId, asset: entry.asset }));
  try {
    const runId = await pushReport(JSON.stringify(body), {
      url,
      token,
      signal,
      onRetry: (attempt, waitMs, why) => process.stderr.write(`w3guard host: push try ${attempt} failed (${why}); again in ${(waitMs / 1000).toFixed(1)} s\n`),
    });
    process.stderr.write(`w3guard host: report pushed as run ${runId}\n`);
  } catch (error) {
    if (error instanceof PushError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/** `w3guard host ROOT`: every analyzer that applies to one host root, as one report. Sets `process.exitCode`. */
export function hostCommand(signal: AbortSignal): Command {
  return withStoreOptions(withReportOptions(
    new Command('host')
    .description('one report for one IIS host: audit, sweep, inventory, hunt and events on a live C:\\, a mounted image or a triage folder, findings on their site')
    .argument('<root>', 'a folder laid out like C:\\ (applicationHost.config, inetpub, Windows/System32/winevt/Logs, … matched case-insensitively)')
    .option('--config <file>', 'w3guard.yaml: the host name and per asset criticality, exposure, tags, owners (see docs/host.md); never read from the root itself')
    .option('--drive <letter=folder>', 'map another drive of the server, such as D:=/mnt/d (repeatable); C: is the root', collect, [] as string[])
    .option('--no-audit', 'leave out the configuration audit')
    .option('--no-sweep', 'leave out the sweep of web roots and drop folders')
    .option('--no-inventory', 'leave out the inventory of components and their advisories')
    .option('--no-hunt', 'leave out the hunt in the sites\' logs and HTTPERR')
    .option('--no-events', 'leave out the event logs')
    .option('--yara <path>', 'also run the YARA rules in this file or folder in the sweep (repeatable)', collect, [] as string[])
    .option('--sigma <path>', 'also run the Sigma rules in this file or folder in the hunt and the event logs (repeatable)', collect, [] as string[])
    .option('--feeds-dir <dir>', `where "feeds update" keeps KEV and EPSS (default ${defaultFeedsDir()})`)
    .option('--max-file-size <size>', 'sweep: scan at most this much of each file', '32M')
    .option('--push <url>', 'also send the report to a w3guard server (its address, e.g. https://w3guard.example), retried until it gets through')
    .option('--token <token>', 'the API token for --push (default: the W3GUARD_TOKEN environment variable, which keeps it out of the process list)')
    .option('--threads <n>', `worker threads of each of sweep, hunt and events (default: all cores, ${availableParallelism()})`),
  ))
    .action(async (root: string, flags: HostFlags) => {
      const format = reportFormatOption(flags.format);
      const failOn = flags.failOn === undefined ? undefined : severityOption('--fail-on', flags.failOn);
      const analyzers = new Set<HostAnalyzerId>(HOST_ANALYZERS.filter((id) => flags[id]));
      if (analyzers.size === 0) throw new UsageError('host needs at least one analyzer: every one was switched off.');
      let config: HostConfig | undefined;
      try {
        config = flags.config === undefined ? undefined : await readHostConfig(flags.config);
      } catch (error) {
        if (error instanceof HostConfigError) throw new UsageError(`--config: ${error.message}`, { cause: error });
        throw error;
      }
      const drives = driveOption(flags.drive);
      const token = flags.token ?? process.env['W3GUARD_TOKEN'];
      if (flags.push !== undefined && (token === undefined || token === '')) throw new UsageError('--push needs an API token: --token TOKEN or the W3GUARD_TOKEN environment variable.');
      if (flags.push === undefined && flags.token !== undefined) throw new UsageError('--token goes with --push URL.');
      const request = {
        root,
        ...(config === undefined ? {} : { config }),
        ...(drives === undefined ? {} : { drives }),
        analyzers,
        yaraPaths: flags.yara,
        sigmaPaths: flags.sigma,
        feedsDir: flags.feedsDir ?? defaultFeedsDir(),
        maxFileSize: byteSizeOption('--max-file-size', flags.maxFileSize),
        threads: flags.threads === undefined ? availableParallelism() : integerOption('--threads', flags.threads, 1, 256),
        evidenceCap: integerOption('--evidence-cap', flags.evidenceCap, 1, 1000),
        minSeverity: severityOption('--min-severity', flags.minSeverity),
        signal,
        now: () => new Date(),
      };
      await withOptionalStore(flags.db, async (store) => {
        const { report, host, runs } = await runHost(request);
        const kinds = (kind: string): number => host.assets.assets.filter((asset) => asset.kind === kind).length;
        process.stderr.write(
          `w3guard host: ${host.assets.host.id}: ${kinds('site')} sites, ${kinds('application')} applications, ${kinds('app-pool')} app pools; ` +
            `${runs.map((run) => `${run.analyzer} ${run.failed === undefined ? `${(run.ms / 1000).toFixed(1)} s` : 'failed'}`).join(', ')}\n`,
        );
        if (flags.push !== undefined) await pushHostReport(report, flags.push, token ?? '', signal);
        await finishReport(store, report, { format, output: flags.output, failOn, showSuppressed: flags.showSuppressed });
      });
    });
}
