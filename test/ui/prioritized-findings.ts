import type { Finding } from '../../src/core/finding.js';
import type { Priority, PriorityLabel } from '../../src/core/priority.js';
import { makeFinding } from '../server/seed-findings.js';

const LABELS: readonly PriorityLabel[] = ['incident', '3d-forensic', '3d', '14d', '60d', 'next-upgrade'];

/** A priority as the prioritize step writes it, with inputs and their sources. */
export function makePriority(label: PriorityLabel, score: number, extra: Partial<Priority> = {}): Priority {
  return {
    label,
    score,
    confidence: 0.75,
    dueAt: '2026-06-01T12:00:00.000Z',
    decision: { table: 'bod-26-04', row: 3, inputs: { inKev: false } },
    modifiers: [],
    inputs: [
      { name: 'compromise', value: false, source: 'hunt' },
      { name: 'inKev', value: false, source: 'cisa-kev', asOf: '2026-05-30' },
      { name: 'publiclyExposed', value: true, source: 'observed' },
      { name: 'epss', value: null, source: 'none', assumed: true, detail: 'no EPSS score' },
    ],
    ...extra,
  };
}

/** Finding `i` with a priority whose label follows from `i` (every sixth an incident). */
export function prioritized(i: number, overrides: Partial<Finding> = {}): Finding {
  const base = makeFinding(i, overrides);
  const label = LABELS[i % LABELS.length] as PriorityLabel;
  const score = 100 - (i % LABELS.length) * 15 - (i % 10);
  return { ...base, risk: score, priority: makePriority(label, score), ...overrides };
}

