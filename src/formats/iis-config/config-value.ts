/** Where a configuration value was written: the file as reached from the host root, and the 1-based line. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
}

/** A configuration value with the place that set it; no `file` means the IIS schema default applies. */
export interface ConfigValue {
  readonly value: string;
  readonly file?: string;
  readonly line?: number;
}
