import { fileURLToPath } from 'node:url';
import type { RuleMeta } from '../../core/rule-meta.js';
import type { ScanIssue } from '../../core/scan-issue.js';
import type { CompiledSigmaRule } from '../../engines/sigma/compile-sigma-rule.js';
import { compileSigmaCorrelations, type CompiledSigmaCorrelation } from '../../engines/sigma/compile-sigma-correlations.js';
import { compileSigmaRules } from '../../engines/sigma/compile-sigma-rules.js';
import { loadSigmaRules } from '../../engines/sigma/load-sigma-rules.js';
import type { SigmaDiagnostic } from '../../engines/sigma/sigma-diagnostic.js';
import type { SigmaRecord } from '../../engines/sigma/sigma-record.js';
import type { WebRecord } from '../../formats/web-log/web-record.js';
import { CONTENT_ROOT } from '../content-root.js';
import { BUILTIN_WEB_RULES } from './builtin-rules.js';
import type { WebDetector } from './web-detector.js';
import { loadWebFieldMapping } from './web-field-mapping.js';
import { webSigmaRecord } from './web-sigma-record.js';

/** w3guard's own Sigma rules for IIS web logs. */
export const WEB_CONTENT_DIR = fileURLToPath(new URL('sigma/weblog/', CONTENT_ROOT));

/** Which rules a hunt runs; plain data, so worker threads load the same. */
export interface WebRuleSources {
  /** w3guard's own detection content (built-in detectors and `content/sigma/weblog`). */
  readonly content: boolean;
  /** Users' Sigma rule files and folders. */
  readonly sigmaPaths: readonly string[];
  /** Where parsed rule files are kept between runs (see `openSigmaParseCache`); none: parse every file. */
  readonly cacheDir?: string;
}

/** The detectors a hunt runs, and what was wrong with the rules it could not run. */
export interface WebRules {
  readonly detectors: readonly WebDetector[];
  /** Sigma correlation rules over the web rules' matches, judged once every part of a hunt is merged. */
  readonly correlations: readonly CompiledSigmaCorrelation[];
  readonly diagnostics: readonly SigmaDiagnostic[];
  /** Sigma rules for other log sources (Windows events, proxies, …), not compiled, not run; a file not parsed because it names no web log source counts once. */
  readonly otherLogsource: number;
  /** The users' rule files that hold rules or correlations run on web logs: all another thread needs to load. */
  readonly webRuleFiles: readonly string[];
}

/** Loads and compiles the rules; broken rules become diagnostics and the rest still run. */
export async function loadWebRules(sources: WebRuleSources): Promise<WebRules> {
  const mapping = await loadWebFieldMapping();
  const paths = [...(sources.content ? [WEB_CONTENT_DIR] : []), ...sources.sigmaPaths];
  // Files that name no web log source are not even parsed: SigmaHQ is thousands of Windows rules.
  const loaded = paths.length === 0 ? { rules: [], correlations: [], diagnostics: [], screenedOut: 0 } : await loadSigmaRules(paths, { screen: mapping.mayAccept, ...(sources.cacheDir === undefined ? {} : { cacheDir: sources.cacheDir, screenKey: mapping.screenKey }) });
  // Only rules for web logs are compiled: a hunt never runs the others (`rules lint` checks them all).
  const forWeb = loaded.rules.filter((rule) => mapping.accepts(rule.logsource));
  const compiled = compileSigmaRules(forWeb, { fieldMapping: mapping.fields });
  const web = compiled.compiled;
  // Correlations over rules of other log sources bind to nothing here and are reported as such.
  const correlations = compileSigmaCorrelations(loaded.correlations, web, { fieldMapping: mapping.fields });
  const view = sharedSigmaView();
  const detectors: WebDetector[] = [...(sources.content ? BUILTIN_WEB_RULES : []), ...web.map((rule) => sigmaDetector(rule, view))];
  const webFiles = new Set([...web.map((rule) => rule.rule.file), ...correlations.compiled.map((c) => c.correlation.file)]);
  return {
    detectors,
    webRuleFiles: [...webFiles].filter((file) => !file.startsWith(WEB_CONTENT_DIR)),
    correlations: correlations.compiled,
    diagnostics: [...loaded.diagnostics, ...compiled.diagnostics, ...correlations.diagnostics],
    otherLogsource: loaded.rules.length - forWeb.length + loaded.screenedOut,
  };
}

/** Rule diagnostics as report issues (`rules.<code>`), with file and line. */
export function ruleIssues(rules: WebRules): ScanIssue[] {
  const issues: ScanIssue[] = rules.diagnostics.map((d) => ({ code: `rules.${d.code}`, message: `${d.severity}: ${d.message}`, path: d.file, line: d.line }));
  if (rules.otherLogsource > 0) {
    issues.push({ code: 'rules.other-logsource', message: `${rules.otherLogsource} Sigma rules are for other log sources than IIS web logs and were not run` });
  }
  return issues;
}

/** One Sigma view per record, shared by every Sigma detector that tests it. */
function sharedSigmaView(): (record: WebRecord) => SigmaRecord {
  let last: WebRecord | undefined;
  let view: SigmaRecord | undefined;
  return (record) => {
    if (record !== last || view === undefined) {
      last = record;
      view = webSigmaRecord(record);
    }
    return view;
  };
}

function sigmaDetector(rule: CompiledSigmaRule, view: (record: WebRecord) => SigmaRecord): WebDetector {
  const meta: RuleMeta = rule.meta;
  const needles = rule.needles === undefined ? undefined : lineNeedles(rule.needles);
  const needleTerms = needles === undefined ? undefined : lineTerms(rule.needleTerms);
  return {
    meta,
    ...(needles === undefined ? {} : { needles }),
    ...(needleTerms === undefined ? {} : { needleTerms }),
    ...(rule.requires.length === 0 ? {} : { requires: rule.requires }),
    test: (record) => rule.test(view(record)),
  };
}

/** Needle terms as they can appear in a log line: a second set without line needles is dropped, a first one voids all. */
function lineTerms(terms: CompiledSigmaRule['needleTerms']): WebDetector['needleTerms'] {
  const out: (readonly string[])[][] = [];
  for (const [first, second] of terms ?? []) {
    const a = first === undefined ? undefined : lineNeedles(first);
    if (a === undefined) return undefined;
    const b = second === undefined ? undefined : lineNeedles(second);
    out.push(b === undefined ? [a] : [a, b]);
  }
  return terms === undefined ? undefined : out;
}

/**
 * Needles as they can appear in a log line. Rules see the URI as `stem?query`, but the line logs stem and
 * query as two fields with a space between, so a needle spanning the `?` is cut to its longest side.
 */
export function lineNeedles(needles: readonly string[]): readonly string[] | undefined {
  const out: string[] = [];
  for (const needle of needles) {
    if (!needle.includes('?')) {
      out.push(needle);
      continue;
    }
    const longest = needle.split('?').reduce((a, b) => (b.length > a.length ? b : a), '');
    if (longest.length < 3) return undefined;
    out.push(longest);
  }
  return out;
}
