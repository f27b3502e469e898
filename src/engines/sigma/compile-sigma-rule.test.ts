import { describe, expect, it } from 'vitest';
import { compileSigmaRule, lazySigmaRule, summarizeSigmaCompile } from './compile-sigma-rule.js';
import type { CompiledSigmaRule, SigmaCompileOptions } from './compile-sigma-rule.js';
import { asciiLower, randomSigmaRecord, seededRandom } from './fixtures/random-sigma-record.js';
import { objectSigmaRecord } from './object-sigma-record.js';
import { parseSigmaYaml } from './parse-sigma-yaml.js';
import { recordHasKey } from './sigma-field-keys.js';
import type { SigmaDiagnostic } from './sigma-diagnostic.js';
import type { SigmaValue } from './sigma-record.js';

type Fields = Readonly<Record<string, SigmaValue | readonly SigmaValue[]>>;

/** A rule file from a detection block (indented YAML under `detection:`). */
function ruleText(detection: string): string {
  return `title: Test rule
id: 5f0c1e9a-1111-4a2b-9c3d-000000000001
status: test
level: high
tags: [attack.t1190]
logsource:
  category: webserver
detection:
${detection
  .trim()
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
`;
}

function compileResult(detection: string, options?: SigmaCompileOptions): { compiled: CompiledSigmaRule | undefined; diagnostics: readonly SigmaDiagnostic[] } {
  const parsed = parseSigmaYaml(ruleText(detection), 'test.yml');
  const rule = parsed.rules[0];
  if (rule === undefined) return { compiled: undefined, diagnostics: parsed.diagnostics };
  const result = compileSigmaRule(rule, options);
  return { compiled: result.compiled, diagnostics: [...parsed.diagnostics, ...result.diagnostics] };
}

function compile(detection: string, options?: SigmaCompileOptions): CompiledSigmaRule {
  const { compiled, diagnostics } = compileResult(detection, options);
  if (compiled === undefined) throw new Error(`did not compile: ${JSON.stringify(diagnostics)}`);
  return compiled;
}

function diagnose(detection: string, options?: SigmaCompileOptions): string[] {
  const { compiled, diagnostics } = compileResult(detection, options);
  expect(compiled).toBeUndefined();
  return diagnostics.map((d) => `${d.code}@${d.line}`);
}

/** rule + record ⇒ expected; also checks the needles of every match. */
function expectMatch(rule: CompiledSigmaRule, fields: Fields, expected: boolean, keywords: readonly string[] = []): void {
  const record = objectSigmaRecord(fields, keywords);
  expect(rule.test(record), JSON.stringify(fields)).toBe(expected);
  const text = asciiLower([...Object.values(fields).flat().map(String), ...keywords].join('\n'));
  if (expected && rule.needles !== undefined) {
    expect(rule.needles.some((n) => text.includes(n)), `needles ${JSON.stringify(rule.needles)}`).toBe(true);
  }
  if (expected && rule.needleTerms !== undefined) {
    const met = rule.needleTerms.some((term) => term.every((set) => set.some((n) => text.includes(n))));
    expect(met, `needle terms ${JSON.stringify(rule.needleTerms)}`).toBe(true);
  }
  if (expected) {
    for (const names of rule.requires) expect(names.some((n) => fields[n] !== undefined && fields[n] !== null), `requires ${JSON.stringify(names)}`).toBe(true);
  }
}

