import { describe, expect, it } from 'vitest';
import type { CompiledSigmaRule } from './compile-sigma-rule.js';
import { compileSigmaCorrelations } from './compile-sigma-correlations.js';
import type { CompiledSigmaCorrelation, CorrelationEvent, SigmaCorrelationCompileOptions } from './compile-sigma-correlations.js';
import { compileSigmaRules } from './compile-sigma-rules.js';
import { createCorrelationEngine } from './create-correlation-engine.js';
import type { CorrelationEngineOptions, CorrelationHit } from './create-correlation-engine.js';
import { evaluateCorrelations } from './evaluate-correlations.js';
import { objectSigmaRecord } from './object-sigma-record.js';
import { parseSigmaYaml } from './parse-sigma-yaml.js';
import type { SigmaValue } from './sigma-record.js';

/** Three rules, `rule_a`, `rule_b`, `rule_c`, matching `cs-method: A|B|C`. */
const RULES = ['a', 'b', 'c']
  .map(
    (x, i) =>
      `title: Rule ${x.toUpperCase()}\nid: 0a3c5b2e-7d41-4f39-9c1e-2b6f8e4d1b0${i}\nname: rule_${x}\nlevel: low\nlogsource: {category: webserver}\ndetection:\n  sel: {cs-method: ${x.toUpperCase()}}\n  condition: sel\n`,
  )
  .join('---\n');

interface Setup {
  readonly rules: readonly CompiledSigmaRule[];
  readonly correlations: readonly CompiledSigmaCorrelation[];
}

function setup(correlation: string, options: SigmaCorrelationCompileOptions = {}): Setup {
  const parsed = parseSigmaYaml(`${RULES}---\ntitle: Correlation\nlevel: high\ncorrelation:\n${correlation}`, 'c.yml');
  expect(parsed.diagnostics).toEqual([]);
  const rules = compileSigmaRules(parsed.rules);
  const set = compileSigmaCorrelations(parsed.correlations, rules.compiled, options);
  expect(set.diagnostics).toEqual([]);
  expect(set.compiled).toHaveLength(1);
  return { rules: rules.compiled, correlations: set.compiled };
}

type Row = readonly [seconds: number, fields: Readonly<Record<string, SigmaValue | readonly SigmaValue[]>>];

/** Feeds rows in order; a hit reads `group first-last n=count`, times in seconds. */
function run({ rules, correlations }: Setup, rows: readonly Row[], options: CorrelationEngineOptions = {}): string[] {
  const engine = createCorrelationEngine(correlations, options);
  const hits: CorrelationHit<unknown>[] = [];
  for (const [seconds, fields] of rows) {
    const record = objectSigmaRecord(fields);
    const matched = rules.filter((r) => r.test(record)).map((r) => r.meta.id);
    hits.push(...engine.push(matched, record, seconds * 1000));
  }
  hits.push(...engine.flush());
  return hits.map(show);
}

const show = (h: CorrelationHit<unknown>): string => `${h.groupKey} ${h.first / 1000}-${h.last / 1000} n=${h.count}`;

const a = (ip: string, extra: Record<string, SigmaValue> = {}): Record<string, SigmaValue> => ({ 'cs-method': 'A', 'c-ip': ip, ...extra });
const b = (ip: string, extra: Record<string, SigmaValue> = {}): Record<string, SigmaValue> => ({ 'cs-method': 'B', 'c-ip': ip, ...extra });
const c = (ip: string, extra: Record<string, SigmaValue> = {}): Record<string, SigmaValue> => ({ 'cs-method': 'C', 'c-ip': ip, ...extra });

const eventCount = (condition: string, timespan = '1m'): string =>
  `  type: event_count\n  rules: [rule_a]\n  group-by: [c-ip]\n  timespan: ${timespan}\n  condition: {${condition}}\n`;

