import { describe, expect, it } from 'vitest';
import { parseSigmaCondition } from './parse-sigma-condition.js';
import type { SigmaConditionNode } from './parse-sigma-condition.js';

/** The tree as compact text, to read precedence at a glance. */
function show(node: SigmaConditionNode): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${node.children.map(show).join(` ${node.kind} `)})`;
    case 'not':
      return `!${show(node.child)}`;
    case 'search':
      return node.name;
    case 'of':
      return `${node.quantifier}(${node.pattern})`;
  }
}

function parse(text: string): string {
  const result = parseSigmaCondition(text);
  return result.ok ? show(result.node) : `error: ${result.message}`;
}

describe('parseSigmaCondition', () => {
  it('binds not > and > or', () => {
    expect(parse('a or b and not c')).toBe('(a or (b and !c))');
    expect(parse('not a and b or c')).toBe('((!a and b) or c)');
    expect(parse('a and b and c or d')).toBe('((a and b and c) or d)');
  });

  it('groups with parentheses and nests not', () => {
    expect(parse('(a or b) and not (c or d)')).toBe('((a or b) and !(c or d))');
    expect(parse('not not a')).toBe('!!a');
  });

  it('reads 1 of, any of, all of, them; keywords in any case', () => {
    expect(parse('1 of sel* AND NOT all of filter_*')).toBe('(one(sel*) and !all(filter_*))');
    expect(parse('any of them')).toBe('one(them)');
    expect(parse('all of Them')).toBe('all(them)');
  });

  it('rejects broken conditions with a position, and aggregations as such', () => {
    expect(parse('a and')).toBe('error: condition ends too early');
    expect(parse('(a or b')).toBe('error: missing ")" for "(" at column 1');
    expect(parse('a b')).toBe('error: unexpected "b" at column 3');
    expect(parse('a )')).toBe('error: unexpected ")" at column 3');
    expect(parse('1 of')).toBe('error: "1 of" needs a search name pattern or "them" at column 3');
    expect(parse('1 of and')).toBe('error: "1 of" needs a search name pattern or "them" at column 3');
    const aggregation = parseSigmaCondition('sel | count(c-ip) by cs-host > 10');
    expect(aggregation).toMatchObject({ ok: false, aggregation: true });
  });

  it('bounds nesting depth', () => {
    expect(parse(`${'('.repeat(500)}a${')'.repeat(500)}`)).toBe('error: condition is nested too deeply');
    expect(parse(`${'not '.repeat(500)}a`)).toBe('error: condition is nested too deeply');
  });
});
