import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Analyzer, AnalyzerContext, AnalyzerResult } from '../../core/analyzer.js';
import type { InputSummary } from '../../core/artifact.js';
import type { CheckSummary } from '../../core/check-summary.js';
import type { Coverage } from '../../core/coverage.js';
import { FindingAggregator } from '../../core/finding-aggregator.js';
import type { ScanIssue } from '../../core/scan-issue.js';
import { IisConfig } from '../../formats/iis-config/iis-config.js';
import { fileContributions } from '../../formats/iis-config/file-contributions.js';
import { loadIisConfig } from '../../formats/iis-config/load-iis-config.js';
import { readConfigFile } from '../../formats/iis-config/read-config-file.js';
import type { AuditHost, ConfigCheck, HostFileInfo } from './config-check.js';
import { CONFIG_CHECKS } from './config-checks.js';
import { describeHostFile } from './describe-host-file.js';
import { findHostHives, type HostHivePaths } from '../../targets/find-host-hives.js';
import { hostLabels } from './host-labels.js';
import type { RegistryCheck } from './registry-check.js';
import { REGISTRY_CHECKS } from './registry-checks.js';
import { runRegistryChecks } from './run-registry-checks.js';
import { runConfigChecks } from './run-config-checks.js';
import { UNDECIDABLE_RECOMMENDATIONS, undecidableSummaries } from './undecidable-recommendations.js';

/** One thing `audit` reads: a host root, or a single configuration file. */
export interface AuditSource {
  readonly kind: 'host-root' | 'application-host' | 'web-config';
  /** As given on the command line. */
  readonly path: string;
  /** For a host root: the registry hives found under it (looked up when absent). */
  readonly hives?: HostHivePaths;
}

/** What the configuration audit is asked to read. */
export interface ConfigAuditInput {
  readonly sources: readonly AuditSource[];
  /** Defaults to `CONFIG_CHECKS`; tests pass one check. */
  readonly checks?: readonly ConfigCheck[];
  /** Checks of a host root's registry hives; defaults to `REGISTRY_CHECKS`. */
  readonly registryChecks?: readonly RegistryCheck[];
}

/** The analyzer's result plus the pass/fail/not-evaluated counts of every check. */
export interface ConfigAuditResult extends AnalyzerResult {
  readonly checks: CheckSummary[];
}

/** Audits IIS configuration: CIS IIS 10, rogue modules and other persistence, least privilege, logging coverage. */
export const configAuditAnalyzer = {
  id: 'config-audit',
  version: '1',
  description: 'IIS configuration audit: CIS IIS 10, rogue modules and persistence, app pool privileges, logging coverage',
  async run(input: ConfigAuditInput, context: AnalyzerContext): Promise<ConfigAuditResult> {
    const checks = input.checks ?? CONFIG_CHECKS;
    const registryChecks = input.registryChecks ?? REGISTRY_CHECKS;
    const aggregator = new FindingAggregator(context.evidenceCap);
    const inputs: InputSummary[] = [];
    const issues: ScanIssue[] = [];
    const coverage: Coverage[] = [];
    const totals = new Map<string, { summary: CheckSummary; reasons: Set<string> }>();
    const labels = hostLabels(input.sources);
    // Two hosts' "Default Web Site" are two assets: name them by host as soon as a run audits more than one source.
    const qualifyAssets = input.sources.length > 1;
    for (const [index, source] of input.sources.entries()) {
      context.signal.throwIfAborted();
      const loaded = await loadSource(source, labels[index] ?? source.path, context.signal);
      issues.push(...loaded.issues);
      const registry = await runRegistryChecks(await hivesOf(source), loaded.label, registryChecks, context.signal);
      issues.push(...registry.issues);
      for (const draft of registry.drafts) aggregator.add(draft);
      for (const summary of registry.summaries) addSummary(totals, summary);
      coverage.push(...registry.coverage);
      if (loaded.config === undefined) continue;
      for (const file of loaded.files) inputs.push(await inputSummary(file));
      const outcome = await runConfigChecks(loaded.config, loaded.host, loaded.label, checks, { qualifyAssets, signal: context.signal });
      issues.push(...outcome.issues);
      for (const draft of outcome.drafts) aggregator.add(draft);
      for (const summary of outcome.summaries) addSummary(totals, summary);
      coverage.push(...outcome.coverage);
      context.onProgress?.({ bytes: 0, records: inputs.length, matches: aggregator.size });
    }
    // Only where some configuration was audited: a run that read nothing has nothing to leave to the operator.
    if (inputs.length > 0) for (const summary of undecidableSummaries()) addSummary(totals, summary);
    return {
      groups: aggregator.groups(),
      inputs,
      issues,
      rules: [...checks, ...registryChecks, ...(inputs.length > 0 ? UNDECIDABLE_RECOMMENDATIONS : [])].map((check) => check.meta),
      checks: [...totals.values()].map(({ summary, reasons }) => ({ ...summary, notEvaluatedReasons: [...reasons].sort() })),
      coverage,
    };
  },
} satisfies Analyzer<ConfigAuditInput>;

