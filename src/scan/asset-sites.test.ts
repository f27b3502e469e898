import { describe, expect, it } from 'vitest';
import type { Asset } from '../core/asset.js';
import { AssetSites, normalizeDiskPath } from './asset-sites.js';

const TREE: readonly Asset[] = [
  { id: 'FAB-WEB01', kind: 'host' },
  { id: 'FAB-WEB01/W3SVC2', kind: 'site', parent: 'FAB-WEB01', path: '/mnt/web01/inetpub/wwwroot/corp' },
  { id: 'FAB-WEB01/W3SVC2/partners', kind: 'application', parent: 'FAB-WEB01/W3SVC2', path: '/mnt/web01/Apps/Partners' },
  { id: 'FAB-WEB01/W3SVC2/corp/api', kind: 'application', parent: 'FAB-WEB01/W3SVC2', path: '/mnt/web01/inetpub/wwwroot/corp/api' },
  { id: 'FAB-WEB01/apppool/Partners', kind: 'app-pool', parent: 'FAB-WEB01/W3SVC2/partners' },
  { id: 'FAB-WEB01/apppool/Idle', kind: 'app-pool', parent: 'FAB-WEB01' },
  { id: 'loop-a', kind: 'application', parent: 'loop-b' },
  { id: 'loop-b', kind: 'application', parent: 'loop-a' },
];

describe('AssetSites', () => {
  const sites = new AssetSites(TREE);

  it('places applications and their app pools on their site, host-level assets on the host', () => {
    expect(sites.placeOf('FAB-WEB01/W3SVC2/partners')).toEqual({ site: 'FAB-WEB01/W3SVC2', host: 'FAB-WEB01' });
    expect(sites.placeOf('FAB-WEB01/apppool/Partners')).toEqual({ site: 'FAB-WEB01/W3SVC2', host: 'FAB-WEB01' });
    expect(sites.placeOf('FAB-WEB01/apppool/Idle')).toEqual({ host: 'FAB-WEB01' });
    expect(sites.placeOf('FAB-WEB01')).toEqual({ host: 'FAB-WEB01' });
  });

  it('keeps an asset outside the tree, or in a loop of parents, to itself', () => {
    expect(sites.placeOf('10.30.0.10/W3SVC2')).toEqual({ site: '10.30.0.10/W3SVC2' });
    expect(sites.placeOf('loop-a')).toEqual({ site: 'loop-a' });
  });

  it('gives the URL of a file from the most specific physical path, case and slashes aside', () => {
    expect(sites.urlOf('FAB-WEB01/W3SVC2', '/mnt/web01/inetpub/wwwroot/corp/Content/uploads/x.aspx')).toBe('/content/uploads/x.aspx');
    expect(sites.urlOf('FAB-WEB01/W3SVC2', '/MNT/web01/Apps/partners/Upload/shell.ASPX')).toBe('/partners/upload/shell.aspx');
    expect(sites.urlOf('FAB-WEB01/W3SVC2', '/mnt/web01/inetpub/wwwroot/corp/api/h.ashx')).toBe('/corp/api/h.ashx');
    expect(sites.urlOf('FAB-WEB01/W3SVC2', '/mnt/web01/inetpub/wwwroot/corporate/x.aspx')).toBeUndefined();
    expect(sites.urlOf('FAB-WEB01/W3SVC9', '/mnt/web01/inetpub/wwwroot/corp/x.aspx')).toBeUndefined();
  });

  it('reads Windows paths as Windows does', () => {
    const windows = new AssetSites([
      { id: 'H', kind: 'host' },
      { id: 'H/W3SVC1', kind: 'site', parent: 'H', path: 'C:\\inetpub\\wwwroot\\' },
    ]);
    expect(windows.urlOf('H/W3SVC1', 'c:/InetPub/wwwroot/./a/../uploads/x.aspx')).toBe('/uploads/x.aspx');
    expect(normalizeDiskPath('..\\eval\\webroots\\Corp\\')).toBe('../eval/webroots/corp');
  });
});
