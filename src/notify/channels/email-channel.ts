import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { escapeHtml, htmlText } from '../../report/escape-html.js';
import type { EmailConfig } from '../channel-config.js';
import type { NotifyEvent } from '../notify-event.js';
import type { OutgoingMessage, RenderContext, SendResult } from './channel-sender.js';
import { oneLine, summarizeEvent, truncate } from './event-summary.js';

/** A rendered e-mail. */
export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const EVENTS_MAX = 100;

/**
 * The subject holds only our own words (event, label, counts): never a title or evidence, which could carry
 * header injection or a phishing line into an inbox list. CR, LF and controls are removed all the same.
 */
export function renderEmail(events: readonly NotifyEvent[], context: RenderContext): EmailMessage {
  const summaries = events.map((event) => summarizeEvent(event, context.publicUrl));
  const first = summaries[0];
  const subjectRaw = first === undefined ? '[w3guard] nothing new' : summaries.length === 1 ? `[w3guard] ${first.headline}` : `[w3guard] ${summaries.length} notifications, most urgent: ${first.headline}`;
  const subject = subjectRaw.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').slice(0, 200);
  const shown = summaries.slice(0, EVENTS_MAX);
  const more = summaries.length - shown.length;
  const text = [
    ...shown.map((s) => [`${s.headline}: ${oneLine(truncate(s.title, 500))}`, ...s.fields.map(([name, value]) => `  ${name}: ${oneLine(truncate(value, 500))}`), ...(s.link === undefined ? [] : [`  ${s.link}`]), ''].join('\n')),
    ...(more > 0 ? [`and ${more} more: ${context.publicUrl}/findings`] : []),
    `w3guard ${context.version}`,
  ].join('\n');
  const items = shown
    .map(
      (s) =>
        `<li><p><strong>${escapeHtml(s.headline)}</strong>: ${htmlText(truncate(s.title, 500))}</p><table>${s.fields
          .map(([name, value]) => `<tr><th align="left">${escapeHtml(name)}</th><td>${htmlText(truncate(value, 500))}</td></tr>`)
          .join('')}</table>${s.link === undefined ? '' : `<p><a href="${escapeHtml(s.link)}">Open in w3guard</a></p>`}</li>`,
    )
    .join('\n');
  const html = `<!doctype html><html><body><ul>\n${items}\n</ul>${more > 0 ? `<p>and ${more} more: <a href="${escapeHtml(`${context.publicUrl}/findings`)}">open w3guard</a></p>` : ''}<p>w3guard ${escapeHtml(context.version)}</p></body></html>`;
  return { subject, text, html };
}

/** Pooled SMTP transports, one per channel configuration, reused across deliveries and closed together. */
export class MailTransports {
  readonly #pools = new Map<string, Transporter>();

  get(config: EmailConfig): Transporter {
    const key = JSON.stringify(config);
    let transport = this.#pools.get(key);
    if (transport === undefined) {
      transport = nodemailer.createTransport({
        pool: true,
        host: config.host,
        port: config.port,
        secure: config.secure ?? config.port === 465,
        requireTLS: config.requireTLS ?? false,
        maxConnections: config.maxConnections ?? 2,
        maxMessages: 100,
        rateDelta: 1000,
        rateLimit: config.rateLimit ?? 5,
        connectionTimeout: 15_000,
        greetingTimeout: 15_000,
        socketTimeout: 30_000,
        ...(config.username === undefined ? {} : { auth: { user: config.username, pass: config.password ?? '' } }),
        ...(config.ca === undefined ? {} : { tls: { ca: config.ca } }),
      });
      this.#pools.set(key, transport);
    }
    return transport;
  }

  close(): void {
    for (const transport of this.#pools.values()) transport.close();
    this.#pools.clear();
  }
}

/** Sends one multipart (text + HTML) message to the channel's recipients. SMTP 5xx is permanent; 4xx and connection errors are retried. */
export async function sendEmail(config: EmailConfig, message: OutgoingMessage, context: RenderContext, transports: MailTransports): Promise<SendResult> {
  const mail = renderEmail(message.events, context);
  try {
    await transports.get(config).sendMail({
      from: config.from,
      to: [...config.to],
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: `<${message.webhookId}@w3guard>`,
      headers: { 'X-W3guard-Delivery': message.webhookId },
    });
    return { ok: true, status: 250 };
  } catch (error) {
    const failure = error as { responseCode?: unknown; code?: unknown; message?: unknown };
    const status = typeof failure.responseCode === 'number' ? failure.responseCode : undefined;
    const detail = typeof failure.message === 'string' ? failure.message : String(error);
    return {
      ok: false,
      ...(status === undefined ? {} : { status }),
      error: `the mail server refused or could not be reached: ${oneLine(truncate(detail, 300))}`,
      ...((status !== undefined && status >= 500) || failure.code === 'EAUTH' ? { permanent: true } : {}),
    };
  }
}
