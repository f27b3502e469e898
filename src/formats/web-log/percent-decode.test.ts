import { describe, expect, it } from 'vitest';
import { MAX_DECODE_ROUNDS, percentDecode } from './percent-decode.js';

describe('percentDecode', () => {
  it('decodes plain escapes and keeps malformed ones', () => {
    expect(percentDecode('a%20b%2Fc')).toBe('a b/c');
    expect(percentDecode('100%')).toBe('100%');
    expect(percentDecode('%zz%4')).toBe('%zz%4');
  });

  it('repeats until stable, so double and triple encoding show through', () => {
    expect(percentDecode('..%252F..%252Fweb.config')).toBe('../../web.config');
    expect(percentDecode('%25252e%25252e%25252f')).toBe('../');
  });

  it('stops after a bounded number of rounds', () => {
    let deep = '.';
    for (let i = 0; i < MAX_DECODE_ROUNDS + 3; i += 1) deep = encodeURIComponent(deep).replaceAll('.', '%2E');
    const out = percentDecode(deep);
    expect(out).not.toBe('.');
    expect(out.length).toBeLessThanOrEqual(deep.length);
  });

  it('decodes overlong UTF-8 the way lenient decoders did', () => {
    expect(percentDecode('..%c0%af..%c0%afwindows')).toBe('../../windows');
    expect(percentDecode('%e0%80%ae%e0%80%ae/')).toBe('../');
  });

  it('decodes IIS %u escapes and UTF-8 text', () => {
    expect(percentDecode('%u002e%u002e%u2215')).toBe('..\u2215');
    expect(percentDecode('%C3%A9t%C3%A9')).toBe('été');
  });

  it('turns + into a space only when asked (query strings)', () => {
    expect(percentDecode('a+b%2B', true)).toBe('a b+');
    expect(percentDecode('a+b')).toBe('a+b');
  });

  it('never grows its input (fuzz)', () => {
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const alphabet = ['%', '2', '5', 'c', '0', 'a', 'f', 'u', '+', '.', '/', 'e', '8', 'F', '%u'];
    for (let i = 0; i < 2000; i += 1) {
      let s = '';
      const n = rand() % 40;
      for (let k = 0; k < n; k += 1) s += alphabet[rand() % alphabet.length];
      const out = percentDecode(s, true);
      expect(out.length).toBeLessThanOrEqual(s.length);
    }
  });
});
