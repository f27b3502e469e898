import type { Asset } from '../../core/asset.js';
import type { Coverage } from '../../core/coverage.js';
import type { CheckSummary } from '../../core/check-summary.js';
import type { FindingDraft } from '../../core/finding-draft.js';
import type { ScanIssue } from '../../core/scan-issue.js';
import type { IisConfig } from '../../formats/iis-config/iis-config.js';
import { auditTargets } from './audit-targets.js';
import type { AuditHost, CheckFailure, CheckResult, CheckTarget, ConfigCheck } from './config-check.js';

/** Longest evidence text kept, in characters; values come from files an attacker may have written. */
export const EVIDENCE_TEXT_CHARS = 400;

/** What running the checks on one host produced. */
export interface ConfigChecksOutcome {
  readonly drafts: FindingDraft[];
  readonly summaries: CheckSummary[];
  readonly issues: ScanIssue[];
  /** Check × asset pairs decided (pass or fail) on every result, for the findings store. */
  readonly coverage: Coverage[];
}

/** How findings name their assets. */
export interface RunConfigChecksOptions {
  /**
   * Prefix site, application and pool assets with the host label (`WEB01/Default Web Site`): set when one run
   * audits several hosts, whose same-named sites are different assets.
   */
  readonly qualifyAssets?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Runs every check on every target of its scope. A failure inherited by many paths (the same file, line and
 * location) becomes one finding, on the first target in server → site → application order.
 */
export async function runConfigChecks(config: IisConfig, host: AuditHost, hostLabel: string, checks: readonly ConfigCheck[], options: RunConfigChecksOptions = {}): Promise<ConfigChecksOutcome> {
  const signal = options.signal;
  const qualify = (asset: Asset): Asset => (options.qualifyAssets === true && asset.kind !== 'host' ? { id: `${hostLabel}/${asset.id}`, kind: asset.kind, name: asset.name ?? asset.id } : asset);
  const targets = auditTargets(config, hostLabel);
  const drafts: FindingDraft[] = [];
  const summaries: CheckSummary[] = [];
  const issues: ScanIssue[] = [];
  const coverage: Coverage[] = [];
  for (const check of checks) {
    signal?.throwIfAborted();
    const counts = { pass: 0, fail: 0, notEvaluated: 0 };
    const reasons = new Set<string>();
    const seen = new Set<string>();
    const scoped = targets[check.scope];
    if (scoped.length === 0) {
      counts.notEvaluated += 1;
      reasons.add(check.scope === 'app-pool' ? 'no application pools configured' : check.scope === 'site' ? 'no sites configured' : 'nothing to evaluate');
    }
    for (const target of scoped) {
      let results: readonly CheckResult[];
      try {
        results = await check.evaluate({ config, host, target });
      } catch (error) {
        issues.push({ code: 'audit.check-failed', message: `check ${check.meta.id} failed on ${target.sitePath || hostLabel}: ${error instanceof Error ? error.message : String(error)}`, path: target.file });
        results = [{ status: 'not-evaluated', reason: 'the check failed; see issues' }];
      }
      // Decided on this target when no result was left undecided: then its failures are all that is wrong there.
      if (results.length > 0 && results.every((result) => result.status !== 'not-evaluated')) {
        const covered = new Set([qualify(target.asset).id]);
        // A site-scope check walks the site's applications too, and files its failures on them.
        if (check.scope === 'site') for (const app of targets.application) if (app.sitePath.startsWith(`${target.sitePath}/`)) covered.add(qualify(app.asset).id);
        for (const result of results) if (result.status === 'fail' && result.asset !== undefined) covered.add(qualify(result.asset).id);
        for (const asset of covered) coverage.push({ ruleId: check.meta.id, asset });
      }
      for (const result of results) {
        if (result.status === 'pass') counts.pass += 1;
        else if (result.status === 'not-evaluated') {
          counts.notEvaluated += 1;
          reasons.add(result.reason);
        } else {
          const key = result.fromDefault === true ? `default\u0000${result.location}` : `${result.file}\u0000${result.line ?? 0}\u0000${result.location}`;
          if (seen.has(key)) continue;
          seen.add(key);
          counts.fail += 1;
          drafts.push(...toDrafts(check, target, result, qualify));
        }
      }
    }
    summaries.push({ id: check.meta.id, title: check.meta.title, tags: check.meta.tags, ...counts, notEvaluatedReasons: [...reasons].sort() });
  }
  return { drafts, summaries, issues, coverage };
}

function toDrafts(check: ConfigCheck, target: CheckTarget, result: CheckFailure, qualify: (asset: Asset) => Asset): FindingDraft[] {
  const rule = result.severity === undefined || result.severity === check.meta.severity ? check.meta : { ...check.meta, severity: result.severity };
  const asset = qualify(result.asset ?? target.asset);
  const text = evidenceText(result);
  const lines = [result.line, ...(result.alsoLines ?? [])];
  return lines.map((line) => ({
    rule,
    asset,
    locationKey: result.location,
    evidence: { kind: 'config', file: result.file, ...(line === undefined ? {} : { line }), text },
  }));
}

/** `<location>: <attribute>="<value>"`, what was expected and any note, capped. Escaping is the reporters' job. */
export function evidenceText(result: CheckFailure): string {
  const text = `${result.location}: ${result.attribute}="${result.found}" (expected ${result.expected}${result.note === undefined || result.note === '' ? '' : `; ${result.note}`})`;
  if (text.length <= EVIDENCE_TEXT_CHARS) return text;
  return `${Array.from(text).slice(0, EVIDENCE_TEXT_CHARS).join('')}…`;
}
