import { describe, expect, it } from 'vitest';
import type { Asset } from './asset.js';
import { FindingAggregator } from './finding-aggregator.js';
import type { FindingDraft } from './finding-draft.js';
import { fingerprint } from './fingerprint.js';
import type { RuleMeta } from './rule-meta.js';

const RULE: RuleMeta = { id: 'r1', title: 'Rule one', description: 'd', severity: 'high', confidence: 'firm', engine: 'line-rule', category: 'c', tags: [], references: [] };
const LOW: RuleMeta = { ...RULE, id: 'r0', severity: 'low' };
const SITE: Asset = { id: '10.0.0.1/W3SVC1', kind: 'site' };

function draft(line: number, source = '198.51.100.1', rule = RULE): FindingDraft {
  return { rule, asset: SITE, locationKey: source, evidence: { kind: 'log-line', file: 'u_ex.log', line, time: Date.UTC(2024, 0, 1) + line * 1000 } };
}

describe('FindingAggregator', () => {
  it('groups hits of one rule on one asset from one source, keeping the first hit and the latest', () => {
    const agg = new FindingAggregator(3);
    for (let line = 1; line <= 10; line += 1) agg.add(draft(line));
    agg.add(draft(11, '203.0.113.5'));
    const findings = agg.findings();
    expect(findings).toHaveLength(2);
    const main = findings.find((f) => f.locationKey === '198.51.100.1');
    expect(main?.occurrences).toBe(10);
    expect(main?.evidence.map((e) => e.line)).toEqual([1, 2, 10]);
    expect(main?.firstSeen).toBe(new Date(Date.UTC(2024, 0, 1) + 1000).toISOString());
    expect(main?.lastSeen).toBe(new Date(Date.UTC(2024, 0, 1) + 10_000).toISOString());
  });

  it('merging parts read in order gives the same result as reading all at once', () => {
    const whole = new FindingAggregator(4);
    const first = new FindingAggregator(4);
    const second = new FindingAggregator(4);
    for (let line = 1; line <= 9; line += 1) {
      whole.add(draft(line));
      (line <= 2 ? first : second).add(draft(line));
    }
    const merged = new FindingAggregator(4);
    merged.merge(first.groups());
    merged.merge(second.groups());
    expect(merged.findings()).toEqual(whole.findings());
  });

  it('keeps the first hit with a cap of one', () => {
    const agg = new FindingAggregator(1);
    for (let line = 1; line <= 5; line += 1) agg.add(draft(line));
    expect(agg.findings()[0]?.evidence.map((e) => e.line)).toEqual([1]);
  });

  it('orders by severity, then asset, rule and location, with stable fingerprints', () => {
    const agg = new FindingAggregator();
    agg.add(draft(1, 'b', LOW));
    agg.add(draft(2, 'b'));
    agg.add(draft(3, 'a'));
    const findings = agg.findings();
    expect(findings.map((f) => [f.ruleId, f.locationKey])).toEqual([['r1', 'a'], ['r1', 'b'], ['r0', 'b']]);
    expect(findings[0]?.fingerprint).toBe(fingerprint('r1', SITE.id, 'a'));
    expect(fingerprint('r1', SITE.id, 'a')).toBe(fingerprint('r1', SITE.id, 'a'));
    expect(fingerprint('r1', SITE.id, 'a')).not.toBe(fingerprint('r1', SITE.id, 'b'));
  });
});
