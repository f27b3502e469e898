/**
 * Characters a terminal acts on instead of printing, or that reorder what it prints:
 * C0 controls, DEL, C1 controls (U+009B is a one-character CSI on many terminals), the Unicode bidi
 * embeddings, overrides, isolates and marks ("Trojan Source"), the line and paragraph separators, and
 * lone surrogates (which the `u` flag lets a class match only when unpaired).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Renders attacker-controlled text so that it shows every control, bidi and unpaired-surrogate character
 * as a visible escape (`\x1b`, `\n`, `\u202e`, `\ud800`) and cannot move the cursor, retitle the
 * terminal, erase the screen or reorder a line.
 *
 * Backslashes are left as they are: Windows paths are everywhere in IIS evidence, and a literal `\x1b`
 * typed by an attacker only looks like an escape — it cannot act as one.
 */
export function escapeTerminal(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/**
 * Replaces each character `escapeTerminal` would escape with what `show` makes of it, given its visible
 * escape (`\x1b`) and the character itself: the HTML report wraps the escape in a badge, and keeps the
 * newlines and tabs of a multi-line excerpt as they are.
 */
export function replaceUnsafe(text: string, show: (escape: string, char: string) => string): string {
  return text.replace(UNSAFE, (char) => show(escapeOne(char), char));
}

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  const hex = code.toString(16);
  return code <= 0xff ? `\\x${hex.padStart(2, '0')}` : `\\u${hex.padStart(4, '0')}`;
}
