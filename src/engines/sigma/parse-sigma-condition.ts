/** A parsed Sigma condition; `of` nodes still hold their pattern, resolved against the searches at compile time. */
export type SigmaConditionNode =
  | { readonly kind: 'and' | 'or'; readonly children: readonly SigmaConditionNode[] }
  | { readonly kind: 'not'; readonly child: SigmaConditionNode }
  | { readonly kind: 'search'; readonly name: string }
  | { readonly kind: 'of'; readonly quantifier: 'one' | 'all'; readonly pattern: string };

/** The outcome of parsing a condition: a tree, or why it is not one (and whether it is an aggregation). */
export type SigmaConditionParse =
  | { readonly ok: true; readonly node: SigmaConditionNode }
  | { readonly ok: false; readonly aggregation: boolean; readonly message: string };

type Token = { readonly kind: '(' | ')' | 'word'; readonly text: string; readonly at: number };

/** Conditions are one line of text; a longer one is not written by a person. */
const MAX_CONDITION_LENGTH = 10_000;
const MAX_DEPTH = 100;

class ConditionError extends Error {}

/** Parses a Sigma condition with precedence not > and > or, parentheses and `1|any|all of X|them`. */
export function parseSigmaCondition(text: string): SigmaConditionParse {
  if (text.length > MAX_CONDITION_LENGTH) return { ok: false, aggregation: false, message: 'condition is too long' };
  const pipe = text.indexOf('|');
  if (pipe >= 0) {
    return { ok: false, aggregation: true, message: `aggregations ("${text.slice(pipe).trim()}") are not supported` };
  }
  try {
    const tokens = tokenize(text);
    const parser = new Parser(tokens);
    const node = parser.parseOr(0);
    parser.expectEnd();
    return { ok: true, node };
  } catch (error) {
    if (error instanceof ConditionError) return { ok: false, aggregation: false, message: error.message };
    throw error;
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c, text: c, at: i });
      i += 1;
    } else {
      const start = i;
      while (i < text.length && !/[\s()]/.test(text[i] as string)) i += 1;
      tokens.push({ kind: 'word', text: text.slice(start, i), at: start });
    }
  }
  return tokens;
}

const RESERVED = new Set(['and', 'or', 'not', 'of']);

class Parser {
  private pos = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  parseOr(depth: number): SigmaConditionNode {
    const children = [this.parseAnd(depth)];
    while (this.isWord('or')) {
      this.pos += 1;
      children.push(this.parseAnd(depth));
    }
    return children.length === 1 ? (children[0] as SigmaConditionNode) : { kind: 'or', children };
  }

  private parseAnd(depth: number): SigmaConditionNode {
    const children = [this.parseNot(depth)];
    while (this.isWord('and')) {
      this.pos += 1;
      children.push(this.parseNot(depth));
    }
    return children.length === 1 ? (children[0] as SigmaConditionNode) : { kind: 'and', children };
  }

  private parseNot(depth: number): SigmaConditionNode {
    if (depth > MAX_DEPTH) throw new ConditionError('condition is nested too deeply');
    if (this.isWord('not')) {
      this.pos += 1;
      return { kind: 'not', child: this.parseNot(depth + 1) };
    }
    return this.parsePrimary(depth);
  }

  private parsePrimary(depth: number): SigmaConditionNode {
    const token = this.tokens[this.pos];
    if (token === undefined) throw new ConditionError('condition ends too early');
    if (token.kind === '(') {
      this.pos += 1;
      const inner = this.parseOr(depth + 1);
      const close = this.tokens[this.pos];
      if (close?.kind !== ')') throw new ConditionError(`missing ")" for "(" at column ${token.at + 1}`);
      this.pos += 1;
      return inner;
    }
    if (token.kind === ')') throw new ConditionError(`unexpected ")" at column ${token.at + 1}`);
    const lower = token.text.toLowerCase();
    const next = this.tokens[this.pos + 1];
    if ((lower === '1' || lower === 'any' || lower === 'all') && next?.kind === 'word' && next.text.toLowerCase() === 'of') {
      const target = this.tokens[this.pos + 2];
      if (target?.kind !== 'word' || RESERVED.has(target.text.toLowerCase())) {
        throw new ConditionError(`"${token.text} of" needs a search name pattern or "them" at column ${next.at + 1}`);
      }
      this.pos += 3;
      const pattern = target.text.toLowerCase() === 'them' ? 'them' : target.text;
      return { kind: 'of', quantifier: lower === 'all' ? 'all' : 'one', pattern };
    }
    if (RESERVED.has(lower)) throw new ConditionError(`unexpected "${token.text}" at column ${token.at + 1}`);
    this.pos += 1;
    return { kind: 'search', name: token.text };
  }

  expectEnd(): void {
    const token = this.tokens[this.pos];
    if (token !== undefined) throw new ConditionError(`unexpected "${token.text}" at column ${token.at + 1}`);
  }

  private isWord(word: string): boolean {
    const token = this.tokens[this.pos];
    return token?.kind === 'word' && token.text.toLowerCase() === word;
  }
}
