import { Command } from 'commander';
import { DEFAULT_USER_AGENT } from '../engines/http-client/http-client.js';
import { loadHttpTemplates } from '../engines/http-template/load-http-templates.js';
import { diagnosticIssues, templateProbe } from '../analyzers/http-probe/template-probe.js';
import type { SiteProbe } from '../analyzers/http-probe/http-probe-analyzer.js';
import { tlsProbe } from '../analyzers/http-probe/tls-check.js';
import { InputError } from '../targets/input-error.js';
import { existsSync } from 'node:fs';
import { runScan } from '../scan/run-scan.js';
import { readUrlTargets, TargetError } from '../targets/read-url-targets.js';
import { readScanBaseline } from '../targets/read-scan-baseline.js';
import { UsageError } from './exit-code.js';
import { finishReport, withStoreOptions } from './finish-report.js';
import { integerOption, severityOption } from './parse-option.js';
import { withOptionalStore } from './store-option.js';
import { reportFormatOption } from './write-report.js';
import { withReportOptions } from './report-options.js';

interface ScanFlags {
  targets?: string;
  format: string;
  output?: string;
  failOn?: string;
  minSeverity: string;
  evidenceCap: string;
  rate: string;
  concurrency: string;
  hostConcurrency: string;
  timeout: string;
  retries: string;
  errorBudget: string;
  proxy?: string;
  header: string[];
  cookie?: string;
  userAgent: string;
  templates: string[];
  tls: boolean;
  baseline?: string;
  db?: string;
  showSuppressed?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `w3guard scan URL…`: the outside view of IIS sites. Sets `process.exitCode`. */
export function scanCommand(signal: AbortSignal): Command {
  return withStoreOptions(withReportOptions(
    new Command('scan')
    .description('scan live IIS sites from outside: versions, exposures, IIS and ASP.NET flaws, Telerik, Exchange/SharePoint builds, tampering')
    .argument('[urls...]', 'sites to scan (https://host[:port][/path], or a bare host name for https); only these hosts are contacted')
    .option('--targets <file>', 'read more sites from this file, one per line (# comments)')
    .option('-t, --templates <path>', 'also run the Nuclei-format HTTP templates in this file or folder (repeatable)', collect, [] as string[])
    .option('--rate <n>', 'requests per second per host (0: no limit)', '20')
    .option('--concurrency <n>', 'requests in flight over all hosts', '10')
    .option('--host-concurrency <n>', 'requests in flight per host', '4')
    .option('--timeout <seconds>', 'connect, header and body timeout, each', '10')
    .option('--retries <n>', 'retries after a transport error, with back-off', '1')
    .option('--error-budget <n>', 'consecutive failed requests after which a host is left alone', '5')
    .option('--proxy <url>', 'send every request through this HTTP(S) proxy')
    .option('-H, --header <name: value>', 'add a header to every request, e.g. for authenticated scans (repeatable)', collect, [] as string[])
    .option('--cookie <cookies>', 'send these cookies with every request ("a=1; b=2")')
    .option('--user-agent <ua>', 'User-Agent of our own requests', DEFAULT_USER_AGENT)
    .option('--baseline <report.json>', 'a previous scan report (--format json): outside script domains new since then are reported')
    .option('--no-tls', 'skip the TLS probe of https sites (protocols, suites, certificate)'),
  ))
    .action(async (args: string[], flags: ScanFlags) => {
      const format = reportFormatOption(flags.format);
      const failOn = flags.failOn === undefined ? undefined : severityOption('--fail-on', flags.failOn);
      let targets;
      try {
        targets = await readUrlTargets(args, flags.targets);
      } catch (error) {
        if (error instanceof TargetError) throw new UsageError(error.message);
        throw error;
      }
      if (targets.urls.length === 0) throw new UsageError('name at least one site to scan (a URL, or --targets FILE).');
      if (flags.proxy !== undefined && !/^https?:\/\/[^\s/]+/i.test(flags.proxy)) throw new UsageError(`--proxy takes an http(s) URL, not ${JSON.stringify(flags.proxy)}.`);
      const headers = flags.header.map((h): [string, string] => {
        const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(h);
        if (m === null) throw new UsageError(`--header takes "Name: value", not ${JSON.stringify(h)}.`);
        return [m[1] ?? '', m[2] ?? ''];
      });
      const timeoutMs = integerOption('--timeout', flags.timeout, 1, 600) * 1000;
      const probes: SiteProbe[] = flags.tls ? [tlsProbe({ timeoutMs })] : [];
      const issues = [...targets.issues];
      if (flags.templates.length > 0) {
        for (const given of flags.templates) if (!existsSync(given)) throw new InputError('input.not-found', given, `${JSON.stringify(given)} does not exist.`);
        const loaded = await loadHttpTemplates(flags.templates);
        issues.push(...diagnosticIssues(loaded.diagnostics));
        probes.push(templateProbe(loaded.templates));
        process.stderr.write(`w3guard scan: ${loaded.templates.length} of ${loaded.files} templates loaded, ${loaded.diagnostics.filter((d) => d.fatal).length} left out (see the report's issues)\n`);
      }
      const baseline = flags.baseline === undefined ? undefined : await readScanBaseline(flags.baseline);
      await withOptionalStore(flags.db, async (store) => {
        const outcome = await runScan({
          ...(baseline === undefined ? {} : { baseline }),
          targets: targets.urls,
          http: {
            userAgent: flags.userAgent,
            headers,
            ...(flags.cookie === undefined ? {} : { cookie: flags.cookie }),
            ...(flags.proxy === undefined ? {} : { proxy: flags.proxy }),
            ratePerHost: integerOption('--rate', flags.rate, 0, 10_000),
            concurrency: integerOption('--concurrency', flags.concurrency, 1, 1000),
            concurrencyPerHost: integerOption('--host-concurrency', flags.hostConcurrency, 1, 256),
            connectTimeoutMs: timeoutMs,
            headersTimeoutMs: timeoutMs,
            bodyTimeoutMs: timeoutMs,
            retries: integerOption('--retries', flags.retries, 0, 10),
            errorBudget: integerOption('--error-budget', flags.errorBudget, 1, 10_000),
          },
          issues,
          probes,
          evidenceCap: integerOption('--evidence-cap', flags.evidenceCap, 1, 1000),
          minSeverity: severityOption('--min-severity', flags.minSeverity),
          signal,
          now: () => new Date(),
        });
        await finishReport(store, outcome.report, { format, output: flags.output, failOn, showSuppressed: flags.showSuppressed });
        const { stats } = outcome;
        const perSecond = stats.sent / Math.max(outcome.wallMs / 1000, 0.001);
        process.stderr.write(
          `w3guard scan: ${targets.urls.length} site(s), ${stats.sent} requests (${perSecond.toFixed(0)}/s), ${stats.duplicatesAvoided} duplicates avoided, ${stats.failures} failed, ${(outcome.wallMs / 1000).toFixed(1)} s\n`,
        );
      });
    });
}
