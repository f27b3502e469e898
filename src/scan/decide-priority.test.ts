import { describe, expect, it } from 'vitest';
import { decidePriority, DEFAULT_RISK_POLICY, labelRank, SCORE_BANDS, type Criticality, type OwnEvidence, type RiskFacts } from './decide-priority.js';
import { shippedRiskTables } from './risk-tables.js';

const tables = shippedRiskTables();
const ITERATIONS = 5000;
const CRITICALITY: readonly Criticality[] = ['low', 'medium', 'high', 'critical'];
const OWN: readonly OwnEvidence[] = ['none', 'attempt', 'success'];

/** A small deterministic generator (mulberry32), so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fact<T>(value: T, assumed = false): { value: T; source: string; assumed: boolean } {
  return { value, source: 'test', assumed };
}

function without(facts: RiskFacts, key: 'epss' | 'cvss'): RiskFacts {
  const copy = { ...facts };
  if (key === 'epss') delete copy.epss;
  else delete copy.cvss;
  return copy;
}

function randomFacts(next: () => number): RiskFacts {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const epss = next() < 0.8 ? next() : undefined;
  const kev = next() < 0.5;
  return {
    compromise: fact(next() < 0.1),
    ownEvidence: { ...fact(pick(OWN)), evidence: [] },
    inKev: { ...fact(kev), ...(kev ? { dateAdded: '2021-11-03', dueDate: '2022-05-03' } : {}) },
    publiclyExposed: fact(next() < 0.5, next() < 0.5),
    automatable: fact(next() < 0.5, next() < 0.5),
    technicalImpact: fact(next() < 0.5 ? 'partial' : 'total', next() < 0.5),
    ...(epss === undefined ? {} : { epss: { ...fact(epss), percentile: epss } }),
    ...(next() < 0.5 ? { cvss: fact(Math.round(next() * 100) / 10) } : {}),
    criticality: fact(pick(CRITICALITY)),
    firstSeen: fact('2026-11-20T08:00:00.000Z'),
    remediationClock: fact(next() < 0.8),
  };
}

/** Each way an input can get worse, applied to one random set of facts (undefined when it is already at its worst). */
const WORSEN: Readonly<Record<string, (f: RiskFacts, next: () => number) => RiskFacts | undefined>> = {
  'KEV no → yes': (f) => (f.inKev.value ? undefined : { ...f, inKev: { ...f.inKev, value: true } }),
  'exposure internal → internet': (f) => (f.publiclyExposed.value ? undefined : { ...f, publiclyExposed: { ...f.publiclyExposed, value: true } }),
  'automatable no → yes': (f) => (f.automatable.value ? undefined : { ...f, automatable: { ...f.automatable, value: true } }),
  'technical impact partial → total': (f) => (f.technicalImpact.value === 'total' ? undefined : { ...f, technicalImpact: { ...f.technicalImpact, value: 'total' } }),
  'EPSS up': (f, next) => {
    if (f.epss === undefined) return undefined;
    const higher = f.epss.value + (1 - f.epss.value) * next();
    return { ...f, epss: { ...f.epss, value: higher, percentile: Math.max(f.epss.percentile, higher) } };
  },
  'criticality up': (f) => {
    const i = CRITICALITY.indexOf(f.criticality.value);
    const up = CRITICALITY[i + 1];
    return up === undefined ? undefined : { ...f, criticality: { ...f.criticality, value: up } };
  },
  'own evidence up': (f) => {
    const up = OWN[OWN.indexOf(f.ownEvidence.value) + 1];
    return up === undefined ? undefined : { ...f, ownEvidence: { ...f.ownEvidence, value: up } };
  },
  'CVSS up': (f, next) => (f.cvss === undefined ? undefined : { ...f, cvss: { ...f.cvss, value: f.cvss.value + (10 - f.cvss.value) * next() } }),
  'compromise found': (f) => (f.compromise.value ? undefined : { ...f, compromise: { ...f.compromise, value: true } }),
};

