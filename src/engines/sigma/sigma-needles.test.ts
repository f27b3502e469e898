import { describe, expect, it } from 'vitest';
import { fieldNeedles, needleOfString, needlesOfAll, needlesOfAny } from './sigma-needles.js';
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

describe('field needles', () => {
  it('tags each needle with each field it can be read from, or with no field for a keyword', () => {
    expect(fieldNeedles(['Image', 'NewProcessName'], ['cmd.exe'])).toEqual(['\0image\0cmd.exe', '\0newprocessname\0cmd.exe']);
    expect(fieldNeedles(undefined, ['mimikatz'])).toEqual(['\0\0mimikatz']);
    expect(fieldNeedles(['Image'], undefined)).toBeUndefined();
  });

  it('an OR drops a needle only for a shorter one of the same field', () => {
    expect(needlesOfAny([['\0image\0cmd'], ['\0image\0cmd.exe', '\0commandline\0cmd.exe']], true)).toEqual(['\0image\0cmd', '\0commandline\0cmd.exe']);
    // `line` is a suffix of `commandline`, not the same field.
    expect(needlesOfAny([['\0line\0abc'], ['\0commandline\0abc']], true)).toEqual(['\0line\0abc', '\0commandline\0abc']);
  });

  it('an AND weighs needles without their field, and avoids tokens nearly every process has', () => {
    expect(needlesOfAll([['\0company\0microsoft corporation'], ['\0image\0\\csi.exe']], true)).toEqual(['\0image\0\\csi.exe']);
  });
});
