import { lstatSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseSigmaYaml } from './parse-sigma-yaml.js';
import { openSigmaParseCache, SCREENED } from './sigma-parse-cache.js';
import type { SigmaCorrelation } from './sigma-correlation.js';
import type { SigmaDiagnostic } from './sigma-diagnostic.js';
import type { SigmaRule } from './sigma-rule.js';

/** The rules found under some paths, the files read, and every problem met; one broken file never stops the others. */
export interface SigmaLoadResult {
  readonly files: readonly string[];
  readonly rules: readonly SigmaRule[];
  readonly diagnostics: readonly SigmaDiagnostic[];
  /** Correlation (meta-)rules found beside the rules; compile them with `compileSigmaCorrelations`. */
  readonly correlations: readonly SigmaCorrelation[];
  /** Files left unparsed because the caller's `screen` said they cannot hold a rule it runs. */
  readonly screenedOut: number;
}

/** What a caller that runs only some rules can say before a file is parsed. */
export interface SigmaLoadOptions {
  /**
   * Given a file's text, false when it cannot hold a rule the caller runs (its log source names appear
   * nowhere in it); such files are counted, not parsed. Files with a correlation are always parsed.
   */
  readonly screen?: (text: string) => boolean;
  /**
   * A folder where parsed files are kept between runs (see `openSigmaParseCache`); a file unchanged since
   * it was cached is not read or parsed again. With a `screen`, used only when `screenKey` is given.
   */
  readonly cacheDir?: string;
  /**
   * Names the screen for the cache (text that changes whenever the screen's verdicts can): the files it
   * left out are then remembered as such, and not read again while unchanged.
   */
  readonly screenKey?: string;
}

/** A rule file is a few kilobytes; anything far larger is not a rule. */
const MAX_FILE_BYTES = 1024 * 1024;
const RULE_FILE = /\.ya?ml$/i;

/**
 * Loads Sigma rules from files and folders (folders recursively, `*.yml` / `*.yaml`, in sorted order).
 * Symbolic links inside folders are not followed, so a rule tree cannot lead the loader elsewhere.
 */
export async function loadSigmaRules(paths: readonly string[], options: SigmaLoadOptions = {}): Promise<SigmaLoadResult> {
  const listed = listSigmaFiles(paths);
  const files = listed.files;
  const diagnostics = [...listed.diagnostics];
  const rules: SigmaRule[] = [];
  const correlations: SigmaCorrelation[] = [];
  const seen = new Map<string, SigmaRule | SigmaCorrelation>();
  let screenedOut = 0;
  const cache =
    options.cacheDir === undefined || (options.screen !== undefined && options.screenKey === undefined)
      ? undefined
      : openSigmaParseCache(options.cacheDir, paths, options.screen === undefined ? undefined : options.screenKey);
  for (const file of files) {
    const stamp = cache?.stamp(file);
    let parsed = stamp === undefined ? undefined : cache?.get(file, stamp);
    if (parsed === SCREENED) {
      screenedOut += 1;
      continue;
    }
    if (parsed === undefined) {
      const read = readRuleFile(file, options, diagnostics);
      if (read === 'screened') {
        screenedOut += 1;
        if (stamp !== undefined) cache?.set(file, stamp, SCREENED);
      }
      if (read === undefined || read === 'screened') continue;
      parsed = parseSigmaYaml(read, file);
      if (stamp !== undefined) cache?.set(file, stamp, parsed);
    }
    diagnostics.push(...parsed.diagnostics);
    for (const rule of [...parsed.rules, ...parsed.correlations]) {
      const id = rule.id;
      const earlier = id === undefined ? undefined : seen.get(id);
      if (id !== undefined && earlier !== undefined) {
        diagnostics.push({
          code: 'sigma.id-duplicate',
          message: `id ${id} is also used by ${earlier.file}:${earlier.line}`,
          file,
          line: rule.line,
          ruleId: id,
          severity: 'warning',
        });
      } else if (id !== undefined) seen.set(id, rule);
      if ('correlationLine' in rule) correlations.push(rule);
      else rules.push(rule);
    }
  }
  cache?.save();
  return { files, rules, diagnostics, correlations, screenedOut };
}

/** The rule files `loadSigmaRules` reads from these paths, in its order, and the paths it cannot read. */
export function listSigmaFiles(paths: readonly string[]): { readonly files: string[]; readonly diagnostics: readonly SigmaDiagnostic[] } {
  const diagnostics: SigmaDiagnostic[] = [];
  const files: string[] = [];
  for (const p of paths) collect(p, true, files, diagnostics);
  return { files, diagnostics };
}

/** A rule file's text; undefined when it cannot be read or is too large (a diagnostic says why), 'screened' when the screen leaves it out. */
function readRuleFile(file: string, options: SigmaLoadOptions, diagnostics: SigmaDiagnostic[]): string | undefined | 'screened' {
  // Read synchronously: a rule tree is thousands of small files, and a promise per open, stat, read and
  // close costs several times the reading itself.
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    diagnostics.push(readError(file, error));
    return undefined;
  }
  if (bytes.length > MAX_FILE_BYTES) {
    diagnostics.push({ code: 'sigma.file-too-large', message: `larger than ${MAX_FILE_BYTES} bytes`, file, line: 1, severity: 'error' });
    return undefined;
  }
  const text = bytes.toString('utf8');
  if (options.screen !== undefined && !options.screen(text) && !/^\s*correlation\s*:/m.test(text)) return 'screened';
  return text;
}

function collect(p: string, named: boolean, files: string[], diagnostics: SigmaDiagnostic[]): void {
  let info;
  try {
    info = lstatSync(p);
  } catch (error) {
    diagnostics.push(readError(p, error));
    return;
  }
  if (info.isSymbolicLink()) {
    // A path the user named is theirs to follow; links met while walking are not.
    if (!named) return;
    return collectFollowed(p, files, diagnostics);
  }
  if (info.isDirectory()) {
    let names: string[];
    try {
      names = readdirSync(p);
    } catch (error) {
      diagnostics.push(readError(p, error));
      return;
    }
    names.sort();
    for (const name of names) collect(path.join(p, name), false, files, diagnostics);
    return;
  }
  if (info.isFile() && (named || RULE_FILE.test(p))) files.push(p);
}

function collectFollowed(p: string, files: string[], diagnostics: SigmaDiagnostic[]): void {
  try {
    const info = statSync(p);
    if (info.isFile()) files.push(p);
    else if (info.isDirectory()) {
      const names = readdirSync(p).sort();
      for (const name of names) collect(path.join(p, name), false, files, diagnostics);
    }
  } catch (error) {
    diagnostics.push(readError(p, error));
  }
}

function readError(file: string, error: unknown): SigmaDiagnostic {
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'sigma.file-read', message: `cannot read: ${message}`, file, line: 1, severity: 'error' };
}
