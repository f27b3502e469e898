import { describe, expect, it } from 'vitest';
import { compileSigmaString } from './compile-sigma-string.js';
import { parseSigmaString } from './sigma-string.js';

const matches = (pattern: string, text: string, cased = false): boolean => compileSigmaString(parseSigmaString(pattern), cased)(text);

describe('compileSigmaString', () => {
  it('matches whole values, folding case unless cased', () => {
    expect(matches('Abc', 'aBC')).toBe(true);
    expect(matches('Abc', 'aBC', true)).toBe(false);
    expect(matches('abc', 'abcd')).toBe(false);
    expect(matches('', '')).toBe(true);
  });

  it('handles every star shape', () => {
    expect(matches('*', 'anything')).toBe(true);
    expect(matches('ab*', 'abX')).toBe(true);
    expect(matches('*ab', 'Xab')).toBe(true);
    expect(matches('*ab*', 'XabX')).toBe(true);
    expect(matches('a*b', 'ab')).toBe(true);
    expect(matches('ab*ba', 'aba')).toBe(false);
    expect(matches('a*b*c*d', 'a1b2c3d')).toBe(true);
    expect(matches('a*b*c*d', 'a1c2b3d')).toBe(false);
  });

  it('uses RE2 for ? and escapes regex syntax in literals', () => {
    expect(matches('a?c', 'abc')).toBe(true);
    expect(matches('a?c', 'ac')).toBe(false);
    expect(matches('(.)?[x]', '(.)y[x]')).toBe(true);
    expect(matches('(.)?[x]', 'aaay[x]')).toBe(false);
    expect(matches('a?c', 'a\nc')).toBe(true);
  });

  it('looks for the longest literal before RE2, with the same answers', () => {
    const pattern = '*>?%TEMP%\\\\*';
    expect(matches(pattern, 'cmd /c echo x >"%temp%\\a.txt"')).toBe(true);
    expect(matches(pattern, 'cmd /c echo x > %TEMP%\\a.txt')).toBe(true);
    // The literal is there, but not a character after a `>`.
    expect(matches(pattern, 'cmd /c echo x >%TEMP%\\a.txt')).toBe(false);
    expect(matches(pattern, 'cmd /c copy %TEMP%\\a.txt b')).toBe(false);
    expect(matches(pattern, 'cmd /c echo x > C:\\Temp\\a.txt')).toBe(false);
    expect(matches('?\u00e9t?', 'x\u00c9TE')).toBe(true);
  });

  it('does not let Unicode case folding turn non-ASCII into ASCII', () => {
    // U+212A KELVIN SIGN lower-cases to "k" in JavaScript; matching it would break needle soundness.
    expect(matches('key', '\u212aey')).toBe(false);
    expect(matches('ÉTÉ', 'été')).toBe(true);
  });
});
