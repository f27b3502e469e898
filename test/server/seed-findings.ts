import { createHash } from 'node:crypto';
import type { Finding } from '../../src/core/finding.js';
import type { Severity } from '../../src/core/severity.js';
import type { FindingStore } from '../../src/store/finding-store.js';

const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** A finding numbered `i`: its fingerprint, asset and rule follow from the number; every seventh has no risk. */
export function makeFinding(i: number, overrides: Partial<Finding> = {}): Finding {
  const fingerprint = createHash('sha256').update(`finding ${i}`).digest('hex').slice(0, 32);
  const severity = SEVERITIES[i % SEVERITIES.length] ?? 'info';
  return {
    fingerprint,
    ruleId: `rule-${i % 13}`,
    engine: 'check',
    title: `Finding number ${i}${i % 10 === 0 ? ' with 100% <b>markup</b>' : ''}`,
    description: 'A finding made for a test.',
    severity,
    confidence: 'firm',
    category: 'config',
    asset: `site-${i % 5}`,
    locationKey: `loc-${i}`,
    tags: [],
    references: [],
    occurrences: 1,
    evidence: [{ kind: 'config', file: 'web.config', line: 1, text: `<add name="x${i}" />` }],
    // Many ties on purpose: the fingerprint must break them.
    ...(i % 7 === 0 ? {} : { risk: (i * 37) % 20 }),
    ...overrides,
  };
}

/** Records one run holding findings `from` to `to - 1`. */
export async function seedFindings(store: FindingStore, from: number, to: number, at = '2026-05-31T00:00:00.000Z'): Promise<Finding[]> {
  const findings = Array.from({ length: to - from }, (_, k) => makeFinding(from + k));
  await store.recordRun({ command: 'test', toolVersion: '0', startedAt: at, finishedAt: at, findings, keepFindings: false });
  return findings;
}