/** A host root's hives, as found by the targets step or looked up now; a single file has none. */
async function hivesOf(source: AuditSource): Promise<HostHivePaths | undefined> {
  if (source.kind !== 'host-root') return undefined;
  return source.hives ?? (await findHostHives(source.path));
}

/** Loader issues that mean the applicationHost.config was not read at all. */
const FATAL_CODES: ReadonlySet<string> = new Set(['config.not-found', 'config.malformed', 'config.doctype', 'config.too-large', 'config.unreadable']);

interface LoadedSource {
  readonly config?: IisConfig;
  readonly host: AuditHost;
  readonly label: string;
  readonly files: readonly string[];
  readonly issues: readonly ScanIssue[];
}

async function loadSource(source: AuditSource, label: string, signal: AbortSignal): Promise<LoadedSource> {
  if (source.kind === 'host-root') {
    const cache = new Map<string, Promise<HostFileInfo | undefined>>();
    const host: AuditHost = {
      root: source.path,
      describeFile(windowsPath) {
        const key = windowsPath.toLowerCase();
        let found = cache.get(key);
        if (found === undefined) {
          found = describeHostFile(source.path, windowsPath, signal);
          cache.set(key, found);
        }
        return found;
      },
    };
    const { config, issues } = await loadIisConfig(source.path, { signal });
    // Without a readable applicationHost.config there is nothing to audit; the issue says why.
    if (issues.some((issue) => issue.path === config.applicationHostFile && FATAL_CODES.has(issue.code))) return { host, label, files: [], issues };
    const hostLevelFiles = [
      ...(config.sharedConfiguration === undefined ? [] : [config.sharedConfiguration.file]),
      ...(config.administration === undefined ? [] : [config.administration.file]),
      ...config.frameworkLevels().flatMap((level) => [level.machineConfig, level.rootWebConfig].filter((file) => file !== undefined)),
    ];
    return { config, host, label, files: [...hostLevelFiles, config.applicationHostFile, ...config.webConfigs().map((entry) => entry.file)], issues };
  }
  const host: AuditHost = { describeFile: () => Promise.resolve(undefined) };
  if (source.kind === 'application-host') {
    const { config, issues } = await loadIisConfig(path.dirname(source.path), { signal, applicationHostFile: source.path, readWebConfigs: false });
    if (issues.some((issue) => issue.path === source.path && FATAL_CODES.has(issue.code))) return { host, label, files: [], issues };
    return { config, host, label, files: [source.path], issues };
  }
  const read = await readConfigFile(source.path);
  if ('issue' in read) return { host, label, files: [], issues: [read.issue] };
  if (read.root.name !== 'configuration') {
    return { host, label, files: [], issues: [{ code: 'config.malformed', message: `root element is <${read.root.name}>, not <configuration>`, path: source.path, line: read.root.line }] };
  }
  const sitePath = path.basename(path.dirname(path.resolve(source.path))) || 'site';
  const url = [sitePath.toLowerCase()];
  const config = new IisConfig({
    applicationHostFile: source.path,
    applicationHost: undefined,
    sites: [],
    contributions: fileContributions(read.root, source.path, url, true, 1),
    sectionDefaults: new Map(),
    webConfigs: [{ file: source.path, sitePath }],
  });
  return { config, host, label, files: [source.path], issues: [] };
}

async function inputSummary(file: string): Promise<InputSummary> {
  let bytes = 0;
  try {
    bytes = (await stat(file)).size;
  } catch {
    // The loader already reported an unreadable file as an issue.
  }
  return { kind: 'iis-config', path: file, records: 1, skipped: 0, bytes };
}

function addSummary(totals: Map<string, { summary: CheckSummary; reasons: Set<string> }>, summary: CheckSummary): void {
  const existing = totals.get(summary.id);
  if (existing === undefined) {
    totals.set(summary.id, { summary, reasons: new Set(summary.notEvaluatedReasons) });
    return;
  }
  existing.summary = {
    ...existing.summary,
    pass: existing.summary.pass + summary.pass,
    fail: existing.summary.fail + summary.fail,
    notEvaluated: existing.summary.notEvaluated + summary.notEvaluated,
  };
  for (const reason of summary.notEvaluatedReasons) existing.reasons.add(reason);
}
