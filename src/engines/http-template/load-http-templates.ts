import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { compileHttpTemplate } from './compile-http-template.js';
import type { HttpTemplate, TemplateDiagnostic } from './http-template.js';

/** Templates loaded from files and folders, with every problem as a diagnostic. */
export interface LoadedTemplates {
  readonly templates: HttpTemplate[];
  readonly diagnostics: TemplateDiagnostic[];
  /** Template files read (YAML files under the named folders). */
  readonly files: number;
}

const MAX_FILE_BYTES = 512 * 1024;
const MAX_FILES = 20_000;

/** Loads every `.yaml`/`.yml` under the given files and folders, in a stable order; symlinks are not followed out of a folder. */
export async function loadHttpTemplates(roots: readonly string[]): Promise<LoadedTemplates> {
  const files: string[] = [];
  const diagnostics: TemplateDiagnostic[] = [];
  for (const root of roots) await collect(root, await realpath(root).catch(() => root), files, diagnostics);
  const templates: HttpTemplate[] = [];
  const seen = new Map<string, string>();
  for (const file of files.slice(0, MAX_FILES)) {
    const info = await lstat(file);
    if (info.size > MAX_FILE_BYTES) {
      diagnostics.push({ code: 'template.too-large', message: `larger than ${MAX_FILE_BYTES} bytes`, file, fatal: true });
      continue;
    }
    const compiled = compileHttpTemplate(await readFile(file, 'utf8'), file);
    diagnostics.push(...compiled.diagnostics);
    if (compiled.template === undefined) continue;
    const first = seen.get(compiled.template.id);
    if (first !== undefined) {
      diagnostics.push({ code: 'template.duplicate-id', message: `id ${compiled.template.id} is already used by ${first}`, file, line: 1, fatal: true });
      continue;
    }
    seen.set(compiled.template.id, file);
    templates.push(compiled.template);
  }
  if (files.length > MAX_FILES) diagnostics.push({ code: 'template.too-many', message: `only the first ${MAX_FILES} template files were read`, file: roots[0] ?? '', fatal: false });
  return { templates, diagnostics, files: files.length };
}

async function collect(entry: string, realRoot: string, out: string[], diagnostics: TemplateDiagnostic[]): Promise<void> {
  let info;
  try {
    info = await lstat(entry);
  } catch (error) {
    diagnostics.push({ code: 'template.unreadable', message: `cannot be read (${error instanceof Error && 'code' in error ? String(error.code) : 'error'})`, file: entry, fatal: true });
    return;
  }
  if (info.isSymbolicLink()) {
    const target = await realpath(entry).catch(() => undefined);
    if (target === undefined || !(target === realRoot || target.startsWith(realRoot + path.sep))) {
      diagnostics.push({ code: 'template.symlink-outside', message: 'a symbolic link that leaves the template folder; not followed', file: entry, fatal: false });
      return;
    }
    info = await lstat(target);
  }
  if (info.isDirectory()) {
    const names = (await readdir(entry)).sort();
    for (const name of names) {
      if (name.startsWith('.')) continue;
      await collect(path.join(entry, name), realRoot, out, diagnostics);
      if (out.length > MAX_FILES) return;
    }
  } else if (info.isFile() && /\.ya?ml$/i.test(entry)) {
    out.push(entry);
  }
}
