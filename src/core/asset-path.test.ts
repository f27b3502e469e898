import { describe, expect, it } from 'vitest';
import { assetAncestry, assetPlace } from './asset-path.js';

describe('asset ids as a tree', () => {
  it('places the ids the host analyzers write under their host or site', () => {
    expect(assetPlace('WEB07')).toEqual({ kind: 'host' });
    expect(assetPlace('WEB07/W3SVC3')).toEqual({ kind: 'site', parent: 'WEB07' });
    expect(assetPlace('WEB07/W3SVC3/api')).toEqual({ kind: 'application', parent: 'WEB07/W3SVC3' });
    // A nested application still hangs under its site: three levels at most.
    expect(assetPlace('WEB07/W3SVC3/api/v2')).toEqual({ kind: 'application', parent: 'WEB07/W3SVC3' });
    expect(assetPlace('WEB07/apppool/ShopPool')).toEqual({ kind: 'app-pool', parent: 'WEB07' });
    expect(assetPlace('WEB07/HTTP.sys')).toEqual({ kind: 'http-sys', parent: 'WEB07' });
  });

  it('keeps URLs and folders as roots: their slashes are not a hierarchy', () => {
    expect(assetPlace('https://portal.example.com/shop')).toEqual({ kind: 'url' });
    expect(assetPlace('/srv/www/site')).toEqual({ kind: 'other' });
    expect(assetPlace('C:\\inetpub\\wwwroot')).toEqual({ kind: 'other' });
    expect(assetAncestry('https://portal.example.com/shop')).toEqual(['https://portal.example.com/shop']);
  });

  it('gives the chain an asset inherits context along, root first', () => {
    expect(assetAncestry('WEB07/W3SVC3/api')).toEqual(['WEB07', 'WEB07/W3SVC3', 'WEB07/W3SVC3/api']);
    expect(assetAncestry('WEB07')).toEqual(['WEB07']);
  });
});
