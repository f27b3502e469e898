import type { Evidence } from '../core/evidence.js';
import type { Finding } from '../core/finding.js';
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
