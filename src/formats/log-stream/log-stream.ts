/** One log's bytes, ready to be parsed: a file, a decompressed gzip, an archive entry or standard input. */
export interface LogStream {
  /** Display path; for an archive entry `logs.zip!W3SVC1/u_ex240101.log`. */
  readonly path: string;
  /** Uncompressed size in bytes, when known before reading. */
  readonly size: number | undefined;
  /**
   * The bytes, read once, with back-pressure. Iteration may throw `InputStreamError` after yielding
   * every readable byte; the caller records it as a ScanIssue and goes on.
   */
  readonly chunks: AsyncIterable<Buffer>;
}