describe('compileSigmaRule: selections', () => {
  it('a map is an AND of fields, matched whole and case-insensitively', () => {
    const rule = compile(`
sel:
  cs-method: POST
  cs-uri-stem: /owa/auth.aspx
condition: sel`);
    expectMatch(rule, { 'cs-method': 'post', 'cs-uri-stem': '/OWA/auth.aspx' }, true);
    expectMatch(rule, { 'cs-method': 'GET', 'cs-uri-stem': '/owa/auth.aspx' }, false);
    expectMatch(rule, { 'cs-method': 'POST', 'cs-uri-stem': '/owa/auth.aspx.bak' }, false);
    expectMatch(rule, { 'cs-method': 'POST' }, false);
  });

  it('a list of maps is an OR of maps', () => {
    const rule = compile(`
sel:
  - a: one
  - b: two
condition: sel`);
    expectMatch(rule, { a: 'one' }, true);
    expectMatch(rule, { b: 'TWO' }, true);
    expectMatch(rule, { a: 'two' }, false);
  });

  it('a value list is an OR, and an AND with |all', () => {
    const any = compile(`
sel:
  q|contains: [select, union]
condition: sel`);
    expectMatch(any, { q: 'x UNION y' }, true);
    expectMatch(any, { q: 'nothing' }, false);
    const all = compile(`
sel:
  q|contains|all: [select, union]
condition: sel`);
    expectMatch(all, { q: 'union select' }, true);
    expectMatch(all, { q: 'union' }, false);
  });

  it('keywords search the keyword texts, as contains', () => {
    const rule = compile(`
keywords:
  - 'whoami'
  - 'net user'
condition: keywords`);
    expectMatch(rule, {}, true, ['GET /a.aspx cmd=WhoAmI 200']);
    expectMatch(rule, {}, false, ['GET /a.aspx 200']);
    expect(rule.needles).toEqual(['whoami', 'net user']);
  });

  it('keywords with |all need every value', () => {
    const rule = compile(`
keywords:
  '|all': [cmd, '/c']
condition: keywords`);
    expectMatch(rule, {}, true, ['cmd.exe /c dir']);
    expectMatch(rule, {}, false, ['cmd.exe']);
  });

  it('null means the field is absent or null; empty text means empty', () => {
    const rule = compile(`
sel:
  referer: null
condition: sel`);
    expectMatch(rule, {}, true);
    expectMatch(rule, { referer: null }, true);
    expectMatch(rule, { referer: 'x' }, false);
    const empty = compile(`
sel:
  referer: ''
condition: sel`);
    expectMatch(empty, { referer: '' }, true);
    expectMatch(empty, {}, false);
  });

  it('numbers match numbers and their text', () => {
    const rule = compile(`
sel:
  sc-status: 500
condition: sel`);
    expectMatch(rule, { 'sc-status': 500 }, true);
    expectMatch(rule, { 'sc-status': '500' }, true);
    expectMatch(rule, { 'sc-status': '5000' }, false);
    expect(rule.needles).toBeUndefined();
  });

  it('a list-valued record field matches when any element does', () => {
    const rule = compile(`
sel:
  tag: evil
condition: sel`);
    expectMatch(rule, { tag: ['good', 'EVIL'] }, true);
    expectMatch(rule, { tag: ['good'] }, false);
  });

  it('field mapping: a Sigma field may be any of several record fields', () => {
    const rule = compile(
      `
sel:
  cs-uri-query|contains: '../'
condition: sel`,
      { fieldMapping: new Map([['cs-uri-query', ['cs-uri-stem', 'cs-uri-query']]]) },
    );
    expectMatch(rule, { 'cs-uri-stem': '/a/../../web.config' }, true);
    expectMatch(rule, { 'cs-uri-query': 'x=../' }, true);
    expectMatch(rule, { 'cs-uri-stem': '/a/b' }, false);
  });
});

