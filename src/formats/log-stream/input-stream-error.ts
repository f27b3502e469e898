/** Stable codes for a log stream that failed part-way; the consumer records them as ScanIssues. */
export type InputStreamErrorCode = 'input.gzip-truncated' | 'input.gzip-corrupt' | 'input.zip-corrupt' | 'input.read-failed';

/** A log stream that could not be read to its end; every byte before the failure was already yielded. */
export class InputStreamError extends Error {
  override readonly name = 'InputStreamError';
  readonly code: InputStreamErrorCode;
  /** Display path of the stream that failed (for an archive entry: `archive.zip!entry`). */
  readonly path: string;

  constructor(code: InputStreamErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.path = path;
  }
}
