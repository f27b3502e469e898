import type { Evidence } from '../core/evidence.js';
import type { Finding } from '../core/finding.js';
import type { ScanReport } from '../core/report.js';
import type { Reporter } from '../core/reporter.js';
import { isLineNumber } from './is-line-number.js';

/** The CSV columns, in order. */
export const CSV_COLUMNS = [
  'severity',
  'confidence',
  'rule_id',
  'title',
  'asset',
  'location_key',
  'occurrences',
  'first_seen',
  'last_seen',
  'fingerprint',
  'file',
  'line',
  'evidence',
  'status',
  'priority',
  'risk',
  'due',
  'related',
] as const;

/** Characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;
/** Unpaired surrogates cannot be written as UTF-8; the file would hold U+FFFD, so the string does too. */
const LONE_SURROGATE = /[\ud800-\udfff]/gu;

/**
 * RFC 4180 CSV (CRLF line ends, a header row), one row per finding with its first evidence item.
 * Values are the raw data except for one defence: a cell that starts like a formula gets a leading `'`,
 * so opening the file in Excel or LibreOffice cannot run an attacker's `=cmd|' /C calc'!A0`. Control
 * characters stay as they are (the data is evidence); this format is for files, not terminals.
 */
export const csvReporter: Reporter = {
  format: 'csv',
  description: 'CSV (RFC 4180), one row per finding, formula-injection safe',
  render(report: ScanReport): string {
    const rows = [CSV_COLUMNS, ...report.findings.map(toRow)];
    return rows
      .map((row) => `${row.map(csvCell).join(',')}\r\n`)
      .join('')
      .replace(LONE_SURROGATE, '\ufffd');
  },
};

/** Formats one value as a CSV cell: formula-neutralized, then quoted when RFC 4180 requires it. */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function toRow(finding: Finding): string[] {
  const first: Evidence | undefined = finding.evidence[0];
  return [
    finding.severity,
    finding.confidence,
    finding.ruleId,
    finding.title,
    finding.asset,
    finding.locationKey,
    String(finding.occurrences),
    finding.firstSeen ?? '',
    finding.lastSeen ?? '',
    finding.fingerprint,
    first?.file ?? first?.path ?? first?.url ?? '',
    isLineNumber(first?.line) ? String(first.line) : '',
    first?.text ?? '',
    finding.status ?? '',
    finding.priority?.label ?? '',
    finding.risk === undefined ? '' : String(finding.risk),
    finding.priority?.dueAt ?? '',
    (finding.related ?? []).join(' '),
  ];
}
