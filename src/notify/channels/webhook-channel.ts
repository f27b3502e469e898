import { createHmac } from 'node:crypto';
import { webhookKey, type WebhookConfig } from '../channel-config.js';
import { stringifyJson } from '../../report/stringify-json.js';
import type { NotifyEvent } from '../notify-event.js';
import type { OutboundPolicy } from '../outbound-policy.js';
import type { OutgoingMessage, RenderContext, SendResult } from './channel-sender.js';
import { postJson } from './http-post.js';

/** A signed request as Standard Webhooks 1.0 defines it. */
export interface SignedWebhook {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The body `{"type","timestamp","data"}` of one event. Thin: the finding's summary and ids, never raw evidence;
 * receivers fetch details from the API. Controls, bidi characters and line separators are `\u` escapes, so a
 * receiver that logs the body raw logs one clean line.
 */
export function renderWebhookBody(event: NotifyEvent): string {
  return stringifyJson({ type: event.type, timestamp: event.timestamp, data: event.data });
}

/** `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the base64-decoded part of the `whsec_` secret. */
export function signWebhook(secret: string, webhookId: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', webhookKey(secret)).update(`${webhookId}.${timestamp}.${body}`).digest('base64')}`;
}

/** The body and headers of one attempt; the timestamp is the attempt's, the id the delivery's. */
export function renderWebhook(config: WebhookConfig, webhookId: string, event: NotifyEvent, context: RenderContext): SignedWebhook {
  const body = renderWebhookBody(event);
  const timestamp = Math.floor(context.now.getTime() / 1000);
  return {
    body,
    headers: {
      'webhook-id': webhookId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(config.secret, webhookId, timestamp, body),
      'user-agent': `w3guard/${context.version}`,
      'w3guard-event': event.type,
    },
  };
}

/** Sends one event (webhook deliveries carry one event each: the id is the receiver's idempotency key). */
export async function sendWebhook(config: WebhookConfig, message: OutgoingMessage, context: RenderContext, policy: OutboundPolicy): Promise<SendResult> {
  const event = message.events[0];
  if (event === undefined) return { ok: true };
  const { body, headers } = renderWebhook(config, message.webhookId, event, context);
  return postJson(config.url, body, headers, policy);
}
