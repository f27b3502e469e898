import { describe, expect, it } from 'vitest';
import { fieldNeedles, needleOfString, needlesOfAll, needlesOfAny, termsOfAll, termsOfAny, termsOfNeedles } from './sigma-needles.js';
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

  it('terms of an AND keep its two most selective sets, to occur together', () => {
    const solarWinds = termsOfAll([termsOfNeedles(['/webresource.axd', '/scriptresource.axd']), termsOfNeedles(['/solarwinds/', '/api/']), undefined]);
    expect(solarWinds).toEqual([[['/webresource.axd', '/scriptresource.axd'], ['/solarwinds/', '/api/']]]);
    // A part with alternatives requires their first sets' union.
    const either = termsOfAny([termsOfNeedles(['whoami']), termsOfNeedles(['ipconfig'])]);
    expect(termsOfAll([either, termsOfNeedles(['cmd.aspx'])])).toEqual([[['cmd.aspx'], ['whoami', 'ipconfig']]]);
    expect(termsOfAll([undefined, undefined])).toBeUndefined();
  });

  it('a second set of common or short tokens is not kept', () => {
    expect(termsOfAll([termsOfNeedles(['/ecp/default.aspx']), termsOfNeedles(['post'])])).toEqual([[['/ecp/default.aspx']]]);
    expect(termsOfAll([termsOfNeedles(['/ecp/default.aspx']), termsOfNeedles(['id='])])).toEqual([[['/ecp/default.aspx']]]);
  });

  it('terms of an OR are every alternative, unknown when any is; many merge into one set', () => {
    expect(termsOfAny([termsOfNeedles(['abc']), [[['/owa/'], ['python-requests']]]])).toEqual([[['abc']], [['/owa/'], ['python-requests']]]);
    expect(termsOfAny([termsOfNeedles(['abc']), undefined])).toBeUndefined();
    const many = termsOfAny(Array.from({ length: 40 }, (_, i) => [[[`needle${String(i).padStart(2, '0')}`], ['second-set']]]));
    expect(many).toHaveLength(1);
    expect(many?.[0]?.[0]).toHaveLength(40);
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
