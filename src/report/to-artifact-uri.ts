/** Unpaired surrogates, which `encodeURIComponent` refuses; the `u` flag makes the class skip real pairs. */
const LONE_SURROGATE = /[\ud800-\udfff]/gu;
const DRIVE_PATH = /^([A-Za-z]):\/(.*)$/s;
/** `\\?\` and `\\.\` device prefixes in front of a drive or `UNC\server\share` path. */
const DEVICE_PREFIX = /^\/\/[?.]\//;

/**
 * Turns a path as the user gave it into a URI reference for SARIF `artifactLocation.uri`: backslashes
 * become slashes and every segment is percent-encoded. A relative path stays a relative reference (a
 * first segment such as `C:x` has its colon encoded so it cannot read as a scheme); absolute Windows,
 * UNC and POSIX paths become `file:` URIs.
 */
export function toArtifactUri(path: string): string {
  let slashed = path.replace(LONE_SURROGATE, '\ufffd').replaceAll('\\', '/');
  if (DEVICE_PREFIX.test(slashed)) {
    const rest = slashed.slice(4);
    slashed = /^UNC\//i.test(rest) ? `//${rest.slice(4)}` : rest;
  }
  const drive = DRIVE_PATH.exec(slashed);
  if (drive !== null) return `file:///${drive[1] ?? ''}:/${encodeSegments(drive[2] ?? '')}`;
  if (slashed.startsWith('//')) {
    const [host = '', ...segments] = slashed.slice(2).split('/');
    return `file://${encodeURIComponent(host)}/${segments.map(encodeURIComponent).join('/')}`;
  }
  if (slashed.startsWith('/')) return `file://${encodeSegments(slashed)}`;
  return encodeSegments(slashed);
}

/**
 * A URL from HTTP evidence as an artifact URI. Only `http:` and `https:` stay URLs; anything else —
 * `javascript:`, garbage — is encoded like a relative path so no viewer turns it into a live link of
 * another scheme. User info is dropped so no credential travels into a SARIF upload.
 */
export function toUrlArtifactUri(url: string): string {
  if (URL.canParse(url)) {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
      return `${parsed.protocol}//${parsed.host}${encodeLeftovers(`${parsed.pathname}${parsed.search}${parsed.hash}`)}`;
    }
  }
  return toArtifactUri(url);
}

/**
 * The WHATWG parser leaves some characters RFC 3986 forbids (`|`, `^`, `{`, `[`, a stray `%`) in path,
 * query and fragment; SARIF asks for an RFC 3986 `uri-reference`, so they are encoded here.
 */
function encodeLeftovers(rest: string): string {
  return rest.replace(/%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]/gu, (char) => encodeURIComponent(char));
}

function encodeSegments(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
