import { createHash } from 'node:crypto';
import path from 'node:path';
import { serialize } from 'node:v8';
import type { SigmaCompileSummary } from './compile-sigma-rule.js';
import { parserFingerprint, readCacheMap, writeCacheMap } from './sigma-parse-cache.js';
import type { SigmaRule } from './sigma-rule.js';

/**
 * Compile summaries (`summarizeSigmaCompile`) kept between runs, beside the parsed files: working out
 * SigmaHQ's needles, required fields and keys is most of compiling it, the same on every run. An entry is
 * found by the rule's own content (`sigmaRuleDigest`) and the name of the field mapping it was compiled
 * with; the cache file's name hashes the compiler's code (see `parserFingerprint`) and the caller's scope
 * (its rule paths and mapping text), so a new build or a changed mapping never reads an old summary.
 */
export interface SigmaCompileCache {
  get(key: string): SigmaCompileSummary | undefined;
  set(key: string, summary: SigmaCompileSummary): void;
  /** Writes the entries used in this run (and only them) when anything changed; failures are ignored. */
  save(): void;
}

const FORMAT = 'w3guard-sigma-compile-1';

/** A digest of everything a parsed rule holds: equal digests compile alike. */
export function sigmaRuleDigest(rule: SigmaRule): string {
  return createHash('sha256').update(serialize(rule)).digest('base64');
}

/** The entries of a cache file; none when it is missing, unreadable or not ours (every rule is compiled again). */
function readEntries(file: string): Map<string, SigmaCompileSummary> {
  const entries = new Map<string, SigmaCompileSummary>();
  for (const [key, value] of readCacheMap(file) ?? []) {
    if (typeof key !== 'string' || typeof value !== 'object' || value === null) continue;
    const summary = value as { ok?: unknown; diagnostics?: unknown; requires?: unknown };
    if (summary.ok === true ? !Array.isArray(summary.requires) : summary.ok !== false || !Array.isArray(summary.diagnostics)) continue;
    entries.set(key, value as SigmaCompileSummary);
  }
  return entries;
}

/** Opens the compile cache for one scope (any text naming the rule paths and the mappings compiled with). */
export function openSigmaCompileCache(dir: string, scope: string): SigmaCompileCache {
  const name = createHash('sha256').update(FORMAT).update(parserFingerprint()).update(scope).digest('hex').slice(0, 32);
  const file = path.join(dir, `compile-${name}.bin`);
  const old = readEntries(file);
  const used = new Map<string, SigmaCompileSummary>();
  let changed = false;
  return {
    get(key) {
      const entry = old.get(key);
      if (entry !== undefined) used.set(key, entry);
      return entry;
    },
    set(key, summary) {
      used.set(key, summary);
      changed = true;
    },
    save() {
      if (changed || used.size !== old.size) writeCacheMap(dir, file, used);
    },
  };
}
