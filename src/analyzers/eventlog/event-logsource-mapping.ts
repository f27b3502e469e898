import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { SigmaFieldMapping } from '../../engines/sigma/compile-sigma-rule.js';
import type { SigmaLogsource } from '../../engines/sigma/sigma-rule.js';
import { CONTENT_ROOT } from '../content-root.js';

/** Where Sigma's Windows log sources are mapped to channels, Event IDs and field names (data, not code). */
export const EVENT_LOGSOURCE_FILE = fileURLToPath(new URL('mappings/windows-logsources.yml', CONTENT_ROOT));

/** One place a rule's events come from: a channel, optionally some Event IDs, and the field names there. */
export interface EventSource {
  /** Lower case. */
  readonly channel: string;
  readonly eventIds?: ReadonlySet<number>;
  /** Name of the field set (`security-4688`), or undefined for the rule's own field names. */
  readonly fieldSet?: string;
}

/** The mapping: which sources serve a rule's logsource, and the field sets. */
export interface EventLogsourceMapping {
  readonly fieldSets: ReadonlyMap<string, SigmaFieldMapping>;
  /**
   * The sources a rule runs on: a list of channels and IDs; `'any'` for a rule of product windows without
   * category or service; undefined when the rule is not for Windows event logs (or its category has no EVTX source).
   */
  sources(logsource: SigmaLogsource): readonly EventSource[] | 'any' | undefined;
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where}: expected a mapping`);
  return value as Record<string, unknown>;
}

function asList(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${where}: expected a list`);
  return value;
}

function readSources(value: unknown, where: string, fieldSets: ReadonlyMap<string, SigmaFieldMapping>): EventSource[] {
  return asList(value, where).map((item, i) => {
    const entry = asRecord(item, `${where}[${i}]`);
    const channel = entry['channel'];
    if (typeof channel !== 'string') throw new Error(`${where}[${i}].channel: expected text`);
    const ids = entry['eventIds'];
    const fieldSet = entry['fields'];
    if (fieldSet !== undefined && (typeof fieldSet !== 'string' || !fieldSets.has(fieldSet))) throw new Error(`${where}[${i}].fields: unknown field set`);
    const eventIds =
      ids === undefined
        ? undefined
        : new Set(
            asList(ids, `${where}[${i}].eventIds`).map((id) => {
              if (typeof id !== 'number' || !Number.isInteger(id)) throw new Error(`${where}[${i}].eventIds: expected integers`);
              return id;
            }),
          );
    return { channel: channel.toLowerCase(), ...(eventIds === undefined ? {} : { eventIds }), ...(typeof fieldSet === 'string' ? { fieldSet } : {}) };
  });
}

/** Reads and checks `content/mappings/windows-logsources.yml`; a broken mapping file is an internal error. */
export async function loadEventLogsourceMapping(file = EVENT_LOGSOURCE_FILE): Promise<EventLogsourceMapping> {
  const root = asRecord(parse(await readFile(file, 'utf8')), file);
  const fieldSets = new Map<string, SigmaFieldMapping>();
  for (const [name, fields] of Object.entries(asRecord(root['fieldsets'], `${file}: fieldsets`))) {
    const mapping = new Map<string, readonly string[]>();
    for (const [field, targets] of Object.entries(asRecord(fields, `${file}: fieldsets.${name}`))) {
      const list = asList(targets, `${file}: fieldsets.${name}.${field}`).map(String);
      mapping.set(field, list);
    }
    fieldSets.set(name, mapping);
  }
  const table = (key: string): Map<string, EventSource[]> => {
    const out = new Map<string, EventSource[]>();
    for (const [name, value] of Object.entries(asRecord(root[key], `${file}: ${key}`))) out.set(name.toLowerCase(), readSources(value, `${file}: ${key}.${name}`, fieldSets));
    return out;
  };
  const categories = table('categories');
  const services = table('services');
  return {
    fieldSets,
    sources(logsource) {
      const product = logsource.product?.toLowerCase();
      if (product !== undefined && product !== 'windows') return undefined;
      if (logsource.service !== undefined) return services.get(logsource.service.toLowerCase());
      if (logsource.category !== undefined) return categories.get(logsource.category.toLowerCase());
      return product === 'windows' ? 'any' : undefined;
    },
  };
}
