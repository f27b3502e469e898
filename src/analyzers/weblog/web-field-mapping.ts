import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { SigmaFieldMapping } from '../../engines/sigma/compile-sigma-rule.js';
import type { SigmaLogsource } from '../../engines/sigma/sigma-rule.js';
import { CONTENT_ROOT } from '../content-root.js';

/** Where Sigma field names of web-server rules are mapped to IIS log fields (data, not code). */
export const WEB_FIELD_MAPPING_FILE = fileURLToPath(new URL('mappings/webserver-iis.yml', CONTENT_ROOT));

/** The mapping, and which rule log sources it serves. */
export interface WebFieldMapping {
  readonly fields: SigmaFieldMapping;
  /** True when a rule's logsource is one of the mapping's (IIS web logs). */
  accepts(logsource: SigmaLogsource): boolean;
  /** False when a rule file's text names none of the mapping's log sources, so no rule in it can be accepted. */
  mayAccept(text: string): boolean;
  /** Changes whenever `mayAccept`'s verdicts can (the log source names it looks for): keys a parse cache. */
  readonly screenKey: string;
}

/** Reads and checks `content/mappings/webserver-iis.yml`; a broken mapping file is an internal error. */
export async function loadWebFieldMapping(file = WEB_FIELD_MAPPING_FILE): Promise<WebFieldMapping> {
  const doc: unknown = parse(await readFile(file, 'utf8'));
  const root = asRecord(doc, file);
  const fields = new Map<string, readonly string[]>();
  for (const [name, targets] of Object.entries(asRecord(root['fields'], `${file}: fields`))) {
    fields.set(name.toLowerCase(), asStrings(targets, `${file}: fields.${name}`).map((t) => t.toLowerCase()));
  }
  const logsource = asRecord(root['logsource'], `${file}: logsource`);
  const wanted = (key: string): Set<string> => new Set(logsource[key] === undefined ? [] : asStrings(logsource[key], `${file}: logsource.${key}`).map((v) => v.toLowerCase()));
  const categories = wanted('category');
  const products = wanted('product');
  const services = wanted('service');
  const names = [...categories, ...products, ...services];
  // A log source name only counts as a whole word: `iis` in `proc_creation_win_iis_appcmd` (a Windows
  // process rule) is not the `iis` product, and such files need not be parsed. Accepted values are whole
  // YAML scalars, so they always stand between characters that cannot be part of a name.
  const named = names.length === 0 ? undefined : new RegExp(`(?<![a-z0-9_.-])(?:${names.map(escapeRegExp).join('|')})(?![a-z0-9_.-])`);
  return {
    fields,
    mayAccept: (text) => named !== undefined && named.test(text.toLowerCase()),
    screenKey: `web-logsource:${named?.source ?? ''}`,
    accepts(source: SigmaLogsource): boolean {
      const has = (set: Set<string>, value: string | undefined): boolean => value !== undefined && set.has(value.toLowerCase());
      return has(categories, source.category) || has(products, source.product) || has(services, source.service);
    },
  };
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where}: expected a mapping`);
  return value as Record<string, unknown>;
}

function asStrings(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) throw new Error(`${where}: expected a list of strings`);
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, (c) => `\\${c}`);
}
