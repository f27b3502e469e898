import { describe, expect, it } from 'vitest';
import { SIGMA_MODIFIERS } from './sigma-modifiers.js';
import type { SigmaString } from './sigma-string.js';
import { parseSigmaString, sigmaStringText } from './sigma-string.js';

function apply(name: string, text: string, placeholders = new Map<string, readonly string[]>()): string[] | string {
  const modifier = SIGMA_MODIFIERS.get(name);
  if (modifier?.kind !== 'transform') throw new Error(`${name} is not a transform`);
  const out = modifier.apply(parseSigmaString(text), { placeholders });
  return 'error' in out ? out.error : out.map((v: SigmaString) => sigmaStringText(v));
}

describe('SIGMA_MODIFIERS', () => {
  it('base64offset gives the three encodings pySigma gives', () => {
    expect(apply('base64offset', 'foobar')).toEqual(['Zm9vYmFy', 'Zvb2Jhc', 'mb29iYX']);
    expect(apply('base64', 'foobar')).toEqual(['Zm9vYmFy']);
    expect(apply('base64', 'foo*')).toBe('sigma.modifier-invalid');
  });

  it('windash varies only dashes that start a switch', () => {
    expect(apply('windash', ' -a x-y')).toEqual([' -a x-y', ' /a x-y', ' \u2013a x-y', ' \u2014a x-y', ' \u2015a x-y']);
    expect(apply('windash', '-a -b')).toHaveLength(25);
    expect(apply('windash', '-a -b -c -d -e')).toBe('sigma.modifier-invalid');
  });

  it('contains, startswith and endswith add wildcards once', () => {
    expect(apply('contains', '*x')).toEqual(['*x*']);
    expect(apply('startswith', 'x')).toEqual(['x*']);
    expect(apply('endswith', 'x')).toEqual(['*x']);
  });

  it('expand substitutes every configured value', () => {
    expect(apply('expand', 'a%h%b', new Map([['h', ['1', '2*']]]))).toEqual(['a1b', 'a2*b']);
    expect(apply('expand', '%x%')).toBe('sigma.placeholder-unknown');
  });

  it('utf16 variants interleave bytes', () => {
    expect(apply('utf16le', 'ab')).toEqual(['a\0b\0']);
    expect(apply('utf16be', 'ab')).toEqual(['\0a\0b']);
    expect(apply('utf16', 'a')).toEqual(['\xff\xfea\0']);
  });
});
