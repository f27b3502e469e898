import { describe, expect, it } from 'vitest';
import { foldCase } from './fold-case.js';

describe('foldCase', () => {
  it('lower-cases ASCII and Unicode letters', () => {
    expect(foldCase('CMD.EXE')).toBe('cmd.exe');
    expect(foldCase('ÉTÉ Straße')).toBe('été straße');
  });

  it('keeps characters whose lower case would be ASCII, so ASCII needles stay sound', () => {
    expect(foldCase('\u212aey')).toBe('\u212aey');
    expect(foldCase('\u0130X')).toBe('\u0130x');
  });
});
