import { escapeTerminal } from '../../report/escape-terminal.js';
import { findingOf, type NotifyEvent } from '../notify-event.js';

/** What every human-facing channel shows of one event; text fields are raw (attacker text included): renderers escape. */
export interface EventSummary {
  /** Our own words only (event and label): safe for subjects and headers. */
  readonly headline: string;
  /** The finding's or incident's title, raw. */
  readonly title: string;
  readonly fields: readonly (readonly [string, string])[];
  /** The UI deep link for this event, when there is one. */
  readonly link?: string;
  readonly label?: string;
  readonly severity?: string;
}

const HEADLINES: Readonly<Record<string, string>> = {
  'finding.created': 'New finding',
  'finding.reopened': 'Finding reopened',
  'finding.fixed': 'Finding fixed',
  'finding.label_raised': 'Priority raised',
  'finding.overdue': 'Finding overdue',
  'incident.opened': 'Incident opened',
  'scan.completed': 'Scan completed',
  'scan.failed': 'Scan failed',
  'verify.completed': 'Verification completed',
  test: 'Test notification',
};

/** Summarizes an event for people; `publicUrl` has no trailing slash. */
export function summarizeEvent(event: NotifyEvent, publicUrl: string): EventSummary {
  const finding = findingOf(event);
  const headline = HEADLINES[event.type] ?? event.type;
  if (event.type === 'incident.opened') {
    const incident = (event.data['incident'] ?? {}) as Record<string, unknown>;
    const members = Array.isArray(incident['members']) ? (incident['members'] as unknown[]).filter((m): m is string => typeof m === 'string') : [];
    const anchor = members[0];
    return {
      headline: `${headline} [incident]`,
      title: stringOf(incident['title']) || 'Compromise evidence',
      fields: [
        ['Asset', stringOf(incident['asset'])],
        ['Kind', stringOf(incident['kind'])],
        ['Findings', String(members.length)],
      ],
      ...(anchor === undefined ? {} : { link: findingLink(publicUrl, anchor) }),
      label: 'incident',
      severity: 'critical',
    };
  }
  if (finding !== undefined) {
    const fields: [string, string][] = [
      ['Asset', finding.asset],
      ['Rule', finding.ruleId],
      ['Severity', finding.severity],
    ];
    if (finding.label !== undefined) fields.push(['Label', finding.label]);
    if (finding.dueAt !== undefined) fields.push(['Due', finding.dueAt.slice(0, 10)]);
    if (finding.risk !== undefined) fields.push(['Score', String(Math.round(finding.risk))]);
    return {
      headline: `${headline}${finding.label === undefined ? '' : ` [${finding.label}]`}`,
      title: finding.title,
      fields,
      link: findingLink(publicUrl, finding.fingerprint),
      ...(finding.label === undefined ? {} : { label: finding.label }),
      severity: finding.severity,
    };
  }
  const scan = (event.data['scan'] ?? {}) as Record<string, unknown>;
  const scanId = stringOf(scan['id']);
  const fields: [string, string][] = [];
  if (scanId !== '') fields.push(['Scan', scanId]);
  if (typeof scan['kind'] === 'string') fields.push(['Kind', scan['kind']]);
  if (typeof scan['findings'] === 'number') fields.push(['Findings', String(scan['findings'])]);
  if (typeof scan['error'] === 'string') fields.push(['Error', scan['error']]);
  const message = stringOf(event.data['message']);
  return {
    headline,
    title: message || (scanId === '' ? headline : `${headline}: ${scanId}`),
    fields,
    ...(scanId === '' ? {} : { link: `${publicUrl}/scans/${encodeURIComponent(scanId)}` }),
    ...(event.type === 'scan.failed' ? { severity: 'high' } : {}),
  };
}

/** The finding's page in the UI. */
export function findingLink(publicUrl: string, fingerprint: string): string {
  return `${publicUrl}/findings/${encodeURIComponent(fingerprint)}`;
}

/** Cuts text to `max` characters (code points, never splitting a surrogate pair), ending with "…" when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(max - 1, 0)).join('')}…`;
}

/** One line of attacker text with every control and bidi character shown as a visible escape. */
export function oneLine(text: string): string {
  return escapeTerminal(text);
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}
