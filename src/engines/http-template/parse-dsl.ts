/** A parsed DSL expression (the subset of Nuclei's govaluate-based DSL that templates use). */
export type DslNode =
  | { readonly kind: 'literal'; readonly value: DslValue }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly DslNode[] }
  | { readonly kind: 'unary'; readonly op: '!' | '-'; readonly operand: DslNode }
  | { readonly kind: 'binary'; readonly op: string; readonly left: DslNode; readonly right: DslNode }
  | { readonly kind: 'ternary'; readonly test: DslNode; readonly then: DslNode; readonly otherwise: DslNode };

/** A DSL value. Lists come from functions such as `split`. */
export type DslValue = string | number | boolean | null | readonly string[];

/** A DSL syntax error, with the offset where it was found. */
export class DslSyntaxError extends Error {
  override readonly name = 'DslSyntaxError';
}

interface Token {
  readonly type: 'num' | 'str' | 'id' | 'op' | 'end';
  readonly text: string;
  readonly at: number;
}

const OPERATORS = ['||', '&&', '==', '!=', '>=', '<=', '=~', '!~', '>', '<', '+', '-', '*', '/', '%', '!', '(', ')', ',', '?', ':', '[', ']'];
const MAX_LENGTH = 10_000;
const MAX_DEPTH = 64;

function tokenize(source: string): Token[] {
  if (source.length > MAX_LENGTH) throw new DslSyntaxError(`expression longer than ${MAX_LENGTH} characters`);
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] ?? '';
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      let text = '';
      while (j < source.length && source[j] !== c) {
        if (source[j] === '\\' && c !== '`' && j + 1 < source.length) {
          const next = source[j + 1] ?? '';
          text += next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : next;
          j += 2;
          continue;
        }
        text += source[j];
        j += 1;
      }
      if (j >= source.length) throw new DslSyntaxError(`unterminated string at ${i}`);
      tokens.push({ type: 'str', text, at: i });
      i = j + 1;
      continue;
    }
    const num = /^(0x[0-9a-fA-F]+|\d+(\.\d+)?)/.exec(source.slice(i, i + 40));
    if (num !== null) {
      tokens.push({ type: 'num', text: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(source.slice(i, i + 200));
    if (id !== null) {
      // A trailing '-' belongs to a following minus sign, not the name (status_code-1 is rare; names like interactsh-url are real).
      const text = id[0].replace(/[-.]+$/, '');
      tokens.push({ type: 'id', text, at: i });
      i += text.length;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op === undefined) throw new DslSyntaxError(`unexpected ${JSON.stringify(c)} at ${i}`);
    tokens.push({ type: 'op', text: op, at: i });
    i += op.length;
  }
  tokens.push({ type: 'end', text: '', at: source.length });
  return tokens;
}

const BINARY_LEVELS: readonly (readonly string[])[] = [['||'], ['&&'], ['==', '!=', '>', '<', '>=', '<=', '=~', '!~'], ['+', '-'], ['*', '/', '%']];

/** Parses a DSL expression with a hand-written recursive-descent parser (never eval). */
export function parseDsl(source: string): DslNode {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): Token => tokens[pos] ?? { type: 'end', text: '', at: source.length };
  const next = (): Token => {
    const token = peek();
    pos += 1;
    return token;
  };
  const expect = (text: string): void => {
    const token = next();
    if (token.type !== 'op' || token.text !== text) throw new DslSyntaxError(`expected "${text}" at ${token.at}`);
  };

  function ternary(depth: number): DslNode {
    const test = binary(0, depth);
    if (peek().type === 'op' && peek().text === '?') {
      next();
      const then = ternary(depth + 1);
      expect(':');
      return { kind: 'ternary', test, then, otherwise: ternary(depth + 1) };
    }
    return test;
  }

  function binary(level: number, depth: number): DslNode {
    if (depth > MAX_DEPTH) throw new DslSyntaxError('expression nested too deeply');
    const ops = BINARY_LEVELS[level];
    if (ops === undefined) return unary(depth);
    let left = binary(level + 1, depth + 1);
    while (peek().type === 'op' && ops.includes(peek().text)) {
      const op = next().text;
      left = { kind: 'binary', op, left, right: binary(level + 1, depth + 1) };
    }
    return left;
  }

  function unary(depth: number): DslNode {
    const token = peek();
    if (token.type === 'op' && (token.text === '!' || token.text === '-')) {
      next();
      return { kind: 'unary', op: token.text, operand: unary(depth + 1) };
    }
    return primary(depth);
  }

  function primary(depth: number): DslNode {
    const token = next();
    if (token.type === 'num') return { kind: 'literal', value: token.text.startsWith('0x') ? Number.parseInt(token.text, 16) : Number(token.text) };
    if (token.type === 'str') return { kind: 'literal', value: token.text };
    if (token.type === 'op' && token.text === '(') {
      const inner = ternary(depth + 1);
      expect(')');
      return inner;
    }
    if (token.type === 'id') {
      if (token.text === 'true' || token.text === 'false') return { kind: 'literal', value: token.text === 'true' };
      if (token.text === 'nil' || token.text === 'null') return { kind: 'literal', value: null };
      if (peek().type === 'op' && peek().text === '(') {
        next();
        const args: DslNode[] = [];
        if (!(peek().type === 'op' && peek().text === ')')) {
          for (;;) {
            args.push(ternary(depth + 1));
            if (peek().type === 'op' && peek().text === ',') {
              next();
              continue;
            }
            break;
          }
        }
        expect(')');
        return { kind: 'call', name: token.text.toLowerCase(), args };
      }
      return { kind: 'name', name: token.text };
    }
    throw new DslSyntaxError(token.type === 'end' ? 'unexpected end of expression' : `unexpected "${token.text}" at ${token.at}`);
  }

  const node = ternary(0);
  if (peek().type !== 'end') throw new DslSyntaxError(`unexpected "${peek().text}" at ${peek().at}`);
  return node;
}

/** Every variable name an expression reads. */
export function dslNames(node: DslNode, out = new Set<string>()): Set<string> {
  switch (node.kind) {
    case 'name': out.add(node.name); break;
    case 'call': node.args.forEach((a) => dslNames(a, out)); break;
    case 'unary': dslNames(node.operand, out); break;
    case 'binary': dslNames(node.left, out); dslNames(node.right, out); break;
    case 'ternary': dslNames(node.test, out); dslNames(node.then, out); dslNames(node.otherwise, out); break;
    case 'literal': break;
  }
  return out;
}
