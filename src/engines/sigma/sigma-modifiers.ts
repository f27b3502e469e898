import { STAR, hasWildcard, literalSigmaString, literalText, normalizeParts, parseSigmaString } from './sigma-string.js';
import type { SigmaString, SigmaStringPart } from './sigma-string.js';

/** What a value transformation needs from the compile call. */
export interface SigmaTransformContext {
  /** Values of `%name%` placeholders for `expand`. */
  readonly placeholders: ReadonlyMap<string, readonly string[]>;
}

/** A transformation failed: the rule is not compiled. */
export interface SigmaTransformError {
  readonly error: 'sigma.modifier-invalid' | 'sigma.placeholder-unknown';
  readonly message: string;
}

/** The kinds of matcher a value can be compiled into, other than string matching. */
export type SigmaMatcherType = 're' | 'cidr' | 'lt' | 'lte' | 'gt' | 'gte' | 'exists' | 'fieldref';

/** A Sigma value modifier, as a plain object in the `SIGMA_MODIFIERS` registry. */
export type SigmaModifier =
  | {
      readonly kind: 'transform';
      /** Wildcard modifiers (`contains`, …) are the only transforms `fieldref` accepts. */
      readonly wildcard: boolean;
      apply(value: SigmaString, context: SigmaTransformContext): readonly SigmaString[] | SigmaTransformError;
    }
  | { readonly kind: 'type'; readonly type: SigmaMatcherType }
  | { readonly kind: 'flag'; readonly flag: 'all' | 'cased' }
  | { readonly kind: 'regex-flag'; readonly flag: 'i' | 'm' | 's' };

const encodedNeedsLiteral = (name: string): SigmaTransformError => ({
  error: 'sigma.modifier-invalid',
  message: `${name} cannot encode a value with wildcards`,
});

function bytesOf(value: SigmaString): Buffer {
  const text = literalText(value);
  return value.binary ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
}

function utf16(value: SigmaString, bigEndian: boolean, bom: string): SigmaString {
  const parts: SigmaStringPart[] = [];
  let first = true;
  for (const part of value.parts) {
    if (typeof part !== 'string') {
      parts.push(part);
      continue;
    }
    // Binary text holds one byte per character, so each becomes one code unit either way.
    let out = first ? bom : '';
    for (let i = 0; i < part.length; i += 1) {
      const unit = part.charCodeAt(i);
      const lo = String.fromCharCode(unit & 0xff);
      const hi = String.fromCharCode(unit >> 8);
      out += bigEndian ? hi + lo : lo + hi;
    }
    first = false;
    parts.push(out);
  }
  if (first && bom !== '') parts.unshift(bom);
  return { parts: normalizeParts(parts), binary: true };
}

/** Windows accepts these in place of `-` (and `/`) before a command-line switch. */
const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];
const MAX_WINDASH_POSITIONS = 4;
const WORD = /[A-Za-z0-9_]/;

function windash(value: SigmaString): readonly SigmaString[] | SigmaTransformError {
  // Like pySigma's `\B[-/]\b`: a dash or slash at the start of a word, after a non-word character.
  const positions: [number, number][] = [];
  value.parts.forEach((part, p) => {
    if (typeof part !== 'string') return;
    for (let i = 0; i < part.length; i += 1) {
      const c = part[i] as string;
      if (c !== '-' && c !== '/') continue;
      const prev = i > 0 ? part[i - 1] : undefined;
      const next = part[i + 1];
      if ((prev === undefined || !WORD.test(prev)) && next !== undefined && WORD.test(next)) positions.push([p, i]);
    }
  });
  if (positions.length > MAX_WINDASH_POSITIONS) {
    return { error: 'sigma.modifier-invalid', message: `windash on more than ${MAX_WINDASH_POSITIONS} switches makes too many variants` };
  }
  let variants: SigmaStringPart[][] = [[...value.parts]];
  for (const [p, i] of positions) {
    const next: SigmaStringPart[][] = [];
    for (const variant of variants) {
      for (const dash of DASHES) {
        const copy = [...variant];
        const part = copy[p] as string;
        copy[p] = part.slice(0, i) + dash + part.slice(i + 1);
        next.push(copy);
      }
    }
    variants = next;
  }
  return variants.map((parts) => ({ parts: normalizeParts(parts), binary: value.binary }));
}

const PLACEHOLDER = /%([A-Za-z0-9_.-]+)%/g;
const MAX_EXPANSIONS = 1000;

