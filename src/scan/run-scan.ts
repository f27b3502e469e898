import type { ScanReport } from '../core/report.js';
import type { ScanIssue } from '../core/scan-issue.js';
import type { Severity } from '../core/severity.js';
import { httpProbeAnalyzer } from '../analyzers/http-probe/http-probe-analyzer.js';
import type { SiteProbe } from '../analyzers/http-probe/http-probe-analyzer.js';
import { HttpClient, type HttpClientOptions, type HttpClientStats } from '../engines/http-client/http-client.js';
import { HttpScope } from '../engines/http-client/http-scope.js';
import { assembleReport } from './assemble-report.js';
import { defaultFeedsDir } from './load-feeds.js';
import { loadRiskFeeds } from './load-risk-feeds.js';
import type { RiskContext } from './prioritize-findings.js';
import { compareScriptHosts, NEW_EXTERNAL_SCRIPT, type ScriptBaseline } from '../analyzers/http-probe/compare-script-hosts.js';

/** Everything `scan` needs, parsed and validated. */
export interface ScanRequest {
  /** Base URLs; only their hosts are ever contacted. */
  readonly targets: readonly string[];
  /** Client limits and identity (scope is built from `targets`). */
  readonly http: Omit<HttpClientOptions, 'scope' | 'signal'>;
  /** Probes beyond the built-in checks: templates, TLS. */
  readonly probes?: readonly SiteProbe[];
  /** Problems found before the scan started (bad target lines, template diagnostics). */
  readonly issues?: readonly ScanIssue[];
  /** Outside script domains per site from the previous scan (`--baseline`). */
  readonly baseline?: ScriptBaseline;
  readonly evidenceCap: number;
  readonly minSeverity: Severity;
  /** Where "feeds update" keeps KEV and EPSS, for the risk of findings that name a CVE (default: the user's cache). */
  readonly feedsDir?: string;
  /** Criticality and exposure per asset (the server's asset registry), for the risk step. */
  readonly assetContext?: RiskContext['assetContext'];
  readonly signal: AbortSignal;
  readonly now: () => Date;
}

/** The report plus the HTTP engine's counters, for the command's summary line and the benchmark. */
export interface ScanOutcome {
  readonly report: ScanReport;
  readonly stats: HttpClientStats;
  readonly wallMs: number;
}

/** Scans live sites from outside and returns the report; only the named hosts are contacted. */
export async function runScan(request: ScanRequest): Promise<ScanOutcome> {
  const started = performance.now();
  const startedAt = request.now();
  const client = new HttpClient({ ...request.http, scope: new HttpScope(request.targets), signal: request.signal });
  try {
    const result = await httpProbeAnalyzer.run(
      { targets: request.targets, client, now: startedAt, extra: request.probes ?? [] },
      { signal: request.signal, evidenceCap: request.evidenceCap },
    );
    const risk = await loadRiskFeeds(result.groups, request.feedsDir ?? defaultFeedsDir());
    const report = assembleReport(
      { command: 'scan', startedAt: startedAt.toISOString(), now: request.now, evidenceCap: request.evidenceCap, minSeverity: request.minSeverity, risk: { ...risk, ...(request.assetContext === undefined ? {} : { assetContext: request.assetContext }) } },
      {
        ...result,
        groups: request.baseline === undefined ? result.groups : [...result.groups, ...compareScriptHosts(result.groups, request.baseline)],
        rules: request.baseline === undefined ? result.rules : [...result.rules, NEW_EXTERNAL_SCRIPT],
        issues: [...(request.issues ?? []), ...result.issues, ...risk.issues],
      },
    );
    return { report, stats: { ...client.stats }, wallMs: performance.now() - started };
  } finally {
    await client.close();
  }
}
