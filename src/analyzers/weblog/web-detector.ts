import type { Detector } from '../../core/detector.js';
import type { WebRecord } from '../../formats/web-log/web-record.js';
import { IIS_DEFAULT_FIELDS } from '../../formats/w3c-log/w3c-directive.js';

/**
 * A detector over web-log records. `needleTerms`, when known, refines `needles` for the byte pass:
 * alternatives of one or two needle sets, every set of one alternative occurring in any line it matches.
 */
export type WebDetector = Detector<WebRecord> & { readonly needleTerms?: readonly (readonly (readonly string[])[])[] };

const DEFAULT_FIELDS = new Set([...IIS_DEFAULT_FIELDS.map((name) => name.toLowerCase()), 'uri']);

/** The logged field behind a record field name (`cs-uri-stem.decoded` → `cs-uri-stem`). */
export const baseField = (name: string): string => (name.endsWith('.decoded') ? name.slice(0, -'.decoded'.length) : name);

/** True when the detector can only match a record with a field outside IIS's default set (a cookie, a custom header). */
export function needsExtraFields(detector: WebDetector): boolean {
  return (detector.requires ?? []).some((names) => !names.some((name) => DEFAULT_FIELDS.has(baseField(name))));
}

/** Fields the server itself writes (addresses, times, sizes, status): never attacker text. */
const SERVER_FIELD = /^(date|time|time-taken|c-ip|c-port|s-.*|sc-.*|cs-bytes|cs-version|cs-ident|streamid)$/;

/**
 * Every attacker-controlled field of a record, decoded: URI, method, user name, headers, and custom
 * fields (`X-Forwarded-For`, `cs(X-Custom)`), which IIS fills from request headers.
 */
export function requestTexts(record: WebRecord): string[] {
  const out: string[] = [];
  for (const name of record.fields()) {
    if (!SERVER_FIELD.test(name)) {
      const value = record.decoded(name);
      if (value !== undefined) out.push(value);
    }
  }
  return out;
}

/** True for a 2xx or 3xx status, or when no status was logged. */
export function servedOrUnknown(record: WebRecord): boolean {
  const status = record.get('sc-status');
  return status === undefined || status.startsWith('2') || status.startsWith('3');
}

/** The file name part of the decoded URI stem, lower case (`/a/b/Cmd.aspx` → `cmd.aspx`). */
export function stemFileName(record: WebRecord): string {
  const stem = (record.decoded('cs-uri-stem') ?? '').toLowerCase().replaceAll('\\', '/');
  return stem.slice(stem.lastIndexOf('/') + 1);
}