describe('decidePriority', () => {
  it.each(Object.keys(WORSEN))('never lowers the score or the label when %s', (name) => {
    const worsen = WORSEN[name];
    if (worsen === undefined) throw new Error(name);
    const next = random(name.length * 7919);
    let compared = 0;
    for (let i = 0; i < ITERATIONS; i += 1) {
      const before = randomFacts(next);
      const after = worsen(before, next);
      if (after === undefined) continue;
      const a = decidePriority(before, tables);
      const b = decidePriority(after, tables);
      compared += 1;
      expect(b.score, `${name} #${i}: ${JSON.stringify(before)}`).toBeGreaterThanOrEqual(a.score);
      expect(labelRank(b.label), `${name} #${i}`).toBeGreaterThanOrEqual(labelRank(a.label));
    }
    expect(compared).toBeGreaterThan(ITERATIONS / 5);
  });

  it('keeps every score inside its label band, so the score orders labels first', () => {
    const next = random(42);
    for (let i = 0; i < ITERATIONS; i += 1) {
      const p = decidePriority(randomFacts(next), tables);
      const band = SCORE_BANDS[p.label];
      expect(p.score).toBeGreaterThanOrEqual(band.floor);
      expect(p.score).toBeLessThanOrEqual(band.floor + band.width);
      expect(Math.round(p.score * 10)).toBe(p.score * 10);
    }
  });

  it('scores with the published weights: 3d-forensic, EPSS percentile 0.999, high criticality, no CVSS', () => {
    const facts: RiskFacts = {
      ...randomFacts(random(1)),
      compromise: fact(false),
      ownEvidence: { ...fact<OwnEvidence>('none'), evidence: [] },
      inKev: { ...fact(true), dateAdded: '2021-11-03', dueDate: '2022-05-03' },
      publiclyExposed: fact(true),
      automatable: fact(true),
      technicalImpact: fact('total'),
      epss: { ...fact(0.94), percentile: 0.999 },
      criticality: fact<Criticality>('high'),
    };
    const noCvss = without(facts, 'cvss');
    const p = decidePriority(noCvss, tables);
    // 80 + 10 × (0.40·0.999 + 0.35·⅔ + 0.25·0.5) = 87.579…
    expect(p).toMatchObject({ label: '3d-forensic', score: 87.6, confidence: 1, ssvcCisa: 'act', decision: { row: 15 } });
    expect(p.inputs.find((i) => i.name === 'cvss')).toMatchObject({ value: null, assumed: true });
  });

  it('starts the clock at first sight or at the KEV addition, whichever is later, and counts the label days', () => {
    const base = randomFacts(random(7));
    const facts: RiskFacts = {
      ...base,
      compromise: fact(false),
      ownEvidence: { ...fact<OwnEvidence>('none'), evidence: [] },
      publiclyExposed: fact(false),
      automatable: fact(false),
      technicalImpact: fact('partial'),
      criticality: fact<Criticality>('medium'),
      remediationClock: fact(true),
      firstSeen: fact('2026-11-20T08:00:00.000Z'),
    };
    const noEpss = without(facts, 'epss');
    // KEV added after we first saw it: the clock starts at the addition (row 1, 14 days).
    expect(decidePriority({ ...noEpss, inKev: { ...fact(true), dateAdded: '2026-11-25', dueDate: '2026-12-16' } }, tables).dueAt).toBe('2026-12-09T00:00:00.000Z');
    // Not in KEV, internal, partial, not automatable: next upgrade, 180 days by default.
    expect(decidePriority({ ...noEpss, inKev: fact(false) }, tables)).toMatchObject({ label: 'next-upgrade', dueAt: '2027-05-19T08:00:00.000Z' });
    // KEV's own due date caps the clock only when the policy says so.
    expect(decidePriority({ ...noEpss, inKev: { ...fact(true), dateAdded: '2021-11-03', dueDate: '2021-11-10' } }, tables, { ...DEFAULT_RISK_POLICY, kevDueDateCap: true }).dueAt).toBe('2021-11-10T00:00:00.000Z');
    // Attack activity: a label to order it by, no clock.
    expect(decidePriority({ ...noEpss, inKev: fact(false), remediationClock: fact(false) }, tables).dueAt).toBeUndefined();
    // An incident is due for triage within a day of first sight.
    expect(decidePriority({ ...noEpss, inKev: fact(false), compromise: fact(true) }, tables)).toMatchObject({ label: 'incident', dueAt: '2026-11-21T08:00:00.000Z' });
  });

  it('moves the label one step for EPSS and criticality, never past 3 days and never adding forensic triage', () => {
    const facts: RiskFacts = {
      ...randomFacts(random(3)),
      compromise: fact(false),
      ownEvidence: { ...fact<OwnEvidence>('none'), evidence: [] },
      inKev: fact(false),
      publiclyExposed: fact(true),
      automatable: fact(true),
      technicalImpact: fact('partial'),
      criticality: fact<Criticality>('medium'),
    };
    const plain = without(facts, 'epss');
    expect(decidePriority(plain, tables).label).toBe('14d');
    expect(decidePriority({ ...plain, epss: { ...fact(0.8), percentile: 0.99 } }, tables).label).toBe('3d');
    expect(decidePriority({ ...plain, epss: { ...fact(0.8), percentile: 0.99 }, criticality: fact<Criticality>('critical') }, tables).label).toBe('3d');
    expect(decidePriority({ ...plain, criticality: fact<Criticality>('low') }, tables)).toMatchObject({ label: '60d', modifiers: [{ rule: 'criticality', effect: '14d→60d' }] });
    // Own attempts mean exploitation: forensic triage, and low criticality no longer loosens.
    expect(decidePriority({ ...plain, criticality: fact<Criticality>('low'), ownEvidence: { ...fact<OwnEvidence>('attempt'), evidence: ['hunt'] } }, tables).label).toBe('3d-forensic');
  });

  it('counts the share of the four base inputs that were observed as its confidence', () => {
    const facts = randomFacts(random(9));
    const all = { ...facts, inKev: fact(false), publiclyExposed: fact(true), automatable: fact(true), technicalImpact: fact<'total'>('total') };
    expect(decidePriority(all, tables).confidence).toBe(1);
    expect(decidePriority({ ...all, publiclyExposed: fact(true, true), technicalImpact: fact<'total'>('total', true) }, tables).confidence).toBe(0.5);
  });
});
