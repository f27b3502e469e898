import { availableParallelism } from 'node:os';
import type { ScanReport } from '../core/report.js';
import { defaultFeedsDir } from '../scan/load-feeds.js';
import type { RiskContext } from '../scan/prioritize-findings.js';
import { HOST_ANALYZERS, runHost } from '../scan/run-host.js';
import { runScan } from '../scan/run-scan.js';

/** What the server knows that a run's risk step reads: the asset registry's criticality and exposure. */
export interface RunContext {
  readonly assetContext?: RiskContext['assetContext'];
}

/** What a scan job runs: the same engines as the `scan` and `host` commands, with their defaults. */
export interface ScanRunners {
  /** Scans base URLs from outside. */
  scan(targets: readonly string[], signal: AbortSignal, context?: RunContext): Promise<ScanReport>;
  /** Runs every host analyzer on one host root on this worker's filesystem. */
  host(root: string, signal: AbortSignal, context?: RunContext): Promise<ScanReport>;
}

/** The runners of the `scan` and `host` commands with their command-line defaults. */
export function defaultRunners(options: { readonly feedsDir?: string; readonly threads?: number } = {}): ScanRunners {
  const feedsDir = options.feedsDir ?? defaultFeedsDir();
  return {
    async scan(targets, signal, context = {}) {
      const outcome = await runScan({
        targets,
        // The command's defaults: polite enough for production sites, since schedules run unattended.
        http: { ratePerHost: 20, concurrency: 10, concurrencyPerHost: 4, connectTimeoutMs: 10_000, headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000, retries: 1, errorBudget: 5 },
        evidenceCap: 5,
        minSeverity: 'info',
        feedsDir,
        ...context,
        signal,
        now: () => new Date(),
      });
      return outcome.report;
    },
    async host(root, signal, context = {}) {
      const outcome = await runHost({
        root,
        analyzers: new Set(HOST_ANALYZERS),
        yaraPaths: [],
        sigmaPaths: [],
        feedsDir,
        maxFileSize: 32 * 1024 * 1024,
        // The worker shares its machine with the server: half the cores, at least one.
        threads: options.threads ?? Math.max(1, Math.floor(availableParallelism() / 2)),
        evidenceCap: 5,
        minSeverity: 'info',
        ...context,
        signal,
        now: () => new Date(),
      });
      return outcome.report;
    },
  };
}

/** Joins the reports of several host roots into one run: findings and coverage side by side. */
export function joinReports(reports: readonly ScanReport[]): ScanReport {
  const [first, ...rest] = reports;
  if (first === undefined) throw new Error('no report to join');
  if (rest.length === 0) return first;
  return {
    ...first,
    finishedAt: reports.map((r) => r.finishedAt).sort().at(-1) ?? first.finishedAt,
    inputs: reports.flatMap((r) => r.inputs),
    issues: reports.flatMap((r) => r.issues),
    findings: reports.flatMap((r) => r.findings),
    rules: [...new Map(reports.flatMap((r) => r.rules).map((rule) => [rule.id, rule])).values()],
    coverage: reports.flatMap((r) => r.coverage ?? []),
    ...(first.assets === undefined ? {} : { assets: reports.flatMap((r) => r.assets ?? []) }),
  };
}
