import { lstat, readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ScanIssue } from '../core/scan-issue.js';
import { InputError } from './input-error.js';
import type { YaraSource } from '../engines/yara/yara-engine.js';

const RULE_FILE = /\.(yar|yara)$/i;
const MAX_RULE_FILES = 20_000;
const MAX_RULE_BYTES = 16 * 1024 * 1024;
const MAX_DEPTH = 16;

/**
 * Reads YARA rule files named by the user: files as named, folders searched for `.yar`/`.yara` files in
 * name order, without following symbolic links. A missing path throws `InputError`.
 */
export async function readYaraSources(paths: readonly string[]): Promise<{ sources: YaraSource[]; issues: ScanIssue[] }> {
  const sources: YaraSource[] = [];
  const issues: ScanIssue[] = [];
  const files: string[] = [];
  for (const given of paths) {
    const info = await stat(given).catch(() => undefined);
    if (info === undefined) throw new InputError('input.not-found', given, `YARA rules not found: ${given}`);
    if (info.isDirectory()) await collect(given, 0, files, issues);
    else files.push(given);
  }
  for (const file of files.slice(0, MAX_RULE_FILES)) {
    try {
      const info = await stat(file);
      if (info.size > MAX_RULE_BYTES) {
        issues.push({ code: 'yara.rule-file-too-large', message: `rule file larger than ${MAX_RULE_BYTES} bytes, not loaded`, path: file });
        continue;
      }
      sources.push({ path: file, text: await readFile(file, 'utf8') });
    } catch (error) {
      issues.push({ code: 'yara.rule-file-unreadable', message: error instanceof Error ? error.message : String(error), path: file });
    }
  }
  if (files.length > MAX_RULE_FILES) issues.push({ code: 'yara.too-many-rule-files', message: `only the first ${MAX_RULE_FILES} rule files were loaded` });
  return { sources, issues };
}

async function collect(folder: string, depth: number, out: string[], issues: ScanIssue[]): Promise<void> {
  if (depth > MAX_DEPTH || out.length > MAX_RULE_FILES) return;
  let names: string[];
  try {
    names = (await readdir(folder)).sort();
  } catch (error) {
    issues.push({ code: 'yara.rule-folder-unreadable', message: error instanceof Error ? error.message : String(error), path: folder });
    return;
  }
  for (const name of names) {
    const full = path.join(folder, name);
    const info = await lstat(full).catch(() => undefined);
    if (info === undefined || info.isSymbolicLink()) continue;
    if (info.isDirectory()) await collect(full, depth + 1, out, issues);
    else if (info.isFile() && RULE_FILE.test(name)) out.push(full);
  }
}