describe('compileSigmaRule: wildcards', () => {
  it('* and ? are wildcards; \\*, \\? and \\\\ are literal', () => {
    const rule = compile(`
sel:
  a: 'ab*cd?e'
  b: 'x\\*y'
  c: 'p\\?q'
  d: 'C:\\\\Temp\\*'
condition: sel`);
    expectMatch(rule, { a: 'abZZcd1e', b: 'x*y', c: 'p?q', d: 'C:\\Temp*' }, true);
    expectMatch(rule, { a: 'abZZcd12e', b: 'x*y', c: 'p?q', d: 'C:\\Temp*' }, false);
    expectMatch(rule, { a: 'abcd1e', b: 'xzy', c: 'p?q', d: 'C:\\Temp*' }, false);
    expectMatch(rule, { a: 'abcd1e', b: 'x*y', c: 'pzq', d: 'C:\\Temp*' }, false);
  });

  it('a backslash before another character stays a backslash', () => {
    const rule = compile(`
sel:
  path|endswith: '\\Windows\\System32\\cmd.exe'
condition: sel`);
    expectMatch(rule, { path: 'C:\\WINDOWS\\system32\\cmd.exe' }, true);
    expectMatch(rule, { path: 'C:/Windows/System32/cmd.exe' }, false);
  });

  it('star-only patterns match literals in order', () => {
    const rule = compile(`
sel:
  u: '/a*b*c'
condition: sel`);
    expectMatch(rule, { u: '/a_b_c' }, true);
    expectMatch(rule, { u: '/abc' }, true);
    expectMatch(rule, { u: '/a_c_b' }, false);
    expectMatch(rule, { u: '/ac' }, false);
  });
});

