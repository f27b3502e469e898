/** A problem met while reading an input or a rule. The run goes on. */
export interface ScanIssue {
  /** Stable code, for example `w3c.field-count` or `input.gzip-truncated`. */
  readonly code: string;
  readonly message: string;
  readonly path?: string;
  readonly line?: number;
}
