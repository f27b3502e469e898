import { fileURLToPath } from 'node:url';
import { inventoryVulnsAnalyzer } from '../analyzers/inventory-vulns/inventory-vulns-analyzer.js';
import { CONTENT_ROOT } from '../analyzers/content-root.js';
import type { AnalyzerProgress } from '../core/analyzer.js';
import type { FeedsUsed } from '../core/inventory-item.js';
import type { InputSummary } from '../core/artifact.js';
import type { ScanReport } from '../core/report.js';
import type { ScanIssue } from '../core/scan-issue.js';
import type { Severity } from '../core/severity.js';
import { loadAdvisories } from '../engines/advisory/load-advisories.js';
import { findInventorySources } from '../targets/find-inventory-sources.js';
import { assembleReport } from './assemble-report.js';
import { loadFeeds } from './load-feeds.js';
import { feedsUsed, riskFeedsFrom } from './load-risk-feeds.js';
import type { RiskContext } from './prioritize-findings.js';
import { readInventoryComponents } from './read-inventory-components.js';
import { readPreviousInventory, verifyInventory } from './verify-inventory.js';

/** Everything `inventory` needs, parsed and validated. */
export interface InventoryRequest {
  readonly paths: readonly string[];
  readonly hosts: readonly string[];
  readonly feedsDir: string;
  /** An earlier `inventory --format json` report to verify against. */
  readonly verify?: string;
  /** Advisory folder; the shipped `content/advisories` unless given. */
  readonly advisoriesDir?: string;
  readonly evidenceCap: number;
  readonly minSeverity: Severity;
  readonly signal: AbortSignal;
  readonly now: () => Date;
  readonly onProgress?: (progress: AnalyzerProgress) => void;
}

/** What reading and judging the inventory gave, before it becomes a report. */
export interface InventoryAnalysis {
  readonly result: Awaited<ReturnType<typeof inventoryVulnsAnalyzer.run>>;
  readonly inputs: InputSummary[];
  readonly issues: ScanIssue[];
  readonly pending: Awaited<ReturnType<typeof readInventoryComponents>>['pending'];
  readonly feeds: FeedsUsed;
  /** KEV and EPSS lookups for the risk step, over the same feeds. */
  readonly risk: Pick<RiskContext, 'cveIntel' | 'feeds'>;
}

/** Reads the components under paths and host roots and judges them against advisories, KEV and EPSS (shared by `inventory` and `sweep --host`). */
export async function analyzeInventory(
  request: Pick<InventoryRequest, 'paths' | 'hosts' | 'feedsDir' | 'advisoriesDir' | 'evidenceCap' | 'signal' | 'now' | 'onProgress'>,
): Promise<InventoryAnalysis> {
  const advisoriesDir = request.advisoriesDir ?? fileURLToPath(new URL('advisories/', CONTENT_ROOT));
  const { advisories, diagnostics } = await loadAdvisories(advisoriesDir);
  const fileNames = new Set(advisories.flatMap((a) => a.identify.fileNames.map((n) => n.toLowerCase())));
  const sources = await findInventorySources(request.paths, request.hosts, { fileNames });
  const read = await readInventoryComponents(sources, request.signal);
  const feeds = await loadFeeds(request.feedsDir);
  const result = await inventoryVulnsAnalyzer.run(
    { components: read.components, pending: read.pending, advisories, feeds, now: request.now() },
    { signal: request.signal, evidenceCap: request.evidenceCap, ...(request.onProgress === undefined ? {} : { onProgress: request.onProgress }) },
  );
  // A file or hive that could not be read may hold a component the advisories would flag: such a run closes nothing.
  const complete = read.issues.length === 0;
  return { result: complete ? result : { ...result, coverage: [] }, inputs: read.inputs, issues: [...diagnostics, ...feeds.issues, ...read.issues], pending: read.pending, feeds: feedsUsed(feeds), risk: riskFeedsFrom(feeds) };
}

/** Inventories hosts, binaries, archives and SBOMs and matches them against advisories, KEV and EPSS. Input errors throw `InputError`. */
export async function runInventory(request: InventoryRequest): Promise<ScanReport> {
  const startedAt = request.now().toISOString();
  // Read the baseline first: a wrong --verify file should fail before a long scan, not after it.
  const previous = request.verify === undefined ? undefined : await readPreviousInventory(request.verify);
  const analysis = await analyzeInventory(request);
  const report = assembleReport(
    { command: 'inventory', startedAt, now: request.now, evidenceCap: request.evidenceCap, minSeverity: request.minSeverity, risk: analysis.risk },
    { ...analysis.result, inputs: analysis.inputs, issues: analysis.issues },
  );
  return {
    ...report,
    inventory: analysis.result.inventory,
    ...(previous === undefined ? {} : { verification: verifyInventory(previous, analysis.result.inventory, analysis.pending) }),
    feeds: analysis.feeds,
  };
}
