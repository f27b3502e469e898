import { describe, expect, it } from 'vitest';
import { escapeHtml, htmlText } from './escape-html.js';

describe('escapeHtml', () => {
  it('escapes the five characters that can open a tag, an entity or leave an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeHtml('C:\\inetpub\\wwwroot plain text')).toBe('C:\\inetpub\\wwwroot plain text');
  });
});

describe('htmlText', () => {
  it('shows terminal escapes, bidi overrides, line separators and zero-width characters as badges', () => {
    expect(htmlText('a\u001b[31mb')).toBe('a<span class="cc">\\x1b</span>[31mb');
    expect(htmlText('invoice\u202efdp.exe')).toBe('invoice<span class="cc">\\u202e</span>fdp.exe');
    expect(htmlText('x\u2028y\u2029z')).toBe('x<span class="cc">\\u2028</span>y<span class="cc">\\u2029</span>z');
    expect(htmlText('java\u200bscript:\ufeff')).toBe('java<span class="cc">\\u200b</span>script:<span class="cc">\\ufeff</span>');
    expect(htmlText('u_ex\ud800.log')).toBe('u_ex<span class="cc">\\ud800</span>.log');
    expect(htmlText('\u0000\u009b')).toBe('<span class="cc">\\x00</span><span class="cc">\\x9b</span>');
  });

  it('escapes markup before adding badges, so a payload built around a control character stays text', () => {
    expect(htmlText('<scr\u001bipt>')).toBe('&lt;scr<span class="cc">\\x1b</span>ipt&gt;');
    expect(htmlText('<span class="cc">')).toBe('&lt;span class=&quot;cc&quot;&gt;');
  });

  it('keeps newlines and tabs of excerpts only when asked, and always marks a carriage return', () => {
    expect(htmlText('a\r\n\tb')).toBe('a<span class="cc">\\r</span><span class="cc">\\n</span><span class="cc">\\t</span>b');
    expect(htmlText('a\r\n\tb', { keepLayout: true })).toBe('a<span class="cc">\\r</span>\n\tb');
  });
});
