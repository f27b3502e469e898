/** Columns of IIS's own comma-separated "IIS log file format", as W3C names. */
export const IIS_LOG_FIELDS: readonly string[] = [
  'c-ip', 'cs-username', 'date', 'time', 's-sitename', 's-computername', 's-ip', 'time-taken', 'cs-bytes',
  'sc-bytes', 'sc-status', 'sc-win32-status', 'cs-method', 'cs-uri-stem', 'cs-uri-query',
];

const IIS_SHAPE = /^[^,]*, [^,]*, \d{1,2}\/\d{1,2}\/\d{2,4}, \d{1,2}:\d{2}:\d{2}, /;

/** True when a line looks like the IIS log file format. */
export function looksLikeIisLogLine(line: string): boolean {
  return IIS_SHAPE.test(line);
}

/** A parsed IIS-format line: values aligned with {@link IIS_LOG_FIELDS} and the time in UTC. */
export interface IisLogLine {
  readonly values: string[];
  readonly time: number | undefined;
}

/**
 * Parses one IIS-format line. Times in this format are the server's local time: `offsetMinutes` is
 * the server's offset from UTC. Returns undefined when the line does not have the 15 fields.
 */
export function parseIisLogLine(line: string, offsetMinutes: number): IisLogLine | undefined {
  const body = line.endsWith(',') ? line.slice(0, -1) : line;
  const parts = body.split(', ');
  if (parts.length !== IIS_LOG_FIELDS.length) return undefined;
  const values = parts.map((p) => p.trim());
  const date = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(values[2] ?? '');
  const time = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(values[3] ?? '');
  if (date === null || time === null) return undefined;
  const yy = Number(date[3]);
  const year = (date[3] ?? '').length === 2 ? (yy >= 70 ? 1900 + yy : 2000 + yy) : yy;
  const local = Date.UTC(year, Number(date[1]) - 1, Number(date[2]), Number(time[1]), Number(time[2]), Number(time[3]));
  values[2] = `${year}-${pad(Number(date[1]))}-${pad(Number(date[2]))}`;
  values[3] = `${pad(Number(time[1]))}:${time[2]}:${time[3]}`;
  return { values, time: Number.isNaN(local) ? undefined : local - offsetMinutes * 60_000 };
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
