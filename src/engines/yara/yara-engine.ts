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
  validate(source: string, options: NativeOptions): { errors: NativeCompileIssue[]; warnings: NativeCompileIssue[] };
}

/**
 * The YARA-X binding: the Linux x64 (glibc) native package of `@litko/yara-x`, 0.7.2, loaded directly (its
 * JavaScript wrapper is stuck at 0.3.0, scans about four times slower, and names per-platform packages the
 * registry does not serve for every platform, which breaks `npm ci`). It is an optional dependency: where
 * it does not install, YARA rules are reported as not run and the rest of a sweep goes on.
 */
let loaded: NativeModule | null | undefined;
function native(): NativeModule | undefined {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('@litko/yara-x-linux-x64-gnu') as NativeModule;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/** True where the YARA-X engine is installed (Linux x64 with glibc). */
export function yaraAvailable(): boolean {
  return native() !== undefined;
}

/** A scanner that matches nothing, where YARA-X is not available. */
const NO_SCANNER: YaraScanner = { scan: () => [] };

const OPTIONS: NativeOptions = { defineVariables: Object.fromEntries(EXTERNAL_VARIABLES.map((name) => [name, ''])) };

/**
 * Checks each source file on its own, so one broken file is a diagnostic with its line and the others
 * still load. Returns the files that compile.
 */
export function checkYaraSources(sources: readonly YaraSource[]): { accepted: YaraSource[]; diagnostics: YaraDiagnostic[] } {
  const accepted: YaraSource[] = [];
  const diagnostics: YaraDiagnostic[] = [];
  const engine = native();
  if (engine === undefined) {
    const first = sources[0];
    if (first !== undefined) {
      diagnostics.push({ code: 'yara.unavailable', message: `YARA-X has no build for ${process.platform}-${process.arch} (only Linux x64 with glibc): ${sources.length} YARA rule files were not run`, path: first.path });
    }
    return { accepted, diagnostics };
  }
  for (const source of sources) {
    let errors: NativeCompileIssue[];
    try {
      errors = engine.validate(source.text, OPTIONS).errors;
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
export function compileYara(sources: readonly YaraSource[]): { scanner: YaraScanner; diagnostics: YaraDiagnostic[]; kept: YaraSource[] } {
  const diagnostics: YaraDiagnostic[] = [];
  const engine = native();
  if (engine === undefined) return { scanner: NO_SCANNER, diagnostics, kept: [] };
  let kept = [...sources];
  // One compilation of everything is several times faster than adding files one by one. When the files
  // clash, the error names a line of the joined text: the file holding it is left out and the rest retried.
  for (;;) {
    const joined = kept.map((s) => s.text).join('\n');
    try {
      return { scanner: wrap(engine.compile(joined, OPTIONS)), diagnostics, kept };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const line = Number(/-->\s*line:(\d+):\d+/.exec(message)?.[1] ?? Number.NaN);
      const culprit = sourceAtLine(kept, line);
      if (culprit === undefined) {
        diagnostics.push(...kept.map((s) => toDiagnostic(s.path, { code: 'E000', message })));
        return { scanner: wrap(engine.compile('', OPTIONS)), diagnostics, kept: [] };
      }
      const source = kept[culprit.index] as YaraSource;
      diagnostics.push(toDiagnostic(source.path, { code: /\((E\d+)\)/.exec(message)?.[1] ?? 'E000', message, line: culprit.line }));
      kept = kept.filter((_, n) => n !== culprit.index);
    }
  }
}

/** Which source of a `\n`-joined text holds a line (1-based), and the line within it. */
function sourceAtLine(sources: readonly YaraSource[], line: number): { index: number; line: number } | undefined {
  if (!Number.isInteger(line) || line < 1) return undefined;
  let start = 1;
  for (let index = 0; index < sources.length; index += 1) {
    const lines = ((sources[index] as YaraSource).text.match(/\n/g)?.length ?? 0) + 1;
    if (line < start + lines) return { index, line: line - start + 1 };
    start += lines;
  }
  return undefined;
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
