import type { Analyzer, AnalyzerContext, AnalyzerResult } from '../../core/analyzer.js';
import type { Asset } from '../../core/asset.js';
import type { Coverage } from '../../core/coverage.js';
import type { InputSummary } from '../../core/artifact.js';
import { FindingAggregator } from '../../core/finding-aggregator.js';
import type { RuleMeta } from '../../core/rule-meta.js';
import type { ScanIssue } from '../../core/scan-issue.js';
import { HttpClientError, type HttpClient } from '../../engines/http-client/http-client.js';
import type { ProbeCheck, ProbeContext, ProbeExchange, ProbeHit } from './probe-check.js';
import { PROBE_CHECKS } from './probe-checks.js';

/** Something else that probes a site with the same client (templates, TLS) and hands back hits. */
export interface SiteProbe {
  readonly rules: readonly RuleMeta[];
  run(context: ProbeContext): Promise<{ hits: ProbeHit[]; issues: ScanIssue[] }>;
}

/** What the outside-in scan is asked to do. */
export interface HttpProbeInput {
  /** Base URLs (`scheme://host[:port]`, optionally with a path), already in the client's scope. */
  readonly targets: readonly string[];
  readonly client: HttpClient;
  readonly now: Date;
  /** Defaults to `PROBE_CHECKS`. */
  readonly checks?: readonly ProbeCheck[];
  /** More probes run after the checks: loaded templates, the TLS probe. */
  readonly extra?: readonly SiteProbe[];
}

/** The outside view of IIS sites: our own IIS and ASP.NET checks plus any templates, over one scoped HTTP client. */
export const httpProbeAnalyzer = {
  id: 'http-probe',
  version: '1',
  description: 'Outside-in IIS and ASP.NET checks: fingerprint, short names, methods, exposures, Telerik, ViewState, cookies, headers, MS15-034, Exchange/SharePoint builds, tampering',
  async run(input: HttpProbeInput, context: AnalyzerContext): Promise<AnalyzerResult> {
    const checks = input.checks ?? PROBE_CHECKS;
    const extra = input.extra ?? [];
    const perTarget = await Promise.all(
      input.targets.map(async (target) => {
        const base = target.replace(/\/+$/, '');
        const counts = { answered: 0, failed: 0, errors: new Map<string, number>() };
        const probeContext: ProbeContext = {
          base,
          client: input.client,
          now: input.now,
          async fetch(path, init = {}): Promise<ProbeExchange | undefined> {
            context.signal.throwIfAborted();
            const request = { method: init.method ?? 'GET', url: base + (path.startsWith('/') ? path : `/${path}`), ...(init.headers === undefined ? {} : { headers: init.headers }), ...(init.body === undefined ? {} : { body: init.body }), ...(init.redirects === undefined ? {} : { redirects: init.redirects }) };
            try {
              const response = await input.client.send(request);
              counts.answered += 1;
              return { request, response, text: response.body.toString('latin1') };
            } catch (error) {
              if (!(error instanceof HttpClientError)) throw error;
              if (error.code === 'http.aborted') context.signal.throwIfAborted();
              counts.failed += 1;
              counts.errors.set(error.code, (counts.errors.get(error.code) ?? 0) + 1);
              return undefined;
            }
          },
        };
        const results = await Promise.all(checks.map((check) => check.run(probeContext)));
        const extraResults = await Promise.all(extra.map((probe) => probe.run(probeContext)));
        return { base, counts, hits: [...results.flat(), ...extraResults.flatMap((r) => r.hits)], issues: extraResults.flatMap((r) => r.issues) };
      }),
    );
    const aggregator = new FindingAggregator(context.evidenceCap);
    const inputs: InputSummary[] = [];
    const issues: ScanIssue[] = [];
    for (const { base, counts, hits, issues: own } of perTarget) {
      const asset: Asset = { id: base, kind: 'url' };
      for (const hit of hits) aggregator.add({ rule: hit.rule, asset, locationKey: hit.locationKey, evidence: hit.evidence });
      inputs.push({ kind: 'url', path: base, records: counts.answered, skipped: counts.failed, bytes: 0 });
      issues.push(...own);
      const failures = [...counts.errors].filter(([code]) => code !== 'http.host-down' && code !== 'http.off-scope');
      if (failures.length > 0) issues.push({ code: 'http.requests-failed', message: `${base}: ${failures.map(([code, n]) => `${n} × ${code}`).join(', ')}`, path: base });
    }
    issues.push(...input.client.issues);
    const rules = uniqueRules([...checks.flatMap((c) => c.rules), ...extra.flatMap((p) => p.rules)]);
    // Every check ran against a site that answered every request: it covers that site. A site with a failed
    // request (down, timed out, left alone after its error budget) or a probe issue closes nothing.
    const answered = perTarget.filter(({ counts, issues: own }) => counts.failed === 0 && counts.answered > 0 && own.length === 0).map(({ base }) => base);
    const coverage: Coverage[] = rules.flatMap((rule) => answered.map((asset) => ({ ruleId: rule.id, asset })));
    return { groups: aggregator.groups(), inputs, issues, rules, coverage };
  },
} satisfies Analyzer<HttpProbeInput>;

function uniqueRules(rules: readonly RuleMeta[]): RuleMeta[] {
  const byId = new Map<string, RuleMeta>();
  for (const rule of rules) if (!byId.has(rule.id)) byId.set(rule.id, rule);
  return [...byId.values()];
}
