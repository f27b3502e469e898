/** Columns of an NCSA Common Log Format line, as W3C names. */
export const NCSA_LOG_FIELDS: readonly string[] = [
  'c-ip', 'cs-ident', 'cs-username', 'date', 'time', 'cs-method', 'cs-uri-stem', 'cs-uri-query', 'cs-version', 'sc-status', 'sc-bytes',
];

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const NCSA_LINE = /^(\S+) (\S+) (\S+) \[(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\] "([^"]*)" (\d{3}|-) (\d+|-)$/;

/** True when a line looks like NCSA Common Log Format. */
export function looksLikeNcsaLine(line: string): boolean {
  return NCSA_LINE.test(line);
}

/** A parsed NCSA line: values aligned with {@link NCSA_LOG_FIELDS}, the time in UTC from the logged offset. */
export interface NcsaLogLine {
  readonly values: string[];
  readonly time: number | undefined;
}

/** Parses one NCSA Common Log Format line; undefined when it does not have that shape. */
export function parseNcsaLogLine(line: string): NcsaLogLine | undefined {
  const m = NCSA_LINE.exec(line);
  if (m === null) return undefined;
  const month = MONTHS.indexOf((m[5] ?? '').toLowerCase());
  if (month < 0) return undefined;
  const sign = m[10] === '-' ? -1 : 1;
  const offset = sign * (Number(m[11]) * 60 + Number(m[12]));
  const local = Date.UTC(Number(m[6]), month, Number(m[4]), Number(m[7]), Number(m[8]), Number(m[9]));
  const request = (m[13] ?? '').split(' ');
  const method = request.length >= 2 ? (request[0] ?? '-') : '-';
  const target = request.length >= 2 ? (request[1] ?? '-') : (request[0] ?? '-');
  const version = request.length >= 3 ? (request[2] ?? '-') : '-';
  const q = target.indexOf('?');
  const stem = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '-' : target.slice(q + 1) || '-';
  const time = Number.isNaN(local) ? undefined : local - offset * 60_000;
  const iso = time === undefined ? undefined : new Date(time).toISOString();
  return {
    values: [m[1] ?? '-', m[2] ?? '-', m[3] ?? '-', iso?.slice(0, 10) ?? '-', iso?.slice(11, 19) ?? '-', method, stem || '-', query, version, m[14] ?? '-', m[15] ?? '-'],
    time,
  };
}
