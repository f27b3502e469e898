import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { foldCase } from './fold-case.js';
import { requiredRegexLiteral } from './regex-literal.js';

describe('requiredRegexLiteral', () => {
  it('finds the longest literal run, escaped punctuation included', () => {
    expect(requiredRegexLiteral('\\$PSHome\\[\\s*\\d{1,3}\\s*\\]\\s*\\+\\s*\\$PSHome\\[')).toEqual({ text: '$PSHome[', folded: false });
    expect(requiredRegexLiteral('\\$VerbosePreference\\.ToString\\(')).toEqual({ text: '$VerbosePreference.ToString(', folded: false });
    expect(requiredRegexLiteral('ipconfig\\s+/all')).toEqual({ text: 'ipconfig', folded: false });
  });

  it('drops a character a quantifier makes optional, and keeps one that `+` repeats', () => {
    expect(requiredRegexLiteral('abcdx?yz')).toEqual({ text: 'abcd', folded: false });
    expect(requiredRegexLiteral('abcdx*')).toEqual({ text: 'abcd', folded: false });
    expect(requiredRegexLiteral('abcdx{0,2}')).toEqual({ text: 'abcd', folded: false });
    expect(requiredRegexLiteral('abcd+')).toEqual({ text: 'abcd', folded: false });
    expect(requiredRegexLiteral('ab(cdefgh)?ij')).toEqual({ text: 'ab', folded: false });
  });

  it('gives none for alternations outside a group and unknown escapes, and takes a single character', () => {
    expect(requiredRegexLiteral('alpha|beta')).toBeUndefined();
    expect(requiredRegexLiteral('(alpha|beta)gamma')).toEqual({ text: 'gamma', folded: false });
    expect(requiredRegexLiteral('\\x41bcdef')).toBeUndefined();
    expect(requiredRegexLiteral('\\QLiteral\\E')).toBeUndefined();
    expect(requiredRegexLiteral('\\pLetters')).toBeUndefined();
    expect(requiredRegexLiteral('ab.cd')).toEqual({ text: 'ab', folded: false });
    expect(requiredRegexLiteral('\\w+`(?:\\w+|-|.)`[\\w+|\\s]')).toEqual({ text: '`', folded: false });
    expect(requiredRegexLiteral('.*')).toBeUndefined();
    expect(requiredRegexLiteral('[abc|]defgh')).toEqual({ text: 'defgh', folded: false });
  });

  it('folds when the pattern ignores case, leaving out k and s (RE2 folds the Kelvin sign and the long s into them)', () => {
    expect(requiredRegexLiteral('(?i)\\.exe[\\"\\\']?\\s+werfaultsecure')).toEqual({ text: 'werfault', folded: true });
    expect(requiredRegexLiteral('NTUSER\\.DAT', 'i')).toEqual({ text: 'er.dat', folded: true });
    expect(requiredRegexLiteral('abc(?i:DEF)ghi')?.folded).toBe(true);
  });

  it('never names a literal a match lacks (random patterns and texts)', () => {
    const pieces = ['a', 'b', 'K', 's', 'sk', 'ab', '\\.', '\\$', '.', '\\s', '\\d', '[ab]', '(ab|c)', '?', '*', '+', '{1,2}', 'x', 'y', '\\\\', '(?i)', '|'];
    let random = 12345;
    const next = (n: number): number => {
      random = (random * 1103515245 + 12345) % 2 ** 31;
      return random % n;
    };
    const alphabet = ['a', 'b', 'A', 'B', 'K', 'k', 's', 'S', '\u212a', '\u017f', '.', '$', ' ', '1', 'x', 'y', '\\', 'c'];
    let checked = 0;
    for (let p = 0; p < 3000; p += 1) {
      let pattern = next(2) === 0 ? '(?i)' : '';
      for (let i = 0, n = 1 + next(10); i < n; i += 1) pattern += pieces[next(pieces.length)] as string;
      let re: RE2;
      try {
        re = new RE2(pattern, '');
      } catch {
        continue;
      }
      const literal = requiredRegexLiteral(pattern);
      if (literal === undefined) continue;
      for (let t = 0; t < 200; t += 1) {
        let text = '';
        for (let i = 0, n = next(14); i < n; i += 1) text += alphabet[next(alphabet.length)] as string;
        // Texts built around the literal make matches likely.
        if (t % 2 === 0) text = `${text.slice(0, 3)}${literal.text}${text.slice(3)}`;
        for (const candidate of [text, text.toUpperCase(), text.replace(/k/gi, '\u212a').replace(/s/gi, '\u017f')]) {
          if (!re.test(candidate)) continue;
          checked += 1;
          expect((literal.folded ? foldCase(candidate) : candidate).includes(literal.text), `${pattern} on ${candidate}`).toBe(true);
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
