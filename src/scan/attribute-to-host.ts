import type { Asset } from '../core/asset.js';
import type { Coverage } from '../core/coverage.js';
import type { FindingGroup } from '../core/finding-aggregator.js';
import type { HostAssetTree } from '../targets/host-asset-tree.js';

/** The analyzers `host` runs, by the name their findings are attributed by. */
export type HostAnalyzerId = 'audit' | 'sweep' | 'inventory' | 'hunt' | 'events';

const SITE_LOG = /(?:^|[\\/])W3SVC(\d+)$/i;
const POOL_ARGUMENT = /w3wp\.exe[^\n]*?\s-ap\s+"([^"]{1,256})"/i;

/**
 * The most specific asset of the host tree for an asset an analyzer named on its own terms: audit's site names,
 * `Site/app` paths and pool names; hunt's `server/W3SVC<id>` and HTTP.sys; sweep's and inventory's file paths
 * (the longest served folder holding the file); events' computer name, or the app pool of a `w3wp.exe -ap "Pool"`.
 */
export function hostAssetOf(analyzer: HostAnalyzerId, asset: Asset, evidence: { readonly path?: string; readonly text?: string } | undefined, tree: HostAssetTree): Asset {
  switch (analyzer) {
    case 'audit':
      return auditAsset(asset, tree);
    case 'hunt': {
      if (asset.kind === 'http-sys') return tree.get(`${tree.host.id}/HTTP.sys`) ?? tree.host;
      const id = SITE_LOG.exec(asset.id)?.[1];
      return (id === undefined ? undefined : tree.siteById(id)) ?? tree.host;
    }
    case 'sweep':
    case 'inventory':
      return evidence?.path === undefined ? tree.host : tree.byPath(evidence.path);
    case 'events': {
      const pool = evidence?.text === undefined ? undefined : POOL_ARGUMENT.exec(evidence.text)?.[1];
      return (pool === undefined ? undefined : tree.pool(pool)) ?? tree.host;
    }
  }
}

function auditAsset(asset: Asset, tree: HostAssetTree): Asset {
  if (asset.kind === 'host') return tree.host;
  if (asset.kind === 'app-pool') return tree.pool(asset.id) ?? tree.host;
  if (asset.kind === 'site') return tree.siteByName(asset.id) ?? tree.host;
  // Applications and configured folders are `Site Name/path/below`: the site by the longest name that prefixes it.
  const parts = asset.id.split('/');
  for (let cut = parts.length - 1; cut >= 1; cut -= 1) {
    const site = tree.siteByName(parts.slice(0, cut).join('/'));
    if (site !== undefined) return tree.applicationOf(site, parts.slice(cut).join('/'));
  }
  return tree.host;
}

/** Moves each group onto the host tree; groups that land on one asset with the same rule and location are merged later by the aggregator. */
export function attributeGroups(analyzer: HostAnalyzerId, groups: readonly FindingGroup[], tree: HostAssetTree): FindingGroup[] {
  return groups.map((group) => {
    const first = group.head[0];
    const asset = hostAssetOf(analyzer, group.asset, first === undefined ? undefined : { ...(first.path === undefined ? {} : { path: first.path }), ...(first.text === undefined ? {} : { text: first.text }) }, tree);
    return asset.id === group.asset.id && asset.kind === group.asset.kind ? group : { ...group, asset };
  });
}

/** Moves an analyzer's own coverage (rule × its asset names) onto the host tree. */
export function attributeCoverage(analyzer: HostAnalyzerId, coverage: readonly Coverage[], tree: HostAssetTree): Coverage[] {
  return coverage.map((entry) => ({ ruleId: entry.ruleId, asset: hostAssetOf(analyzer, { id: entry.asset, kind: kindOfCoverage(analyzer, entry.asset, tree) }, undefined, tree).id }));
}

/** Audit's coverage names assets without their kind: a pool name, a site name, a `Site/app` path or the host label. */
function kindOfCoverage(analyzer: HostAnalyzerId, id: string, tree: HostAssetTree): Asset['kind'] {
  if (analyzer === 'hunt') return /HTTP\.sys$/i.test(id) ? 'http-sys' : 'site';
  if (analyzer !== 'audit') return 'host';
  if (tree.siteByName(id) !== undefined) return 'site';
  if (tree.pool(id) !== undefined) return 'app-pool';
  return id.includes('/') ? 'application' : 'host';
}

/** Every rule × every asset in `assets`. */
export function coverAll(ruleIds: Iterable<string>, assets: readonly Asset[]): Coverage[] {
  const unique = [...new Set(ruleIds)];
  return unique.flatMap((ruleId) => assets.map((asset) => ({ ruleId, asset: asset.id })));
}
