import { fileURLToPath } from 'node:url';
import type { AnalyzerContext, AnalyzerResult } from '../core/analyzer.js';
import type { Asset } from '../core/asset.js';
import type { CheckSummary } from '../core/check-summary.js';
import type { Coverage } from '../core/coverage.js';
import type { InventoryItem } from '../core/inventory-item.js';
import type { ScanReport } from '../core/report.js';
import type { RuleMeta } from '../core/rule-meta.js';
import type { ScanIssue } from '../core/scan-issue.js';
import type { Severity } from '../core/severity.js';
import { CONTENT_ROOT } from '../analyzers/content-root.js';
import { BUILTIN_ANALYZERS } from '../analyzers/registry.js';
import { loadAdvisories } from '../engines/advisory/load-advisories.js';
import { DEFAULT_MAX_LINE_BYTES } from '../formats/web-log/web-log-reader.js';
import { discoverHost, type DiscoveredHost } from '../targets/discover-host.js';
import { findEvtxFiles } from '../targets/find-evtx-files.js';
import { findLogFiles } from '../targets/find-log-files.js';
import { findSweepRoots } from '../targets/find-sweep-roots.js';
import { assetSettings, type HostConfig } from '../targets/read-host-config.js';
import type { AssetContext, RiskContext } from './prioritize-findings.js';
import { assembleReport } from './assemble-report.js';
import { attributeCoverage, attributeGroups, coverAll, type HostAnalyzerId } from './attribute-to-host.js';
import { correlateFindings } from './correlate-findings.js';
import { loadRiskFeeds } from './load-risk-feeds.js';
import { analyzeInventory } from './run-inventory.js';
import { loadSweepYara } from './run-sweep.js';

/** The analyzers `host` runs, each on by default. */
export const HOST_ANALYZERS: readonly HostAnalyzerId[] = ['audit', 'sweep', 'inventory', 'hunt', 'events'];

/** Everything `host` needs, parsed and validated. */
export interface HostRequest {
  readonly root: string;
  /** A validated w3guard.yaml, when one was given. */
  readonly config?: HostConfig;
  /** Criticality and exposure per asset from elsewhere (the server's asset registry); `config` wins where it says something. */
  readonly assetContext?: RiskContext['assetContext'];
  /** Other drive letters of the server mapped to folders (`D:` → `/mnt/d`); `C:` is the root. */
  readonly drives?: Readonly<Record<string, string>>;
  readonly analyzers: ReadonlySet<HostAnalyzerId>;
  readonly yaraPaths: readonly string[];
  readonly sigmaPaths: readonly string[];
  readonly feedsDir: string;
  readonly maxFileSize: number;
  /** Worker threads of each analyzer that has a pool (sweep, hunt, events). */
  readonly threads: number;
  readonly evidenceCap: number;
  readonly minSeverity: Severity;
  readonly signal: AbortSignal;
  readonly now: () => Date;
}

/** What one analyzer did within `host`: how long it took and how much it found, for people. */
export interface HostAnalyzerRun {
  readonly analyzer: HostAnalyzerId;
  readonly ms: number;
  readonly groups: number;
  /** Set when it could not run at all; its findings are missing and it covered nothing. */
  readonly failed?: string;
}

/** The report, the host as discovered, and what each analyzer did. */
export interface HostOutcome {
  readonly report: ScanReport;
  readonly host: DiscoveredHost;
  readonly runs: readonly HostAnalyzerRun[];
}

interface Part {
  readonly result: AnalyzerResult;
  /** Coverage on the host tree, already attributed. */
  readonly coverage: readonly Coverage[];
  readonly checks?: readonly CheckSummary[];
  readonly inventory?: readonly InventoryItem[];
}

/**
 * Discovers a host root, runs every analyzer that applies in parallel (audit on the configuration, sweep on the
 * served folders and drop folders, inventory on the root, hunt on the sites' logs and HTTPERR, events on the
 * event log folder), puts each finding on the most specific asset, joins findings into incidents, ranks them by
 * explained risk, and returns one report with command `host` and coverage per analyzer × asset.
 */
