import { describe, expect, it } from 'vitest';
import { compileHttpTemplate } from './compile-http-template.js';

const template = (body: string): string => `id: t1\ninfo:\n  name: T\n  severity: high\n  tags: iis,cve\n  classification:\n    cve-id: CVE-2015-1635\n${body}`;

describe('compileHttpTemplate', () => {
  it('compiles requests, payloads, matchers and extractors, and detects request conditions', () => {
    const compiled = compileHttpTemplate(
      template(`http:
  - raw:
      - |
        GET /a HTTP/1.1
        Host: {{Hostname}}
      - |
        GET /b HTTP/1.1
    payloads:
      user: [a, b]
    attack: clusterbomb
    matchers-condition: and
    matchers:
      - type: dsl
        dsl: ["status_code_1 == 200 && status_code_2 == 404"]
      - type: word
        part: header
        words: [IIS]
        case-insensitive: true
    extractors:
      - type: regex
        name: v
        internal: true
        group: 1
        regex: ['Version ([0-9.]+)']
`),
      't1.yaml',
    );
    expect(compiled.diagnostics).toEqual([]);
    const request = compiled.template?.requests[0];
    expect(request?.requestCondition).toBe(true);
    expect(request?.attack).toBe('clusterbomb');
    expect(request?.matchers.map((m) => m.type)).toEqual(['dsl', 'word']);
    expect(compiled.template?.tags).toEqual(['iis', 'cve', 'cve.2015-1635']);
  });

  it('leaves out what it cannot run, saying file and line', () => {
    const cases: [string, string, number][] = [
      [template('dns:\n  - name: x\n'), 'template.unsupported-protocol', 8],
      [template('http:\n  - path: ["{{BaseURL}}"]\n    race: true\n'), 'template.unsupported-feature', 10],
      [template('http:\n  - path: ["{{BaseURL}}"]\n    matchers:\n      - type: xpath\n        xpath: ["/a"]\n'), 'template.matcher', 11],
      [template('http:\n  - path: ["{{BaseURL}}"]\n    matchers:\n      - type: regex\n        regex: ["(?<=a)b"]\n'), 'template.matcher', 11],
      [template('http:\n  - path: ["{{BaseURL}}"]\n    matchers:\n      - type: dsl\n        dsl: ["contains(body"]\n'), 'template.matcher', 11],
      [template('http:\n  - path: ["{{BaseURL}}/{{interactsh-url}}"]\n'), 'template.unsupported-interactsh', 8],
    ];
    for (const [text, code, line] of cases) {
      const compiled = compileHttpTemplate(text, 'x.yaml');
      expect(compiled.template, code).toBeUndefined();
      expect(compiled.diagnostics[0], code).toMatchObject({ code, file: 'x.yaml', line, fatal: true });
    }
    const broken = compileHttpTemplate('id: t\ninfo: [broken\n', 'x.yaml');
    expect(broken.diagnostics[0]).toMatchObject({ code: 'template.yaml', fatal: true });
    expect(broken.diagnostics[0]?.line).toBeGreaterThanOrEqual(2);
  });
});
