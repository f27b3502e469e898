import RE2 from 're2';
import { foldCase } from './fold-case.js';
import type { SigmaString } from './sigma-string.js';

/**
 * Compiles a Sigma string into a whole-value matcher. Case is folded unless `cased`. Wildcard
 * patterns made only of `*` become startsWith / endsWith / includes steps; `?` falls back to RE2.
 */
export function compileSigmaString(value: SigmaString, cased: boolean): (text: string) => boolean {
  const fold = cased ? (t: string) => t : foldRecent;
  const parts = value.parts.map((p) => (typeof p === 'string' ? fold(p) : p));
  if (parts.length === 0) return (text) => text === '';
  if (parts.some((p) => typeof p !== 'string' && p.wildcard === '?')) {
    const source = parts.map((p) => (typeof p === 'string' ? escapeRegex(p) : p.wildcard === '*' ? '.*' : '.')).join('');
    const re = new RE2(`^(?:${source})$`, 's');
    // Every literal part must occur in a matching text: the longest one is looked for before RE2 runs
    // (SigmaHQ writes `>?%TEMP%\` for either quote, and tests lists of them on every command line).
    const longest = parts.reduce<string>((best, p) => (typeof p === 'string' && p.length > best.length ? p : best), '');
    if (longest === '') return (text) => re.test(fold(text));
    return (text) => {
      const t = fold(text);
      return t.includes(longest) && re.test(t);
    };
  }
  // Only literals and `*` remain: a prefix, a suffix and literals in order between them.
  const literals: string[] = [];
  let prefix = '';
  let suffix = '';
  parts.forEach((p, i) => {
    if (typeof p !== 'string') return;
    if (i === 0) prefix = p;
    else if (i === parts.length - 1) suffix = p;
    else literals.push(p);
  });
  if (parts.length === 1 && typeof parts[0] === 'string') return (text) => fold(text) === prefix;
  if (literals.length === 0) {
    const min = prefix.length + suffix.length;
    if (prefix === '' && suffix === '') return () => true;
    if (suffix === '') return (text) => fold(text).startsWith(prefix);
    if (prefix === '') return (text) => fold(text).endsWith(suffix);
    return (text) => {
      const t = fold(text);
      return t.length >= min && t.startsWith(prefix) && t.endsWith(suffix);
    };
  }
  if (prefix === '' && suffix === '' && literals.length === 1) {
    const only = literals[0] as string;
    return (text) => fold(text).includes(only);
  }
  return (text) => {
    const t = fold(text);
    if (t.length < prefix.length + suffix.length || !t.startsWith(prefix) || !t.endsWith(suffix)) return false;
    const end = t.length - suffix.length;
    let at = prefix.length;
    for (const literal of literals) {
      const found = t.indexOf(literal, at);
      if (found < 0 || found + literal.length > end) return false;
      at = found + literal.length;
    }
    return true;
  };
}

/**
 * The values of a field are tested by many matchers in a row, and a field often has several values (the
 * logged and the decoded text, the whole URI): the last few texts are folded once each. Strings are
 * compared by content, so a value rebuilt for each test still hits.
 */
const RECENT = 4;
const recentTexts: string[] = new Array<string>(RECENT).fill('');
const recentFolded: string[] = new Array<string>(RECENT).fill('');
let recentNext = 0;

export function foldRecent(text: string): string {
  for (let i = 0; i < RECENT; i += 1) if (recentTexts[i] === text) return recentFolded[i] as string;
  const folded = foldCase(text);
  recentTexts[recentNext] = text;
  recentFolded[recentNext] = folded;
  recentNext = (recentNext + 1) % RECENT;
  return folded;
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, (c) => `\\${c}`);
}
