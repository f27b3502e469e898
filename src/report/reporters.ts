import type { Reporter } from '../core/reporter.js';
import { csvReporter } from './csv-reporter.js';
import { htmlReporter } from './html-reporter.js';
import { jsonReporter } from './json-reporter.js';
import { jsonlReporter } from './jsonl-reporter.js';
import { markdownReporter } from './markdown-reporter.js';
import { sarifReporter } from './sarif-reporter.js';
import { tableReporter } from './table-reporter.js';

/** Every built-in reporter by `--format` name; adding one is one file plus one line here. */
export const REPORTERS = {
  table: tableReporter,
  json: jsonReporter,
  jsonl: jsonlReporter,
  sarif: sarifReporter,
  csv: csvReporter,
  md: markdownReporter,
  html: htmlReporter,
} as const satisfies Record<string, Reporter>;

/** A `--format` value that names a built-in reporter. */
export type ReportFormat = keyof typeof REPORTERS;

/** The format names in registry order, for help text and option validation. */
export const REPORT_FORMATS = Object.keys(REPORTERS) as ReportFormat[];

/** True when `value` names a built-in reporter (own keys only, so `toString` or `__proto__` never match). */
export function isReportFormat(value: unknown): value is ReportFormat {
  return typeof value === 'string' && Object.hasOwn(REPORTERS, value);
}
