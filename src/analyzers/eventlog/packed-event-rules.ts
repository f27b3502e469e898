import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { listSigmaFiles } from '../../engines/sigma/load-sigma-rules.js';
import { fileStamp, parserFingerprint, writeCacheFile } from '../../engines/sigma/sigma-parse-cache.js';
import { EVENT_LOGSOURCE_FILE } from './event-logsource-mapping.js';
import { EVENT_CONTENT_DIR, readEventRules, type EventRuleSources, type ParsedEventRules, type ReadEventRulesOptions } from './load-event-rules.js';

/**
 * The rules of an events run (`readEventRules`) as one v8-serialised blob: worker threads are posted these
 * bytes and each unpacks them (a structured clone of 3,000 parsed rules costs the posting thread ~75 ms per
 * worker), and the rule cache keeps the blob whole, so a run whose rule files are all unchanged reads one
 * file and unpacks nothing on the main thread: listing and stat'ing the files is all it does (~0.1 s where
 * reading the per-file caches and looking up every compile summary took ~0.5 s for SigmaHQ).
 *
 * The cache file is named by the scope (rule paths, working folder, the code of the parser, the summaries
 * and this module); it starts with a hash of every rule file's stamp (see `fileStamp`) and of the mapping
 * file's, then a hash of the blob, then the blob. Any file added, removed or touched makes a new blob.
 */
const FORMAT = 'w3guard-event-rules-1';
const HASH_BYTES = 32;

let codeHash: string | undefined;

/** The parser's fingerprint and the code that plans and summarises the rules. */
function codeFingerprint(): string {
  if (codeHash !== undefined) return codeHash;
  const here = fileURLToPath(import.meta.url);
  const extension = path.extname(here);
  const hash = createHash('sha256').update(FORMAT).update(parserFingerprint());
  for (const name of ['load-event-rules', 'event-logsource-mapping', 'packed-event-rules']) {
    try {
      hash.update(readFileSync(path.join(path.dirname(here), `${name}${extension}`)));
    } catch {
      hash.update(`${name}?`);
    }
  }
  codeHash = hash.digest('hex');
  return codeHash;
}

/** What the rules are read from: every file and its stamp, the paths that could not be read, and the mapping's stamp. */
function stateOf(paths: readonly string[]): Buffer {
  const listed = listSigmaFiles(paths);
  const hash = createHash('sha256');
  for (const file of listed.files) hash.update(`${file}\0${fileStamp(file) ?? '?'}\n`);
  for (const d of listed.diagnostics) hash.update(`!${d.file}\0${d.message}\n`);
  hash.update(`mapping\0${fileStamp(EVENT_LOGSOURCE_FILE) ?? '?'}`);
  return hash.digest();
}

/** The blob in a cache file when its state is this one and its hash holds, else undefined. */
function readBlob(file: string, state: Buffer): Uint8Array | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  if (bytes.length <= 2 * HASH_BYTES || !bytes.subarray(0, HASH_BYTES).equals(state)) return undefined;
  const blob = bytes.subarray(2 * HASH_BYTES);
  if (!createHash('sha256').update(blob).digest().equals(bytes.subarray(HASH_BYTES, 2 * HASH_BYTES))) return undefined;
  return blob;
}

/** Reads the rules (from the rule cache's blob when the files are unchanged) and returns them packed. */
export async function readPackedEventRules(sources: EventRuleSources, options: ReadEventRulesOptions = {}): Promise<Uint8Array> {
  if (sources.cacheDir === undefined) return serialize(await readEventRules(sources, options));
  const paths = [...(sources.content ? [EVENT_CONTENT_DIR] : []), ...sources.sigmaPaths];
  const scope = createHash('sha256')
    .update(codeFingerprint())
    .update(JSON.stringify({ cwd: process.cwd(), paths, summarize: options.summarize === true }))
    .digest('hex')
    .slice(0, 32);
  const file = path.join(sources.cacheDir, `events-${scope}.bin`);
  const state = stateOf(paths);
  const cached = readBlob(file, state);
  if (cached !== undefined) return cached;
  const blob = serialize(await readEventRules(sources, options));
  writeCacheFile(sources.cacheDir, file, [state, createHash('sha256').update(blob).digest(), blob]);
  return blob;
}

/** The rules packed by `readPackedEventRules`. */
export function unpackEventRules(blob: Uint8Array): ParsedEventRules {
  const data = deserialize(blob) as Partial<ParsedEventRules> | null;
  if (data === null || typeof data !== 'object' || !Array.isArray(data.rules) || !Array.isArray(data.diagnostics) || (data.summaries !== undefined && !(data.summaries instanceof Map))) {
    throw new Error('the packed event rules are not rules');
  }
  return data as ParsedEventRules;
}
