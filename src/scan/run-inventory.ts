import { fileURLToPath } from 'node:url';
import { BUILTIN_ANALYZERS } from '../analyzers/registry.js';
import { CONTENT_ROOT } from '../analyzers/content-root.js';
import type { AnalyzerProgress } from '../core/analyzer.js';
import type { FeedsUsed } from '../core/inventory-item.js';
import type { ScanReport } from '../core/report.js';
import type { Severity } from '../core/severity.js';
import { loadAdvisories } from '../engines/advisory/load-advisories.js';
import { findInventorySources } from '../targets/find-inventory-sources.js';
import { assembleReport } from './assemble-report.js';
import { loadFeeds } from './load-feeds.js';
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

/** Inventories hosts, binaries, archives and SBOMs and matches them against advisories, KEV and EPSS. Input errors throw `InputError`. */
export async function runInventory(request: InventoryRequest): Promise<ScanReport> {
  const startedAt = request.now().toISOString();
  const advisoriesDir = request.advisoriesDir ?? fileURLToPath(new URL('advisories/', CONTENT_ROOT));
  const { advisories, diagnostics } = await loadAdvisories(advisoriesDir);
  // Read the baseline first: a wrong --verify file should fail before a long scan, not after it.
  const previous = request.verify === undefined ? undefined : await readPreviousInventory(request.verify);
  const fileNames = new Set(advisories.flatMap((a) => a.identify.fileNames.map((n) => n.toLowerCase())));
  const sources = await findInventorySources(request.paths, request.hosts, { fileNames });
  const read = await readInventoryComponents(sources, request.signal);
  const feeds = await loadFeeds(request.feedsDir);
  const result = await BUILTIN_ANALYZERS.inventoryVulns.run(
    { components: read.components, pending: read.pending, advisories, feeds, now: request.now() },
    { signal: request.signal, evidenceCap: request.evidenceCap, ...(request.onProgress === undefined ? {} : { onProgress: request.onProgress }) },
  );
  const feedsUsed: FeedsUsed = {
    ...(feeds.kev === undefined ? {} : { kev: { catalogVersion: feeds.kev.catalogVersion, dateReleased: feeds.kev.dateReleased, count: feeds.kev.count, source: feeds.kev.source } }),
    ...(feeds.epss === undefined
      ? {}
      : { epss: { ...(feeds.epss.scoreDate === undefined ? {} : { scoreDate: feeds.epss.scoreDate }), ...(feeds.epss.modelVersion === undefined ? {} : { modelVersion: feeds.epss.modelVersion }), count: feeds.epss.scores.size, source: feeds.epss.source } }),
  };
  const report = assembleReport(
    { command: 'inventory', startedAt, now: request.now, evidenceCap: request.evidenceCap, minSeverity: request.minSeverity },
    { ...result, inputs: read.inputs, issues: [...diagnostics, ...feeds.issues, ...read.issues] },
  );
  return {
    ...report,
    inventory: result.inventory,
    ...(previous === undefined ? {} : { verification: verifyInventory(previous, result.inventory, read.pending) }),
    feeds: feedsUsed,
  };
}
