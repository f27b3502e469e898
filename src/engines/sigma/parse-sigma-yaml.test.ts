import { describe, expect, it } from 'vitest';
import { parseSigmaYaml } from './parse-sigma-yaml.js';

const header = 'title: T\nid: 0a3c5b2e-7d41-4f39-9c1e-2b6f8e4d1a30\nlogsource:\n  product: windows\n  service: security\n';

describe('parseSigmaYaml', () => {
  it('reads a rule into a typed structure', () => {
    const { rules, diagnostics } = parseSigmaYaml(
      `${header}status: stable\nlevel: informational\ndescription: d\nauthor: me\ndate: 2026-01-02\ntags: [a.b]\nreferences: [https://x]\nfalsepositives: [none]\nfields: [CommandLine]\ndetection:\n  sel:\n    EventID: 4688\n    CommandLine|contains: [x, y]\n  condition: sel\n`,
      'r.yml',
    );
    expect(diagnostics).toEqual([]);
    const rule = rules[0];
    expect(rule).toMatchObject({
      file: 'r.yml',
      line: 1,
      title: 'T',
      status: 'stable',
      level: 'info',
      description: 'd',
      author: 'me',
      date: '2026-01-02',
      tags: ['a.b'],
      references: ['https://x'],
      falsepositives: ['none'],
      fields: ['CommandLine'],
      logsource: { product: 'windows', service: 'security' },
    });
    expect(rule?.detection.conditions).toEqual([{ text: 'sel', line: 19 }]);
    expect(rule?.detection.searches.get('sel')).toEqual({
      name: 'sel',
      line: 16,
      alternatives: [
        [
          { field: 'EventID', modifiers: [], values: [4688], line: 17 },
          { field: 'CommandLine', modifiers: ['contains'], values: ['x', 'y'], line: 18 },
        ],
      ],
    });
  });

  it('keeps number-looking values as written when a number would change them', () => {
    const { rules } = parseSigmaYaml(`${header}level: low\ndetection:\n  sel:\n    a: 0755\n    b: 1.0\n    c: 42\n    d: ~\n    e: true\n  condition: sel\n`, 'r.yml');
    const items = rules[0]?.detection.searches.get('sel')?.alternatives[0] ?? [];
    expect(items.map((i) => i.values[0])).toEqual(['0755', '1.0', 42, null, true]);
  });

  it('reads keyword lists, mixed lists and aliases', () => {
    const { rules, diagnostics } = parseSigmaYaml(
      `${header}level: low\ndetection:\n  kw:\n    - &w whoami\n    - a: *w\n    - 'net user'\n  condition: kw\n`,
      'r.yml',
    );
    expect(diagnostics).toEqual([]);
    expect(rules[0]?.detection.searches.get('kw')?.alternatives).toEqual([
      [{ field: 'a', modifiers: [], values: ['whoami'], line: 10 }],
      [{ field: undefined, modifiers: [], values: ['whoami', 'net user'], line: 9 }],
    ]);
  });

  it('gives a stable fallback id to rules without one', () => {
    const text = 'title: T\nlevel: low\nlogsource: {category: webserver}\ndetection:\n  sel: {a: b}\n  condition: sel\n';
    const a = parseSigmaYaml(text, 'a.yml').rules[0]?.fallbackId;
    expect(a).toMatch(/^sigma-[0-9a-f]{16}$/);
    expect(parseSigmaYaml(text, 'elsewhere.yml').rules[0]?.fallbackId).toBe(a);
    expect(parseSigmaYaml(text, 'a.yml').rules[0]?.id).toBeUndefined();
  });

  it('reports shape problems at their line and carries the rule id', () => {
    const { rules, diagnostics } = parseSigmaYaml(`${header}level: low\ndetection:\n  sel:\n  condition: sel\n`, 'r.yml');
    expect(rules).toEqual([]);
    expect(diagnostics).toEqual([
      {
        code: 'sigma.detection-shape',
        message: 'search "sel" is empty',
        file: 'r.yml',
        line: 8,
        ruleId: '0a3c5b2e-7d41-4f39-9c1e-2b6f8e4d1a30',
        severity: 'error',
      },
    ]);
    expect(parseSigmaYaml('- a\n- b\n', 'r.yml').diagnostics.map((d) => d.code)).toEqual(['sigma.rule-shape']);
    expect(parseSigmaYaml(`${header}level: low\n`, 'r.yml').diagnostics.map((d) => d.code)).toEqual(['sigma.rule-shape']);
    expect(parseSigmaYaml(`${header}level: low\ndetection:\n  sel: {a: b}\n`, 'r.yml').diagnostics.map((d) => d.code)).toEqual([
      'sigma.rule-shape',
    ]);
    expect(parseSigmaYaml(`${header}detection:\n  sel: {a: [[x]]}\n  condition: sel\n`, 'r.yml').diagnostics.map((d) => `${d.code}:${d.line}`)).toEqual([
      'sigma.level-unknown:1',
      'sigma.value-invalid:7',
    ]);
  });

  it('treats an empty file as no rules and reports a duplicate key as a syntax error', () => {
    expect(parseSigmaYaml('', 'r.yml')).toEqual({ rules: [], diagnostics: [], correlations: [] });
    expect(parseSigmaYaml('title: a\ntitle: b\n', 'r.yml').diagnostics.map((d) => `${d.code}:${d.line}`)).toEqual(['sigma.yaml-syntax:2']);
  });

  it('warns about timeframe and ignores it', () => {
    const { rules, diagnostics } = parseSigmaYaml(`${header}level: low\ndetection:\n  sel: {a: b}\n  timeframe: 5m\n  condition: sel\n`, 'r.yml');
    expect(rules).toHaveLength(1);
    expect(diagnostics.map((d) => `${d.code}:${d.line}:${d.severity}`)).toEqual(['sigma.timeframe-unsupported:9:warning']);
  });
});
