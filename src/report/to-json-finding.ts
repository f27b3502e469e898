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
  return {
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
    ...(finding.remediation === undefined ? {} : { remediation: finding.remediation }),
    occurrences: finding.occurrences,
    ...(finding.firstSeen === undefined ? {} : { firstSeen: finding.firstSeen }),
    ...(finding.lastSeen === undefined ? {} : { lastSeen: finding.lastSeen }),
    evidence: finding.evidence.map(toJsonEvidence),
    ...(finding.status === undefined ? {} : { status: finding.status }),
    ...(finding.risk === undefined ? {} : { risk: finding.risk }),
    ...(finding.priority === undefined ? {} : { priority: toJsonPriority(finding.priority) }),
    ...(finding.related === undefined ? {} : { related: [...finding.related] }),
    ...(finding.suppression === undefined
      ? {}
      : {
          suppression: {
            reason: finding.suppression.reason,
            ...(finding.suppression.until === undefined ? {} : { until: finding.suppression.until }),
            ...(finding.suppression.by === undefined ? {} : { by: finding.suppression.by }),
          },
        }),
  };
}

/** The priority with its properties in a fixed order and no `undefined` values. */
export function toJsonPriority(priority: Priority): Priority {
  return {
    label: priority.label,
    score: priority.score,
    ...(priority.dueAt === undefined ? {} : { dueAt: priority.dueAt }),
    confidence: priority.confidence,
    ...(priority.ssvcCisa === undefined ? {} : { ssvcCisa: priority.ssvcCisa }),
    ...(priority.decision === undefined ? {} : { decision: { table: priority.decision.table, row: priority.decision.row, inputs: { ...priority.decision.inputs } } }),
    modifiers: priority.modifiers.map((m) => ({ rule: m.rule, effect: m.effect, ...(m.evidence === undefined ? {} : { evidence: [...m.evidence] }) })),
    inputs: priority.inputs.map((i) => ({
      name: i.name,
      value: i.value,
      source: i.source,
      ...(i.asOf === undefined ? {} : { asOf: i.asOf }),
      ...(i.assumed === undefined ? {} : { assumed: i.assumed }),
      ...(i.detail === undefined ? {} : { detail: i.detail }),
    })),
  };
}

/**
 * Copies one evidence item; a line that is not a 1-based integer, a record id that is not an integer and
 * a time that is not a real instant are left out rather than printed as something the contract rejects.
 */
export function toJsonEvidence(evidence: Evidence): JsonEvidence {
  const time = evidence.time === undefined ? undefined : isoTime(evidence.time);
  return {
    kind: evidence.kind,
    ...(evidence.file === undefined ? {} : { file: evidence.file }),
    ...(isLineNumber(evidence.line) ? { line: evidence.line } : {}),
    ...(evidence.path === undefined ? {} : { path: evidence.path }),
    ...(evidence.url === undefined ? {} : { url: evidence.url }),
    ...(evidence.recordId !== undefined && Number.isSafeInteger(evidence.recordId) ? { recordId: evidence.recordId } : {}),
    ...(evidence.text === undefined ? {} : { text: evidence.text }),
    ...(time === undefined ? {} : { time }),
  };
}

function isoTime(ms: number): string | undefined {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
