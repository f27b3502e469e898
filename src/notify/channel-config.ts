import { isIP } from 'node:net';
import { DEFAULT_POLICY, type OutboundPolicy } from './outbound-policy.js';

export const CHANNEL_KINDS = ['webhook', 'slack', 'teams', 'email', 'syslog'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** A generic receiver signing with Standard Webhooks 1.0. */
export interface WebhookConfig {
  readonly url: string;
  /** `whsec_` + base64 of 24–64 random bytes. */
  readonly secret: string;
}

/** A Slack incoming webhook or a Teams Workflows webhook: the URL is the whole secret. */
export interface UrlConfig {
  readonly url: string;
}

export interface EmailConfig {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (465). */
  readonly secure?: boolean;
  /** Refuse to send unless the server upgrades with STARTTLS (587). */
  readonly requireTLS?: boolean;
  readonly username?: string;
  readonly password?: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly maxConnections?: number;
  /** Messages per second across the pool. */
  readonly rateLimit?: number;
  /** PEM of a private certificate authority. */
  readonly ca?: string;
}

export interface SyslogConfig {
  readonly host: string;
  readonly port: number;
  /** RFC 6587 octet counting over plain TCP, or RFC 5425 over TLS. */
  readonly transport: 'tcp' | 'tls';
  readonly ca?: string;
  /** The HOSTNAME field; default: the server's host name. */
  readonly hostname?: string;
}

export type ChannelConfig =
  | { readonly kind: 'webhook'; readonly config: WebhookConfig }
  | { readonly kind: 'slack'; readonly config: UrlConfig }
  | { readonly kind: 'teams'; readonly config: UrlConfig }
  | { readonly kind: 'email'; readonly config: EmailConfig }
  | { readonly kind: 'syslog'; readonly config: SyslogConfig };

/** A configuration a user sent that cannot be used; the message says what to fix, in one sentence. */
export class ChannelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelConfigError';
  }
}

const ADDRESS = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+$/;

/** Checks a channel's configuration as a user sent it and returns it typed, with what listing may show. */
export function parseChannelConfig(kind: string, raw: unknown, policy: OutboundPolicy = DEFAULT_POLICY): { readonly channel: ChannelConfig; readonly summary: string } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ChannelConfigError('config must be an object');
  const config = raw as Record<string, unknown>;
  switch (kind) {
    case 'webhook': {
      const url = httpUrl(config['url'], policy);
      const secret = webhookSecret(config['secret']);
      return { channel: { kind, config: { url: url.href, secret } }, summary: redactUrl(url) };
    }
    case 'slack':
    case 'teams': {
      const url = httpUrl(config['url'], policy);
      // Office 365 connectors are being retired: accepted, but the listing says to move to a Workflows webhook.
      const legacy = kind === 'teams' && /(^|\.)webhook\.office\.com$/i.test(url.hostname) ? ' (legacy Office 365 connector: replace it with a Workflows webhook)' : '';
      return { channel: { kind, config: { url: url.href } }, summary: redactUrl(url) + legacy };
    }
    case 'email': {
      const host = hostName(config['host'], policy);
      const port = portNumber(config['port'], 587);
      const from = address(config['from'], 'from');
      const toRaw = config['to'];
      const to = (Array.isArray(toRaw) ? toRaw : [toRaw]).map((item) => address(item, 'to'));
      if (to.length === 0 || to.length > 50) throw new ChannelConfigError('to must list 1 to 50 addresses');
      const email: EmailConfig = {
        host,
        port,
        from,
        to,
        ...optionalBoolean(config, 'secure'),
        ...optionalBoolean(config, 'requireTLS'),
        ...optionalString(config, 'username', 256),
        ...optionalString(config, 'password', 1024),
        ...optionalString(config, 'ca', 65536),
        ...optionalInteger(config, 'maxConnections', 1, 20),
        ...optionalInteger(config, 'rateLimit', 1, 100),
      };
      return { channel: { kind, config: email }, summary: `${to.join(', ')} via ${host}:${port}` };
    }
    case 'syslog': {
      const host = hostName(config['host'], policy);
      const transport = config['transport'] ?? 'tls';
      if (transport !== 'tcp' && transport !== 'tls') throw new ChannelConfigError('transport must be "tcp" or "tls"');
      const port = portNumber(config['port'], transport === 'tls' ? 6514 : 601);
      const syslog: SyslogConfig = { host, port, transport, ...optionalString(config, 'ca', 65536), ...optionalString(config, 'hostname', 255) };
      if (syslog.hostname !== undefined && !/^[!-~]{1,255}$/.test(syslog.hostname)) throw new ChannelConfigError('hostname must be printable ASCII without spaces');
      return { channel: { kind, config: syslog }, summary: `${transport}://${host}:${port}` };
    }
    default:
      throw new ChannelConfigError(`kind must be one of ${CHANNEL_KINDS.join(', ')}`);
  }
}

/** The secret's key bytes: the base64 after `whsec_`. */
export function webhookKey(secret: string): Buffer {
  return Buffer.from(secret.slice('whsec_'.length), 'base64');
}

function webhookSecret(value: unknown): string {
  if (typeof value !== 'string' || !/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(value)) throw new ChannelConfigError('secret must be "whsec_" followed by base64');
  const bytes = webhookKey(value).length;
  if (bytes < 24 || bytes > 64) throw new ChannelConfigError('secret must encode 24 to 64 bytes');
  return value;
}

function httpUrl(value: unknown, policy: OutboundPolicy): URL {
  if (typeof value !== 'string' || value.length > 2048) throw new ChannelConfigError('url must be an http or https URL of at most 2048 characters');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ChannelConfigError('url is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ChannelConfigError('url must use http or https');
  if (url.username !== '' || url.password !== '') throw new ChannelConfigError('url must not carry a user name or password');
  const why = policy.deny(url.hostname);
  if (why !== undefined) throw new ChannelConfigError(`url is not allowed: ${why}`);
  return url;
}

function hostName(value: unknown, policy: OutboundPolicy): string {
  if (typeof value !== 'string' || !(isIP(value) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(value))) throw new ChannelConfigError('host must be a host name or an IP address');
  const why = policy.deny(value);
  if (why !== undefined) throw new ChannelConfigError(`host is not allowed: ${why}`);
  return value;
}

function portNumber(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) throw new ChannelConfigError('port must be an integer from 1 to 65535');
  return value;
}

function address(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length > 254 || !ADDRESS.test(value)) throw new ChannelConfigError(`${field} must be plain e-mail addresses (name@domain)`);
  return value;
}

function optionalBoolean(config: Record<string, unknown>, key: string): Record<string, boolean> {
  const value = config[key];
  if (value === undefined) return {};
  if (typeof value !== 'boolean') throw new ChannelConfigError(`${key} must be true or false`);
  return { [key]: value };
}

function optionalString(config: Record<string, unknown>, key: string, max: number): Record<string, string> {
  const value = config[key];
  if (value === undefined) return {};
  if (typeof value !== 'string' || value.length > max) throw new ChannelConfigError(`${key} must be a string of at most ${max} characters`);
  return { [key]: value };
}

function optionalInteger(config: Record<string, unknown>, key: string, min: number, max: number): Record<string, number> {
  const value = config[key];
  if (value === undefined) return {};
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new ChannelConfigError(`${key} must be an integer from ${min} to ${max}`);
  return { [key]: value };
}

/** A URL as listing shows it: scheme and host only (Slack and Teams URLs carry their secret in the path). */
function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}/…`;
}