describe('compileSigmaRule: modifiers', () => {
  it('contains, startswith, endswith', () => {
    const rule = compile(`
sel:
  a|contains: mid
  b|startswith: head
  c|endswith: tail
condition: sel`);
    expectMatch(rule, { a: 'xMIDx', b: 'HEADer', c: 'cocktail' }, true);
    expectMatch(rule, { a: 'xMIDx', b: 'ahead', c: 'cocktail' }, false);
    expectMatch(rule, { a: 'xMIDx', b: 'header', c: 'tails' }, false);
  });

  it('a long contains list is one search, with the answers of a search per value', () => {
    const rule = compile(`
sel:
  a|contains: ['^^', ',;,', '%COMSPEC:~', ' c^m^d', ' s^et ', '(,(,', 'x y']
condition: sel`);
    expectMatch(rule, { a: 'cmd /cC^M^D' }, false);
    expectMatch(rule, { a: 'cmd / C^M^D' }, true);
    expectMatch(rule, { a: ['nothing', 'echo %comspec:~0,1%'] }, true);
    expectMatch(rule, { a: 'a ^ ^ b' }, false);
    expectMatch(rule, { a: 'é^^é' }, true);
    // A non-ASCII space is not the literal's space.
    expectMatch(rule, { a: 'x\u00a0y' }, false);
    expectMatch(rule, { a: 'X Y' }, true);
    expectMatch(rule, { a: 12 }, false);
    expectMatch(rule, { a: null }, false);
    const numbers = compile(`
sel:
  a|contains: [111, 222, 333, 444, 555, 666]
condition: sel`);
    expectMatch(numbers, { a: 96661 }, true);
    expectMatch(numbers, { a: '1234' }, false);
  });

  it('cased makes matching case-sensitive', () => {
    const rule = compile(`
sel:
  a|contains|cased: AbC
condition: sel`);
    expectMatch(rule, { a: 'xAbCx' }, true);
    expectMatch(rule, { a: 'xabcx' }, false);
  });

  it('re runs on RE2, case-sensitive unless |i, with m and s flags', () => {
    const rule = compile(`
sel:
  a|re: '^ab+c$'
condition: sel`);
    expectMatch(rule, { a: 'abbbc' }, true);
    expectMatch(rule, { a: 'ABC' }, false);
    expect(rule.needles).toBeUndefined();
    const i = compile(`
sel:
  a|re|i: '^abc$'
condition: sel`);
    expectMatch(i, { a: 'ABC' }, true);
    const m = compile(`
sel:
  a|re|m: '^two$'
condition: sel`);
    expectMatch(m, { a: 'one\ntwo\nthree' }, true);
    const s = compile(`
sel:
  a|re|s: 'one.two'
condition: sel`);
    expectMatch(s, { a: 'one\ntwo' }, true);
  });

  it('a pattern RE2 rejects is a diagnostic naming the rule', () => {
    const { diagnostics } = compileResult(`
sel:
  a|re: '(?=lookahead)x'
condition: sel`);
    expect(diagnostics.map((d) => [d.code, d.line, d.ruleId])).toEqual([['sigma.regex-invalid', 10, '5f0c1e9a-1111-4a2b-9c3d-000000000001']]);
    expect(diagnostics[0]?.message).toContain('Test rule');
  });

  it('base64 encodes the value', () => {
    const rule = compile(`
sel:
  a|base64|contains: 'whoami'
condition: sel`);
    expectMatch(rule, { a: 'xx d2hvYW1p yy' }, true);
    expectMatch(rule, { a: 'whoami' }, false);
    expect(rule.needles).toEqual(['d2hvyw1p']);
  });

  it('base64offset finds the value at any of three offsets', () => {
    const rule = compile(`
sel:
  a|base64offset|contains: 'http://'
condition: sel`);
    for (const prefix of ['', 'x', 'xy']) {
      const encoded = Buffer.from(`${prefix}http://evil`).toString('base64');
      expectMatch(rule, { a: encoded }, true);
    }
    expectMatch(rule, { a: Buffer.from('https://evil').toString('base64') }, false);
    expect(rule.needles).toHaveLength(3);
  });

  it('wide / utf16le / utf16be / utf16 encode as UTF-16 before base64', () => {
    const le = compile(`
sel:
  a|wide|base64offset|contains: 'ping'
condition: sel`);
    expectMatch(le, { a: Buffer.from('  ping', 'utf16le').toString('base64') }, true);
    expectMatch(le, { a: Buffer.from('ping').toString('base64') }, false);
    const utf16le = compile(`
sel:
  a|utf16le|base64: 'ab'
condition: sel`);
    expectMatch(utf16le, { a: Buffer.from('ab', 'utf16le').toString('base64') }, true);
    const be = compile(`
sel:
  a|utf16be|base64: 'ab'
condition: sel`);
    expectMatch(be, { a: Buffer.from([0, 0x61, 0, 0x62]).toString('base64') }, true);
    const bom = compile(`
sel:
  a|utf16|base64: 'ab'
condition: sel`);
    expectMatch(bom, { a: Buffer.from([0xff, 0xfe, 0x61, 0, 0x62, 0]).toString('base64') }, true);
  });

  it('windash accepts -, /, and Unicode dashes before a switch', () => {
    const rule = compile(`
sel:
  cmd|windash|contains: ' -enc '
condition: sel`);
    for (const dash of ['-', '/', '\u2013', '\u2014', '\u2015']) expectMatch(rule, { cmd: `powershell ${dash}enc AAA` }, true);
    expectMatch(rule, { cmd: 'powershell +enc AAA' }, false);
  });

  it('cidr matches IPv4 and IPv6 ranges', () => {
    const rule = compile(`
sel:
  c-ip|cidr: ['10.0.0.0/8', 'fe80::/10']
condition: sel`);
    expectMatch(rule, { 'c-ip': '10.1.2.3' }, true);
    expectMatch(rule, { 'c-ip': 'fe80::1' }, true);
    expectMatch(rule, { 'c-ip': '11.0.0.1' }, false);
    expectMatch(rule, { 'c-ip': 'not an ip' }, false);
    expect(diagnose(`
sel:
  c-ip|cidr: '10.0.0.0/33'
condition: sel`)).toEqual(['sigma.cidr-invalid@10']);
  });

  it('lt, lte, gt, gte compare numbers', () => {
    const rule = compile(`
sel:
  a|lt: 10
  b|lte: 10
  c|gt: 10
  d|gte: 10
condition: sel`);
    expectMatch(rule, { a: 9, b: '10', c: 11, d: 10 }, true);
    expectMatch(rule, { a: 10, b: 10, c: 11, d: 10 }, false);
    expectMatch(rule, { a: 9, b: 11, c: 11, d: 10 }, false);
    expectMatch(rule, { a: 9, b: 10, c: 10, d: 10 }, false);
    expectMatch(rule, { a: 9, b: 10, c: 11, d: 'x' }, false);
  });

  it('exists tests presence', () => {
    const yes = compile(`
sel:
  a|exists: true
condition: sel`);
    expectMatch(yes, { a: '' }, true);
    expectMatch(yes, {}, false);
    const no = compile(`
sel:
  a|exists: false
condition: sel`);
    expectMatch(no, {}, true);
    expectMatch(no, { a: 'x' }, false);
  });

  it('fieldref compares with another field, also with contains/startswith/endswith', () => {
    const rule = compile(`
sel:
  a|fieldref: b
condition: sel`);
    expectMatch(rule, { a: 'Same', b: 'same' }, true);
    expectMatch(rule, { a: 'same', b: 'other' }, false);
    expectMatch(rule, { a: 'same' }, false);
    const ends = compile(`
sel:
  path|fieldref|endswith: name
condition: sel`);
    expectMatch(ends, { path: 'C:\\x\\evil.exe', name: 'evil.exe' }, true);
    expectMatch(ends, { path: 'C:\\x\\evil.exe', name: 'good.exe' }, false);
  });

  it('expand replaces %placeholders% from the compile options', () => {
    const rule = compile(
      `
sel:
  host|expand: '%admin_hosts%'
condition: sel`,
      { placeholders: new Map([['admin_hosts', ['jump01', 'jump*']]]) },
    );
    expectMatch(rule, { host: 'jump01' }, true);
    expectMatch(rule, { host: 'JUMP99' }, true);
    expectMatch(rule, { host: 'web01' }, false);
    expect(diagnose(`
sel:
  host|expand: '%nope%'
condition: sel`)).toEqual(['sigma.placeholder-unknown@10']);
  });

  it('an unknown modifier is a diagnostic, not a silent non-match', () => {
    expect(diagnose(`
sel:
  a|containz: x
condition: sel`)).toEqual(['sigma.modifier-unknown@10']);
  });

  it('conflicting or misplaced modifiers are diagnostics', () => {
    expect(diagnose(`
sel:
  a|re|contains: x
condition: sel`)).toEqual(['sigma.modifier-invalid@10']);
    expect(diagnose(`
sel:
  a|contains|i: x
condition: sel`)).toEqual(['sigma.modifier-invalid@10']);
    expect(diagnose(`
sel:
  a|base64: 'x*'
condition: sel`)).toEqual(['sigma.modifier-invalid@10']);
    expect(diagnose(`
sel:
  a|exists: maybe
condition: sel`)).toEqual(['sigma.value-invalid@10']);
    expect(diagnose(`
sel:
  a|gt: ten
condition: sel`)).toEqual(['sigma.value-invalid@10']);
  });
});

