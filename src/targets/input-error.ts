/** Stable codes for an input named on the command line that cannot be used. */
export type InputErrorCode = 'input.not-found' | 'input.unreadable' | 'input.not-a-file';

/** An input path that cannot be used; its message is one sentence naming the path, fit to print before exiting 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly code: InputErrorCode;
  /** The path as given, or as reached from a given folder. */
  readonly path: string;

  constructor(code: InputErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.path = path;
  }
}
