import { replaceUnsafe } from './escape-terminal.js';

const SPECIAL = /[&<>"']/g;
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Characters that print as nothing and so can hide text inside a word (`java\u200bscript`); the terminal escape leaves them alone. */
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff]/g;

/** Escapes the five characters HTML treats specially, for text and for double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(SPECIAL, (char) => ENTITIES[char] ?? char);
}

/**
 * Renders attacker-controlled text as inert HTML text in which nothing hides: markup is escaped, and every
 * control, bidi, line-separator, zero-width and unpaired-surrogate character becomes a visible badge
 * (`\x1b`, `\u202e`). With `keepLayout`, newlines and tabs stay as they are, for excerpts shown with their
 * whitespace preserved.
 */
export function htmlText(text: string, options: { readonly keepLayout?: boolean } = {}): string {
  const keep = options.keepLayout === true;
  // Entity escaping neither adds nor removes any character the badges are for, and a badge holds only
  // a backslash, letters and hex digits, so the order of the two steps cannot let markup through.
  return replaceUnsafe(escapeHtml(text), (escape, char) => (keep && (char === '\n' || char === '\t') ? char : badge(escape))).replace(INVISIBLE, (char) =>
    badge(`\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
}

function badge(escape: string): string {
  return `<span class="cc">${escape}</span>`;
}