export async function runHost(request: HostRequest): Promise<HostOutcome> {
  const startedAt = request.now().toISOString();
  const host = await discoverHost(request.root, {
    ...(request.config?.host === undefined ? {} : { hostName: request.config.host }),
    ...(request.drives === undefined ? {} : { drives: request.drives }),
  });
  const tree = host.assets;
  const settings = request.config === undefined ? undefined : assetSettings(request.config, tree.assets);
  const context: AnalyzerContext = { signal: request.signal, evidenceCap: request.evidenceCap };
  const issues: ScanIssue[] = [...host.issues, ...(settings?.issues ?? [])];
  const runs: HostAnalyzerRun[] = [];
  const siteAssets = tree.assets.filter((asset) => asset.kind === 'site' || asset.kind === 'application');

  const tasks: Record<HostAnalyzerId, () => Promise<Part | undefined>> = {
    audit: async () => {
      const result = await BUILTIN_ANALYZERS.configAudit.run({ sources: [{ kind: 'host-root', path: request.root, hives: host.hives }] }, context);
      // A root without IIS configuration is expected for `host`: the other analyzers still ran.
      const kept = result.issues.filter((issue) => issue.code !== 'config.not-found');
      return { result: { ...result, issues: kept }, coverage: attributeCoverage('audit', result.coverage ?? [], tree), checks: result.checks };
    },
    sweep: async () => {
      const { roots, issues: rootIssues } = await findSweepRoots([], [request.root], request.drives === undefined ? {} : { drives: request.drives });
      const { read, together, yaraIssues } = await loadSweepYara(true, request.yaraPaths);
      const result = await BUILTIN_ANALYZERS.webrootSweep.run({ roots, yara: together.kept, maxFileSize: request.maxFileSize, threads: request.threads }, context);
      // The sweep covers its rules on each root it read to the end; a root's coverage extends to each asset served
      // from it, and to the host for the drop folders. A root with a problem covers nothing, so closes nothing.
      const coveredRoots = new Map<string, string[]>();
      for (const entry of result.coverage ?? []) coveredRoots.set(entry.asset, [...(coveredRoots.get(entry.asset) ?? []), entry.ruleId]);
      const coverage = roots.flatMap((root) => coverAll(coveredRoots.get(root.asset.id) ?? [], sweptAssets(root.path, host)));
      return { result: { ...result, issues: [...rootIssues, ...read.issues, ...yaraIssues, ...result.issues] }, coverage };
    },
    inventory: async () => {
      const analysis = await analyzeInventory({ paths: [], hosts: [request.root], feedsDir: request.feedsDir, evidenceCap: request.evidenceCap, signal: request.signal, now: request.now });
      const { advisories } = await loadAdvisories(fileURLToPath(new URL('advisories/', CONTENT_ROOT)));
      const ruleIds = advisories.flatMap((advisory) => advisory.vulnerabilities.map((vulnerability) => `w3g-adv-${advisory.id}-${vulnerability.id.toLowerCase()}`));
      const inventory = analysis.result.inventory.map((item) => ({ ...item, asset: tree.byPath(item.location).id }));
      return {
        result: { ...analysis.result, inputs: analysis.inputs, issues: analysis.issues },
        coverage: coverAll([...ruleIds, ...analysis.result.rules.map((rule) => rule.id)], [tree.host, ...siteAssets]),
        inventory,
      };
    },
    hunt: async () => {
      if (host.logFolders.length === 0) return undefined;
      const walkIssues: ScanIssue[] = [];
      const sources = await findLogFiles(host.logFolders.map((folder) => folder.path), { signal: request.signal, onIssue: (issue) => walkIssues.push(issue) });
      const result = await BUILTIN_ANALYZERS.weblog.run(
        { sources, threads: request.threads, settings: { evidenceCap: request.evidenceCap, localOffsetMinutes: 0, maxLineBytes: DEFAULT_MAX_LINE_BYTES, rules: { content: true, sigmaPaths: request.sigmaPaths } } },
        context,
      );
      return { result: { ...result, issues: [...walkIssues, ...result.issues] }, coverage: attributeCoverage('hunt', result.coverage ?? [], tree) };
    },
    events: async () => {
      if (host.eventLogFolder === undefined) return undefined;
      const walkIssues: ScanIssue[] = [];
      const sources = await findEvtxFiles([host.eventLogFolder], (issue) => walkIssues.push(issue));
      if (sources.length === 0) return undefined;
      const result = await BUILTIN_ANALYZERS.eventlog.run(
        { sources, threads: request.threads, correlationWindowMs: 60 * 60 * 1000, settings: { rules: { content: true, sigmaPaths: request.sigmaPaths }, evidenceCap: request.evidenceCap } },
        context,
      );
      const pools = tree.assets.filter((asset) => asset.kind === 'app-pool');
      return { result: { ...result, issues: [...walkIssues, ...result.issues] }, coverage: coverAll(result.rules.map((rule) => rule.id), [tree.host, ...pools]) };
    },
  };

  const enabled = HOST_ANALYZERS.filter((id) => request.analyzers.has(id));
  const parts = await Promise.all(
    enabled.map(async (id): Promise<{ id: HostAnalyzerId; part: Part } | { id: HostAnalyzerId; failed: ScanIssue } | undefined> => {
      const started = performance.now();
      try {
        const part = await tasks[id]();
        runs.push({ analyzer: id, ms: Math.round(performance.now() - started), groups: part?.result.groups.length ?? 0 });
        return part === undefined ? undefined : { id, part };
      } catch (error) {
        if (request.signal.aborted) throw error;
        // One analyzer that cannot run (a missing engine, an unreadable folder) must not cost the others' findings.
        const message = error instanceof Error ? error.message : String(error);
        runs.push({ analyzer: id, ms: Math.round(performance.now() - started), groups: 0, failed: message });
        return { id, failed: { code: 'host.analyzer-failed', message: `${id} could not run: ${message}`, path: request.root } };
      }
    }),
  );

  const rules = new Map<string, RuleMeta>();
  const groups: AnalyzerResult['groups'] = [];
  const inputs: AnalyzerResult['inputs'] = [];
  const coverage: Coverage[] = [];
  let checks: readonly CheckSummary[] | undefined;
  let inventory: readonly InventoryItem[] | undefined;
  for (const entry of parts) {
    if (entry === undefined) continue;
    if ('failed' in entry) {
      issues.push(entry.failed);
      continue;
    }
    const { id, part } = entry;
    groups.push(...attributeGroups(id, part.result.groups, tree));
    inputs.push(...part.result.inputs);
    issues.push(...part.result.issues);
    for (const rule of part.result.rules) if (!rules.has(rule.id)) rules.set(rule.id, rule);
    coverage.push(...part.coverage);
    if (part.checks !== undefined) checks = part.checks;
    if (part.inventory !== undefined) inventory = part.inventory;
  }
  const feeds = await loadRiskFeeds(groups, request.feedsDir);
  issues.push(...feeds.issues);
  const assembled = assembleReport(
    {
      command: 'host',
      startedAt,
      now: request.now,
      evidenceCap: request.evidenceCap,
      minSeverity: request.minSeverity,
      risk: { ...(feeds.cveIntel === undefined ? {} : { cveIntel: feeds.cveIntel }), ...(feeds.feeds === undefined ? {} : { feeds: feeds.feeds }), ...assetContextOf(settings?.lookup, request.assetContext) },
      correlate: (findings) => correlateFindings(findings, tree.assets),
    },
    { groups, inputs, issues, rules: [...rules.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)), coverage, ...(checks === undefined ? {} : { checks }) },
  );
  const report: ScanReport = {
    ...assembled,
    assets: tree.assets,
    ...(inventory === undefined ? {} : { inventory }),
  };
  return { report, host, runs: runs.sort((a, b) => HOST_ANALYZERS.indexOf(a.analyzer) - HOST_ANALYZERS.indexOf(b.analyzer)) };
}

/** The assets whose served folders lie inside a swept folder, or the host for a drop folder (Windows/Temp, ProgramData). */
function sweptAssets(sweptFolder: string, host: DiscoveredHost): Asset[] {
  const owner = host.assets.byPath(sweptFolder);
  const inside = host.assets.assets.filter((asset) => asset.path !== undefined && (asset.path === sweptFolder || asset.path.startsWith(sweptFolder.endsWith('/') ? sweptFolder : `${sweptFolder}/`)));
  return [owner, ...inside];
}

/** The file's settings for an asset when it says something, else the other source's: the host's own file is nearest. */
function assetContextOf(file: ((id: string) => AssetContext | undefined) | undefined, other: RiskContext['assetContext']): Pick<RiskContext, 'assetContext'> {
  if (file === undefined) return other === undefined ? {} : { assetContext: other };
  if (other === undefined) return { assetContext: file };
  return { assetContext: (id) => file(id) ?? other(id) };
}
