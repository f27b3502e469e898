/** A Sigma wildcard: `*` any run of characters, `?` exactly one. */
export interface SigmaWildcard {
  readonly wildcard: '*' | '?';
}

/** One piece of a Sigma string: literal text or a wildcard. */
export type SigmaStringPart = string | SigmaWildcard;

/**
 * A rule value after wildcard parsing. `binary` marks text whose characters stand for bytes (after a
 * `utf16*` modifier), so that a later `base64` encodes those bytes and not their UTF-8 form.
 */
export interface SigmaString {
  readonly parts: readonly SigmaStringPart[];
  readonly binary: boolean;
}

/** The `*` wildcard. */
export const STAR: SigmaWildcard = { wildcard: '*' };
/** The `?` wildcard. */
export const ONE: SigmaWildcard = { wildcard: '?' };

/**
 * Parses Sigma value text: `*` and `?` are wildcards; `\*`, `\?` and `\\` stand for the characters
 * themselves; any other backslash is literal (Windows paths are written with single backslashes).
 */
export function parseSigmaString(text: string): SigmaString {
  const parts: SigmaStringPart[] = [];
  let literal = '';
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        literal += next;
        i += 1;
      } else literal += c;
    } else if (c === '*' || c === '?') {
      if (literal !== '') parts.push(literal);
      literal = '';
      parts.push(c === '*' ? STAR : ONE);
    } else literal += c;
  }
  if (literal !== '') parts.push(literal);
  return { parts: normalizeParts(parts), binary: false };
}

/** A literal Sigma string: no wildcards at all. */
export function literalSigmaString(text: string, binary = false): SigmaString {
  return { parts: text === '' ? [] : [text], binary };
}

/** Merges adjacent literals and collapses runs of `*`. */
export function normalizeParts(parts: readonly SigmaStringPart[]): SigmaStringPart[] {
  const out: SigmaStringPart[] = [];
  for (const part of parts) {
    const last = out[out.length - 1];
    if (typeof part === 'string') {
      if (part === '') continue;
      if (typeof last === 'string') out[out.length - 1] = last + part;
      else out.push(part);
    } else if (!(part.wildcard === '*' && last !== undefined && typeof last !== 'string' && last.wildcard === '*')) {
      out.push(part);
    }
  }
  return out;
}

/** True when the string holds a wildcard. */
export function hasWildcard(value: SigmaString): boolean {
  return value.parts.some((p) => typeof p !== 'string');
}

/** The literal text of a wildcard-free string. */
export function literalText(value: SigmaString): string {
  return value.parts.filter((p): p is string => typeof p === 'string').join('');
}

/** Renders the string back to Sigma text (wildcards and escapes), for messages. */
export function sigmaStringText(value: SigmaString): string {
  return value.parts.map((p) => (typeof p === 'string' ? p.replace(/[\\*?]/g, (c) => `\\${c}`) : p.wildcard)).join('');
}
