import { describe, expect, it } from 'vitest';
import type { RenderContext } from '../../src/notify/channels/channel-sender.js';
import { renderEmail } from '../../src/notify/channels/email-channel.js';
import { escapeSlack, renderSlack } from '../../src/notify/channels/slack-channel.js';
import { escapeCefHeader, escapeCefValue, escapeSdValue, frameOctets, renderCef, renderSyslog } from '../../src/notify/channels/syslog-channel.js';
import { escapeTeams, renderTeams } from '../../src/notify/channels/teams-channel.js';
import { renderWebhook, signWebhook } from '../../src/notify/channels/webhook-channel.js';
import type { NotifyEvent } from '../../src/notify/notify-event.js';
import { HOSTILE, WEBHOOK_SECRET } from './notify-fixtures.js';

const context: RenderContext = { publicUrl: 'https://w3guard.example', version: '0.1.0', now: new Date('2026-11-30T08:00:00Z') };

function event(title: string, options: { readonly fingerprint?: string; readonly label?: string; readonly id?: number } = {}): NotifyEvent {
  return {
    id: `evt_${options.id ?? 1}`,
    type: 'finding.created',
    timestamp: '2026-11-30T07:59:00.000Z',
    data: { finding: { fingerprint: options.fingerprint ?? 'fp/1 2?', ruleId: 'iis-webshell', title, severity: 'critical', asset: `host|${title.slice(0, 20)}`, label: options.label ?? '3d', dueAt: '2026-12-03T00:00:00.000Z', risk: 88 } },
  };
}

