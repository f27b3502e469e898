import { stringifyJson } from '../../report/stringify-json.js';
import type { UrlConfig } from '../channel-config.js';
import type { NotifyEvent } from '../notify-event.js';
import type { OutboundPolicy } from '../outbound-policy.js';
import type { OutgoingMessage, RenderContext, SendResult } from './channel-sender.js';
import { oneLine, summarizeEvent, truncate } from './event-summary.js';
import { postJson } from './http-post.js';

/** Workflows take about 28 KB: a handful of events per card, the rest behind a link. */
const EVENTS_MAX = 8;
const TEXT_MAX = 400;

/**
 * Text for Adaptive Card TextBlocks and facts, which render a Markdown subset: every character that opens
 * emphasis, a link, code or HTML is backslash-escaped (and a leading list marker), after controls and bidi
 * characters are made visible.
 */
export function escapeTeams(text: string): string {
  // Controls are visible escapes, so the text is one line: only its start can open a list.
  return oneLine(text)
    .replace(/[\\`*_[\]()<>#~|]/g, '\\$&')
    .replace(/^([-+])(?=\s)/, '\\$1')
    .replace(/^(\d+)\.(?=\s)/, '$1\\.');
}

/** The message envelope with one Adaptive Card 1.2 (Workflows: "When a Teams webhook request is received"). */
export function renderTeams(events: readonly NotifyEvent[], context: RenderContext): Record<string, unknown> {
  const summaries = events.map((event) => summarizeEvent(event, context.publicUrl));
  const first = summaries[0];
  const body: Record<string, unknown>[] = [
    {
      type: 'TextBlock',
      size: 'Medium',
      weight: 'Bolder',
      wrap: true,
      text: escapeTeams(summaries.length === 1 && first !== undefined ? first.headline : `w3guard: ${summaries.length} notifications`),
    },
  ];
  for (const summary of summaries.slice(0, EVENTS_MAX)) {
    const items: Record<string, unknown>[] = [
      { type: 'TextBlock', weight: 'Bolder', wrap: true, text: escapeTeams(truncate(summary.title, TEXT_MAX)), ...(summary.label === 'incident' ? { color: 'Attention' } : {}) },
      { type: 'FactSet', facts: summary.fields.map(([title, value]) => ({ title: escapeTeams(title), value: escapeTeams(truncate(value, TEXT_MAX)) })) },
    ];
    if (summary.link !== undefined) items.push({ type: 'ActionSet', actions: [{ type: 'Action.OpenUrl', title: 'Open in w3guard', url: summary.link }] });
    body.push({ type: 'Container', separator: true, items });
  }
  if (summaries.length > EVENTS_MAX) body.push({ type: 'TextBlock', wrap: true, isSubtle: true, text: `and ${summaries.length - EVENTS_MAX} more` });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.2',
          body,
          actions: [{ type: 'Action.OpenUrl', title: 'Open w3guard', url: `${context.publicUrl}/findings` }],
        },
      },
    ],
  };
}

export async function sendTeams(config: UrlConfig, message: OutgoingMessage, context: RenderContext, policy: OutboundPolicy): Promise<SendResult> {
  const result = await postJson(config.url, stringifyJson(renderTeams(message.events, context)), { 'user-agent': `w3guard/${context.version}` }, policy);
  // Legacy connectors answer throttling with 200 and "HTTP error 429" in the body.
  if (result.ok && result.text !== undefined && /HTTP error 429/i.test(result.text)) return { ok: false, status: 429, error: 'the receiver is throttling (HTTP error 429 in the answer)' };
  return result;
}
