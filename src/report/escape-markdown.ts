import { escapeTerminal } from './escape-terminal.js';

/**
 * Characters that make CommonMark/GFM do something in running text: emphasis, code, links, raw HTML and
 * autolinks (`<`), entities (`&`), table cells (`|`) and strikethrough (`~`). Each is backslash-escaped,
 * which CommonMark allows before any ASCII punctuation.
 */
const INLINE_ACTIVE = /[\\`*_[\]<>|&~]/g;

/**
 * Text for running Markdown (titles, descriptions, cells): controls made visible as in the terminal, then
 * every active character escaped, so the text renders as written and never as HTML, a link or a table break.
 */
export function escapeMarkdown(text: string): string {
  return escapeTerminal(text).replace(INLINE_ACTIVE, '\\$&');
}

/**
 * Attacker-controlled text (paths, evidence, values) as a code span: nothing inside a code span is markup,
 * HTML or a link, and the fence is one backtick longer than any run inside. Controls are made visible, so the
 * span stays on one line. In a table cell (`inTable`) pipes are escaped, because GFM splits a row at its pipes
 * before it reads code spans (and takes `\|` back to `|` there); elsewhere a backslash would show.
 */
export function markdownCode(text: string, inTable = false): string {
  const escaped = escapeTerminal(text);
  const visible = inTable ? escaped.replace(/\|/g, '\\|') : escaped;
  if (visible === '') return '(empty)';
  const longestRun = (visible.match(/`+/g) ?? []).reduce((longest, run) => Math.max(longest, run.length), 0);
  const fence = '`'.repeat(longestRun + 1);
  // The parser strips one space on each side when both are there: padding lets the text start or end with a backtick or a space.
  const pad = /^[` ]|[` ]$/.test(visible) ? ' ' : '';
  return `${fence}${pad}${visible}${pad}${fence}`;
}