describe('compileSigmaRule: conditions', () => {
  const searches = `
a:
  f: a
b:
  f|contains: b
c:
  g: c
_hidden:
  h: h`;
  const rule = (condition: string): CompiledSigmaRule => compile(`${searches}\ncondition: ${condition}`);

  it('not binds tighter than and, and tighter than or', () => {
    const r = rule('a or b and not c');
    expectMatch(r, { f: 'a', g: 'c' }, true);
    expectMatch(r, { f: 'xbx', g: 'c' }, false);
    expectMatch(r, { f: 'xbx' }, true);
  });

  it('parentheses group', () => {
    const r = rule('(a or b) and not c');
    expectMatch(r, { f: 'a', g: 'c' }, false);
    expectMatch(r, { f: 'a' }, true);
  });

  it('1 of / any of / all of a pattern', () => {
    expectMatch(rule('1 of a*'), { f: 'a' }, true);
    expectMatch(rule('any of ?'.replace('?', 'b*')), { f: 'abba' }, true);
    expectMatch(rule('all of c*'), { g: 'c' }, true);
    expectMatch(rule('1 of them'), { g: 'c' }, true);
    // `them` leaves out searches whose names start with `_`.
    expectMatch(rule('1 of them'), { h: 'h' }, false);
    expectMatch(rule('all of them'), { f: 'ab', g: 'c' }, false);
    expectMatch(rule('1 of _*'), { h: 'h' }, true);
  });

  it('several conditions are an OR', () => {
    const r = compile(`${searches}\ncondition:\n  - a\n  - c`);
    expectMatch(r, { g: 'c' }, true);
    expectMatch(r, { f: 'a' }, true);
    expectMatch(r, { f: 'b' }, false);
  });

  it('a missing search, a syntax error and an aggregation are diagnostics on the condition line', () => {
    expect(diagnose(`${searches}\ncondition: a and nope`)).toEqual(['sigma.condition-unknown-selection@17']);
    expect(diagnose(`${searches}\ncondition: 1 of zz*`)).toEqual(['sigma.condition-unknown-selection@17']);
    expect(diagnose(`${searches}\ncondition: (a or b`)).toEqual(['sigma.condition-syntax@17']);
    expect(diagnose(`${searches}\ncondition: a and or b`)).toEqual(['sigma.condition-syntax@17']);
    expect(diagnose(`${searches}\ncondition: a | count() > 5`)).toEqual(['sigma.aggregation-unsupported@17']);
  });
});

