/** How the bytes of a log source are packed. */
export type LogContainer = 'plain' | 'gzip' | 'zip' | 'stdin';

/** One input found for a hunt: a file or standard input, not yet opened. */
export interface LogSource {
  /** As given, or joined from the given folder; relative stays relative. `-` for standard input. */
  readonly path: string;
  /** Decided from the first bytes, never from the name. */
  readonly container: LogContainer;
  /** Bytes on disk; 0 for standard input. */
  readonly size: number;
}
