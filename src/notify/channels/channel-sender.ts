import type { NotifyEvent } from '../notify-event.js';

/** How one attempt went. */
export interface SendResult {
  readonly ok: boolean;
  /** The receiver's HTTP status or SMTP reply code, when it answered. */
  readonly status?: number;
  readonly error?: string;
  /** The receiver asked to wait this long before the next attempt. */
  readonly retryAfterMs?: number;
  /** 410 Gone: the receiver is gone for good; the channel is disabled. */
  readonly gone?: boolean;
  /** Retrying cannot help (refused by policy, SMTP 5xx): the delivery is dead at once. */
  readonly permanent?: boolean;
}

/** One message to send: its events (most urgent first) and its id, the same on every retry. */
export interface OutgoingMessage {
  readonly webhookId: string;
  readonly events: readonly NotifyEvent[];
}

/** What renderers need beside the events. */
export interface RenderContext {
  /** The UI's address, no trailing slash. */
  readonly publicUrl: string;
  readonly version: string;
  readonly now: Date;
}
