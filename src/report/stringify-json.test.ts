import { describe, expect, it } from 'vitest';
import { LazyJsonArray, stringifyJson, stringifyJsonParts } from './stringify-json.js';

describe('stringifyJson', () => {
  const hostile = { text: 'a\u001b]0;x\u0007 \u009b2J \u007f \u202eevil \u2028\u2029 \ud800 <script>', n: 1 };

  it('parses back to the same value', () => {
    expect(JSON.parse(stringifyJson(hostile))).toEqual(hostile);
    expect(JSON.parse(stringifyJson(hostile, 2))).toEqual(hostile);
  });

  it('writes no raw control, bidi, separator or lone-surrogate character', () => {
    expect(stringifyJson(hostile)).toMatch(/^[\u0020-\u007e]*$/);
    // DEL alone in otherwise plain ASCII is escaped too.
    expect(stringifyJson({ text: 'plain \u007f text' })).toBe('{"text":"plain \\u007f text"}');
  });
});

describe('stringifyJsonParts', () => {
  it('joins to the text of stringifyJson, hostile text, non-Latin-1 text and left-out values included', () => {
    const report = {
      tool: { name: 'w3guard', version: '1' },
      skipped: undefined,
      findings: [hostile(), { text: 'plain ascii', n: 2, nested: { deeper: [1, 'two', null] } }],
      rules: [{ description: 'one dash \u2014 here', tags: [] }],
      empty: {},
      list: [],
      fn: () => 1,
      last: 'caf\u00e9',
    };
    const parts = stringifyJsonParts(report, 2);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.join('')).toBe(stringifyJson(report, 2));
  });

  it('falls back to one piece for what is not a plain object with properties', () => {
    expect(stringifyJsonParts({}, 2)).toEqual(['{}']);
    expect(stringifyJsonParts([1, 2], 2)).toEqual([stringifyJson([1, 2], 2)]);
    expect(stringifyJsonParts({ only: undefined }, 2)).toEqual(['{}']);
  });

  function hostile(): object {
    return { text: 'a\u001b]0;x\u0007 \u009b2J \u007f \u202eevil \u2028\u2029 \ud800 <script>', n: 1 };
  }
});

describe('LazyJsonArray', () => {
  it('prints as the array of its items turned into JSON values, in pieces that join to the whole text', () => {
    const items = Array.from({ length: 600 }, (_, i) => ({ i, text: i % 7 === 0 ? `bidi \u202e ${i} \u2014` : `plain ${i}`, none: undefined, list: [i, { deep: i % 2 === 0 }] }));
    const toJson = (item: (typeof items)[number]): object => ({ ...item, twice: item.i * 2 });
    const whole = { head: 1, findings: items.map(toJson), empty: [], tail: 'end' };
    const lazy = { head: 1, findings: new LazyJsonArray(items, toJson), empty: new LazyJsonArray([], toJson), tail: 'end' };
    expect(stringifyJsonParts(lazy, 2).join('')).toBe(stringifyJson(whole, 2));
    const short = { findings: new LazyJsonArray([1, undefined, 'x'], (v) => v) };
    expect(stringifyJsonParts(short, 2).join('')).toBe(stringifyJson({ findings: [1, undefined, 'x'] }, 2));
    expect(stringifyJsonParts({ only: new LazyJsonArray(items.slice(0, 256), toJson) }, 4).join('')).toBe(stringifyJson({ only: items.slice(0, 256).map(toJson) }, 4));
  });
});