/** Every string anywhere in a JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('Standard Webhooks signing', () => {
  it('matches the specification’s example', () => {
    // The example of the Standard Webhooks reference libraries.
    expect(signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('sends a thin body and the headers', () => {
    const signed = renderWebhook({ url: 'https://x.example', secret: WEBHOOK_SECRET }, 'msg_1', event(HOSTILE), context);
    expect(JSON.parse(signed.body)).toEqual({ type: 'finding.created', timestamp: '2026-11-30T07:59:00.000Z', data: event(HOSTILE).data });
    expect(signed.body).not.toMatch(/[\r\n\u202e]/);
    expect(signed.headers).toMatchObject({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(Date.parse('2026-11-30T08:00:00Z') / 1000), 'user-agent': 'w3guard/0.1.0', 'w3guard-event': 'finding.created' });
  });
});

describe('Slack', () => {
  it('escapes only &, < and >', () => {
    expect(escapeSlack('<!channel> <@U1> a & b *c* _d_ `e`')).toBe('&lt;!channel&gt; &lt;@U1&gt; a &amp; b *c* _d_ `e`');
    expect(escapeSlack('x\u202ey\r\nz')).toBe('x\\u202ey\\r\\nz');
  });

  it('neutralises mention injection and keeps within Block Kit limits', () => {
    const long = `${HOSTILE} ${'A'.repeat(5000)}`;
    const message = renderSlack(Array.from({ length: 60 }, (_, i) => event(long, { id: i, fingerprint: `fp-${i}` })), context) as { text: string; blocks: { type: string; text?: { type: string; text: string }; fields?: { text: string }[] }[] };
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(message.text.length).toBeLessThanOrEqual(3000);
    const header = message.blocks[0];
    expect(header?.type).toBe('header');
    expect(Array.from(header?.text?.text ?? '').length).toBeLessThanOrEqual(150);
    for (const block of message.blocks.slice(1)) {
      if (block.text !== undefined) expect(block.text.text.length).toBeLessThanOrEqual(3000);
      for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(2000);
    }
    const text = strings(message).join(' ');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<@U123>');
    expect(text).not.toContain('<script>');
    expect(text).not.toMatch(/[\r\u202e]/);
    expect(text).not.toContain('Injected: yes\n');
    expect(text).toContain('&lt;!channel&gt;');
    expect(strings(message.blocks.at(-1)).join('')).toContain('and 40 more');
  });

  it('links each finding to its page', () => {
    const message = renderSlack([event('t', { fingerprint: 'a/b c' })], context) as { blocks: { accessory?: { url: string } }[] };
    expect(message.blocks[1]?.accessory?.url).toBe('https://w3guard.example/findings/a%2Fb%20c');
  });
});

describe('Teams', () => {
  it('posts one Adaptive Card 1.2 in the message envelope with escaped text', () => {
    const card = renderTeams([event(HOSTILE)], context) as { type: string; attachments: { contentType: string; contentUrl: null; content: { type: string; version: string; body: unknown[] } }[] };
    expect(card.type).toBe('message');
    expect(card.attachments[0]).toMatchObject({ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: { type: 'AdaptiveCard', version: '1.2' } });
    const text = strings(card.attachments[0]?.content.body).join(' ');
    expect(text).not.toContain('[x](http://evil.example)');
    expect(text).not.toContain('<script>');
    expect(text).not.toMatch(/[\r\n\u202e]/);
    expect(text).toContain('\\[x\\]\\(http://evil.example\\)');
    expect(JSON.stringify(card)).toContain('"type":"Action.OpenUrl"');
    expect(escapeTeams('- item')).toBe('\\- item');
    expect(escapeTeams('1. item')).toBe('1\\. item');
  });

  it('keeps cards small', () => {
    const card = renderTeams(Array.from({ length: 200 }, (_, i) => event(`${HOSTILE} ${'B'.repeat(3000)}`, { id: i })), context);
    expect(JSON.stringify(card).length).toBeLessThan(28_000);
  });
});

describe('e-mail', () => {
  it('keeps titles out of the subject and escapes HTML', () => {
    const mail = renderEmail([event(HOSTILE), event('second', { label: '14d', id: 2 })], context);
    expect(mail.subject).toBe('[w3guard] 2 notifications, most urgent: New finding [3d]');
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('<span class="cc">\\u202e</span>');
    expect(mail.html).toContain('href="https://w3guard.example/findings/fp%2F1%202%3F"');
    expect(mail.text).toContain('<script>alert(1)</script>');
    expect(mail.text).not.toMatch(/Injected: yes\s*\n/);
    expect(mail.text).not.toContain('\u202e');
  });
});

describe('syslog and CEF', () => {
  it('escapes CEF header and extension characters and neutralises controls', () => {
    expect(escapeCefHeader('a|b\\c\r\nd')).toBe('a\\|b\\\\c\uFFFD\uFFFDd');
    expect(escapeCefValue('a=b\\c\r\nd\u202e')).toBe('a\\=b\\\\c\\r\\nd\uFFFD');
    expect(escapeSdValue('a"b\\c]d\ne')).toBe('a\\"b\\\\c\\]d\uFFFDe');
  });

  it('renders one RFC 5424 line with CEF that a parser splits correctly', () => {
    const line = renderSyslog(event(HOSTILE), context, { hostname: 'w3g host' });
    expect(line).not.toMatch(/[\r\n\u202e]/);
    expect(line).toMatch(/^<107>1 2026-11-30T08:00:00.000Z w3ghost w3guard \d+ finding.created \[w3guard@32473 event="finding.created" id="evt_1" label="3d"\] CEF:0\|/);
    const parts = splitCef(line.slice(line.indexOf('CEF:0|')));
    expect(parts.slice(0, 7)).toEqual(['CEF:0', 'w3guard', 'w3guard', '0.1.0', 'finding.created', expect.stringContaining('New finding [3d]') as unknown as string, '8']);
    expect(parts).toHaveLength(8);
    const extension = parts[7] ?? '';
    const keys = [...extension.matchAll(/(?:^| )([A-Za-z0-9]+)=/g)].map((m) => m[1]);
    expect(keys).toEqual(['rt', 'externalId', 'act', 'dhost', 'cs1Label', 'cs1', 'cs2Label', 'cs2', 'cs3Label', 'cs3', 'cs4Label', 'cs4', 'request', 'msg']);
    expect(extension).toContain('msg=<!channel> <@U123> <script>alert(1)</script> a|b\\=c\\\\d "q" ] \\r\\nInjected: yes \uFFFDevil\uFFFD');
    expect(renderCef(event('x', { label: 'incident' }), context)).toMatch(/\|10\|/);
  });

  it('frames by octets, counting bytes', () => {
    expect(frameOctets('é')).toBe('2 é');
  });
});

/** Splits CEF as a SIEM does: seven header fields separated by unescaped pipes, then the extension as it is. */
function splitCef(cef: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < cef.length; i += 1) {
    const char = cef[i] ?? '';
    if (parts.length === 7) {
      current += cef.slice(i);
      break;
    }
    if (char === '\\') {
      current += char + (cef[i + 1] ?? '');
      i += 1;
    } else if (char === '|') {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}
