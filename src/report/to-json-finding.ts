import type { Evidence } from '../core/evidence.js';
import type { Finding } from '../core/finding.js';
import type { Priority } from '../core/priority.js';
import { isLineNumber } from './is-line-number.js';

/** One evidence item as the report contract prints it: only the properties that hold a valid value. */
export interface JsonEvidence {
  kind: string;
  file?: string;
  line?: number;
  path?: string;
  url?: string;
  recordId?: number;
  text?: string;
  /** ISO 8601 UTC. */
  time?: string;
}

/** One finding as the report contract prints it. */
export interface JsonFinding {
  fingerprint: string;
  ruleId: string;
  engine: string;
  title: string;
  description: string;
  severity: Finding['severity'];
  confidence: Finding['confidence'];
  category: string;
  asset: string;
  locationKey: string;
  tags: string[];
  references: string[];
  remediation?: string;
  occurrences: number;
  firstSeen?: string;
  lastSeen?: string;
  evidence: JsonEvidence[];
  status?: Finding['status'];
  risk?: number;
  priority?: Priority;
  related?: string[];
  suppression?: { reason: string; until?: string; by?: string };
}

/**
 * Turns a finding into the plain object the `json` and `jsonl` formats print, with properties in a fixed
 * order and no `undefined` values, so output is byte-for-byte stable.
 */
export function toJsonFinding(finding: Finding): JsonFinding {
  // Properties are assigned one by one in the printed order, not spread: objects built so stay in the
  // engine's fast representation, which is quicker to build and to stringify (reports hold 10,000s).
  const out: JsonFinding = {
    fingerprint: finding.fingerprint,
    ruleId: finding.ruleId,
    engine: finding.engine,
    title: finding.title,
    description: finding.description,
    severity: finding.severity,
    confidence: finding.confidence,
    category: finding.category,
    asset: finding.asset,
    locationKey: finding.locationKey,
    tags: [...finding.tags],
    references: [...finding.references],
  } as JsonFinding;
  if (finding.remediation !== undefined) out.remediation = finding.remediation;
  out.occurrences = finding.occurrences;
  if (finding.firstSeen !== undefined) out.firstSeen = finding.firstSeen;
  if (finding.lastSeen !== undefined) out.lastSeen = finding.lastSeen;
  out.evidence = finding.evidence.map(toJsonEvidence);
  if (finding.status !== undefined) out.status = finding.status;
  if (finding.risk !== undefined) out.risk = finding.risk;
  if (finding.priority !== undefined) out.priority = toJsonPriority(finding.priority);
  if (finding.related !== undefined) out.related = [...finding.related];
  if (finding.suppression !== undefined) {
    const suppression: NonNullable<JsonFinding['suppression']> = { reason: finding.suppression.reason };
    if (finding.suppression.until !== undefined) suppression.until = finding.suppression.until;
    if (finding.suppression.by !== undefined) suppression.by = finding.suppression.by;
    out.suppression = suppression;
  }
  return out;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The priority with its properties in a fixed order and no `undefined` values. */
export function toJsonPriority(priority: Priority): Priority {
  const out = { label: priority.label, score: priority.score } as Mutable<Priority>;
  if (priority.dueAt !== undefined) out.dueAt = priority.dueAt;
  out.confidence = priority.confidence;
  if (priority.ssvcCisa !== undefined) out.ssvcCisa = priority.ssvcCisa;
  if (priority.decision !== undefined) out.decision = { table: priority.decision.table, row: priority.decision.row, inputs: { ...priority.decision.inputs } };
  out.modifiers = priority.modifiers.map((m) => {
    const modifier: Mutable<Priority['modifiers'][number]> = { rule: m.rule, effect: m.effect };
    if (m.evidence !== undefined) modifier.evidence = [...m.evidence];
    return modifier;
  });
  out.inputs = priority.inputs.map((i) => {
    const input = { name: i.name, value: i.value, source: i.source } as Mutable<Priority['inputs'][number]>;
    if (i.asOf !== undefined) input.asOf = i.asOf;
    if (i.assumed !== undefined) input.assumed = i.assumed;
    if (i.detail !== undefined) input.detail = i.detail;
    return input;
  });
  return out;
}

/**
 * Copies one evidence item; a line that is not a 1-based integer, a record id that is not an integer and
 * a time that is not a real instant are left out rather than printed as something the contract rejects.
 */
export function toJsonEvidence(evidence: Evidence): JsonEvidence {
  const time = evidence.time === undefined ? undefined : isoTime(evidence.time);
  const out: JsonEvidence = { kind: evidence.kind };
  if (evidence.file !== undefined) out.file = evidence.file;
  if (isLineNumber(evidence.line)) out.line = evidence.line;
  if (evidence.path !== undefined) out.path = evidence.path;
  if (evidence.url !== undefined) out.url = evidence.url;
  if (evidence.recordId !== undefined && Number.isSafeInteger(evidence.recordId)) out.recordId = evidence.recordId;
  if (evidence.text !== undefined) out.text = evidence.text;
  if (time !== undefined) out.time = time;
  return out;
}

function isoTime(ms: number): string | undefined {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
