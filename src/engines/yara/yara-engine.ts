import { createRequire } from 'node:module';

/** One YARA source file, read by the caller: the path is only used to name diagnostics. */
export interface YaraSource {
  readonly path: string;
  readonly text: string;
}

/** A problem with a rule file, with the line YARA-X names. */
export interface YaraDiagnostic {
  readonly code: string;
  readonly message: string;
  readonly path: string;
  readonly line?: number;
}

/** One rule that matched, with its metadata as the rule author wrote it. */
export interface YaraMatch {
  readonly rule: string;
  readonly tags: readonly string[];
  readonly meta: Readonly<Record<string, string | number | boolean>>;
  /** Pattern identifiers that matched, each once (`$s1`, `$a`). */
  readonly patterns: readonly string[];
}

/** Values of the external variables for one scanned file. */
export type YaraFileVariables = Readonly<Record<(typeof EXTERNAL_VARIABLES)[number], string>>;

/** Compiled rules that scan bytes. */
export interface YaraScanner {
  scan(data: Buffer, variables: YaraFileVariables): YaraMatch[];
}

/**
 * The external variables Loki and THOR define for their rules (signature-base uses them); declared so such
 * rules compile, and set per file when scanning.
 */
export const EXTERNAL_VARIABLES = ['filename', 'filepath', 'extension', 'filetype', 'owner'] as const;

// The native binding's own typings are incomplete (they name types they do not declare): this is the part we use.
interface NativeMatch {
  ruleIdentifier: string;
  tags: string[];
  meta: object;
  matches: { identifier: string }[];
}
interface NativeScanner {
  scan(data: Buffer, variables?: Record<string, string>): NativeMatch[];
  addRuleSource(source: string): void;
}
interface NativeCompileIssue {
  code: string;
  message: string;
  line?: number;
}
interface NativeOptions {
  defineVariables: Record<string, string>;
}
interface NativeModule {
  compile(source: string, options: NativeOptions): NativeScanner;
  create(): NativeScanner;
  validate(source: string, options: NativeOptions): { errors: NativeCompileIssue[]; warnings: NativeCompileIssue[] };
}

const native = createRequire(import.meta.url)('@litko/yara-x') as NativeModule;
const OPTIONS: NativeOptions = { defineVariables: Object.fromEntries(EXTERNAL_VARIABLES.map((name) => [name, ''])) };

/**
 * Checks each source file on its own, so one broken file is a diagnostic with its line and the others
 * still load. Returns the files that compile.
 */
export function checkYaraSources(sources: readonly YaraSource[]): { accepted: YaraSource[]; diagnostics: YaraDiagnostic[] } {
  const accepted: YaraSource[] = [];
  const diagnostics: YaraDiagnostic[] = [];
  for (const source of sources) {
    let errors: NativeCompileIssue[];
    try {
      errors = native.validate(source.text, OPTIONS).errors;
    } catch (error) {
      errors = [{ code: 'E000', message: error instanceof Error ? error.message : String(error) }];
    }
    if (errors.length === 0) accepted.push(source);
    else diagnostics.push(...errors.map((e) => toDiagnostic(source.path, e)));
  }
  return { accepted, diagnostics };
}

/**
 * Compiles sources that each compile alone into one scanner. Files that clash with earlier ones (a rule
 * name declared twice) are left out with a diagnostic.
 */
export function compileYara(sources: readonly YaraSource[]): { scanner: YaraScanner; diagnostics: YaraDiagnostic[] } {
  const diagnostics: YaraDiagnostic[] = [];
  let compiled: NativeScanner;
  try {
    // One compilation of everything is several times faster than adding files one by one.
    compiled = native.compile(sources.map((s) => s.text).join('\n'), OPTIONS);
  } catch {
    compiled = native.compile('', OPTIONS);
    for (const source of sources) {
      try {
        compiled.addRuleSource(source.text);
      } catch (error) {
        diagnostics.push(toDiagnostic(source.path, { code: 'E000', message: error instanceof Error ? error.message : String(error) }));
      }
    }
  }
  return { scanner: wrap(compiled), diagnostics };
}

/** The variables for one file: name, path, extension (without dot, lower case), type and owner unknown. */
export function fileVariables(filePath: string): YaraFileVariables {
  const name = filePath.split(/[\\/]/).pop() ?? filePath;
  const dot = name.lastIndexOf('.');
  return { filename: name, filepath: filePath, extension: dot > 0 ? name.slice(dot + 1).toLowerCase() : '', filetype: '', owner: '' };
}

function wrap(compiled: NativeScanner): YaraScanner {
  return {
    scan(data, variables) {
      // The binding turns a string that looks like a number into an integer and then refuses it for a
      // string variable; such values are left at their default (empty) rather than failing the scan.
      const safe = Object.fromEntries(Object.entries(variables).filter(([, v]) => v !== '' && !/^\s*[-+]?(\d|\.\d)/.test(v) && !Number.isFinite(Number(v))));
      return compiled.scan(data, safe).map((m) => ({
        rule: m.ruleIdentifier,
        tags: m.tags,
        meta: toMeta(m.meta),
        patterns: [...new Set(m.matches.map((p) => p.identifier))],
      }));
    },
  };
}

function toMeta(meta: object): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(meta)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
  }
  return out;
}

function toDiagnostic(filePath: string, issue: NativeCompileIssue): YaraDiagnostic {
  // YARA-X puts the position in the rendered message ("--> line:97:15") rather than in `line` for sources.
  const located = /-->\s*line:(\d+):\d+/.exec(issue.message);
  const line = issue.line ?? (located?.[1] === undefined ? undefined : Number(located[1]));
  const first = issue.message.split('\n')[0] ?? issue.message;
  return { code: `yara.${issue.code.toLowerCase()}`, message: first.replace(/^Error: /, '').replace(/^Compilation error \(\w+\): /, ''), path: filePath, ...(line === undefined ? {} : { line }) };
}
