import { describe, expect, it } from 'vitest';
import { needleOfString, needlesOfAll, needlesOfAny } from './sigma-needles.js';
import { parseSigmaString } from './sigma-string.js';

describe('sigma needles', () => {
  it('a string gives its longest ASCII literal run, lower-cased, at least 3 long', () => {
    expect(needleOfString(parseSigmaString('*/OWA/*.aspx'))).toEqual(['/owa/']);
    expect(needleOfString(parseSigmaString('ab?cd'))).toBeUndefined();
    expect(needleOfString(parseSigmaString('–enc'))).toEqual(['enc']);
  });

  it('an OR is the union (minimized), unknown when any branch is unknown', () => {
    expect(needlesOfAny([['cmd'], ['cmd.exe', 'whoami']])).toEqual(['cmd', 'whoami']);
    expect(needlesOfAny([['cmd'], undefined])).toBeUndefined();
    expect(needlesOfAny([])).toBeUndefined();
  });

  it('an AND takes the most selective known branch', () => {
    expect(needlesOfAll([undefined, ['abc']])).toEqual(['abc']);
    expect(needlesOfAll([['abc'], ['powershell', 'cmd.exe']])).toEqual(['powershell', 'cmd.exe']);
    expect(needlesOfAll([undefined, undefined])).toBeUndefined();
  });
});
