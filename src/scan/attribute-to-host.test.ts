import { describe, expect, it } from 'vitest';
import type { Asset } from '../core/asset.js';
import type { FindingGroup } from '../core/finding-aggregator.js';
import type { RuleMeta } from '../core/rule-meta.js';
import { HostAssetTree } from '../targets/host-asset-tree.js';
import { attributeCoverage, attributeGroups, hostAssetOf } from './attribute-to-host.js';

const host: Asset = { id: 'WEB07', kind: 'host' };
const shop: Asset = { id: 'WEB07/W3SVC3', kind: 'site', name: 'Shop', parent: 'WEB07', path: '/r/sites/shop' };
const api: Asset = { id: 'WEB07/W3SVC3/api/v2', kind: 'application', name: 'Shop/api/v2', parent: 'WEB07/W3SVC3', path: '/r/sites/shop/api' };
const pool: Asset = { id: 'WEB07/apppool/ShopPool', kind: 'app-pool', name: 'ShopPool', parent: 'WEB07' };
const httpSys: Asset = { id: 'WEB07/HTTP.sys', kind: 'http-sys', parent: 'WEB07' };
const tree = new HostAssetTree({
  host,
  sites: [{ asset: shop, siteId: '3', applications: [{ urlPath: '/api/v2', asset: api }] }],
  pools: [pool],
  others: [httpSys],
  folders: [
    { hostPath: '/r/sites/shop', asset: shop.id },
    { hostPath: '/r/sites/shop/api', asset: api.id },
  ],
});

describe('hostAssetOf', () => {
  it.each([
    ['audit', { id: 'web07', kind: 'host' }, undefined, 'WEB07'],
    ['audit', { id: 'Shop', kind: 'site' }, undefined, 'WEB07/W3SVC3'],
    ['audit', { id: 'Shop/api/v2/admin', kind: 'application' }, undefined, 'WEB07/W3SVC3/api/v2'],
    ['audit', { id: 'Shop/images', kind: 'application' }, undefined, 'WEB07/W3SVC3'],
    ['audit', { id: 'shoppool', kind: 'app-pool' }, undefined, 'WEB07/apppool/ShopPool'],
    ['hunt', { id: '10.0.0.5/W3SVC3', kind: 'site' }, undefined, 'WEB07/W3SVC3'],
    ['hunt', { id: 'W3SVC9', kind: 'site' }, undefined, 'WEB07'],
    ['hunt', { id: '10.0.0.5/HTTP.sys', kind: 'http-sys' }, undefined, 'WEB07/HTTP.sys'],
    ['sweep', { id: '/r/sites/shop', kind: 'site' }, { path: '/r/sites/shop/api/bin/x.dll' }, 'WEB07/W3SVC3/api/v2'],
    ['sweep', { id: '/r/sites/shop', kind: 'site' }, { path: '/r/sites/shopping/x.aspx' }, 'WEB07'],
    ['inventory', { id: '/r', kind: 'host' }, { path: '/r/sites/shop/bin/Telerik.Web.UI.dll' }, 'WEB07/W3SVC3'],
    ['events', { id: 'web07', kind: 'host' }, { text: 'ParentCommandLine: c:\\windows\\system32\\inetsrv\\w3wp.exe -ap "ShopPool" -v "v4.0"' }, 'WEB07/apppool/ShopPool'],
    ['events', { id: 'web07', kind: 'host' }, { text: 'w3wp.exe -ap "Elsewhere"' }, 'WEB07'],
  ] as const)('%s: %j → %s', (analyzer, asset, evidence, expected) => {
    expect(hostAssetOf(analyzer, asset, evidence, tree).id).toBe(expected);
  });
});

describe('attributeGroups and attributeCoverage', () => {
  it('moves groups and coverage onto the tree and leaves rule and location alone', () => {
    const rule = { id: 'r1' } as RuleMeta;
    const group: FindingGroup = { rule, asset: { id: '10.0.0.5/W3SVC3', kind: 'site' }, locationKey: '203.0.113.7', occurrences: 2, head: [{ kind: 'log-line', file: 'u_ex.log', line: 3 }] };
    expect(attributeGroups('hunt', [group], tree)).toEqual([{ ...group, asset: shop }]);
    expect(attributeCoverage('audit', [{ ruleId: 'c1', asset: 'ShopPool' }, { ruleId: 'c1', asset: 'Shop/api/v2' }, { ruleId: 'c2', asset: 'WEB07' }], tree)).toEqual([
      { ruleId: 'c1', asset: 'WEB07/apppool/ShopPool' },
      { ruleId: 'c1', asset: 'WEB07/W3SVC3/api/v2' },
      { ruleId: 'c2', asset: 'WEB07' },
    ]);
  });
});
