import { hostname as osHostname } from 'node:os';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { SyslogConfig } from '../channel-config.js';
import type { NotifyEvent } from '../notify-event.js';
import { guardedLookup, type OutboundPolicy } from '../outbound-policy.js';
import type { OutgoingMessage, RenderContext, SendResult } from './channel-sender.js';
import { summarizeEvent, truncate } from './event-summary.js';

/** Private enterprise number 32473 is the one RFC 5612 reserves for documentation and examples. */
const SD_ID = 'w3guard@32473';
/** Facility 13: log audit. */
const FACILITY = 13;
const TIMEOUT_MS = 15_000;

/** C0 and C1 controls, bidi controls, line separators, lone surrogates: neutralised in every field. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/gu;

/** CEF severity per label (platform research §2.6), then per severity for events without a label. */
const LABEL_SEVERITY: Readonly<Record<string, number>> = { incident: 10, '3d-forensic': 9, '3d': 8, '14d': 6, '60d': 4, 'next-upgrade': 2 };
const SEVERITY_SEVERITY: Readonly<Record<string, number>> = { critical: 8, high: 6, medium: 4, low: 2, info: 1 };

/** A CEF header field: `\` and `|` escaped; line breaks and other controls cannot appear, so they become U+FFFD. */
export function escapeCefHeader(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(UNSAFE, '\uFFFD');
}

/** A CEF extension value: `\` and `=` escaped, CR and LF as `\r` and `\n`, other controls as U+FFFD. */
export function escapeCefValue(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/=/g, '\\=')
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    .replace(UNSAFE, '\uFFFD');
}

/** An RFC 5424 SD-PARAM value: `"`, `\` and `]` escaped with a backslash, controls as U+FFFD. */
export function escapeSdValue(text: string): string {
  return text.replace(/["\\\]]/g, '\\$&').replace(UNSAFE, '\uFFFD');
}

/** One event as CEF: `CEF:0|w3guard|w3guard|ver|event|name|severity|extension`. */
export function renderCef(event: NotifyEvent, context: RenderContext): string {
  const summary = summarizeEvent(event, context.publicUrl);
  const severity = summary.label !== undefined ? (LABEL_SEVERITY[summary.label] ?? 5) : summary.severity !== undefined ? (SEVERITY_SEVERITY[summary.severity] ?? 3) : 3;
  const extension: [string, string][] = [
    ['rt', String(Date.parse(event.timestamp) || context.now.getTime())],
    ['externalId', event.id],
    ['act', event.type],
  ];
  const fields = new Map(summary.fields);
  const asset = fields.get('Asset');
  if (asset !== undefined) extension.push(['dhost', truncate(asset, 1023)]);
  const fingerprint = (event.data['finding'] as { fingerprint?: unknown } | undefined)?.fingerprint;
  if (typeof fingerprint === 'string') extension.push(['cs1Label', 'fingerprint'], ['cs1', fingerprint]);
  if (summary.label !== undefined) extension.push(['cs2Label', 'label'], ['cs2', summary.label]);
  const rule = fields.get('Rule');
  if (rule !== undefined) extension.push(['cs3Label', 'rule'], ['cs3', rule]);
  const due = fields.get('Due');
  if (due !== undefined) extension.push(['cs4Label', 'due'], ['cs4', due]);
  if (summary.link !== undefined) extension.push(['request', summary.link]);
  extension.push(['msg', truncate(summary.title, 1023)]);
  const header = ['CEF:0', 'w3guard', 'w3guard', context.version, event.type, truncate(`${summary.headline}: ${summary.title}`, 512), String(severity)].map((part, index) => (index === 0 ? part : escapeCefHeader(part)));
  return `${header.join('|')}|${extension.map(([key, value]) => `${key}=${escapeCefValue(value)}`).join(' ')}`;
}

/** Syslog severity (0 emergency … 7 debug) per label. */
function syslogSeverity(label: string | undefined): number {
  if (label === 'incident') return 2;
  if (label === '3d-forensic' || label === '3d') return 3;
  if (label === '14d') return 4;
  if (label === '60d') return 5;
  return 6;
}

/** RFC 5424 header field (HOSTNAME, APP-NAME, MSGID): printable US-ASCII without spaces, or `-`. */
function headerField(text: string, max: number): string {
  const clean = text.replace(/[^!-~]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
}

/** One RFC 5424 message carrying one event: structured data with ids, CEF as the message. */
export function renderSyslog(event: NotifyEvent, context: RenderContext, config: Pick<SyslogConfig, 'hostname'>): string {
  const summary = summarizeEvent(event, context.publicUrl);
  const pri = FACILITY * 8 + syslogSeverity(summary.label);
  const host = headerField(config.hostname ?? osHostname(), 255);
  const sd = `[${SD_ID} event="${escapeSdValue(event.type)}" id="${escapeSdValue(event.id)}"${summary.label === undefined ? '' : ` label="${escapeSdValue(summary.label)}"`}]`;
  return `<${pri}>1 ${context.now.toISOString()} ${host} w3guard ${process.pid} ${headerField(event.type, 32)} ${sd} ${renderCef(event, context)}`;
}

/** Octet-counting framing (RFC 6587 §3.4.1, RFC 5425 §4.3): `MSG-LEN SP SYSLOG-MSG`, the length in bytes. */
export function frameOctets(message: string): string {
  return `${Buffer.byteLength(message, 'utf8')} ${message}`;
}

/** Sends each event as one framed message on one connection, then closes it. */
export async function sendSyslog(config: SyslogConfig, message: OutgoingMessage, context: RenderContext, policy: OutboundPolicy): Promise<SendResult> {
  const why = policy.deny(config.host);
  if (why !== undefined) return { ok: false, error: `refused: ${why}`, permanent: true };
  const payload = message.events.map((event) => frameOctets(renderSyslog(event, context, config))).join('');
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const done = (result: SendResult): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    const options = { host: config.host, port: config.port, lookup: guardedLookup(policy) };
    const socket: Socket =
      config.transport === 'tls'
        ? tlsConnect({ ...options, ...(isIP(config.host) === 0 ? { servername: config.host } : {}), ...(config.ca === undefined ? {} : { ca: config.ca }) }, () => write())
        : netConnect(options, () => write());
    const write = (): void => {
      socket.end(payload, () => done({ ok: true }));
    };
    socket.setTimeout(TIMEOUT_MS, () => done({ ok: false, error: 'the syslog receiver did not answer in time' }));
    socket.on('error', (error) => done({ ok: false, error: `cannot reach the syslog receiver: ${error.message}`, ...((error as { code?: unknown }).code === 'EW3GPOLICY' ? { permanent: true } : {}) }));
  });
}
