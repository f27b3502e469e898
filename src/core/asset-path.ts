import type { AssetKind } from './asset.js';

/** What an asset id says about its place: the kinds a host tree has, a URL, or something else (a swept folder). */
export type AssetIdKind = AssetKind | 'other';

/** Where an asset sits in the host → site → application tree, read from its id alone. */
export interface AssetPlace {
  readonly kind: AssetIdKind;
  /** The node it hangs under: a site's or pool's host, an application's site; absent for a root. */
  readonly parent?: string;
}

/**
 * Reads an asset id as the host analyzers write them (`HOST`, `HOST/W3SVC2`, `HOST/W3SVC2/api`,
 * `HOST/apppool/Pool`, `HOST/HTTP.sys`). A URL (`https://portal.example.com`) or a folder path (a sweep's root)
 * is a root of its own: its slashes are not a hierarchy. Nested applications (`HOST/W3SVC2/a/b`) hang under
 * their site, so the tree has three levels at most.
 */
export function assetPlace(id: string): AssetPlace {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(id)) return { kind: 'url' };
  if (id.startsWith('/') || id.includes('\\') || /^[a-z]:/i.test(id) || id === '') return { kind: 'other' };
  const segments = id.split('/');
  const [host = '', second = '', third] = segments;
  if (segments.length === 1) return { kind: 'host' };
  if (second === 'apppool' && third !== undefined) return { kind: 'app-pool', parent: host };
  if (segments.length === 2) return { kind: second === 'HTTP.sys' ? 'http-sys' : 'site', parent: host };
  return { kind: 'application', parent: `${host}/${second}` };
}

/**
 * The ids an asset inherits context from, root first and itself last (`HOST`, `HOST/W3SVC2`, `HOST/W3SVC2/api`):
 * the same chain as `w3guard.yaml`'s settings follow on a host. A URL or folder inherits from nothing.
 */
export function assetAncestry(id: string): string[] {
  const kind = assetPlace(id).kind;
  if (kind === 'url' || kind === 'other') return [id];
  const segments = id.split('/');
  return segments.map((_, k) => segments.slice(0, k + 1).join('/'));
}
