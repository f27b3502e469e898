import { fileURLToPath } from 'node:url';
import type { AnalyzerProgress } from '../core/analyzer.js';
import type { ScanReport } from '../core/report.js';
import type { ScanIssue } from '../core/scan-issue.js';
import type { Severity } from '../core/severity.js';
import { CONTENT_ROOT } from '../analyzers/content-root.js';
import { webrootSweepAnalyzer } from '../analyzers/webroot-sweep/webroot-sweep-analyzer.js';
import { BASELINE_VERSION, readBaseline, writeBaseline, type Baseline } from '../analyzers/webroot-sweep/sweep-baseline.js';
import { checkYaraSources, compileYara } from '../engines/yara/yara-engine.js';
import { findSweepRoots } from '../targets/find-sweep-roots.js';
import { readYaraSources } from '../targets/read-yara-sources.js';
import { assembleReport } from './assemble-report.js';
import { defaultFeedsDir } from './load-feeds.js';
import { loadRiskFeeds } from './load-risk-feeds.js';
import { analyzeInventory } from './run-inventory.js';

/** Everything `sweep` needs, parsed and validated. */
export interface SweepRequest {
  readonly paths: readonly string[];
  readonly hostRoots: readonly string[];
  /** Users' YARA rule files and folders, loaded after w3guard's own. */
  readonly yaraPaths: readonly string[];
  readonly builtinYara: boolean;
  readonly maxFileSize: number;
  readonly threads: number;
  readonly baselineFile?: string;
  readonly updateBaseline: boolean;
  /**
   * With host roots: also judge the versions of the sites' components against advisories (the inventory),
   * with the KEV and EPSS feeds in this folder, so a vulnerable DLL in a site's bin/ is in the same report.
   */
  readonly inventoryFeedsDir?: string;
  /** Where "feeds update" keeps KEV and EPSS, for the risk of findings that name a CVE (default: the user's cache). */
  readonly feedsDir?: string;
  readonly evidenceCap: number;
  readonly minSeverity: Severity;
  readonly signal: AbortSignal;
  readonly now: () => Date;
  readonly onProgress?: (progress: AnalyzerProgress) => void;
}

/** What the command says to people besides the report. */
export interface SweepOutcome {
  readonly report: ScanReport;
  readonly files: number;
  readonly ruleFiles: { readonly loaded: number; readonly refused: number };
  /** `written` when the baseline was created or updated, `compared` when drift was reported against it. */
  readonly baseline?: 'written' | 'compared' | 'compared-and-updated';
}

/** Reads w3guard's own YARA rules (unless left out) and the users', and keeps the files that compile together. */
export async function loadSweepYara(builtinYara: boolean, yaraPaths: readonly string[]): Promise<{ read: Awaited<ReturnType<typeof readYaraSources>>; together: ReturnType<typeof compileYara>; yaraIssues: ScanIssue[] }> {
  const builtin = builtinYara ? [fileURLToPath(new URL('yara/', CONTENT_ROOT))] : [];
  const read = await readYaraSources([...builtin, ...yaraPaths]);
  const checked = checkYaraSources(read.sources);
  // Compiled once here too, so files that only fail together (a rule name declared twice) are reported
  // before the workers, which compile what is left, start.
  const together = compileYara(checked.accepted);
  const yaraIssues: ScanIssue[] = [...checked.diagnostics, ...together.diagnostics].map((d) => ({ code: d.code, message: d.message, path: d.path, ...(d.line === undefined ? {} : { line: d.line }) }));
  return { read, together, yaraIssues };
}

/** Sweeps folders and host roots and returns the report. Input errors throw `InputError` or `BaselineError`. */
export async function runSweep(request: SweepRequest): Promise<SweepOutcome> {
  const startedAt = request.now().toISOString();
  const { roots, issues: rootIssues } = await findSweepRoots(request.paths, request.hostRoots);
  const { read, together, yaraIssues } = await loadSweepYara(request.builtinYara, request.yaraPaths);
  const previous = request.baselineFile === undefined ? undefined : await readBaseline(request.baselineFile);
  const result = await webrootSweepAnalyzer.run(
    {
      roots,
      yara: together.kept,
      maxFileSize: request.maxFileSize,
      threads: request.threads,
      ...(request.baselineFile === undefined ? {} : { baseline: { record: true, ...(previous === undefined ? {} : { previous }) } }),
    },
    { signal: request.signal, evidenceCap: request.evidenceCap, ...(request.onProgress === undefined ? {} : { onProgress: request.onProgress }) },
  );
  let baseline: SweepOutcome['baseline'];
  if (request.baselineFile !== undefined && result.current !== undefined) {
    if (previous === undefined || request.updateBaseline) {
      const next: Baseline = { version: BASELINE_VERSION, tool: 'w3guard', createdAt: request.now().toISOString(), maxFileSize: request.maxFileSize, roots: roots.map((r) => r.path), files: result.current };
      await writeBaseline(request.baselineFile, next);
    }
    baseline = previous === undefined ? 'written' : request.updateBaseline ? 'compared-and-updated' : 'compared';
  }
  const inventory =
    request.inventoryFeedsDir === undefined || request.hostRoots.length === 0
      ? undefined
      : await analyzeInventory({ paths: [], hosts: request.hostRoots, feedsDir: request.inventoryFeedsDir, evidenceCap: request.evidenceCap, signal: request.signal, now: request.now });
  const loaded = inventory === undefined ? await loadRiskFeeds(result.groups, request.feedsDir ?? defaultFeedsDir()) : undefined;
  const risk = inventory?.risk ?? loaded ?? {};
  const report = assembleReport(
    { command: 'sweep', startedAt, now: request.now, evidenceCap: request.evidenceCap, minSeverity: request.minSeverity, risk },
    {
      groups: [...result.groups, ...(inventory?.result.groups ?? [])],
      rules: [...result.rules, ...(inventory?.result.rules ?? [])],
      inputs: [...result.inputs, ...(inventory?.inputs ?? [])],
      issues: [...rootIssues, ...read.issues, ...yaraIssues, ...result.issues, ...(inventory?.issues ?? []), ...(loaded?.issues ?? [])],
      coverage: [...(result.coverage ?? []), ...(inventory?.result.coverage ?? [])],
    },
  );
  return { report, files: result.files, ruleFiles: { loaded: together.kept.length, refused: read.sources.length - together.kept.length }, ...(baseline === undefined ? {} : { baseline }) };
}
