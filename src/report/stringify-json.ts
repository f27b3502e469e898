/**
 * What `JSON.stringify` leaves raw that a terminal or a line-splitter would act on: DEL, C1 controls,
 * bidi controls and U+2028/U+2029. C0 controls and lone surrogates it already escapes. These characters
 * only ever occur inside JSON strings, so writing them as `\uXXXX` there changes no parsed value.
 */
const RAW_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Serializes a value as JSON that parses back to the same value and is safe to print on a terminal. */
export function stringifyJson(value: unknown, indent?: number): string {
  return escapeUnsafe(JSON.stringify(value, null, indent));
}

/**
 * The same text as `stringifyJson(value, indent)` for a plain object, in pieces (one per property) whose
 * concatenation is that text. A report of 10,000s of findings is tens of megabytes: one non-Latin-1
 * character anywhere (a dash in one rule's description) makes a single string two bytes a character, and
 * every later pass over it (escaping, encoding for output) twice as slow; pieces keep that to the piece
 * holding the character, and can be written one after another without being joined.
 */
export function stringifyJsonParts(value: object, indent: number): string[] {
  if (!(indent > 0) || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype || 'toJSON' in value) return [stringifyJson(value, indent)];
  const parts: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (v instanceof LazyJsonArray) {
      parts.push(parts.length === 0 ? '{\n' : ',\n', ...lazyArrayParts(key, v, indent));
      continue;
    }
    // `{"key": v}` printed alone carries the property at the depth it has in the whole object; a value
    // JSON leaves out (undefined, a function) prints as `{}` and is left out here too.
    const alone = JSON.stringify({ [key]: v }, null, indent);
    if (alone === '{}') continue;
    parts.push(parts.length === 0 ? '{\n' : ',\n', escapeUnsafe(alone.slice(2, -2)));
  }
  if (parts.length === 0) return ['{}'];
  parts.push('\n}');
  return parts;
}

/**
 * A top-level array for `stringifyJsonParts` whose items are turned into plain values one at a time, as
 * they are printed: tens of thousands of report objects built all at once outlive many young-generation
 * collections, and each collection copies them.
 */
export class LazyJsonArray<T = unknown> {
  constructor(
    readonly items: readonly T[],
    readonly toJson: (item: T) => unknown,
  ) {}
}

/** Items printed in one piece: big enough that pieces are few, small enough to stay cheap to join. */
const ITEMS_PER_PIECE = 256;

function lazyArrayParts(key: string, array: LazyJsonArray, indent: number): string[] {
  const head = JSON.stringify({ [key]: [] }, null, indent);
  if (array.items.length === 0) return [head.slice(2, -2)];
  // `{"k": [item]}` printed alone gives the item at its depth: what lies between `[\n` and `\n<pad>]\n}`.
  const pad = ' '.repeat(indent);
  const before = `{\n${pad}"k": [\n`.length;
  const after = `\n${pad}]\n}`.length;
  const parts = [`${head.slice(2, -4)}[\n`];
  let batch: string[] = [];
  for (const item of array.items) {
    batch.push(JSON.stringify({ k: [array.toJson(item)] }, null, indent).slice(before, -after));
    if (batch.length === ITEMS_PER_PIECE) {
      parts.push(escapeUnsafe(batch.join(',\n')), ',\n');
      batch = [];
    }
  }
  if (batch.length > 0) parts.push(escapeUnsafe(batch.join(',\n')));
  else parts.pop();
  parts.push(`\n${pad}]`);
  return parts;
}

function escapeUnsafe(text: string): string {
  // Pure ASCII (one byte per character in UTF-8) can only hold DEL of the unsafe characters: two native
  // scans instead of a regular expression over the whole text.
  if (Buffer.byteLength(text, 'utf8') === text.length && !text.includes('\u007f')) return text;
  return text.replace(RAW_UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
