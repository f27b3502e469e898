import type { Asset } from '../../core/asset.js';
import type { WebRecord } from '../../formats/web-log/web-record.js';

const SITE_FOLDER = /(?:^|[\\/!])(W3SVC\d+)(?:[\\/]|$)/i;

/**
 * The asset a log line is about: the site (from the `W3SVC<id>` log folder or `s-sitename`), qualified by
 * the server that logged it (`s-computername` or `s-ip`) so that two servers' `W3SVC1` stay apart.
 * HTTPERR lines belong to HTTP.sys on that server. Without a site id the server itself is the asset.
 */
export function webAsset(record: WebRecord): Asset {
  const server = record.get('s-computername') ?? record.get('s-ip');
  const site =
    record.format === 'httperr' ? 'HTTP.sys' : (SITE_FOLDER.exec(record.file)?.[1]?.toUpperCase() ?? record.get('s-sitename')?.toUpperCase());
  const kind: Asset['kind'] = record.format === 'httperr' ? 'http-sys' : site === undefined ? 'host' : 'site';
  if (site === undefined) return { id: server ?? 'unknown-server', kind };
  return { id: server === undefined ? site : `${server}/${site}`, kind };
}

/**
 * Who sent the request: the first address of a logged X-Forwarded-For (the client behind a proxy or load
 * balancer) when the site logs it, else `c-ip`.
 */
export function webSource(record: WebRecord): string {
  const forwarded = record.get('x-forwarded-for') ?? record.get('cs(x-forwarded-for)');
  if (forwarded !== undefined) {
    const first = forwarded.split(/[,+ ]/)[0]?.trim();
    if (first !== undefined && first.length > 0 && first.length <= 64) return first;
  }
  return record.get('c-ip') ?? '-';
}
