/** A `#Name: value` header line of a W3C extended log. */
export interface W3cDirective {
  readonly name: string;
  readonly value: string;
}

/** Parses a directive line (starting with `#`); undefined when it is not one. */
export function parseW3cDirective(line: string): W3cDirective | undefined {
  if (!line.startsWith('#')) return undefined;
  const colon = line.indexOf(':');
  if (colon < 0) return { name: line.slice(1).trim().toLowerCase(), value: '' };
  return { name: line.slice(1, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() };
}

/** The field names of a `#Fields:` value. */
export function w3cFieldNames(value: string): string[] {
  return value.split(/\s+/).filter((n) => n.length > 0);
}

/** The field set IIS 8.5 and later writes by default, assumed when a file has lost its `#Fields` line. */
export const IIS_DEFAULT_FIELDS: readonly string[] = [
  'date', 'time', 's-ip', 'cs-method', 'cs-uri-stem', 'cs-uri-query', 's-port', 'cs-username', 'c-ip',
  'cs(User-Agent)', 'cs(Referer)', 'sc-status', 'sc-substatus', 'sc-win32-status', 'time-taken',
];
