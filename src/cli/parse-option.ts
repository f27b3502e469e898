import { BUILTIN_BURSTS } from '../analyzers/weblog/burst-detector.js';
import type { BurstTuning } from '../analyzers/weblog/hunt-task.js';
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

const DURATION_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--burst id=N[/window]` values: known detector ids, a positive threshold, a window such as 30s, 5m, 1h. */
export function burstOption(values: readonly string[]): Record<string, BurstTuning> {
  const tuning: Record<string, BurstTuning> = Object.create(null) as Record<string, BurstTuning>;
  for (const value of values) {
    const m = /^([a-z0-9-]+)=(\d{1,9})(?:\/(\d{1,6})([smhd]))?$/.exec(value);
    const detector = BUILTIN_BURSTS.find((b) => b.meta.id === m?.[1]);
    const threshold = Number(m?.[2]);
    if (m === null || detector === undefined || threshold < 1) {
      throw new UsageError(`--burst takes ID=N or ID=N/WINDOW (30s, 5m, 1h, 1d) with ID one of ${BUILTIN_BURSTS.map((b) => b.meta.id).join(', ')}, not ${JSON.stringify(value)}.`);
    }
    const unit = m[4];
    tuning[detector.meta.id] = { threshold, ...(unit === undefined ? {} : { windowMs: Number(m[3]) * (DURATION_MS[unit] ?? 0) }) };
  }
  return tuning;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** `--max-file-size`: bytes, or a number with K, M or G (powers of 1024). */
export function byteSizeOption(flag: string, value: string): number {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(value.trim());
  const unit = m === null ? undefined : UNITS[(m[2] ?? '').toLowerCase()];
  const n = m === null || unit === undefined ? Number.NaN : Number(m[1]) * unit;
  if (!Number.isSafeInteger(n) || n < 1 || n > 2 ** 31 - 1) throw new UsageError(`${flag} takes a size such as 32M, 512K or 1048576 (at most 2 GiB), not ${JSON.stringify(value)}.`);
  return n;
}
