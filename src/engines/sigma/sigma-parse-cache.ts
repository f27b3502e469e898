import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { SigmaParseResult } from './parse-sigma-yaml.js';

/**
 * Parsed Sigma files kept between runs: SigmaHQ's 3,000 rule files take seconds of YAML parsing, the
 * same on every run. An entry is used only for the same file (path, inode, size, modification and
 * change times to the nanosecond) and the same parser: the cache file's name hashes the code of this
 * folder's modules, the `yaml` library's version and Node's, so a new build never reads an old parse.
 */
export interface SigmaParseCache {
  /** The file's stamp when its parse can be cached (undefined when it cannot be stat'ed). */
  stamp(file: string): string | undefined;
  /** The file's parse, or `screened` when the load's screen left it out unparsed. */
  get(file: string, stamp: string): SigmaParseResult | typeof SCREENED | undefined;
  set(file: string, stamp: string, result: SigmaParseResult | typeof SCREENED): void;
  /** Writes the entries used in this run (and only them) when anything changed; failures are ignored. */
  save(): void;
}

/** What the cache keeps for a file that a load's screen left out unparsed. */
export const SCREENED = 'screened';

/** Entries of one cache file: path (as the loader names the file) → stamp and parse result. */
type Entries = Map<string, { stamp: string; result: SigmaParseResult | typeof SCREENED }>;

/** A cache larger than this is not ours (SigmaHQ's rules make about 6 MB). */
const MAX_CACHE_BYTES = 256 * 1024 * 1024;
const FORMAT = 'w3guard-sigma-parse-1';

/** `$XDG_CACHE_HOME/w3guard/sigma` (else `~/.cache/w3guard/sigma`). */
export function defaultSigmaCacheDir(): string {
  const cache = process.env['XDG_CACHE_HOME'];
  return path.join(cache !== undefined && cache !== '' ? cache : path.join(homedir(), '.cache'), 'w3guard', 'sigma');
}

let parserHash: string | undefined;

/**
 * A hash of the code that turns a file into a parse result and a parsed rule into a compiled one: this
 * folder's modules and the `yaml` library.
 */
export function parserFingerprint(): string {
  if (parserHash !== undefined) return parserHash;
  const hash = createHash('sha256').update(FORMAT).update(process.version);
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const name of readdirSync(here).sort()) {
    if (!/\.(js|ts)$/.test(name) || /\.test\.ts$/.test(name)) continue;
    hash.update(name).update(readFileSync(path.join(here, name)));
  }
  try {
    const yamlPackage = fileURLToPath(new URL('../package.json', import.meta.resolve('yaml')));
    hash.update(readFileSync(yamlPackage));
  } catch {
    hash.update('yaml?');
  }
  parserHash = hash.digest('hex');
  return parserHash;
}

/**
 * What identifies a file's content without reading it: device, inode, size, modification and change times
 * to the nanosecond; undefined when it cannot be stat'ed.
 */
export function fileStamp(file: string): string | undefined {
  try {
    const s = statSync(file, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return undefined;
  }
}

/** A cache file's map, or undefined when it is missing, too large, unreadable or not a map. */
export function readCacheMap(file: string): Map<unknown, unknown> | undefined {
  try {
    if (statSync(file).size > MAX_CACHE_BYTES) return undefined;
    const data: unknown = deserialize(readFileSync(file));
    return data instanceof Map ? (data as Map<unknown, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a cache file of entries whole or not at all; failures are ignored. */
export function writeCacheMap(dir: string, file: string, entries: Map<string, unknown>): void {
  writeCacheFile(dir, file, [serialize(entries)]);
}

/** Writes a cache file whole or not at all (a temporary file renamed), readable by its owner only; failures are ignored. */
export function writeCacheFile(dir: string, file: string, parts: readonly Uint8Array[]): void {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(temporary, Buffer.concat(parts), { mode: 0o600 });
    renameSync(temporary, file);
  } catch {
    try {
      unlinkSync(temporary);
    } catch {
      // Nothing was written.
    }
  }
}

/** The entries of a cache file; none when it is missing, unreadable or not ours (every file is parsed again). */
function readEntries(file: string): Entries {
  const entries: Entries = new Map();
  for (const [key, value] of readCacheMap(file) ?? []) {
    if (typeof key !== 'string' || typeof value !== 'object' || value === null) continue;
    const { stamp, result } = value as { stamp?: unknown; result?: unknown };
    if (typeof stamp !== 'string') continue;
    if (result === SCREENED) {
      entries.set(key, { stamp, result: SCREENED });
      continue;
    }
    if (typeof result !== 'object' || result === null) continue;
    const r = result as Partial<SigmaParseResult>;
    if (!Array.isArray(r.rules) || !Array.isArray(r.diagnostics) || !Array.isArray(r.correlations)) continue;
    entries.set(key, { stamp, result: result as SigmaParseResult });
  }
  return entries;
}

/**
 * Opens the cache for one list of rule paths (each list has its own cache file in `dir`); a load with a
 * screen names it by `screen` (any text that changes when the screen's verdicts can), and gets a cache
 * file of its own.
 */
export function openSigmaParseCache(dir: string, paths: readonly string[], screen?: string): SigmaParseCache {
  // Parses name their file as the paths were given, so the paths are the key as given (and the working
  // folder, which relative paths depend on): a cached parse names its files as a fresh one would.
  const key = createHash('sha256')
    .update(parserFingerprint())
    .update(JSON.stringify({ cwd: process.cwd(), paths, ...(screen === undefined ? {} : { screen }) }))
    .digest('hex')
    .slice(0, 32);
  const file = path.join(dir, `parse-${key}.bin`);
  const old = readEntries(file);
  const used: Entries = new Map();
  let changed = false;
  return {
    stamp: fileStamp,
    get(target, stamp) {
      const entry = old.get(target);
      if (entry === undefined || entry.stamp !== stamp) return undefined;
      used.set(target, entry);
      return entry.result;
    },
    set(target, stamp, result) {
      used.set(target, { stamp, result });
      changed = true;
    },
    save() {
      if (changed || used.size !== old.size) writeCacheMap(dir, file, used);
    },
  };
}