describe('event_count', () => {
  it('hits when a group reaches the count within the timespan; other groups and other rules do not add up', () => {
    const s = setup(eventCount('gte: 3'));
    expect(run(s, [[0, a('1.1.1.1')], [5, a('2.2.2.2')], [10, a('1.1.1.1')], [15, b('1.1.1.1')], [20, a('1.1.1.1')], [25, a('2.2.2.2')]])).toEqual([
      '["1.1.1.1"] 0-20 n=3',
    ]);
  });

  it('counts an event exactly one timespan older as inside the window, one second more as outside', () => {
    const s = setup(eventCount('gte: 3'));
    expect(run(s, [[0, a('x')], [30, a('x')], [60, a('x')]])).toEqual(['["x"] 0-60 n=3']);
    expect(run(s, [[0, a('x')], [30, a('x')], [61, a('x')]])).toEqual([]);
    // The window slides: 30, 61 and 62 are within a minute.
    expect(run(s, [[0, a('x')], [30, a('x')], [61, a('x')], [62, a('x')]])).toEqual(['["x"] 30-62 n=3']);
  });

  it('starts over after a hit, so a long burst gives one hit per count reached', () => {
    const s = setup(eventCount('gt: 1'));
    expect(run(s, [0, 1, 2, 3, 4].map((t): Row => [t, a('x')]))).toEqual(['["x"] 0-1 n=2', '["x"] 2-3 n=2']);
  });

  it('judges upper-bounded conditions when the window closes: at the first event after it, or at flush', () => {
    const s = setup(eventCount('lt: 3'));
    const rows: Row[] = [[0, a('few')], [1, a('many')], [2, a('many')], [3, a('many')], [10, a('few')], [100, a('few')]];
    expect(run(s, rows)).toEqual(['["few"] 0-10 n=2', '["few"] 100-100 n=1']);
    const range = setup(eventCount('gte: 2, lte: 3'));
    expect(run(range, rows)).toEqual(['["many"] 1-3 n=3', '["few"] 0-10 n=2']);
    const exactly = setup(eventCount('eq: 1'));
    expect(run(exactly, rows)).toEqual(['["few"] 100-100 n=1']);
  });

  it('groups by several fields, by nothing, and reads a missing field as empty and a list joined', () => {
    const two = setup('  type: event_count\n  rules: [rule_a]\n  group-by: [c-ip, cs-host]\n  timespan: 1m\n  condition: {gte: 2}\n');
    expect(run(two, [[0, a('x', { 'cs-host': 'h1' })], [1, a('x', { 'cs-host': 'h2' })], [2, a('x')], [3, a('x')], [4, a('x', { 'cs-host': 'h2' })]])).toEqual([
      '["x",""] 2-3 n=2',
      '["x","h2"] 1-4 n=2',
    ]);
    const none = setup('  type: event_count\n  rules: [rule_a]\n  timespan: 1m\n  condition: {gte: 2}\n');
    expect(run(none, [[0, a('x')], [1, a('y')]])).toEqual(['[] 0-1 n=2']);
    const list = setup(eventCount('gte: 2'));
    expect(run(list, [[0, { 'cs-method': 'A', 'c-ip': ['1', '2'] }], [1, { 'cs-method': 'A', 'c-ip': ['1', '2'] }]])).toEqual(['["1,2"] 0-1 n=2']);
  });

  it('keeps a capped sample of the earliest records of the window', () => {
    const s = setup(eventCount('gte: 4'));
    const engine = createCorrelationEngine(s.correlations, { maxSamples: 2 });
    const rule = s.rules[0]?.meta.id ?? '';
    const records = [0, 1, 2, 3].map((t) => objectSigmaRecord(a('x', { n: t })));
    const hits = records.flatMap((r, t) => engine.push([rule], r, t));
    expect(hits).toHaveLength(1);
    expect(hits[0]?.samples).toEqual([records[0], records[1]]);
    expect(hits[0]?.meta.title).toBe('Correlation');
  });
});

