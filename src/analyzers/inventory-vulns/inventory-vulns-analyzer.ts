import type { Analyzer, AnalyzerContext, AnalyzerResult } from '../../core/analyzer.js';
import type { Asset } from '../../core/asset.js';
import type { Coverage } from '../../core/coverage.js';
import { FindingAggregator } from '../../core/finding-aggregator.js';
import type { InventoryComponent } from '../../core/inventory-component.js';
import type { ComponentVulnerability, InventoryItem } from '../../core/inventory-item.js';
import type { RuleMeta } from '../../core/rule-meta.js';
import type { Advisory } from '../../engines/advisory/advisory.js';
import { matchAdvisories } from '../../engines/advisory/match-advisories.js';
import type { PendingFileRename } from '../../formats/registry-hive/read-pending-file-renames.js';
import type { Feeds } from '../../scan/load-feeds.js';
import { advisoryRule, advisoryRuleId, cveIntel } from './advisory-rule.js';

/** One component and the asset it was found on; registry-read components name the hive file. */
export interface FoundComponent {
  readonly asset: Asset;
  readonly component: InventoryComponent;
  readonly hiveFile?: string;
}

/** Renames a host's SYSTEM hive says are waiting for a reboot. */
export interface PendingRenames {
  readonly asset: Asset;
  readonly systemHive: string;
  readonly renames: readonly PendingFileRename[];
}

/** What the inventory analyzer judges. */
export interface InventoryVulnsInput {
  readonly components: readonly FoundComponent[];
  readonly pending: readonly PendingRenames[];
  readonly advisories: readonly Advisory[];
  readonly feeds: Pick<Feeds, 'kev' | 'epss'>;
  /** Decides end-of-support entries; injected so runs are reproducible. */
  readonly now: Date;
}

/** The analyzer's result plus every component, matched or not. */
export interface InventoryVulnsResult extends AnalyzerResult {
  inventory: InventoryItem[];
}

const MAX_TEXT = 600;
const PENDING_SHOWN = 10;

export const PENDING_REBOOT_RULE: RuleMeta = {
  id: 'w3g-inventory-pending-file-renames',
  title: 'Windows has file replacements waiting for a reboot: the running files are not the patched ones',
  description:
    'The SYSTEM hive lists PendingFileRenameOperations. Until the server restarts, the files an update replaced (drivers such as http.sys, IIS modules) still run in their old versions, whatever the installed-updates list says.',
  severity: 'medium',
  confidence: 'certain',
  engine: 'advisory',
  category: 'patch-state',
  tags: ['patch.pending-reboot'],
  references: ['https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-movefileexa'],
  remediation: 'Restart the server in a maintenance window so the staged files replace the running ones, then run inventory again.',
};

/** Matches inventoried components against the advisories; each vulnerable component becomes a finding with KEV and EPSS facts. */
export const inventoryVulnsAnalyzer = {
  id: 'inventory-vulns',
  version: '1',
  description: 'versions read from files and registries matched against advisories, KEV and EPSS',
  async run(input: InventoryVulnsInput, context: AnalyzerContext): Promise<InventoryVulnsResult> {
    const aggregator = new FindingAggregator(context.evidenceCap);
    const rules = new Map<string, RuleMeta>();
    const inventory: InventoryItem[] = [];
    for (const found of input.components) {
      const { component } = found;
      const vulnerabilities: ComponentVulnerability[] = [];
      for (const match of matchAdvisories(input.advisories, component, input.now)) {
        const intel = cveIntel(match.vulnerability.cves, input.feeds);
        const rule = advisoryRule(match.advisory, match.vulnerability, intel);
        rules.set(rule.id, rule);
        vulnerabilities.push({ ruleId: rule.id, advisory: match.advisory.id, id: match.vulnerability.id, title: match.vulnerability.title, fixed: match.vulnerability.fixed, cves: intel });
        const kevText = intel.filter((c) => c.kev !== undefined).map((c) => `${c.id} in KEV (due ${c.kev?.dueDate}${c.kev?.knownRansomwareCampaignUse === 'Known' ? ', ransomware' : ''})`);
        const text = `${component.name} ${match.version} (${describeSource(component)}); fixed in ${match.vulnerability.fixed}${kevText.length > 0 ? `; ${kevText.join(', ')}` : ''}`;
        aggregator.add({
          rule,
          asset: found.asset,
          locationKey: component.location,
          evidence: {
            kind: 'package',
            ...(found.hiveFile === undefined ? { path: component.location } : { file: found.hiveFile }),
            text: text.slice(0, MAX_TEXT),
          },
        });
      }
      inventory.push(toItem(found, vulnerabilities));
    }
    for (const host of input.pending) {
      if (host.renames.length === 0) continue;
      rules.set(PENDING_REBOOT_RULE.id, PENDING_REBOOT_RULE);
      const shown = host.renames.slice(0, PENDING_SHOWN).map((r) => r.target);
      aggregator.add({
        rule: PENDING_REBOOT_RULE,
        asset: host.asset,
        locationKey: 'PendingFileRenameOperations',
        evidence: { kind: 'registry', file: host.systemHive, text: `${host.renames.length} pending: ${shown.join(', ')}${host.renames.length > shown.length ? ', …' : ''}`.slice(0, MAX_TEXT) },
      });
    }
    inventory.sort((a, b) => compare(a.asset, b.asset) || compare(a.location, b.location) || compare(a.name, b.name));
    // Every advisory was judged against every component read: each covers the assets components were read
    // from. The pending-reboot check covers the hosts whose SYSTEM hive was read.
    const assets = [...new Set(input.components.map((c) => c.asset.id))].sort();
    const advisoryIds = [...new Set(input.advisories.flatMap((a) => a.vulnerabilities.map((v) => advisoryRuleId(a, v))))].sort();
    const coverage: Coverage[] = [
      ...advisoryIds.flatMap((ruleId) => assets.map((asset) => ({ ruleId, asset }))),
      ...[...new Set(input.pending.map((p) => p.asset.id))].sort().map((asset) => ({ ruleId: PENDING_REBOOT_RULE.id, asset })),
    ];
    return { groups: aggregator.groups(), inputs: [], issues: [], rules: [...rules.values()].sort((a, b) => compare(a.id, b.id)), inventory, coverage };
  },
} satisfies Analyzer<InventoryVulnsInput>;

function describeSource(component: InventoryComponent): string {
  switch (component.source) {
    case 'pe':
      return `file version of ${component.fileName ?? 'the binary'}`;
    case 'uninstall':
      return 'DisplayVersion in the Uninstall key';
    case 'windows-build':
      return 'CurrentBuild.UBR in the SOFTWARE hive';
    case 'runtime-folder':
      return 'shared runtime folder';
    default:
      return `${component.ecosystem ?? 'package'} package in ${component.source}`;
  }
}

function toItem(found: FoundComponent, vulnerabilities: ComponentVulnerability[]): InventoryItem {
  const c = found.component;
  const optional = <K extends keyof InventoryComponent>(key: K): Partial<Pick<InventoryComponent, K>> => (c[key] === undefined ? {} : ({ [key]: c[key] } as Pick<InventoryComponent, K>));
  return {
    asset: found.asset.id,
    name: c.name,
    ...optional('version'),
    ...optional('productVersion'),
    source: c.source,
    location: c.location,
    ...optional('productName'),
    ...optional('companyName'),
    ...optional('fileName'),
    ...optional('assemblyName'),
    ...optional('publicKeyToken'),
    ...optional('ecosystem'),
    ...optional('packageName'),
    ...optional('purl'),
    vulnerabilities,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
