import { stringifyJson } from '../../report/stringify-json.js';
import type { UrlConfig } from '../channel-config.js';
import type { NotifyEvent } from '../notify-event.js';
import type { OutboundPolicy } from '../outbound-policy.js';
import type { OutgoingMessage, RenderContext, SendResult } from './channel-sender.js';
import { oneLine, summarizeEvent, truncate } from './event-summary.js';
import { postJson } from './http-post.js';

/** Slack's limits: header text 150, section text 3000, field 2000, 10 fields, 50 blocks, button text 75. */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const BUTTON_URL_MAX = 3000;
/** Header, then two blocks per event (section with its button, context), then one "and N more". */
const EVENTS_MAX = 20;

/**
 * Text for mrkdwn: `&`, `<` and `>` become entities and nothing else is touched (Slack reads only those as
 * control characters). That neutralises `<!channel>`, `<@U123>` and `<http://x|label>` links from attacker text.
 * Controls and bidi characters are shown as visible escapes first, so a title cannot reorder or break a line.
 */
export function escapeSlack(text: string): string {
  return oneLine(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escaped text of at most `max` characters, cut before escaping so that no entity is split, and cut further
 * when escaping made it longer. Slack reads the three entities in plain_text too.
 */
export function fitSlack(text: string, max: number): string {
  let keep = max;
  for (;;) {
    const escaped = escapeSlack(truncate(text, keep));
    if (escaped.length <= max || keep <= 1) return escaped.slice(0, max);
    keep -= Math.max(escaped.length - max, 1);
  }
}

/** A Block Kit message: header, then per event a section (title, fields, a button to the finding) and a context line. */
export function renderSlack(events: readonly NotifyEvent[], context: RenderContext): Record<string, unknown> {
  const summaries = events.map((event) => summarizeEvent(event, context.publicUrl));
  const first = summaries[0];
  const headerText = summaries.length === 1 && first !== undefined ? `${first.headline}: ${first.title}` : `w3guard: ${summaries.length} notifications${first === undefined ? '' : `, most urgent: ${first.headline}`}`;
  const blocks: Record<string, unknown>[] = [{ type: 'header', text: { type: 'plain_text', text: fitSlack(headerText, HEADER_MAX), emoji: false } }];
  for (const summary of summaries.slice(0, EVENTS_MAX)) {
    const section: Record<string, unknown> = {
      type: 'section',
      text: { type: 'mrkdwn', text: `*${escapeSlack(summary.headline)}*\n${fitSlack(summary.title, SECTION_MAX - 200)}` },
      fields: summary.fields.slice(0, 10).map(([name, value]) => ({ type: 'mrkdwn', text: `*${escapeSlack(name)}*\n${fitSlack(value, FIELD_MAX - 100)}` })),
    };
    if (summary.link !== undefined && summary.link.length <= BUTTON_URL_MAX) {
      section['accessory'] = { type: 'button', text: { type: 'plain_text', text: 'Open in w3guard', emoji: false }, url: summary.link };
    }
    blocks.push(section);
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: fitSlack(summary.label === undefined ? summary.headline : `label ${summary.label} · severity ${summary.severity ?? 'n/a'}`, SECTION_MAX) }] });
  }
  if (summaries.length > EVENTS_MAX) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `and ${summaries.length - EVENTS_MAX} more: <${escapeSlack(`${context.publicUrl}/findings`)}|open w3guard>` }] });
  }
  const fallback = summaries.map((summary) => `${summary.headline}: ${summary.title}`).join('\n');
  return { text: fitSlack(fallback, SECTION_MAX), blocks };
}

export async function sendSlack(config: UrlConfig, message: OutgoingMessage, context: RenderContext, policy: OutboundPolicy): Promise<SendResult> {
  return postJson(config.url, stringifyJson(renderSlack(message.events, context)), { 'user-agent': `w3guard/${context.version}` }, policy);
}