describe('compileSigmaRule: needles', () => {
  it('an AND takes the better side, an OR the union, a NOT nothing', () => {
    const r = compile(`
sel1:
  a|contains: 'x'
  b|contains: '/owa/auth/'
sel2:
  c|endswith: '.aspx'
filter:
  d: 'Mozilla/5.0*'
condition: (sel1 or sel2) and not filter`);
    expect(r.needles).toEqual(['.aspx', '/owa/auth/']);
    const none = compile(`
sel:
  a|re: 'x'
other:
  b: 'longer'
condition: sel or other`);
    expect(none.needles).toBeUndefined();
    const better = compile(`
sel:
  a|re: 'x'
other:
  b: 'longer'
condition: sel and other`);
    expect(better.needles).toEqual(['longer']);
  });

  it('a value gives its longest literal run; shorter than 3 characters gives none', () => {
    expect(compile(`
sel:
  a: 'ab*cdefg?hi'
condition: sel`).needles).toEqual(['cdefg']);
    expect(compile(`
sel:
  a|contains: ['ab', 'longer']
condition: sel`).needles).toBeUndefined();
  });

  it('are sound on random records built from the rules themselves', () => {
    const detections = [
      `sel:\n  a|contains: ['Select', 'UNION*ALL']\n  b|endswith: '.aspx'\nfilter:\n  c: 'ok'\ncondition: sel and not filter`,
      `k:\n  - 'whoami'\n  - 'x?y*zzz'\ncondition: k`,
      `sel:\n  a|base64offset|contains: 'IEX ('\n  b|wide|base64: 'cmd'\ncondition: 1 of sel*`,
      `sel:\n  a|windash|contains: ' -nop '\n  b|startswith: 'K\u212aI'\ncondition: all of them`,
      `sel:\n  a|cased|contains: 'KeLvIn'\ncondition: sel`,
      `sel:\n  a|expand|contains: '%p%evil'\ncondition: sel`,
      `sel:\n  - a: 'one\\*two'\n  - b|all: ['three', 'four']\ncondition: sel`,
    ];
    const random = seededRandom(7);
    let matched = 0;
    for (const detection of detections) {
      const r = compile(detection, { placeholders: new Map([['p', ['x*y', 'abc']]]) });
      for (let i = 0; i < 400; i += 1) {
        const { record, text } = randomSigmaRecord(r.rule, random);
        if (!r.test(record)) continue;
        matched += 1;
        if (r.needles !== undefined) expect(r.needles.some((n) => asciiLower(text).includes(n)), `${detection}\n${text}`).toBe(true);
      }
    }
    expect(matched).toBeGreaterThan(200);
  });
});

