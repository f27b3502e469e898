/**
 * What `JSON.stringify` leaves raw that a terminal or a line-splitter would act on: DEL, C1 controls,
 * bidi controls and U+2028/U+2029. C0 controls and lone surrogates it already escapes. These characters
 * only ever occur inside JSON strings, so writing them as `\uXXXX` there changes no parsed value.
 */
const RAW_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Serializes a value as JSON that parses back to the same value and is safe to print on a terminal. */
export function stringifyJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(RAW_UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
