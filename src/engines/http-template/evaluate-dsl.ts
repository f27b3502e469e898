import { createHash, createHmac } from 'node:crypto';
import RE2 from 're2';
import type { DslNode, DslValue } from './parse-dsl.js';

/** Variables visible to an expression: response parts, template variables, payloads, extracted values. */
export type DslScope = ReadonlyMap<string, DslValue>;

/** An expression that cannot be evaluated: an unknown function, a bad regex. */
export class DslEvalError extends Error {
  override readonly name = 'DslEvalError';
}

type DslFunction = (args: readonly DslValue[]) => DslValue;

const regexCache = new Map<string, RE2>();

/** Compiles a template regex on RE2 (linear time); throws DslEvalError for a pattern RE2 refuses. */
export function re2(pattern: string, flags = ''): RE2 {
  const key = `${flags}\u0000${pattern}`;
  let compiled = regexCache.get(key);
  if (compiled === undefined) {
    try {
      compiled = new RE2(pattern, flags);
    } catch (error) {
      throw new DslEvalError(`regex ${JSON.stringify(pattern.slice(0, 80))} is not supported by RE2: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (regexCache.size > 5000) regexCache.clear();
    regexCache.set(key, compiled);
  }
  return compiled;
}

/** Text form of a value, the way Nuclei prints it into requests. */
export function toText(value: DslValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

function toNumber(value: DslValue): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const n = Number(toText(value));
  return Number.isNaN(n) ? 0 : n;
}

function truthy(value: DslValue): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  return value !== '' && value !== 'false';
}

function isNumeric(value: DslValue): boolean {
  return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)));
}

function equal(a: DslValue, b: DslValue): boolean {
  if ((typeof a === 'number' || typeof b === 'number') && isNumeric(a) && isNumeric(b)) return toNumber(a) === toNumber(b);
  if (typeof a === 'boolean' || typeof b === 'boolean') return truthy(a) === truthy(b);
  return toText(a) === toText(b);
}

const str = (args: readonly DslValue[], i: number): string => toText(args[i] ?? null);
const hash = (algo: string) => (args: readonly DslValue[]) => createHash(algo).update(str(args, 0)).digest('hex');

/** Seeded so that random helpers give reproducible requests (and so reproducible reports). */
function makeRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}
const random = makeRandom(0x5eed);
const randomFrom = (alphabet: string, length: number): string => Array.from({ length: Math.max(0, Math.min(length, 4096)) }, () => alphabet[Math.floor(random() * alphabet.length)] ?? '').join('');
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

/** The helper functions, by lower-case name. */
export const DSL_FUNCTIONS: Readonly<Record<string, DslFunction>> = {
  contains: (a) => str(a, 0).includes(str(a, 1)),
  contains_all: (a) => a.slice(1).every((v) => str(a, 0).includes(toText(v))),
  contains_any: (a) => a.slice(1).some((v) => str(a, 0).includes(toText(v))),
  starts_with: (a) => a.slice(1).some((v) => str(a, 0).startsWith(toText(v))),
  ends_with: (a) => a.slice(1).some((v) => str(a, 0).endsWith(toText(v))),
  line_starts_with: (a) => str(a, 0).split('\n').some((line) => a.slice(1).some((v) => line.startsWith(toText(v)))),
  line_ends_with: (a) => str(a, 0).split('\n').some((line) => a.slice(1).some((v) => line.endsWith(toText(v)))),
  len: (a) => (Array.isArray(a[0]) ? a[0].length : str(a, 0).length),
  to_lower: (a) => str(a, 0).toLowerCase(),
  tolower: (a) => str(a, 0).toLowerCase(),
  to_upper: (a) => str(a, 0).toUpperCase(),
  toupper: (a) => str(a, 0).toUpperCase(),
  trim: (a) => trimChars(str(a, 0), a.length > 1 ? str(a, 1) : ' \t\r\n'),
  trim_left: (a) => str(a, 0).replace(new RegExp(`^[${escapeClass(str(a, 1))}]+`), ''),
  trim_right: (a) => str(a, 0).replace(new RegExp(`[${escapeClass(str(a, 1))}]+$`), ''),
  trim_space: (a) => str(a, 0).trim(),
  trim_prefix: (a) => (str(a, 0).startsWith(str(a, 1)) ? str(a, 0).slice(str(a, 1).length) : str(a, 0)),
  trim_suffix: (a) => (str(a, 0).endsWith(str(a, 1)) && str(a, 1) !== '' ? str(a, 0).slice(0, -str(a, 1).length) : str(a, 0)),
  replace: (a) => str(a, 0).split(str(a, 1)).join(str(a, 2)),
  replace_regex: (a) => re2(str(a, 1), 'g').replace(str(a, 0), str(a, 2)),
  regex: (a) => re2(str(a, 0)).test(str(a, 1)),
  repeat: (a) => str(a, 0).repeat(Math.max(0, Math.min(toNumber(a[1] ?? 0), 10_000))),
  reverse: (a) => [...str(a, 0)].reverse().join(''),
  concat: (a) => a.map(toText).join(''),
  join: (a) => (Array.isArray(a[1]) ? a[1].join(str(a, 0)) : a.slice(1).map(toText).join(str(a, 0))),
  split: (a) => str(a, 0).split(str(a, 1)),
  substr: (a) => str(a, 0).slice(toNumber(a[1] ?? 0), a.length > 2 ? toNumber(a[2] ?? 0) : undefined),
  base64: (a) => Buffer.from(str(a, 0), 'latin1').toString('base64'),
  base64_py: (a) => Buffer.from(str(a, 0), 'latin1').toString('base64').replace(/.{76}/g, '$&\n'),
  base64_decode: (a) => Buffer.from(str(a, 0), 'base64').toString('latin1'),
  hex_encode: (a) => Buffer.from(str(a, 0), 'latin1').toString('hex'),
  hex_decode: (a) => Buffer.from(str(a, 0), 'hex').toString('latin1'),
  url_encode: (a) => encodeURIComponent(str(a, 0)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  url_decode: (a) => {
    try {
      return decodeURIComponent(str(a, 0).replace(/\+/g, ' '));
    } catch {
      return str(a, 0);
    }
  },
  html_escape: (a) => str(a, 0).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;'),
  html_unescape: (a) => str(a, 0).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#34;|&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'),
  md5: hash('md5'),
  sha1: hash('sha1'),
  sha256: hash('sha256'),
  sha512: hash('sha512'),
  hmac: (a) => createHmac(str(a, 0), str(a, 2)).update(str(a, 1)).digest('hex'),
  mmh3: (a) => String(mmh3(Buffer.from(str(a, 0), 'latin1'))),
  to_number: (a) => toNumber(a[0] ?? null),
  to_string: (a) => str(a, 0),
  dec_to_hex: (a) => toNumber(a[0] ?? 0).toString(16),
  hex_to_dec: (a) => Number.parseInt(str(a, 0), 16),
  oct_to_dec: (a) => Number.parseInt(str(a, 0), 8),
  bin_to_dec: (a) => Number.parseInt(str(a, 0), 2),
  rand_base: (a) => randomFrom(a.length > 1 && str(a, 1) !== '' ? str(a, 1) : LETTERS + DIGITS, toNumber(a[0] ?? 0)),
  rand_char: (a) => randomFrom(a.length > 0 && str(a, 0) !== '' ? str(a, 0) : LETTERS + DIGITS, 1),
  rand_text_alpha: (a) => randomFrom(LETTERS, toNumber(a[0] ?? 0)),
  rand_text_alphanumeric: (a) => randomFrom(LETTERS + DIGITS, toNumber(a[0] ?? 0)),
  rand_text_numeric: (a) => randomFrom(DIGITS, toNumber(a[0] ?? 0)),
  rand_int: (a) => {
    const min = a.length > 0 ? toNumber(a[0] ?? 0) : 0;
    const max = a.length > 1 ? toNumber(a[1] ?? 0) : 2_147_483_647;
    return Math.floor(min + random() * Math.max(0, max - min));
  },
  unix_time: (a) => Math.floor(Date.now() / 1000) + (a.length > 0 ? toNumber(a[0] ?? 0) : 0),
  compare_versions: (a) => a.slice(1).every((c) => compareVersionConstraint(str(a, 0), toText(c))),
  generate_java_gadget: () => {
    throw new DslEvalError('generate_java_gadget is not supported');
  },
};

/** Evaluates a parsed expression. Unknown names evaluate to null (Nuclei leaves them unresolved and the matcher fails). */
export function evaluateDsl(node: DslNode, scope: DslScope): DslValue {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'name':
      return scope.get(node.name) ?? null;
    case 'call': {
      const fn = DSL_FUNCTIONS[node.name];
      if (fn === undefined) throw new DslEvalError(`unknown helper function ${node.name}()`);
      return fn(node.args.map((a) => evaluateDsl(a, scope)));
    }
    case 'unary': {
      const v = evaluateDsl(node.operand, scope);
      return node.op === '!' ? !truthy(v) : -toNumber(v);
    }
    case 'ternary':
      return truthy(evaluateDsl(node.test, scope)) ? evaluateDsl(node.then, scope) : evaluateDsl(node.otherwise, scope);
    case 'binary': {
      if (node.op === '&&') return truthy(evaluateDsl(node.left, scope)) && truthy(evaluateDsl(node.right, scope));
      if (node.op === '||') return truthy(evaluateDsl(node.left, scope)) || truthy(evaluateDsl(node.right, scope));
      const l = evaluateDsl(node.left, scope);
      const r = evaluateDsl(node.right, scope);
      switch (node.op) {
        case '==': return equal(l, r);
        case '!=': return !equal(l, r);
        case '>': return toNumber(l) > toNumber(r);
        case '<': return toNumber(l) < toNumber(r);
        case '>=': return toNumber(l) >= toNumber(r);
        case '<=': return toNumber(l) <= toNumber(r);
        case '=~': return re2(toText(r)).test(toText(l));
        case '!~': return !re2(toText(r)).test(toText(l));
        case '+': return isNumeric(l) && isNumeric(r) && typeof l !== 'string' && typeof r !== 'string' ? toNumber(l) + toNumber(r) : toText(l) + toText(r);
        case '-': return toNumber(l) - toNumber(r);
        case '*': return toNumber(l) * toNumber(r);
        case '/': return toNumber(r) === 0 ? 0 : toNumber(l) / toNumber(r);
        case '%': return toNumber(r) === 0 ? 0 : toNumber(l) % toNumber(r);
        default: throw new DslEvalError(`operator ${node.op} is not supported`);
      }
    }
  }
}

/** Whether a value counts as true in a matcher. */
export function dslTruthy(value: DslValue): boolean {
  return truthy(value);
}

function trimChars(text: string, chars: string): string {
  const set = new Set(chars);
  let start = 0;
  let end = text.length;
  while (start < end && set.has(text[start] ?? '')) start += 1;
  while (end > start && set.has(text[end - 1] ?? '')) end -= 1;
  return text.slice(start, end);
}

function escapeClass(chars: string): string {
  return chars.replace(/[\\\]^-]/g, '\\$&');
}

/** `compare_versions(v, '< 2.0', '>= 1.2')`: every constraint must hold. */
function compareVersionConstraint(version: string, constraint: string): boolean {
  const m = /^\s*(<=|>=|==|!=|<|>|=)?\s*v?([\w.-]+)\s*$/.exec(constraint);
  if (m === null) return false;
  const a = version.replace(/^v/, '').split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  const b = (m[2] ?? '').split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  let cmp = 0;
  for (let i = 0; i < Math.max(a.length, b.length) && cmp === 0; i += 1) cmp = (a[i] ?? 0) - (b[i] ?? 0);
  switch (m[1] ?? '==') {
    case '<': return cmp < 0;
    case '<=': return cmp <= 0;
    case '>': return cmp > 0;
    case '>=': return cmp >= 0;
    case '!=': return cmp !== 0;
    default: return cmp === 0;
  }
}

/** MurmurHash3 x86 32-bit, signed, as Nuclei's mmh3 (favicon hashes). */
function mmh3(data: Buffer): number {
  let h = 0;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const blocks = Math.floor(data.length / 4);
  for (let i = 0; i < blocks; i += 1) {
    let k = data.readUInt32LE(i * 4);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks * 4;
  const rest = data.length & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= (data[tail + 2] ?? 0) << 16;
    if (rest >= 2) k ^= (data[tail + 1] ?? 0) << 8;
    k ^= data[tail] ?? 0;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= data.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
