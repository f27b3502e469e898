const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Lower-cases text for case-insensitive matching. ASCII text folds as usual; a non-ASCII character whose
 * lower case would contain ASCII (the Kelvin sign, dotted capital I) is kept as is, so that an ASCII
 * needle found in folded text is always found, ASCII-case-insensitively, in the original — which is
 * what keeps needle pre-filters sound.
 */
export function foldCase(text: string): string {
  const lower = text.toLowerCase();
  if (!NON_ASCII.test(text)) return lower;
  let out = '';
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) {
      out += ch.toLowerCase();
      continue;
    }
    const folded = ch.toLowerCase();
    out += NON_ASCII_ONLY.test(folded) ? folded : ch;
  }
  return out;
}

const NON_ASCII_ONLY = /^[^\x00-\x7f]*$/;
