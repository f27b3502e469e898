import type { ChannelConfig, ChannelKind } from './channel-config.js';
import type { OutgoingMessage, RenderContext, SendResult } from './channels/channel-sender.js';
import { MailTransports, sendEmail } from './channels/email-channel.js';
import { sendSlack } from './channels/slack-channel.js';
import { sendSyslog } from './channels/syslog-channel.js';
import { sendTeams } from './channels/teams-channel.js';
import { sendWebhook } from './channels/webhook-channel.js';
import type { OutboundPolicy } from './outbound-policy.js';
import { RateLimiter } from './token-bucket.js';

/** What outlives one dispatch: rate buckets per destination and pooled SMTP connections. */
export class NotifyRuntime {
  readonly limiter = new RateLimiter();
  readonly mail = new MailTransports();

  close(): void {
    this.mail.close();
  }
}

/**
 * Messages per second and burst per destination kind: Slack and Teams about 1/s; SMTP is paced by its
 * pool's own `rateLimit`; signed webhooks and syslog collectors take more.
 */
export const RATES: Readonly<Record<ChannelKind, { readonly rate: number; readonly burst: number } | undefined>> = {
  slack: { rate: 1, burst: 1 },
  teams: { rate: 1, burst: 1 },
  webhook: { rate: 10, burst: 10 },
  syslog: { rate: 50, burst: 50 },
  email: undefined,
};

/** Whether a channel kind takes several events in one message (people), or one event per message (machines keyed by id). */
export function batches(kind: ChannelKind): boolean {
  return kind !== 'webhook';
}

/** Sends one message on one channel, after its destination's rate limit allows it. */
export async function sendMessage(channelId: number, channel: ChannelConfig, message: OutgoingMessage, context: RenderContext, runtime: NotifyRuntime, policy: OutboundPolicy): Promise<SendResult> {
  const rate = RATES[channel.kind];
  if (rate !== undefined) await runtime.limiter.acquire(`channel:${channelId}`, rate.rate, rate.burst);
  switch (channel.kind) {
    case 'webhook':
      return sendWebhook(channel.config, message, context, policy);
    case 'slack':
      return sendSlack(channel.config, message, context, policy);
    case 'teams':
      return sendTeams(channel.config, message, context, policy);
    case 'email': {
      const why = policy.deny(channel.config.host);
      if (why !== undefined) return { ok: false, error: `refused: ${why}`, permanent: true };
      return sendEmail(channel.config, message, context, runtime.mail);
    }
    case 'syslog':
      return sendSyslog(channel.config, message, context, policy);
  }
}
