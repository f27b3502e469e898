/** A store that cannot be opened, migrated or asked: carries a stable code; the CLI exits 2 with its message. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
