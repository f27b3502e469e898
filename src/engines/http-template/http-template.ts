import type { Severity } from '../../core/severity.js';

/** Where a response value is read from: `body`, `header`, `all`, `status_code` or any response variable. */
export type ResponsePart = string;

/** A compiled matcher. DSL expressions stay text: `{{var}}` inside them is filled in at run time, then parsed (cached). */
export type TemplateMatcher = {
  readonly name?: string;
  readonly part: ResponsePart;
  readonly negative: boolean;
  readonly internal: boolean;
  readonly condition: 'and' | 'or';
} & (
  | { readonly type: 'word'; readonly words: readonly string[]; readonly caseInsensitive: boolean }
  | { readonly type: 'regex'; readonly regex: readonly string[] }
  | { readonly type: 'status'; readonly status: readonly number[] }
  | { readonly type: 'size'; readonly size: readonly number[] }
  | { readonly type: 'binary'; readonly binary: readonly Buffer[] }
  | { readonly type: 'dsl'; readonly dsl: readonly string[] }
);

/** A compiled extractor. */
export type TemplateExtractor = {
  readonly name?: string;
  readonly part: ResponsePart;
  readonly internal: boolean;
} & (
  | { readonly type: 'regex'; readonly regex: readonly string[]; readonly group: number }
  | { readonly type: 'kval'; readonly kval: readonly string[] }
  | { readonly type: 'json'; readonly json: readonly string[] }
  | { readonly type: 'dsl'; readonly dsl: readonly string[] }
);

/** One `http:` block: paths or raw requests, payloads, matchers, extractors. */
export interface TemplateRequest {
  /** `id:` of the block: its response variables are shared as `ID_status_code`, `ID_body`, … */
  readonly id?: string;
  readonly method: string;
  /** `path:` entries, or raw requests (`raw:`), in order. */
  readonly paths: readonly string[];
  readonly raw: readonly string[];
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
  readonly payloads: ReadonlyMap<string, readonly string[]>;
  readonly attack: 'batteringram' | 'pitchfork' | 'clusterbomb';
  readonly matchers: readonly TemplateMatcher[];
  readonly matchersCondition: 'and' | 'or';
  readonly extractors: readonly TemplateExtractor[];
  readonly stopAtFirstMatch: boolean;
  readonly redirects: boolean;
  readonly maxRedirects: number;
  /** Matchers read `status_code_2`-style variables: evaluate once, after the block's last request. */
  readonly requestCondition: boolean;
  readonly disablePathAutomerge: boolean;
  readonly cookieReuse: boolean;
  /** `unsafe: true`: raw paths are sent exactly as written. */
  readonly unsafe: boolean;
}

/** A loaded template: the parts of Nuclei's HTTP format that this engine runs. */
export interface HttpTemplate {
  readonly id: string;
  /** The file it came from, as found under the folder the user named. */
  readonly file: string;
  readonly name: string;
  readonly severity: Severity;
  readonly description: string;
  readonly tags: readonly string[];
  readonly references: readonly string[];
  readonly remediation?: string;
  readonly variables: readonly (readonly [string, string])[];
  readonly constants: readonly (readonly [string, string])[];
  readonly requests: readonly TemplateRequest[];
}

/** A problem in a template: unsupported feature, bad syntax. Always says file and line. */
export interface TemplateDiagnostic {
  readonly code: string;
  readonly message: string;
  readonly file: string;
  readonly line?: number;
  /** true when the template was not loaded because of it. */
  readonly fatal: boolean;
}
