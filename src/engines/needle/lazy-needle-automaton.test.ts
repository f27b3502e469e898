import { describe, expect, it } from 'vitest';
import { LazyNeedleAutomaton } from './lazy-needle-automaton.js';

/** The needle of every occurrence (overlapping ones included), ASCII case folded, the plain way. */
function naive(needles: readonly string[], text: string): number[] {
  const lower = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const found: number[] = [];
  needles.forEach((needle, n) => {
    for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + 1)) found.push(n);
  });
  return found.sort((a, b) => a - b);
}

function matches(automaton: LazyNeedleAutomaton, text: string): number[] {
  const found: number[] = [];
  automaton.forEachMatch(text, (n) => found.push(n));
  return found.sort((a, b) => a - b);
}

describe('LazyNeedleAutomaton', () => {
  it('finds every occurrence of overlapping and nested needles, in either ASCII case', () => {
    const needles = ['he', 'she', 'his', 'hers', 'web.config', '\\cmd.exe'];
    const a = LazyNeedleAutomaton.build(needles);
    for (const text of ['USHERS', 'ahishe', '/Web.Config', 'web.confi', 'C:\\Windows\\System32\\CMD.EXE /c', '', 'h\u00e9\u4e2dshe']) {
      expect(matches(a, text), text).toEqual(naive(needles, text));
    }
  });

  it('agrees with a naive search on random needles and texts, cells worked out in any order (property test)', () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = 'abcAB.\\ \u00e9\u4e2d';
    const word = (max: number): string => Array.from({ length: 1 + rand(max) }, () => alphabet[rand(alphabet.length)]).join('');
    for (let round = 0; round < 200; round += 1) {
      const needles = [...new Set(Array.from({ length: 1 + rand(8) }, () => word(5).toLowerCase()))].filter((n) => /^[\x20-\x7e]+$/.test(n));
      if (needles.length === 0) continue;
      const a = LazyNeedleAutomaton.build(needles);
      for (let k = 0; k < 10; k += 1) {
        const text = word(30);
        expect(matches(a, text), `${JSON.stringify(needles)} in ${JSON.stringify(text)}`).toEqual(naive(needles, text));
        expect(a.test(text)).toBe(naive(needles, text).length > 0);
      }
    }
  });

  it('makes rows only for the states texts reach, growing the table as it goes', () => {
    // 2,000 needles of 30 characters sharing their first ten: 38,000 states, of which a text reaches a handful.
    const needles = Array.from({ length: 2000 }, (_, i) => `needle-${String(i).padStart(5, '0')}-${'x'.repeat(17)}`);
    const a = LazyNeedleAutomaton.build(needles);
    expect(a.stateCount).toBeGreaterThan(35_000);
    // The start state and its one child.
    expect(a.rows).toBe(2);
    const found: number[] = [];
    a.forEachMatch(`..NEEDLE-01234-${'X'.repeat(17)}..`, (n) => found.push(n));
    expect(found).toEqual([1234]);
    expect(a.rows).toBeLessThan(100);
    // Many distinct texts add rows, and it still answers the same.
    for (let i = 0; i < 2000; i += 7) {
      const hits: number[] = [];
      a.forEachMatch(`needle-${String(i).padStart(5, '0')}-${'x'.repeat(17)}`, (n) => hits.push(n));
      expect(hits).toEqual([i]);
    }
    expect(a.rows).toBeGreaterThan(256);
  });
});
