/** Stable codes for a PE file that cannot be read, or a part of one that was skipped. */
export type PeErrorCode =
  | 'pe.not-pe'
  | 'pe.truncated'
  | 'pe.bad-offset'
  | 'pe.too-large'
  | 'pe.too-many'
  | 'pe.resource-loop'
  | 'pe.bad-version-info'
  | 'pe.bad-metadata'
  | 'pe.read-failed';

/** A PE file, or a part of one, that cannot be read. */
export class PeError extends Error {
  override readonly name = 'PeError';
  readonly code: PeErrorCode;

  constructor(code: PeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
