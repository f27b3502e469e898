import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseXml } from './parse-xml.js';
import { XmlError } from './xml-error.js';
import { attributeValue, type XmlElement } from './xml-element.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string): string => readFileSync(path.join(here, 'fixtures', name), 'utf8');

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof XmlError) return error.code;
    throw error;
  }
  return 'no error';
}

function find(element: XmlElement, name: string): XmlElement {
  const stack = [element];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (next.name === name) return next;
    stack.push(...next.children);
  }
  throw new Error(`no <${name}>`);
}

describe('parseXml', () => {
  it('reads a realistic web.config with lines, entities, CDATA, comments and PIs', () => {
    const root = parseXml(fixture('happy/web.config'));
    expect(root.name).toBe('configuration');
    expect(root.line).toBe(3);
    const add = find(root, 'add');
    expect(add.line).toBe(5);
    expect(attributeValue(add, 'value')).toBe('a < b & cA');
    const browse = find(root, 'directoryBrowse');
    expect(browse.line).toBe(8);
    expect(browse.attributes).toEqual([
      { name: 'enabled', value: 'false', line: 9 },
      { name: 'showFlags', value: 'Date, Time', line: 10 },
    ]);
    expect(find(root, 'script').text).toBe('if (a < b && c) {}');
    expect(find(root, 'match').column).toBe(36);
    expect(root.text).toBeUndefined();
  });

  it('accepts a BOM and CRLF line ends and keeps line numbers right', () => {
    const root = parseXml('\uFEFF<?xml version="1.0"?>\r\n<a>\r\n\r\n  <b x="1"\r\n y="2"/>\r</a>');
    const b = root.children[0];
    expect(b?.line).toBe(4);
    expect(b?.attributes[1]?.line).toBe(5);
  });

  it('normalizes whitespace in attribute values but keeps character references', () => {
    const root = parseXml('<a v="x\ty\nz&#10;"/>');
    expect(attributeValue(root, 'v')).toBe('x y z\n');
  });

  it('refuses DOCTYPE: billion laughs and external entities are never expanded', () => {
    expect(codeOf(() => parseXml(fixture('sad/billion-laughs.xml')))).toBe('xml.doctype');
    expect(codeOf(() => parseXml(fixture('sad/external-entity.xml')))).toBe('xml.doctype');
    expect(codeOf(() => parseXml('<a><!DOCTYPE a></a>'))).toBe('xml.doctype');
  });

  it('refuses undeclared entities, truncation and mismatched tags with a line', () => {
    const cases: [string, number][] = [
      ['sad/undeclared-entity.xml', 3],
      ['sad/truncated.xml', 4],
      ['sad/mismatched.xml', 3],
    ];
    for (const [name, line] of cases) {
      let caught: unknown;
      try {
        parseXml(fixture(name));
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(XmlError);
      expect((caught as XmlError).code).toBe('xml.malformed');
      expect((caught as XmlError).line).toBe(line);
    }
  });

  it('refuses other malformed shapes', () => {
    for (const bad of ['', '   ', 'text', '<a>', '<a></b>', '<a b></a>', '<a b=1/>', '<a b="1" b="2"/>', '<a/><b/>', '<a>&#0;</a>', '<a>&#xD800;</a>', '<a x="<"/>', '<a>]]></a>', '<!-- x', '<a><![CDATA[x</a>', '<1/>', '<a>\u0001</a>']) {
      expect(codeOf(() => parseXml(bad)), bad).toBe('xml.malformed');
    }
  });

  it('bounds size, depth, attributes and elements', () => {
    expect(codeOf(() => parseXml('<a/>', { maxLength: 3 }))).toBe('xml.too-large');
    expect(codeOf(() => parseXml('<a>'.repeat(300) + '</a>'.repeat(300)))).toBe('xml.too-deep');
    expect(parseXml('<a>'.repeat(256) + '</a>'.repeat(256)).name).toBe('a');
    const attrs = Array.from({ length: 300 }, (_, i) => `a${i}="1"`).join(' ');
    expect(codeOf(() => parseXml(`<a ${attrs}/>`))).toBe('xml.too-many-attributes');
    expect(codeOf(() => parseXml(`<a>${'<b/>'.repeat(20)}</a>`, { maxElements: 10 }))).toBe('xml.too-many-elements');
  });

  it('handles a million-deep nesting attempt without a stack overflow', () => {
    const deep = '<a>'.repeat(1_000_000);
    expect(codeOf(() => parseXml(deep))).toBe('xml.too-deep');
  });

  it('returns or throws XmlError quickly on truncations and mutations of real files (fuzz)', () => {
    const sources = [fixture('happy/web.config')];
    const devRoot = path.resolve(here, '..', '..', '..', '..', 'shared', 'eval', 'dev', 'configs');
    if (existsSync(devRoot)) {
      for (const host of readdirSync(devRoot)) {
        const file = path.join(devRoot, host, 'Windows', 'System32', 'inetsrv', 'config', 'applicationHost.config');
        if (existsSync(file)) sources.push(readFileSync(file, 'utf8'));
      }
    }
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = ['<', '>', '&', '"', "'", '/', '!', '?', '-', ']', '[', '=', ' ', '\n', '&#x', ';', 'a', '<!DOCTYPE', '<![CDATA[', '-->', '\u0000', '\uD800'];
    const started = Date.now();
    for (let round = 0; round < 400; round += 1) {
      const source = sources[round % sources.length] ?? '';
      let mutated = source.slice(0, random(source.length + 1));
      if (round % 2 === 1) {
        const chars = [...source];
        for (let k = 0; k < 1 + random(8); k += 1) chars.splice(random(chars.length), random(3), alphabet[random(alphabet.length)] ?? '');
        mutated = chars.join('');
      }
      const t0 = Date.now();
      try {
        parseXml(mutated);
      } catch (error) {
        expect(error).toBeInstanceOf(XmlError);
      }
      expect(Date.now() - t0).toBeLessThan(2000);
    }
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
