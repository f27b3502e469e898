import { describe, expect, it } from 'vitest';
import { stringifyJson } from './stringify-json.js';

describe('stringifyJson', () => {
  const hostile = { text: 'a\u001b]0;x\u0007 \u009b2J \u007f \u202eevil \u2028\u2029 \ud800 <script>', n: 1 };

  it('parses back to the same value', () => {
    expect(JSON.parse(stringifyJson(hostile))).toEqual(hostile);
    expect(JSON.parse(stringifyJson(hostile, 2))).toEqual(hostile);
  });

  it('writes no raw control, bidi, separator or lone-surrogate character', () => {
    expect(stringifyJson(hostile)).toMatch(/^[\u0020-\u007e]*$/);
  });
});