function expand(value: SigmaString, context: SigmaTransformContext): readonly SigmaString[] | SigmaTransformError {
  let variants: SigmaStringPart[][] = [[]];
  for (const part of value.parts) {
    if (typeof part !== 'string') {
      for (const v of variants) v.push(part);
      continue;
    }
    let at = 0;
    for (const match of part.matchAll(PLACEHOLDER)) {
      const name = match[1] as string;
      const values = context.placeholders.get(name);
      if (values === undefined || values.length === 0) {
        return { error: 'sigma.placeholder-unknown', message: `no value configured for placeholder %${name}%` };
      }
      const before = part.slice(at, match.index);
      const next: SigmaStringPart[][] = [];
      for (const v of variants) {
        for (const replacement of values) next.push([...v, before, ...parseSigmaString(replacement).parts]);
      }
      if (next.length > MAX_EXPANSIONS) return { error: 'sigma.modifier-invalid', message: 'expand makes too many variants' };
      variants = next;
      at = match.index + match[0].length;
    }
    const rest = part.slice(at);
    for (const v of variants) v.push(rest);
  }
  return variants.map((parts) => ({ parts: normalizeParts(parts), binary: value.binary }));
}

function withStar(value: SigmaString, start: boolean, end: boolean): SigmaString {
  return { parts: normalizeParts([...(start ? [STAR] : []), ...value.parts, ...(end ? [STAR] : [])]), binary: value.binary };
}

/** Every modifier the engine knows; a name not listed here is a diagnostic, never a silent non-match. */
export const SIGMA_MODIFIERS: ReadonlyMap<string, SigmaModifier> = new Map<string, SigmaModifier>([
  ['contains', { kind: 'transform', wildcard: true, apply: (v) => [withStar(v, true, true)] }],
  ['startswith', { kind: 'transform', wildcard: true, apply: (v) => [withStar(v, false, true)] }],
  ['endswith', { kind: 'transform', wildcard: true, apply: (v) => [withStar(v, true, false)] }],
  [
    'base64',
    {
      kind: 'transform',
      wildcard: false,
      apply: (v) => (hasWildcard(v) ? encodedNeedsLiteral('base64') : [literalSigmaString(bytesOf(v).toString('base64'))]),
    },
  ],
  [
    'base64offset',
    {
      kind: 'transform',
      wildcard: false,
      apply: (v) => {
        if (hasWildcard(v)) return encodedNeedsLiteral('base64offset');
        // The value may start at any of three byte offsets inside a longer base64 text; drop the
        // characters that depend on the unknown neighbouring bytes (as pySigma does).
        const bytes = bytesOf(v);
        const starts = [0, 2, 3];
        const ends = [0, -3, -2];
        return [0, 1, 2].map((i) => {
          const encoded = Buffer.concat([Buffer.alloc(i, 0x20), bytes]).toString('base64');
          const end = ends[(bytes.length + i) % 3] as number;
          return literalSigmaString(encoded.slice(starts[i] as number, end === 0 ? undefined : end));
        });
      },
    },
  ],
  ['utf16le', { kind: 'transform', wildcard: false, apply: (v) => [utf16(v, false, '')] }],
  ['wide', { kind: 'transform', wildcard: false, apply: (v) => [utf16(v, false, '')] }],
  ['utf16be', { kind: 'transform', wildcard: false, apply: (v) => [utf16(v, true, '')] }],
  ['utf16', { kind: 'transform', wildcard: false, apply: (v) => [utf16(v, false, '\xff\xfe')] }],
  ['windash', { kind: 'transform', wildcard: false, apply: windash }],
  ['expand', { kind: 'transform', wildcard: false, apply: expand }],
  ['re', { kind: 'type', type: 're' }],
  ['cidr', { kind: 'type', type: 'cidr' }],
  ['lt', { kind: 'type', type: 'lt' }],
  ['lte', { kind: 'type', type: 'lte' }],
  ['gt', { kind: 'type', type: 'gt' }],
  ['gte', { kind: 'type', type: 'gte' }],
  ['exists', { kind: 'type', type: 'exists' }],
  ['fieldref', { kind: 'type', type: 'fieldref' }],
  ['all', { kind: 'flag', flag: 'all' }],
  ['cased', { kind: 'flag', flag: 'cased' }],
  ['i', { kind: 'regex-flag', flag: 'i' }],
  ['m', { kind: 'regex-flag', flag: 'm' }],
  ['s', { kind: 'regex-flag', flag: 's' }],
]);
