/** HTTP.sys error log fields that W3C access logs never carry: their presence marks an HTTPERR log. */
const HTTPERR_ONLY = new Set(['s-reason', 's-queuename', 'streamid', 's-siteid']);

/** True when a `#Fields` list is the HTTP.sys error log's. */
export function isHttpErrFields(names: readonly string[]): boolean {
  return names.some((n) => HTTPERR_ONLY.has(n.toLowerCase()));
}

/** True when a `#Software` directive names HTTP.sys (`Microsoft HTTP API 2.0`). */
export function isHttpErrSoftware(value: string): boolean {
  return /microsoft http api/i.test(value);
}

/** Fields derived from `cs-uri` so HTTPERR records answer to the same names as access-log records. */
export const HTTPERR_DERIVED_FIELDS: readonly string[] = ['cs-uri-stem', 'cs-uri-query', 'cs-host'];

/**
 * Splits HTTP.sys's `cs-uri` (absolute `http://host:port/path?query` or origin form `/path?query`)
 * into stem, query and host.
 */
export function splitHttpErrUri(uri: string | undefined): [stem: string, query: string, host: string] {
  if (uri === undefined || uri === '-' || uri === '') return ['-', '-', '-'];
  let rest = uri;
  let host = '-';
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(rest);
  if (scheme !== null) {
    const afterScheme = rest.slice(scheme[0].length);
    const slash = afterScheme.search(/[/?]/);
    host = slash < 0 ? afterScheme : afterScheme.slice(0, slash);
    rest = slash < 0 ? '/' : afterScheme.slice(slash);
  }
  const q = rest.indexOf('?');
  if (q < 0) return [rest, '-', host || '-'];
  return [rest.slice(0, q) || '/', rest.slice(q + 1) || '-', host || '-'];
}
