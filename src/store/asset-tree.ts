import type { Kysely } from 'kysely';
import { assetPlace, type AssetIdKind } from '../core/asset-path.js';
import type { AssetSettings } from '../targets/read-host-config.js';
import { getRegisteredAsset, listRegisteredAssets, loadAssetContext, type RegisteredAsset } from './asset-registry.js';
import { inAssetScope, scopeCondition, type AssetScope } from './asset-scope.js';
import { lastScans, openByAsset, summarizeAssets, type AssetSummary } from './dashboard-queries.js';
import type { StoreDatabase } from './store-schema.js';

type Db = Kysely<StoreDatabase>;

/** One asset as the asset pages show it: its open findings, freshness and what the registry says of it. */
export interface AssetView extends AssetSummary {
  readonly kind: AssetIdKind;
  readonly parent?: string;
  readonly criticality?: RegisteredAsset['criticality'];
  readonly exposure?: RegisteredAsset['exposure'];
  readonly tags: readonly string[];
  readonly owners: readonly string[];
  readonly updatedBy?: string;
  readonly updatedAt?: string;
}

/** A node of the tree: the asset and, summed over it and everything under it, open findings and risk. */
export interface AssetNode extends AssetView {
  readonly totalOpen: number;
  readonly totalRisk: number;
  readonly children: AssetNode[];
}

/**
 * Every asset the store knows — from findings, from runs' coverage, from the registry — as trees host → site →
 * application (URLs and folders are roots of their own), the riskiest first, within the scope of who asks. A
 * parent outside the scope is left out, so a user scoped to a site gets that site as a root. `limit` counts roots.
 */
export async function assetTree(db: Db, now: Date, options: { readonly limit: number; readonly scope?: AssetScope }): Promise<{ readonly items: AssetNode[]; readonly total: number }> {
  const { scope } = options;
  const [open, found, scanned, registered] = await Promise.all([
    openByAsset(db, now, scope === undefined ? {} : { scope }),
    findingAssets(db, scope),
    lastScans(db),
    listRegisteredAssets(db, scope),
  ]);
  const openBy = new Map(open.map((summary) => [summary.asset, summary]));
  const registry = new Map(registered.map((entry) => [entry.asset, entry]));
  const ids = new Set([...found, ...registry.keys(), ...[...scanned.keys()].filter((asset) => inAssetScope(asset, scope))]);
  // A site scanned without its host still hangs under it: the host appears as an empty node.
  for (const id of [...ids]) {
    for (let parent = assetPlace(id).parent; parent !== undefined && !ids.has(parent) && inAssetScope(parent, scope); parent = assetPlace(parent).parent) ids.add(parent);
  }
  const nodes = new Map<string, AssetNode>();
  for (const id of ids) nodes.set(id, { ...view(id, openBy.get(id), scanned.get(id), registry.get(id)), totalOpen: 0, totalRisk: 0, children: [] });
  const roots: AssetNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parent === undefined ? undefined : nodes.get(node.parent);
    if (parent === undefined) roots.push(node);
    else parent.children.push(node);
  }
  for (const root of roots) total(root);
  const ranked = rank(roots);
  return { items: ranked.slice(0, options.limit), total: ranked.length };
}

/**
 * One asset's view and the context it inherits (what the risk step and notification routing use), or undefined
 * when the store knows nothing of it or it lies outside the scope.
 */
export async function assetDetail(db: Db, now: Date, asset: string, scope?: AssetScope): Promise<(AssetView & { readonly effective: AssetSettings }) | undefined> {
  if (!inAssetScope(asset, scope)) return undefined;
  const [[summary], known, scanned, entry, context] = await Promise.all([
    summarizeAssets(db, now, { asset, limit: 1 }),
    db.selectFrom('findings').select('asset').where('asset', '=', asset).limit(1).executeTakeFirst(),
    lastScans(db, [asset]),
    getRegisteredAsset(db, asset),
    loadAssetContext(db),
  ]);
  const lastScan = scanned.get(asset);
  if (known === undefined && lastScan === undefined && entry === undefined) return undefined;
  return { ...view(asset, summary, lastScan, entry), effective: context(asset) ?? {} };
}

function view(asset: string, summary: AssetSummary | undefined, lastScan: string | undefined, entry: RegisteredAsset | undefined): AssetView {
  const place = assetPlace(asset);
  return {
    asset,
    kind: place.kind,
    ...(place.parent === undefined ? {} : { parent: place.parent }),
    open: summary?.open ?? 0,
    riskSum: summary?.riskSum ?? 0,
    maxRisk: summary?.maxRisk ?? 0,
    ...(summary?.lastFound === undefined ? {} : { lastFound: summary.lastFound }),
    ...(lastScan === undefined ? {} : { lastScan }),
    ...(entry?.criticality === undefined ? {} : { criticality: entry.criticality }),
    ...(entry?.exposure === undefined ? {} : { exposure: entry.exposure }),
    tags: entry?.tags ?? [],
    owners: entry?.owners ?? [],
    ...(entry === undefined ? {} : { updatedBy: entry.updatedBy, updatedAt: entry.updatedAt }),
  };
}

/** Every asset that has findings (open or not), within a scope: one entry per asset, read from the asset index. */
async function findingAssets(db: Db, scope?: AssetScope): Promise<string[]> {
  let select = db.selectFrom('findings as f').select('f.asset').distinct();
  if (scope !== undefined) select = select.where((eb) => scopeCondition(eb, scope));
  return (await select.execute()).map((row) => row.asset);
}

/** Fills a node's totals from its children, and ranks the children. */
function total(node: AssetNode): void {
  let open = node.open;
  let risk = node.riskSum;
  for (const child of node.children) {
    total(child);
    open += child.totalOpen;
    risk += child.totalRisk;
  }
  Object.assign(node, { totalOpen: open, totalRisk: risk, children: rank(node.children) });
}

/** The riskiest first, then by id, so the order is the same on every request. */
function rank(nodes: readonly AssetNode[]): AssetNode[] {
  return [...nodes].sort((a, b) => b.totalRisk - a.totalRisk || (a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0));
}
