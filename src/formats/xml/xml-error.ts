/** Stable codes for XML that the safe reader refuses. */
export type XmlErrorCode =
  | 'xml.doctype'
  | 'xml.malformed'
  | 'xml.too-large'
  | 'xml.too-deep'
  | 'xml.too-many-elements'
  | 'xml.too-many-attributes';

/** XML that cannot be read safely; `line` and `column` are 1-based and point at the problem. */
export class XmlError extends Error {
  override readonly name = 'XmlError';
  readonly code: XmlErrorCode;
  readonly line: number;
  readonly column: number;

  constructor(code: XmlErrorCode, message: string, line: number, column: number, options?: { cause?: unknown }) {
    super(`${message} (line ${line}, column ${column})`, options);
    this.code = code;
    this.line = line;
    this.column = column;
  }
}
