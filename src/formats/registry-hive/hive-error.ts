/** Stable codes for a registry hive that cannot be read, or for a part of one that was skipped. */
export type HiveErrorCode =
  | 'hive.bad-signature'
  | 'hive.truncated'
  | 'hive.bad-offset'
  | 'hive.bad-cell'
  | 'hive.cycle'
  | 'hive.too-large'
  | 'hive.too-deep'
  | 'hive.unsupported'
  | 'hive.read-failed';

/** A hive that cannot be read at all; `offset` is the file offset of the problem when one is known. */
export class HiveError extends Error {
  override readonly name = 'HiveError';
  readonly code: HiveErrorCode;
  readonly offset: number | undefined;

  constructor(code: HiveErrorCode, message: string, offset?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.offset = offset;
  }
}
