import { describe, expect, it } from 'vitest';
import type { Detector } from '../../core/detector.js';
import { NeedleAutomaton } from './needle-automaton.js';

/** The plain answer: does any needle occur, ASCII case folded. */
function naive(needles: readonly string[], text: string): boolean {
  const lower = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return needles.some((n) => lower.includes(n));
}

describe('NeedleAutomaton', () => {
  it('finds needles case-insensitively, including overlapping and nested ones', () => {
    const a = NeedleAutomaton.build(['he', 'she', 'his', 'hers', 'web.config']);
    expect(a.test('USHERS')).toBe(true);
    expect(a.test('/Web.Config')).toBe(true);
    expect(a.test('ahishe')).toBe(true);
    expect(a.test('web.confi')).toBe(false);
    expect(a.test('')).toBe(false);
    expect(a.scanBytes(Buffer.from('x hErS y'))).toBe(true);
  });

  it('adds a + variant for needles with a space, as IIS writes header spaces', () => {
    const a = NeedleAutomaton.forDetectors([{ meta: {} as never, needles: ['Mozilla/4.0 (compatible'], test: () => true }]);
    expect(a?.test('mozilla/4.0+(compatible;+msie')).toBe(true);
    expect(a?.test('mozilla/4.0 (compatible')).toBe(true);
  });

  it('gives up (undefined) when a detector has no needles', () => {
    const noNeedles: Detector<string> = { meta: {} as never, test: () => true };
    expect(NeedleAutomaton.forDetectors([noNeedles])).toBeUndefined();
  });

  it('agrees with a naive search on random texts (property test)', () => {
    let seed = 11;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = 'abcAB.$%{} \u00e9\u4e2d';
    const word = (max: number): string => Array.from({ length: 1 + rand(max) }, () => alphabet[rand(alphabet.length)]).join('');
    for (let round = 0; round < 300; round += 1) {
      const needles = [...new Set(Array.from({ length: 1 + rand(6) }, () => word(4).toLowerCase()))].filter((n) => /^[\x20-\x7e]+$/.test(n));
      if (needles.length === 0) continue;
      const a = NeedleAutomaton.build(needles);
      for (let k = 0; k < 20; k += 1) {
        const text = word(40);
        expect(a.test(text), `${JSON.stringify(needles)} in ${JSON.stringify(text)}`).toBe(naive(needles, text));
        expect(a.scanBytes(Buffer.from(text, 'latin1'))).toBe(naive(needles, Buffer.from(Buffer.from(text, 'latin1')).toString('latin1')));
      }
    }
  });
});

describe('NeedleAutomaton.forEachMatch and RuleIndex', () => {
  it('reports every needle occurrence, nested ones included', () => {
    const a = NeedleAutomaton.build(['he', 'she', 'hers']);
    const found: string[] = [];
    a.forEachMatch('USHERS', (n) => found.push(a.needles[n] as string));
    expect(found.sort()).toEqual(['he', 'hers', 'she']);
  });
});
