import { createHash } from 'node:crypto';
import { isAlias, isScalar, isSeq } from 'yaml';
import type { Document, Node as YamlNode, YAMLMap } from 'yaml';
import type { Severity } from '../../core/severity.js';
import type { SigmaDiagnosticCode } from './sigma-diagnostic.js';
import type { SigmaValue } from './sigma-record.js';
import type { SigmaDocumentMeta, SigmaStatus } from './sigma-rule.js';

const LEVELS: Readonly<Record<string, Severity>> = {
  informational: 'info',
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'critical',
};

const STATUSES: readonly SigmaStatus[] = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'];

/** Reports a diagnostic at a node; also knows the line of any node of the document. */
export interface Emit {
  (code: SigmaDiagnosticCode, node: YamlNode | null | undefined, message: string, severity?: 'error' | 'warning'): void;
  lineOf(node: YamlNode): number;
}

/** One pair of a mapping, its value's alias resolved. */
export interface Entry {
  readonly key: YamlNode;
  readonly value: YamlNode | null;
}

/** The pairs of a mapping by key text, aliases resolved. */
export function entries(doc: Document.Parsed, map: YAMLMap): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const pair of map.items) {
    if (!isScalar(pair.key)) continue;
    const key = scalarText(pair.key);
    if (key === undefined) continue;
    const value = pair.value === null ? null : resolve(doc, pair.value as YamlNode);
    out.set(key, { key: pair.key, value });
  }
  return out;
}

/** The node an alias points at; any other node itself. */
export function resolve(doc: Document.Parsed, node: YamlNode | null): YamlNode | null {
  if (isAlias(node)) {
    const target = node.resolve(doc);
    return target ?? null;
  }
  return node;
}

/** The text of a scalar (numbers and booleans as written by String()); undefined for anything else. */
export function scalarText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** A rule value; numbers whose text would not survive a round trip (`0755`, `1.0`) stay text, as written. */
export function scalarValue(node: YamlNode): SigmaValue | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return node.source !== undefined && node.source !== String(v) ? node.source : v;
  if (typeof v === 'bigint') return String(v);
  return undefined;
}

/** An optional text field; a non-text value is a warning and ignored. */
export function optionalText(entry: Entry | undefined, emit: Emit): string | undefined {
  if (entry === undefined || entry.value === null) return undefined;
  const text = scalarText(entry.value);
  if (text === undefined) emit('sigma.field-type', entry.value, `${scalarText(entry.key) ?? 'field'} should be text; ignored`, 'warning');
  return text;
}

/** A list of text; a single text is read as a list of one, with a warning. */
export function textList(doc: Document.Parsed, entry: Entry | undefined, emit: Emit): string[] {
  if (entry === undefined || entry.value === null) return [];
  const name = scalarText(entry.key) ?? 'field';
  if (isScalar(entry.value)) {
    const text = scalarText(entry.value);
    if (text !== undefined) {
      emit('sigma.field-type', entry.value, `${name} should be a list; read as a list of one`, 'warning');
      return [text];
    }
  }
  if (!isSeq(entry.value)) {
    emit('sigma.field-type', entry.value, `${name} should be a list of text; ignored`, 'warning');
    return [];
  }
  const out: string[] = [];
  for (const item of entry.value.items) {
    const text = scalarText(resolve(doc, item as YamlNode));
    if (text === undefined) emit('sigma.field-type', item as YamlNode, `${name} entries should be text; entry ignored`, 'warning');
    else out.push(text);
  }
  return out;
}

/** The rule level as a severity; missing or unknown is a warning and `medium`. */
export function parseLevel(entry: Entry | undefined, root: YamlNode, emit: Emit): Severity {
  const text = entry?.value ? scalarText(entry.value) : undefined;
  if (text === undefined) {
    emit('sigma.level-unknown', entry?.value ?? root, 'level is missing; using medium', 'warning');
    return 'medium';
  }
  const level = LEVELS[text.toLowerCase()];
  if (level === undefined) {
    emit('sigma.level-unknown', entry?.value, `unknown level "${text}"; using medium`, 'warning');
    return 'medium';
  }
  return level;
}

/** The rule status; unknown is a warning and ignored. */
export function parseStatus(entry: Entry | undefined, emit: Emit): SigmaStatus | undefined {
  if (entry === undefined || entry.value === null) return undefined;
  const text = scalarText(entry.value);
  const status = STATUSES.find((s) => s === text);
  if (status === undefined) emit('sigma.status-unknown', entry.value, `unknown status "${text ?? ''}"; ignored`, 'warning');
  return status;
}

/** Where a Sigma document sits, and its id when it has one. */
export interface SigmaDocumentSource {
  readonly file: string;
  readonly docLine: number;
  /** The document's text, for the fallback id. */
  readonly source: string;
  readonly id: string | undefined;
}

/**
 * Reads what every Sigma document (rule or correlation) says about itself. Every problem is emitted;
 * undefined only when the required title is missing. `afterHead` runs between the title, level and status
 * and the optional fields, so a rule's diagnostics come in the order a reader meets its parts.
 */
export function parseDocumentMeta(
  doc: Document.Parsed,
  root: YamlNode,
  top: ReadonlyMap<string, Entry>,
  at: SigmaDocumentSource,
  emit: Emit,
  afterHead?: () => void,
): SigmaDocumentMeta | undefined {
  const titleEntry = top.get('title');
  const title = titleEntry !== undefined && isScalar(titleEntry.value) ? scalarText(titleEntry.value) : undefined;
  if (title === undefined || title.trim() === '') emit('sigma.rule-shape', titleEntry?.value ?? root, 'title is required and must be text');
  const level = parseLevel(top.get('level'), root, emit);
  const status = parseStatus(top.get('status'), emit);
  afterHead?.();
  const meta = {
    file: at.file,
    line: at.docLine,
    id: at.id,
    fallbackId: `sigma-${createHash('sha256').update(at.source).digest('hex').slice(0, 16)}`,
    level,
    status,
    description: optionalText(top.get('description'), emit) ?? '',
    tags: textList(doc, top.get('tags'), emit),
    references: textList(doc, top.get('references'), emit),
    author: optionalText(top.get('author'), emit),
    name: optionalText(top.get('name'), emit),
    date: optionalText(top.get('date'), emit),
    falsepositives: textList(doc, top.get('falsepositives'), emit),
  };
  return title === undefined ? undefined : { ...meta, title };
}
