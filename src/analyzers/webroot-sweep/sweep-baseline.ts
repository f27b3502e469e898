import { readFile, rename, writeFile } from 'node:fs/promises';
import type { RuleMeta } from '../../core/rule-meta.js';
import type { Severity } from '../../core/severity.js';

/** The version of the baseline format written by this w3guard; other versions are refused, not guessed at. */
export const BASELINE_VERSION = 1;

/** What the baseline records of one file. */
export interface BaselineEntry {
  readonly size: number;
  /** SHA-256 of the first `maxFileSize` bytes (the whole file when it is smaller). */
  readonly sha256: string;
  /** ISO 8601 UTC modification time. */
  readonly mtime: string;
  /** ISO 8601 UTC creation time, when the file system records it. */
  readonly birthtime?: string;
}

/** A baseline file (`--baseline FILE`): version 1. */
export interface Baseline {
  readonly version: 1;
  readonly tool: 'w3guard';
  readonly createdAt: string;
  readonly maxFileSize: number;
  /** The swept folders, as given. */
  readonly roots: readonly string[];
  /** By path as given on the command line (or reached from it). */
  readonly files: Readonly<Record<string, BaselineEntry>>;
}

/** A baseline that cannot be used; the command exits 2 with its message. */
export class BaselineError extends Error {
  override readonly name = 'BaselineError';
  readonly code = 'baseline.invalid';
}

/** Reads a baseline; undefined when the file does not exist yet (the first run writes it). */
export async function readBaseline(file: string): Promise<Baseline | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw new BaselineError(`cannot read the baseline ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BaselineError(`the baseline ${file} is not JSON`);
  }
  return parseBaseline(parsed, file);
}

/** Checks the shape of a parsed baseline at the edge. */
export function parseBaseline(value: unknown, file: string): Baseline {
  if (typeof value !== 'object' || value === null) throw new BaselineError(`the baseline ${file} is not a JSON object`);
  const record = value as Record<string, unknown>;
  if (record['version'] !== BASELINE_VERSION) throw new BaselineError(`the baseline ${file} has version ${JSON.stringify(record['version'])}; this w3guard reads version ${BASELINE_VERSION}`);
  const files = record['files'];
  if (typeof files !== 'object' || files === null) throw new BaselineError(`the baseline ${file} has no "files" object`);
  const out: Record<string, BaselineEntry> = {};
  for (const [path, entry] of Object.entries(files as Record<string, unknown>)) {
    const e = entry as Record<string, unknown> | null;
    if (e === null || typeof e !== 'object' || typeof e['size'] !== 'number' || typeof e['sha256'] !== 'string' || typeof e['mtime'] !== 'string') {
      throw new BaselineError(`the baseline ${file} has a malformed entry for ${JSON.stringify(path)}`);
    }
    out[path] = { size: e['size'], sha256: e['sha256'], mtime: e['mtime'], ...(typeof e['birthtime'] === 'string' ? { birthtime: e['birthtime'] } : {}) };
  }
  const roots = Array.isArray(record['roots']) ? record['roots'].filter((r): r is string => typeof r === 'string') : [];
  return {
    version: 1,
    tool: 'w3guard',
    createdAt: typeof record['createdAt'] === 'string' ? record['createdAt'] : '',
    maxFileSize: typeof record['maxFileSize'] === 'number' ? record['maxFileSize'] : 0,
    roots,
    files: out,
  };
}

/** Writes a baseline atomically (a temporary file renamed over the old one), files in path order. */
export async function writeBaseline(file: string, baseline: Baseline): Promise<void> {
  const files = Object.fromEntries(Object.entries(baseline.files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ ...baseline, files }, null, 1)}\n`);
  await rename(temporary, file);
}

function drift(id: string, title: string, severity: Severity, description: string): RuleMeta {
  return { id, title, description, severity, confidence: 'certain', engine: 'baseline', category: 'drift', tags: ['attack.t1565.001'], references: [], remediation: 'Check the change against the deployment record; accept it with --update-baseline when it is expected.' };
}

/** The drift rules: what changed since the baseline. */
export const DRIFT_RULES = {
  newCode: drift('w3g-sweep-drift-new-code', 'New script page or executable since the baseline', 'medium', 'A script page or executable appeared after the baseline was taken.'),
  newFile: drift('w3g-sweep-drift-new-file', 'New file since the baseline', 'low', 'A file appeared after the baseline was taken.'),
  changedCode: drift('w3g-sweep-drift-changed-code', 'Script page or executable changed since the baseline', 'medium', 'A script page or executable has other content than when the baseline was taken.'),
  changedFile: drift('w3g-sweep-drift-changed-file', 'File changed since the baseline', 'low', 'A file has other content, size or modification time than when the baseline was taken.'),
  removed: drift('w3g-sweep-drift-removed', 'File removed since the baseline', 'info', 'A file recorded in the baseline is gone.'),
} as const;

/** One line that says what changed between two records of a file, or undefined when nothing did. */
export function describeChange(before: BaselineEntry, after: BaselineEntry): string | undefined {
  const parts: string[] = [];
  if (before.size !== after.size) parts.push(`size ${before.size} → ${after.size} bytes`);
  if (before.sha256 !== after.sha256) parts.push(`SHA-256 ${before.sha256.slice(0, 12)}… → ${after.sha256.slice(0, 12)}…`);
  if (before.mtime !== after.mtime) parts.push(`modified ${before.mtime} → ${after.mtime}`);
  return parts.length === 0 ? undefined : parts.join('; ');
}
