import { parseSeverity, type Severity } from '../core/severity.js';
import { UsageError } from './exit-code.js';

/** `--fail-on` / `--min-severity` values. */
export function severityOption(flag: string, value: string): Severity {
  const severity = parseSeverity(value);
  if (severity === undefined) throw new UsageError(`${flag} takes info, low, medium, high or critical, not ${JSON.stringify(value)}.`);
  return severity;
}

/** `--since` / `--until`: an ISO 8601 date (UTC midnight) or date-time (UTC unless it says otherwise). */
export function timeOption(flag: string, value: string): number {
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`;
  const ms = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?([zZ]|[+-]\d{2}:?\d{2})?$/.test(text) ? Date.parse(text.replace(' ', 'T')) : Number.NaN;
  if (Number.isNaN(ms)) throw new UsageError(`${flag} takes a date such as 2024-03-11 or 2024-03-11T14:00:00Z, not ${JSON.stringify(value)}.`);
  return ms;
}

/** A whole number within bounds. */
export function integerOption(flag: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${flag} takes a whole number from ${min} to ${max}, not ${JSON.stringify(value)}.`);
  return n;
}

/** `--local-offset`: the server's UTC offset such as +02:00 or -0500, for logs written in local time. */
export function offsetOption(flag: string, value: string): number {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(value);
  if (m === null || Number(m[2]) > 14 || Number(m[3]) > 59) throw new UsageError(`${flag} takes an offset from UTC such as +02:00 or -05:00, not ${JSON.stringify(value)}.`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}
