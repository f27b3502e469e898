import { describe, expect, it } from 'vitest';
import { declaredYaraRuleIds, yaraRuleMeta } from './yara-rule-meta.js';

describe('yaraRuleMeta', () => {
  it("keeps w3guard's ids and severities", () => {
    const meta = yaraRuleMeta({ rule: 'w3g_x', tags: [], meta: { id: 'w3g-yara-x', title: 'X', severity: 'critical', description: 'd' }, patterns: ['$a'] });
    expect(meta).toMatchObject({ id: 'w3g-yara-x', title: 'X', severity: 'critical', engine: 'yara' });
  });

  it("reads other authors' rules the Loki/THOR way: the rule name as id, score for severity", () => {
    const uuid = yaraRuleMeta({ rule: 'WEBSHELL_ASPX_Generic', tags: ['WEBSHELL'], meta: { id: '0904cefb-6e0f-5e5f-9986-cf83d409ce46', score: 85, reference: 'https://example.test/r' }, patterns: [] });
    expect(uuid).toMatchObject({ id: 'yara.WEBSHELL_ASPX_Generic', severity: 'high', references: ['https://example.test/r'] });
    expect(uuid.tags).toContain('yara.webshell');
    expect(yaraRuleMeta({ rule: 'r', tags: [], meta: { score: '65' }, patterns: [] }).severity).toBe('medium');
    expect(yaraRuleMeta({ rule: 'r', tags: [], meta: { score: 40 }, patterns: [] }).severity).toBe('low');
    expect(yaraRuleMeta({ rule: 'r', tags: [], meta: {}, patterns: [] }).severity).toBe('high');
  });
});

describe('declaredYaraRuleIds', () => {
  it('names each rule by its w3guard id, else yara.NAME, and skips commented-out rules', () => {
    const text = [
      '// rule commented_out { condition: true }',
      'rule own : webshell { meta: id = "w3g-yara-x" title = "x" strings: $a = "rule fake {" condition: $a }',
      '/* rule also_out { condition: true } */',
      'private rule theirs { meta: id = "6f1c-uuid" condition: true }',
    ].join('\n');
    expect(declaredYaraRuleIds(text)).toEqual(['w3g-yara-x', 'yara.theirs']);
  });
});
