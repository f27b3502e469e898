import type { Asset } from '../../core/asset.js';
import type { WebRecord } from '../../formats/web-log/web-record.js';

const SITE_FOLDER = /(?:^|[\\/!])(W3SVC\d+)(?:[\\/]|$)/i;

/**
 * The asset a log line is about: the site (from the `W3SVC<id>` log folder or `s-sitename`), qualified by
 * the server that logged it (`s-computername` or `s-ip`) so that two servers' `W3SVC1` stay apart.
 * HTTPERR lines belong to HTTP.sys on that server.
 */
export function webAsset(record: WebRecord): Asset {
  const server = record.get('s-computername') ?? record.get('s-ip');
  let site: string;
  let kind: Asset['kind'] = 'site';
  if (record.format === 'httperr') {
    site = 'HTTP.sys';
    kind = 'http-sys';
  } else {
    site = SITE_FOLDER.exec(record.file)?.[1]?.toUpperCase() ?? record.get('s-sitename')?.toUpperCase() ?? 'site';
  }
  const id = server === undefined ? site : `${server}/${site}`;
  return { id, kind };
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
