import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONTENT_ROOT } from '../content-root.js';
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
  it('names every rule a source declares, as its matches would be named, and skips commented-out rules', () => {
    const text = [
      '/* rule Commented_Out { condition: true } */',
      '// rule Also_Commented { condition: true }',
      'import "pe"',
      'rule w3g_own : webshell aspx {',
      '  meta:',
      '    id = "w3g-yara-own" // ours',
      '    reference = "https://example.test/rule { }"',
      '  strings: $a = "rule Fake_In_String"',
      '  condition: $a',
      '}',
      'private rule Helper { condition: filesize < 10 }',
      'global rule Everywhere { condition: true }',
      'rule WEBSHELL_ASPX_Generic',
      '{ meta: id = "0904cefb-6e0f-5e5f-9986-cf83d409ce46" strings: $id = "id = \\"w3g-not-meta\\"" condition: $id and Helper }',
    ].join('\n');
    const ids = declaredYaraRuleIds([{ text }]);
    expect(ids).toEqual(['w3g-yara-own', 'yara.Everywhere', 'yara.Helper', 'yara.WEBSHELL_ASPX_Generic'].sort());
    // Matches of those rules get the same ids.
    expect(yaraRuleMeta({ rule: 'w3g_own', tags: [], meta: { id: 'w3g-yara-own' }, patterns: [] }).id).toBe('w3g-yara-own');
    expect(yaraRuleMeta({ rule: 'WEBSHELL_ASPX_Generic', tags: [], meta: { id: '0904cefb-6e0f-5e5f-9986-cf83d409ce46' }, patterns: [] }).id).toBe('yara.WEBSHELL_ASPX_Generic');
  });

  it("reads w3guard's own rule file: one w3g- id per rule", () => {
    const text = readFileSync(fileURLToPath(new URL('yara/w3g-webshells.yar', CONTENT_ROOT)), 'utf8');
    const ids = declaredYaraRuleIds([{ text }]);
    expect(ids.length).toBe(text.match(/^\s*(?:private\s+)?rule\s+\w+/gm)?.length);
    expect(ids.every((id) => id.startsWith('w3g-'))).toBe(true);
  });
});
