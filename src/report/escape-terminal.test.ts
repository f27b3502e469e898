import { describe, expect, it } from 'vitest';
import { escapeTerminal } from './escape-terminal.js';

/** Anything a terminal would act on rather than print, as left by escapeTerminal. */
const TERMINAL_ACTIVE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/u;

describe('escapeTerminal', () => {
  it('leaves ordinary text, Windows paths and non-Latin text alone', () => {
    for (const text of ['GET /default.aspx 200', 'C:\\inetpub\\logs\\LogFiles\\W3SVC1\\u_ex240501.log', 'Zürich 東京 مرحبا 😀']) {
      expect(escapeTerminal(text)).toBe(text);
    }
  });

  it('shows an OSC title change as text', () => {
    expect(escapeTerminal('a\u001b]0;pwn\u0007b')).toBe('a\\x1b]0;pwn\\x07b');
  });

  it('shows CSI cursor moves, screen erase and a C1 CSI as text', () => {
    expect(escapeTerminal('\u001b[2J\u001b[H\u001b[1A\u001b[2Kok')).toBe('\\x1b[2J\\x1b[H\\x1b[1A\\x1b[2Kok');
    expect(escapeTerminal('\u009b31mred')).toBe('\\x9b31mred');
  });

  it('names CR, LF and TAB so a line cannot overwrite or split itself', () => {
    expect(escapeTerminal('status 404\rstatus 200\nnext\tcol')).toBe('status 404\\rstatus 200\\nnext\\tcol');
  });

  it('escapes NUL, BEL, backspace, DEL and the rest of C0 and C1', () => {
    expect(escapeTerminal('\u0000\u0007\u0008\u000b\u000c\u001f\u007f\u0080\u009f')).toBe('\\x00\\x07\\x08\\x0b\\x0c\\x1f\\x7f\\x80\\x9f');
  });

  it('escapes bidi overrides, embeddings, isolates and marks (Trojan Source)', () => {
    expect(escapeTerminal('invoice\u202efdp.exe')).toBe('invoice\\u202efdp.exe');
    expect(escapeTerminal('\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c')).toBe(
      '\\u202a\\u202b\\u202c\\u202d\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c',
    );
  });

  it('escapes Unicode line and paragraph separators', () => {
    expect(escapeTerminal('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c');
  });

  it('escapes lone surrogates but keeps real pairs', () => {
    expect(escapeTerminal('x\ud800y\udfffz')).toBe('x\\ud800y\\udfffz');
    expect(escapeTerminal('\udc00\ud83d\ude00\ud83d')).toBe('\\udc00\ud83d\ude00\\ud83d');
  });

  it('leaves nothing a terminal acts on, for every code unit below U+3000 and the surrogates', () => {
    let all = '';
    for (let code = 0; code < 0x3000; code += 1) all += String.fromCharCode(code);
    for (let code = 0xd800; code < 0xe000; code += 1) all += `${String.fromCharCode(code)}.`;
    expect(TERMINAL_ACTIVE.test(escapeTerminal(all))).toBe(false);
  });
});
