import { describe, expect, it } from 'vitest';
import { DslEvalError, evaluateDsl } from './evaluate-dsl.js';
import { DslSyntaxError, parseDsl } from './parse-dsl.js';
import { renderTemplateText } from './render-template-text.js';

const scope = new Map<string, string | number>([
  ['body', 'Server Error in Application'],
  ['status_code', 200],
  ['status_code_2', 404],
]);
const run = (source: string): unknown => evaluateDsl(parseDsl(source), scope);

describe('the template DSL', () => {
  it('follows govaluate precedence and Nuclei helper semantics', () => {
    expect(run('1 + 2 * 3 == 7 && !false')).toBe(true);
    expect(run('status_code == 200 && status_code_2 != 200 || false')).toBe(true);
    expect(run('contains(to_lower(body), "server error") && len(body) > 5')).toBe(true);
    expect(run('md5("Hello")')).toBe('8b1a9953c4611296a827abf8c47804d7');
    expect(run('base64("admin:admin")')).toBe('YWRtaW46YWRtaW4=');
    expect(run('regex("Err(or)?", body)')).toBe(true);
    expect(run('body =~ "^Server"')).toBe(true);
    expect(run("'a' + 'b' + 1")).toBe('ab1');
    expect(run('compare_versions("8.5", "< 10", ">= 7.5")')).toBe(true);
    expect(run('status_code == 200 ? "ok" : "no"')).toBe('ok');
  });

  it('leaves unknown names unresolved and never reaches JavaScript objects', () => {
    expect(run('missing')).toBeNull();
    expect(run('constructor')).toBeNull();
    expect(renderTemplateText('{{BaseURL}}/x?{{__proto__}}', new Map([['BaseURL', 'http://h']]))).toBe('http://h/x?{{__proto__}}');
    expect(() => run('eval("1")')).toThrow(DslEvalError);
  });

  it('rejects hostile expressions with a syntax error instead of running away', () => {
    expect(() => parseDsl('('.repeat(500) + '1' + ')'.repeat(500))).toThrow(DslSyntaxError);
    expect(() => parseDsl('a'.repeat(20_000))).toThrow(DslSyntaxError);
    expect(() => parseDsl('contains(body, "x"')).toThrow(DslSyntaxError);
    expect(() => run('regex("(?<=a)b", body)')).toThrow(DslEvalError);
  });

  it('fills markers innermost first and never re-evaluates extracted data', () => {
    const vars = new Map<string, string>([['Host', '127.0.0.1'], ['token', '{{md5("x")}}']]);
    expect(renderTemplateText("{{base64('{{Host}}')}}", vars)).toBe('MTI3LjAuMC4x');
    expect(renderTemplateText('/echo?x={{token}}', vars, new Map(), new Set(['token']))).toBe('/echo?x={{md5("x")}}');
    expect(renderTemplateText('user=§u§', vars, new Map([['u', 'admin']]))).toBe('user=admin');
  });
});
