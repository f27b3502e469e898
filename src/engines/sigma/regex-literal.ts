/** A literal every match of a regular expression contains; `folded` when it only holds case-insensitively. */
export interface RegexLiteral {
  /** The literal; lower case when `folded`. */
  readonly text: string;
  /** True when the text must be searched in lower-cased text (the pattern, or part of it, ignores case). */
  readonly folded: boolean;
}

/**
 * Even one character is worth looking for first: a search costs a fraction of an RE2 call, and the
 * characters obfuscation patterns need (a backtick, `${`) are rare in real command lines.
 */
const MIN_LITERAL = 1;

/** Escapes of a letter that stand for one character or a class and take no argument. */
const PLAIN_ESCAPES = new Set(['d', 'D', 's', 'S', 'w', 'W', 'b', 'B', 'A', 'z', 'f', 'n', 'r', 't', 'v']);

/** Whether the pattern can ignore case anywhere: the `i` flag, or `(?i…)` in it. */
function ignoresCase(pattern: string, flags: string): boolean {
  return flags.includes('i') || /\(\?[a-zA-Z]*i/.test(pattern);
}

/** The index just past the class that opens at `start` (`[`), or -1 when it does not close. */
function skipClass(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === '^') i += 1;
  // A `]` first in a class is a literal.
  if (pattern[i] === ']') i += 1;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') i += 2;
    else if (c === '[' && pattern[i + 1] === ':') {
      const end = pattern.indexOf(':]', i + 2);
      if (end < 0) return -1;
      i = end + 2;
    } else if (c === ']') return i + 1;
    else i += 1;
  }
  return -1;
}

/** The index just past the group that opens at `start` (`(`), or -1 when it does not close. */
function skipGroup(pattern: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') i += 2;
    else if (c === '[') {
      i = skipClass(pattern, i);
      if (i < 0) return -1;
    } else {
      if (c === '(') depth += 1;
      else if (c === ')') {
        depth -= 1;
        if (depth === 0) return i + 1;
      }
      i += 1;
    }
  }
  return -1;
}

/**
 * The longest run of literal characters that every match of an RE2 pattern contains, found by a
 * conservative walk of the pattern: groups, classes and escapes other than escaped punctuation end a
 * run, a literal made optional by `?`, `*` or a `{…}` count is dropped, and a pattern with an
 * alternation outside a group, or with an escape the walk does not know, gives none. Used to skip the
 * regular expression where the literal is absent, so it must never name a literal a match can lack.
 * When the pattern can ignore case the literal is lower case and holds no `k` or `s` (RE2 folds the
 * Kelvin sign and the long s into them), and must be searched in lower-cased text.
 */
export function requiredRegexLiteral(pattern: string, flags = ''): RegexLiteral | undefined {
  const folded = ignoresCase(pattern, flags);
  const runs: string[] = [];
  let current = '';
  const end = (): void => {
    if (current !== '') runs.push(current);
    current = '';
  };
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) return undefined;
      if (/[A-Za-z0-9]/.test(next)) {
        if (!PLAIN_ESCAPES.has(next)) return undefined;
        end();
      } else if (next.charCodeAt(0) < 0x20 || next.charCodeAt(0) > 0x7e) end();
      else current += next;
      i += 2;
      continue;
    }
    if (c === '[') {
      end();
      i = skipClass(pattern, i);
      if (i < 0) return undefined;
      continue;
    }
    if (c === '(') {
      end();
      i = skipGroup(pattern, i);
      if (i < 0) return undefined;
      continue;
    }
    if (c === '|' || c === ')') return undefined;
    if (c === '*' || c === '?') {
      // The atom before may be absent: a literal character there is not required.
      current = current.slice(0, -1);
      end();
      i += 1;
      continue;
    }
    if (c === '{') {
      const count = /^\{\d*(?:,\d*)?\}/.exec(pattern.slice(i));
      current = current.slice(0, -1);
      end();
      i += count === null ? 1 : count[0].length;
      continue;
    }
    if (c === '+' || c === '.' || c === '^' || c === '$' || c.charCodeAt(0) > 0x7e || c.charCodeAt(0) < 0x20) {
      end();
      i += 1;
      continue;
    }
    if (folded && /[ksKS]/.test(c)) {
      end();
      i += 1;
      continue;
    }
    current += c;
    i += 1;
  }
  end();
  let best = '';
  for (const run of runs) if (run.length > best.length) best = run;
  if (best.length < MIN_LITERAL) return undefined;
  return { text: folded ? best.toLowerCase() : best, folded };
}
