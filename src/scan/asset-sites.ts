import type { Asset } from '../core/asset.js';

/** Where a finding's asset sits for correlation: its site (absent for a host-level finding) and its host. */
export interface AssetPlace {
  /** The site whose findings it may join; for an asset outside the tree, the asset itself. */
  readonly site?: string;
  /** The host at the root of the tree, whose host-level findings (events) may join any of its sites. */
  readonly host?: string;
}

interface Mount {
  /** Normalized physical path, no trailing slash. */
  readonly disk: string;
  /** The virtual path the physical path answers to: `/` for the site, `/partners` for an application. */
  readonly url: string;
}

/** Longest chain of parents followed: a tree deeper than this is a loop or not a host's tree. */
const MAX_DEPTH = 16;

/**
 * Compares physical paths the way Windows does (case-insensitive, either slash) and lexically, since the
 * files may be on a mounted image: `C:\inetpub\wwwroot\A` and `c:/inetpub/wwwroot/a/` are the same folder.
 */
export function normalizeDiskPath(path: string): string {
  const parts: string[] = [];
  const slashed = path.replace(/\\/g, '/');
  for (const part of slashed.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(part);
  }
  return `${slashed.startsWith('/') ? '/' : ''}${parts.join('/')}`.toLowerCase();
}

/**
 * The host's asset tree as correlation needs it: which site an asset belongs to (an application or an app
 * pool under a site joins the site's findings) and which URL a file under a site's or application's
 * physical path answers to.
 */
export class AssetSites {
  readonly #byId = new Map<string, Asset>();
  readonly #places = new Map<string, AssetPlace>();
  /** Per site, its own and its applications' physical paths, the longest first. */
  readonly #mounts = new Map<string, Mount[]>();

  constructor(assets: readonly Asset[]) {
    for (const asset of assets) this.#byId.set(asset.id, asset);
    for (const asset of assets) {
      if (asset.path === undefined || (asset.kind !== 'site' && asset.kind !== 'application')) continue;
      const site = this.placeOf(asset.id).site;
      if (site === undefined) continue;
      const mounts = this.#mounts.get(site) ?? [];
      mounts.push({ disk: normalizeDiskPath(asset.path), url: asset.kind === 'site' ? '/' : virtualPath(asset, site) });
      this.#mounts.set(site, mounts);
    }
    for (const mounts of this.#mounts.values()) mounts.sort((a, b) => b.disk.length - a.disk.length || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  }

  /** The site and host of an asset id; an id the tree does not hold is its own site, on no known host. */
  placeOf(assetId: string): AssetPlace {
    const known = this.#places.get(assetId);
    if (known !== undefined) return known;
    let place: AssetPlace;
    let current = this.#byId.get(assetId);
    if (current === undefined) place = { site: assetId };
    else {
      let site: string | undefined;
      let root = current;
      for (let depth = 0; current !== undefined && depth < MAX_DEPTH; depth += 1) {
        if (site === undefined && current.kind === 'site') site = current.id;
        root = current;
        current = current.parent === undefined ? undefined : this.#byId.get(current.parent);
      }
      place = { ...(site === undefined ? {} : { site }), ...(root.kind === 'host' ? { host: root.id } : site === undefined ? { site: assetId } : {}) };
    }
    this.#places.set(assetId, place);
    return place;
  }

  /** The URL path (lower-case) a file on a site answers to, when it lies under the site's or an application's physical path. */
  urlOf(site: string, diskPath: string): string | undefined {
    const file = normalizeDiskPath(diskPath);
    for (const mount of this.#mounts.get(site) ?? []) {
      if (!file.startsWith(`${mount.disk}/`)) continue;
      const rest = file.slice(mount.disk.length + 1);
      return mount.url === '/' ? `/${rest}` : `${mount.url}/${rest}`;
    }
    return undefined;
  }
}

/**
 * An application's virtual path: host names applications `<site id>/<virtual path>` (`FAB-WEB01/W3SVC2/partners`),
 * so the part after the site's id is the path; otherwise its name.
 */
function virtualPath(asset: Asset, site: string): string {
  const tail = asset.id.startsWith(`${site}/`) ? asset.id.slice(site.length + 1) : (asset.name ?? asset.id.split('/').pop() ?? '');
  const trimmed = tail.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '').toLowerCase();
  return trimmed === '' ? '/' : `/${trimmed}`;
}