describe('compileSigmaRule: required fields', () => {
  it('an AND needs what either side needs, an OR what both need, a NOT and null nothing', () => {
    const r = compile(`
header:
  x-iis-data|exists: true
pages:
  cs-uri-stem|contains: 'checkout'
alt:
  cs-uri-stem|contains: 'payment'
  cs-cookie|contains: 'x'
filter:
  cs-referer: 'a'
condition: header and (pages or alt) and not filter`);
    expect(r.requires).toEqual([['x-iis-data'], ['cs-uri-stem']]);
    expectMatch(r, { 'x-iis-data': 'ab', 'cs-uri-stem': '/checkout' }, true);
    const nullable = compile(`
sel:
  cs-referer: null
other:
  cs-cookie|exists: false
condition: sel and other`);
    expect(nullable.requires).toEqual([]);
    const either = compile(`
a:
  x-password|exists: true
b:
  x-chrome-variations|contains: 'cmd|'
condition: a or b`);
    expect(either.requires).toEqual([['x-password', 'x-chrome-variations']]);
    expectMatch(either, { 'x-chrome-variations': 'cmd|whoami' }, true);
    const keyword = compile(`
keywords:
  - 'whoami'
condition: keywords`);
    expect(keyword.requires).toEqual([]);
  });

  it('lists every record field a Sigma field is mapped to', () => {
    const r = compile(
      `
sel:
  cs-user-agent|contains: 'sqlmap'
condition: sel`,
      { fieldMapping: new Map([['cs-user-agent', ['cs(user-agent)', 'cs(user-agent).decoded']]]) },
    );
    expect(r.requires).toEqual([['cs(user-agent)', 'cs(user-agent).decoded']]);
  });
});

describe('compileSigmaRule: meta', () => {
  it('fills RuleMeta from the rule', () => {
    const r = compile(`
sel:
  a: b
condition: sel`);
    expect(r.meta).toEqual({
      id: '5f0c1e9a-1111-4a2b-9c3d-000000000001',
      title: 'Test rule',
      description: '',
      severity: 'high',
      confidence: 'firm',
      engine: 'sigma',
      category: 'webserver',
      tags: ['attack.t1190'],
      references: [],
    });
    expect(r.logsource).toEqual({ category: 'webserver' });
  });
});

describe('compileSigmaRule: integer keys', () => {
  it('an AND is bound by its sharpest part, an OR only when every branch binds the same field, a NOT and modifiers never', () => {
    const r = compile(`
sel:
  EventID: [4624, 4625]
  LogonType: 3
other:
  EventID: 4776
condition: sel or other`);
    expect(r.keys?.map((k) => [k.names, [...k.values].sort()])).toEqual([[['EventID'], [4624, 4625, 4776]]]);
    expect(compile(`sel:\n  EventID: [4624, 4625]\n  LogonType: [3, 10, 11]\nalso:\n  EventID: 4625\ncondition: sel and also`).keys).toEqual([
      { names: ['EventID'], values: new Set([4625]) },
      { names: ['LogonType'], values: new Set([3, 10, 11]) },
    ]);
    expect(compile(`sel:\n  EventID: 4624\nother:\n  LogonType: 3\ncondition: sel or other`).keys).toBeUndefined();
    expect(compile(`sel:\n  EventID: 4624\ncondition: not sel`).keys).toBeUndefined();
    expect(compile(`sel:\n  EventID|gt: 4624\ncondition: sel`).keys).toBeUndefined();
    expect(compile(`sel:\n  EventID: '4624'\ncondition: sel`).keys).toBeUndefined();
    expect(compile(`sel:\n  EventID: [1, 'x']\ncondition: sel`).keys).toBeUndefined();
  });

  it('are sound: a record the rule matches holds one of the values', () => {
    const r = compile(`
sel:
  EventID: [4624, 4625]
  LogonType: 3
condition: sel`);
    const keys = r.keys ?? [];
    expect(keys).toHaveLength(2);
    for (const [fields, matches] of [
      [{ EventID: 4624, LogonType: 3 }, true],
      [{ EventID: '4625', LogonType: '3' }, true],
      [{ EventID: [7, 4625], LogonType: 3 }, true],
      [{ EventID: [4625, 4624], LogonType: [1, 3] }, true],
      [{ EventID: 4634, LogonType: 3 }, false],
      [{ LogonType: 3 }, false],
    ] as const) {
      const record = objectSigmaRecord(fields);
      expect(r.test(record), JSON.stringify(fields)).toBe(matches);
      expect(keys.every((k) => recordHasKey(k, record)), JSON.stringify(fields)).toBe(matches);
    }
  });
});

