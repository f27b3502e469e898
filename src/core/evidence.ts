/** The proof behind a finding. Always says where: file+line, path, url, or file+recordId. */
export interface Evidence {
  /** `log-line`, `config`, `file`, `event`, `package`, `http-exchange`, … */
  readonly kind: string;
  readonly file?: string;
  readonly line?: number;
  readonly path?: string;
  readonly url?: string;
  readonly recordId?: number;
  /** The line, element or excerpt: redacted and capped, still attacker-controlled. */
  readonly text?: string;
  /** When the evidence happened (ms since epoch, UTC), if known. */
  readonly time?: number;
}
