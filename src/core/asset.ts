/** What kind of thing is at risk. */
export type AssetKind = 'host' | 'site' | 'application' | 'app-pool' | 'url' | 'http-sys';

/** Something at risk: a host, a site, an application, an app pool, a URL. */
export interface Asset {
  /** Stable identifier, used in fingerprints (for example `W3SVC2` or `https://portal.example.com`). */
  readonly id: string;
  readonly kind: AssetKind;
  /** Human name when it differs from the id. */
  readonly name?: string;
  /** The id of the asset this one belongs to (application → site → host); absent for a root. */
  readonly parent?: string;
  /** Where a site's or application's content is on disk, as reached from the path given (host mode). */
  readonly path?: string;
}