describe('compileSigmaRule: non-ASCII value lists', () => {
  it('a list of non-ASCII literals rules out ASCII-only values and still matches its own', () => {
    const r = compile(`sel:\n  a|contains: ['😀', 'рaypal', 'K\u212aI']\ncondition: sel`);
    expectMatch(r, { a: 'cmd /c 😀 x' }, true);
    expectMatch(r, { a: 'http://рaypal.example' }, true);
    expectMatch(r, { a: ['plain', 'k\u212ai!'] }, true);
    expectMatch(r, { a: 'paypal kki' }, false);
    expectMatch(r, { a: 12 }, false);
    const mixed = compile(`sel:\n  a|contains: ['😀', 'abc']\ncondition: sel`);
    expectMatch(mixed, { a: 'xabcx' }, true);
  });
});

describe('lazySigmaRule: a rule from its compile summary', () => {
  it('carries what compiling found, and its test, compiled on first use, answers as the compiled rule on random records', () => {
    const detections = [
      `sel:\n  a|contains: ['Select', 'UNION*ALL']\n  b|endswith: '.aspx'\nfilter:\n  c: 'ok'\ncondition: sel and not filter`,
      `sel:\n  a|windash|contains: ' -nop '\n  EventID: [4688, 1]\ncondition: sel`,
      `k:\n  - 'whoami'\n  - 'x?y*zzz'\ncondition: k`,
    ];
    const random = seededRandom(11);
    for (const detection of detections) {
      const parsed = parseSigmaYaml(ruleText(detection), 'test.yml');
      const rule = parsed.rules[0];
      if (rule === undefined) throw new Error('no rule');
      const options: SigmaCompileOptions = { fieldMapping: new Map([['a', ['a', 'A2']]]) };
      const eager = compileSigmaRule(rule, options).compiled as CompiledSigmaRule;
      // Through structured cloning, as the summary reaches worker threads and the rule cache.
      const summary = structuredClone(summarizeSigmaCompile(compileSigmaRule(rule, options)));
      const lazy = lazySigmaRule(rule, summary, options);
      expect(lazy.diagnostics).toEqual([]);
      const compiled = lazy.compiled as CompiledSigmaRule;
      const data = (r: CompiledSigmaRule): object => ({ ...r, test: undefined });
      expect(data(compiled)).toEqual(data(eager));
      let matched = 0;
      for (let i = 0; i < 300; i += 1) {
        const { record } = randomSigmaRecord(rule, random);
        const answer = eager.test(record);
        expect(compiled.test(record), detection).toBe(answer);
        if (answer) matched += 1;
      }
      expect(matched, detection).toBeGreaterThan(0);
    }
  });

  it("a rule that does not compile keeps its diagnostics and gives no rule", () => {
    const parsed = parseSigmaYaml(ruleText(`sel:\n  a|nosuchmodifier: 'x'\ncondition: sel`), 'test.yml');
    const rule = parsed.rules[0];
    if (rule === undefined) throw new Error('no rule');
    const result = compileSigmaRule(rule);
    expect(result.compiled).toBeUndefined();
    const lazy = lazySigmaRule(rule, summarizeSigmaCompile(result));
    expect(lazy.compiled).toBeUndefined();
    expect(lazy.diagnostics).toEqual(result.diagnostics);
    expect(lazy.diagnostics.length).toBeGreaterThan(0);
  });
});
