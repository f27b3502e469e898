import type { ReactNode } from 'react';

/**
 * Characters that change how text looks without showing themselves: C0 and C1 controls, DEL, bidi
 * embeddings, overrides, isolates and marks, zero-width characters, line and paragraph separators, BOM.
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

/** How one invisible character is shown: the Control Pictures block for C0 and DEL, else its code point. */
export function markerFor(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x20) return String.fromCodePoint(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The same text as a plain string with every invisible character as its marker, for places that hold only text (an `<option>`). */
export function visibleString(text: string): string {
  return text.replace(INVISIBLE, markerFor);
}

/**
 * Evidence as text only: React puts it in text nodes (never HTML), and every invisible or reordering
 * character is replaced by a visible, labelled marker, so `\u202e` cannot flip what a reader sees and a CR
 * cannot hide the start of a log line.
 */
export function VisibleText(props: { readonly text: string }): ReactNode {
  const parts: ReactNode[] = [];
  let last = 0;
  let key = 0;
  for (const match of props.text.matchAll(INVISIBLE)) {
    const index = match.index;
    if (index > last) parts.push(props.text.slice(last, index));
    const marker = markerFor(match[0]);
    parts.push(
      <span key={key++} className="ctl" title={`invisible character ${marker}`} data-ctl={marker}>
        {marker}
      </span>,
    );
    last = index + match[0].length;
  }
  if (last < props.text.length) parts.push(props.text.slice(last));
  return <bdi className="visible-text">{parts}</bdi>;
}