describe('value_count', () => {
  const valueCount = (condition: string, timespan = '1m'): string =>
    `  type: value_count\n  rules: [rule_a]\n  group-by: [c-ip]\n  timespan: ${timespan}\n  condition: {field: cs-uri-stem, ${condition}}\n`;
  const at = (ip: string, stem: string | readonly string[]): Record<string, SigmaValue | readonly SigmaValue[]> => ({ 'cs-method': 'A', 'c-ip': ip, 'cs-uri-stem': stem });

  it('hits when a group shows enough distinct values within the timespan', () => {
    const s = setup(valueCount('gte: 3'));
    expect(run(s, [[0, at('x', '/a')], [1, at('x', '/a')], [2, at('y', '/b')], [3, at('x', '/b')], [4, at('y', '/b')], [5, at('x', '/c')]])).toEqual([
      '["x"] 0-5 n=3',
    ]);
  });

  it('forgets values last seen more than a timespan ago; a value seen again is fresh', () => {
    const s = setup(valueCount('gte: 3'));
    expect(run(s, [[0, at('x', '/a')], [30, at('x', '/b')], [61, at('x', '/c')]])).toEqual([]);
    expect(run(s, [[0, at('x', '/a')], [30, at('x', '/b')], [59, at('x', '/a')], [61, at('x', '/c')]])).toEqual(['["x"] 30-61 n=3']);
    expect(run(s, [[0, at('x', '/a')], [30, at('x', '/b')], [60, at('x', '/c')]])).toEqual(['["x"] 0-60 n=3']);
  });

  it('counts each element of a list field, and ignores records without the field', () => {
    const s = setup(valueCount('gte: 3'));
    expect(run(s, [[0, { 'cs-method': 'A', 'c-ip': 'x' }], [1, at('x', ['/a', '/b'])], [2, at('x', '/c')]])).toEqual(['["x"] 1-2 n=3']);
  });

  it('judges upper bounds over closed windows', () => {
    const s = setup(valueCount('lte: 1'));
    expect(run(s, [[0, at('one', '/a')], [1, at('two', '/a')], [2, at('one', '/a')], [3, at('two', '/b')]])).toEqual(['["one"] 0-2 n=1']);
  });
});

describe('temporal', () => {
  const temporal = (rules: string, extra = ''): string => `  type: temporal\n  rules: [${rules}]\n  group-by: [c-ip]\n  timespan: 5m\n${extra}`;

  it('hits when every rule matched within the timespan, in any order, per group', () => {
    const s = setup(temporal('rule_a, rule_b'));
    expect(run(s, [[0, b('x')], [0, a('y')], [100, a('x')], [301, b('y')], [400, a('z')], [701, b('z')]])).toEqual(['["x"] 0-100 n=2']);
    expect(run(s, [[0, a('y')], [300, b('y')]])).toEqual(['["y"] 0-300 n=2']);
  });

  it('with a condition, counts distinct rules', () => {
    const s = setup(temporal('rule_a, rule_b, rule_c', '  condition: {gte: 2}\n'));
    expect(run(s, [[0, a('x')], [1, a('x')], [2, c('x')]])).toEqual(['["x"] 0-2 n=2']);
  });

  it('maps a group-by alias onto a different field per rule', () => {
    const s = setup(temporal('rule_a, rule_b', '  aliases:\n    ip:\n      rule_a: c-ip\n      rule_b: s-ip\n').replace('group-by: [c-ip]', 'group-by: [ip]'));
    expect(run(s, [[0, a('10.0.0.1')], [1, { 'cs-method': 'B', 'c-ip': 'other', 's-ip': '10.0.0.1' }]])).toEqual(['["10.0.0.1"] 0-1 n=2']);
  });
});

describe('temporal_ordered', () => {
  const ordered = `  type: temporal_ordered\n  rules: [rule_a, rule_b, rule_c]\n  group-by: [c-ip]\n  timespan: 5m\n`;

  it('hits only when the rules matched in the listed order within the timespan', () => {
    const s = setup(ordered);
    expect(run(s, [[0, a('in-order')], [0, c('reversed')], [10, b('in-order')], [10, b('reversed')], [20, c('in-order')], [20, a('reversed')]])).toEqual([
      '["in-order"] 0-20 n=3',
    ]);
    expect(run(s, [[0, a('x')], [20, c('x')], [30, b('x')], [40, c('x')]])).toEqual(['["x"] 0-40 n=3']);
  });

  it('keeps the latest start, so an old beginning does not spoil a newer sequence; exactly the timespan is inside', () => {
    const s = setup(ordered);
    expect(run(s, [[0, a('x')], [200, a('x')], [250, b('x')], [500, c('x')]])).toEqual(['["x"] 200-500 n=3']);
    expect(run(s, [[0, a('x')], [250, b('x')], [301, c('x')]])).toEqual([]);
  });

  it('never lets one record stand for two steps', () => {
    const parsed = parseSigmaYaml(
      `${RULES}---\ntitle: AB\nname: rule_ab\nlevel: low\nlogsource: {category: webserver}\ndetection:\n  sel: {cs-uri-stem: /x}\n  condition: sel\n---\ntitle: O\nlevel: high\ncorrelation:\n  type: temporal_ordered\n  rules: [rule_a, rule_ab]\n  timespan: 1m\n`,
      'c.yml',
    );
    const rules = compileSigmaRules(parsed.rules);
    const set = compileSigmaCorrelations(parsed.correlations, rules.compiled);
    expect(run({ rules: rules.compiled, correlations: set.compiled }, [[0, a('x', { 'cs-uri-stem': '/x' })]])).toEqual([]);
    expect(run({ rules: rules.compiled, correlations: set.compiled }, [[0, a('x', { 'cs-uri-stem': '/x' })], [1, a('x', { 'cs-uri-stem': '/x' })]])).toEqual([
      '[] 0-1 n=2',
    ]);
  });
});

