/** Parses `YYYY-MM-DD` and `HH:MM:SS[.fff]` as UTC; undefined when malformed. */
export function utcTime(date: string, time: string): number | undefined {
  if (date.length !== 10 || time.length < 8) return undefined;
  const y = Number(date.slice(0, 4));
  const mo = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  const h = Number(time.slice(0, 2));
  const mi = Number(time.slice(3, 5));
  const s = Number(time.slice(6, 8));
  if (![y, mo, d, h, mi, s].every(Number.isInteger) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, s);
}
