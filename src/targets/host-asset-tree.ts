import path from 'node:path';
import type { Asset } from '../core/asset.js';

/** One folder that serves content for an asset (a site's or application's virtual directory), for attributing files. */
export interface ServedFolder {
  readonly hostPath: string;
  readonly asset: string;
}

/**
 * The assets of one host as a tree (host → site → application, app pools and HTTP.sys under the host), with the
 * lookups that put a finding on the most specific one: by file path (longest served folder), by site id, by site
 * name, by application path, by pool name.
 */
export class HostAssetTree {
  readonly host: Asset;
  readonly assets: readonly Asset[];
  readonly #byId: ReadonlyMap<string, Asset>;
  readonly #sitesById: ReadonlyMap<string, Asset>;
  readonly #sitesByName: ReadonlyMap<string, Asset>;
  readonly #pools: ReadonlyMap<string, Asset>;
  readonly #applications: ReadonlyMap<string, readonly { readonly segments: readonly string[]; readonly asset: Asset }[]>;
  /** Longest first, so the first folder containing a path is the most specific. */
  readonly #folders: readonly ServedFolder[];

  constructor(parts: {
    host: Asset;
    sites: readonly { readonly asset: Asset; readonly siteId: string; readonly applications: readonly { readonly urlPath: string; readonly asset: Asset }[] }[];
    pools: readonly Asset[];
    others: readonly Asset[];
    folders: readonly ServedFolder[];
  }) {
    this.host = parts.host;
    const all: Asset[] = [parts.host];
    const sitesById = new Map<string, Asset>();
    const sitesByName = new Map<string, Asset>();
    const applications = new Map<string, { segments: string[]; asset: Asset }[]>();
    for (const site of parts.sites) {
      all.push(site.asset, ...site.applications.map((application) => application.asset));
      if (!sitesById.has(site.siteId)) sitesById.set(site.siteId, site.asset);
      const name = (site.asset.name ?? site.asset.id).toLowerCase();
      if (!sitesByName.has(name)) sitesByName.set(name, site.asset);
      applications.set(
        site.asset.id,
        site.applications.map((application) => ({ segments: segmentsOf(application.urlPath), asset: application.asset })).sort((a, b) => b.segments.length - a.segments.length),
      );
    }
    all.push(...parts.pools, ...parts.others);
    this.assets = all;
    this.#byId = new Map(all.map((asset) => [asset.id, asset]));
    this.#sitesById = sitesById;
    this.#sitesByName = sitesByName;
    this.#applications = applications;
    this.#pools = new Map(parts.pools.map((pool) => [(pool.name ?? pool.id).toLowerCase(), pool]));
    this.#folders = [...parts.folders].sort((a, b) => b.hostPath.length - a.hostPath.length);
  }

  /** The asset with this id, if the tree has it. */
  get(id: string): Asset | undefined {
    return this.#byId.get(id);
  }

  /** The site IIS numbers `id` (`W3SVC<id>`). */
  siteById(id: string): Asset | undefined {
    return this.#sitesById.get(id);
  }

  /** The site named `name` in applicationHost.config (case-insensitive). */
  siteByName(name: string): Asset | undefined {
    return this.#sitesByName.get(name.toLowerCase());
  }

  /** The pool named `name` (case-insensitive). */
  pool(name: string): Asset | undefined {
    return this.#pools.get(name.toLowerCase());
  }

  /** The application of `site` that serves the URL path `urlPath` (longest application path), else the site. */
  applicationOf(site: Asset, urlPath: string): Asset {
    const wanted = segmentsOf(urlPath).map((segment) => segment.toLowerCase());
    for (const application of this.#applications.get(site.id) ?? []) {
      if (application.segments.length <= wanted.length && application.segments.every((segment, i) => segment.toLowerCase() === wanted[i])) return application.asset;
    }
    return site;
  }

  /** The asset whose served folder holds `file` (longest folder first), else the host. */
  byPath(file: string): Asset {
    for (const folder of this.#folders) {
      if (file === folder.hostPath || file.startsWith(folder.hostPath.endsWith(path.sep) ? folder.hostPath : folder.hostPath + path.sep)) {
        return this.#byId.get(folder.asset) ?? this.host;
      }
    }
    return this.host;
  }

  /** The asset and every asset below it (an application's files are its site's concern too, not the other way round). */
  descendants(id: string): Asset[] {
    const result: Asset[] = [];
    const wanted = new Set([id]);
    for (const asset of this.assets) {
      if (asset.id === id || (asset.parent !== undefined && wanted.has(asset.parent))) {
        wanted.add(asset.id);
        result.push(asset);
      }
    }
    return result;
  }
}

function segmentsOf(urlPath: string): string[] {
  return urlPath.split(/[\\/]+/).filter((segment) => segment !== '' && segment !== '.');
}