describe('memory bounds', () => {
  it('evicts the least recently seen group when a correlation holds maxGroups groups', () => {
    const s = setup(eventCount('gte: 2'));
    const engine = createCorrelationEngine(s.correlations, { maxGroups: 2 });
    const rule = s.rules[0]?.meta.id ?? '';
    const push = (ip: string, t: number): string[] => engine.push([rule], objectSigmaRecord(a(ip)), t * 1000).map(show);
    // A third group evicts x, the least recently seen, so x starts over and z still counts.
    expect([...push('x', 0), ...push('y', 1), ...push('z', 2)]).toEqual([]);
    expect(engine.stats()).toEqual({ evictedGroups: 1, groups: 2 });
    expect(push('x', 3)).toEqual([]);
    expect(push('z', 4)).toEqual(['["z"] 2-4 n=2']);
    expect(engine.stats()).toEqual({ evictedGroups: 2, groups: 2 });
  });

  it('drops groups whose window has passed, keeping nothing for them', () => {
    const s = setup(eventCount('gte: 3'));
    const engine = createCorrelationEngine(s.correlations);
    const rule = s.rules[0]?.meta.id ?? '';
    for (let i = 0; i < 100; i += 1) engine.push([rule], objectSigmaRecord(a(`10.0.0.${i}`)), i * 1000);
    expect(engine.stats().groups).toBe(61);
  });

  it('refuses a condition that would need more remembered events than the limit', () => {
    const parsed = parseSigmaYaml(`${RULES}---\ntitle: Huge\nlevel: high\ncorrelation:\n${eventCount('gte: 50')}`, 'c.yml');
    const rules = compileSigmaRules(parsed.rules);
    const set = compileSigmaCorrelations(parsed.correlations, rules.compiled, { maxEventsPerGroup: 49 });
    expect(set.compiled).toEqual([]);
    expect(set.diagnostics.map((d) => `${d.line} ${d.code}`)).toEqual(['35 sigma.correlation-condition']);
    expect(compileSigmaCorrelations(parsed.correlations, rules.compiled, { maxEventsPerGroup: 50 }).diagnostics).toEqual([]);
  });
});

describe('evaluateCorrelations', () => {
  it('gives the same hits from events collected per part and merged in any order', () => {
    const s = setup(`  type: temporal_ordered\n  rules: [rule_a, rule_b]\n  group-by: [c-ip]\n  timespan: 1m\n`);
    const rows: Row[] = [[0, a('x')], [10, a('y')], [20, b('x')], [30, b('y')], [100, b('x')]];
    const collect = (part: readonly Row[], name: string): CorrelationEvent<string>[] =>
      part.flatMap(([t, fields], line) => {
        const record = objectSigmaRecord(fields);
        const matched = s.rules.filter((r) => r.test(record)).map((r) => r.meta.id);
        return s.correlations.flatMap((co) => co.events(matched, record, t * 1000, `${name}:${line + 1}`));
      });
    const events = [...collect(rows.slice(3), 'part2'), ...collect(rows.slice(0, 3), 'part1')];
    const hits = evaluateCorrelations(s.correlations, events);
    expect(hits.map((h) => [show(h), h.samples])).toEqual([
      ['["x"] 0-20 n=2', ['part1:1', 'part1:3']],
      ['["y"] 10-30 n=2', ['part1:2', 'part2:1']],
    ]);
    expect(hits.map(show)).toEqual(run(s, rows));
  });

  it('keeps the caller reference when the engine is given one', () => {
    const s = setup(eventCount('gte: 1'));
    const engine = createCorrelationEngine(s.correlations, { ref: (_record, time) => `t=${time}` });
    expect(engine.push([s.rules[0]?.meta.id ?? ''], objectSigmaRecord(a('x')), 5).map((h) => h.samples)).toEqual([['t=5']]);
  });
});
