/** Which of IIS's logging formats a record came from. */
export type WebLogFormat = 'w3c' | 'httperr' | 'iis' | 'ncsa';

/**
 * One request from any IIS log format, with the same field names whatever the format.
 * Field names are lower-case W3C names: `date`, `time`, `c-ip`, `s-ip`, `cs-method`, `cs-uri-stem`,
 * `cs-uri-query`, `sc-status`, `cs-username`, `cs(user-agent)`, `cs(referer)`, `cs-host`, `s-reason`, …
 */
export interface WebRecord {
  readonly format: WebLogFormat;
  /** The log file as given on the command line (for an archive entry: `archive.zip!entry`). */
  readonly file: string;
  /** 1-based line number in that file. */
  readonly line: number;
  /** The whole line as read (attacker-controlled). */
  readonly raw: string;
  /** Request time, ms since the epoch, UTC; undefined when the line has none. */
  readonly time: number | undefined;
  /** The logged value of a field; undefined when the field is absent or logged as `-`. */
  get(field: string): string | undefined;
  /**
   * The value as the application saw it: percent-decoding repeated until stable (bounded) for URI
   * fields, `+` as space for header fields. Same as `get` for other fields.
   */
  decoded(field: string): string | undefined;
  /** Names of the fields this record carries. */
  fields(): readonly string[];
}
