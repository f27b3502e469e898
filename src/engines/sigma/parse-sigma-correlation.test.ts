import { describe, expect, it } from 'vitest';
import { compileSigmaCorrelations } from './compile-sigma-correlations.js';
import { compileSigmaRules } from './compile-sigma-rules.js';
import { parseSigmaYaml } from './parse-sigma-yaml.js';

const RULE = 'title: R\nid: 0a3c5b2e-7d41-4f39-9c1e-2b6f8e4d1c01\nname: rule_r\nlevel: low\nlogsource: {category: webserver}\ndetection:\n  sel: {a: b}\n  condition: sel\n';

/** `line code severity` of every diagnostic of a correlation document (its `correlation:` key is on line 3). */
function problems(body: string): string[] {
  const { diagnostics } = parseSigmaYaml(`title: C\nlevel: high\ncorrelation:\n${body}`, 'c.yml');
  return diagnostics.map((d) => `${d.line} ${d.code} ${d.severity}`);
}

describe('parseSigmaYaml on correlation rules', () => {
  it('reads a correlation beside rules in a multi-document file', () => {
    const parsed = parseSigmaYaml(
      `${RULE}---\ntitle: C\nid: 0a3c5b2e-7d41-4f39-9c1e-2b6f8e4d1c02\nname: corr\nlevel: critical\ntags: [attack.t1110]\ncorrelation:\n  type: value_count\n  rules:\n    - rule_r\n  group-by: c-ip\n  timespan: 2h\n  condition:\n    field: user\n    gte: 10\n    lt: 20\n  aliases:\n    ip:\n      rule_r: c-ip\n  generate: true\n`,
      'c.yml',
    );
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.rules.map((r) => r.name)).toEqual(['rule_r']);
    expect(parsed.correlations).toHaveLength(1);
    expect(parsed.correlations[0]).toMatchObject({
      file: 'c.yml',
      line: 10,
      correlationLine: 15,
      title: 'C',
      name: 'corr',
      level: 'critical',
      tags: ['attack.t1110'],
      type: 'value_count',
      rules: [{ ref: 'rule_r', line: 18 }],
      groupBy: ['c-ip'],
      timespan: '2h',
      timespanMs: 7_200_000,
      condition: {
        comparisons: [
          { operator: 'gte', value: 10 },
          { operator: 'lt', value: 20 },
        ],
        field: 'user',
        line: 21,
      },
      aliases: new Map([['ip', new Map([['rule_r', 'c-ip']])]]),
      generate: true,
    });
  });

  it('lets temporal correlations go without a condition and ignores one on temporal_ordered', () => {
    expect(problems('  type: temporal\n  rules: [a, b]\n  timespan: 30s\n')).toEqual([]);
    const parsed = parseSigmaYaml('title: C\nlevel: high\ncorrelation:\n  type: temporal_ordered\n  rules: [a, b]\n  timespan: 1d\n  condition: {gte: 1}\n', 'c.yml');
    expect(parsed.diagnostics.map((d) => `${d.line} ${d.code} ${d.severity}`)).toEqual(['7 sigma.correlation-condition warning']);
    expect(parsed.correlations[0]?.condition).toBeUndefined();
    expect(parsed.correlations[0]?.timespanMs).toBe(86_400_000);
  });

  it('reports each broken correlation with file:line and leaves it out', () => {
    expect(problems('  type: sequence\n  rules: [a]\n  timespan: 5m\n')).toEqual(['4 sigma.correlation-type-unknown error']);
    expect(problems('  rules: [a]\n  timespan: 5m\n')).toEqual(['3 sigma.correlation-shape error']);
    expect(problems('  type: temporal\n  timespan: 5m\n')).toEqual(['3 sigma.correlation-shape error']);
    expect(problems('  type: temporal\n  rules: []\n  timespan: 5m\n')).toEqual(['5 sigma.correlation-shape error']);
    expect(problems('  type: temporal\n  rules: [a, {x: y}]\n  timespan: 5m\n')).toEqual(['5 sigma.correlation-shape error']);
    expect(problems('  type: temporal\n  rules: [a]\n')).toEqual(['3 sigma.correlation-timespan error']);
    expect(problems('  type: temporal\n  rules: [a]\n  timespan: 5 minutes\n')).toEqual(['6 sigma.correlation-timespan error']);
    expect(problems('  type: temporal\n  rules: [a]\n  timespan: 0m\n')).toEqual(['6 sigma.correlation-timespan error']);
    expect(problems('  type: temporal\n  rules: [a]\n  timespan: 300\n')).toEqual(['6 sigma.correlation-timespan error']);
    expect(problems('  type: event_count\n  rules: [a]\n  timespan: 5m\n')).toEqual(['3 sigma.correlation-condition error']);
    expect(problems('  type: value_count\n  rules: [a]\n  timespan: 5m\n  condition: {gte: 3}\n')).toEqual(['7 sigma.correlation-condition error']);
    expect(problems('  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: {more: 3}\n')).toEqual(['7 sigma.correlation-condition error']);
    expect(problems('  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: {gte: 2.5}\n')).toEqual(['7 sigma.correlation-condition error']);
    expect(problems('  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: {}\n')).toEqual(['7 sigma.correlation-condition error']);
    expect(problems('  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: 10\n')).toEqual(['7 sigma.correlation-condition error']);
    expect(problems('  - not a mapping\n')).toEqual(['4 sigma.correlation-shape error']);
    expect(problems('  type: temporal\n  rules: [a]\n  timespan: 5m\n  groupby: [x]\n')).toEqual(['7 sigma.correlation-shape warning']);
    expect(parseSigmaYaml('level: high\ncorrelation:\n  type: temporal\n  rules: [a]\n  timespan: 5m\n', 'c.yml').diagnostics.map((d) => d.code)).toEqual([
      'sigma.rule-shape',
    ]);
    // The same problems stop the correlation from being returned.
    expect(parseSigmaYaml('title: C\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: 5m\n', 'c.yml').correlations).toEqual([]);
  });

  it('reports a referenced rule that is missing or failed to compile, and chained correlations, at the reference', () => {
    const parsed = parseSigmaYaml(
      `${RULE}---\ntitle: Broken\nname: broken\nlevel: low\nlogsource: {category: webserver}\ndetection:\n  sel: {a|nope: b}\n  condition: sel\n---\ntitle: C1\nname: c1\nlevel: high\ncorrelation:\n  type: temporal\n  rules:\n    - rule_r\n    - missing_rule\n    - broken\n  timespan: 5m\n---\ntitle: C2\nlevel: high\ncorrelation:\n  type: temporal\n  rules:\n    - 0a3c5b2e-7d41-4f39-9c1e-2b6f8e4d1c01\n    - c1\n  timespan: 5m\n`,
      'c.yml',
    );
    expect(parsed.diagnostics).toEqual([]);
    const rules = compileSigmaRules(parsed.rules);
    const set = compileSigmaCorrelations(parsed.correlations, rules.compiled);
    expect(set.compiled).toEqual([]);
    // C2 has neither name nor id, so it is known by its fallback id.
    expect(set.diagnostics.map((d) => `${d.file}:${d.line} ${d.code} ${d.ruleId?.replace(/^sigma-[0-9a-f]{16}$/, 'fallback') ?? ''}`)).toEqual([
      'c.yml:25 sigma.correlation-rule-unknown c1',
      'c.yml:26 sigma.correlation-rule-unknown c1',
      'c.yml:35 sigma.correlation-unsupported fallback',
    ]);
  });
});
