import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/notify/channels/http-post.js';
import { ruleMatches } from '../../src/notify/match-rule.js';
import { DEFAULT_POLICY, guardedLookup, outboundPolicy } from '../../src/notify/outbound-policy.js';
import { nextAttemptDelay, RETRY_DELAYS_MS } from '../../src/notify/retry-schedule.js';
import { seal, unseal } from '../../src/store/secret-box.js';
import { NotifyRuntime, sendMessage } from '../../src/notify/send-message.js';
import { TokenBucket } from '../../src/notify/token-bucket.js';
import type { NotifyRule } from '../../src/store/notify-store.js';

describe('retry schedule', () => {
  it('follows Standard Webhooks, with jitter, a Retry-After floor and an end', () => {
    expect(RETRY_DELAYS_MS).toEqual([0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000]);
    expect(nextAttemptDelay(1, { random: () => 0 })).toBe(5_000);
    expect(nextAttemptDelay(1, { random: () => 1 })).toBe(5_500);
    expect(nextAttemptDelay(2, { scale: 0.001, random: () => 0 })).toBe(300);
    expect(nextAttemptDelay(1, { retryAfterMs: 60_000, random: () => 0 })).toBe(60_000);
    expect(nextAttemptDelay(10)).toBeUndefined();
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('2015-10-21T07:28:00Z'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('token bucket', () => {
  it('lets one message a second through after the burst', () => {
    const bucket = new TokenBucket(1, 1, 0);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(100)).toBe(900);
    expect(bucket.take(1000)).toBe(0);
  });
});

describe('secret box', () => {
  it('round-trips and refuses another key or purpose', () => {
    const key = randomBytes(32);
    const sealed = seal(key, 'whsec_abc', 'w3guard.channel.webhook');
    expect(sealed).not.toContain('whsec_abc');
    expect(unseal(key, sealed, 'w3guard.channel.webhook')).toBe('whsec_abc');
    expect(() => unseal(randomBytes(32), sealed, 'w3guard.channel.webhook')).toThrow();
    expect(() => unseal(key, sealed, 'w3guard.channel.slack')).toThrow();
    expect(seal(key, 'x', 'p')).not.toBe(seal(key, 'x', 'p'));
  });
});

describe('outbound policy', () => {
  it('refuses link-local and metadata addresses, allows loopback and private ones', () => {
    for (const address of ['169.254.169.254', '::ffff:169.254.169.254', '[fe80::1]', 'fd00:ec2::254', '0.0.0.0']) expect(DEFAULT_POLICY.deny(address)).toBeDefined();
    for (const address of ['127.0.0.1', '::1', '10.1.2.3', '192.168.1.1', 'hooks.slack.com']) expect(DEFAULT_POLICY.deny(address)).toBeUndefined();
    expect(outboundPolicy(['10.0.0.0/8']).deny('10.1.2.3')).toMatch(/denied network/);
  });

  it('checks addresses after DNS resolution', async () => {
    const denyLoopback = outboundPolicy(['127.0.0.0/8']);
    const error = await new Promise<Error | null>((resolve) => guardedLookup(denyLoopback)('localhost', { family: 4 }, (e) => resolve(e)));
    expect(error?.message).toMatch(/refused to connect to localhost/);
    const ok = await new Promise<string>((resolve) => guardedLookup(DEFAULT_POLICY)('localhost', { family: 4 }, (_e, address) => resolve(String(address))));
    expect(ok).toBe('127.0.0.1');
  });

  it('refuses to send to a metadata address even when the stored configuration names one', async () => {
    const runtime = new NotifyRuntime();
    const context = { publicUrl: 'https://w3guard.example', version: '0.1.0', now: new Date() };
    const message = { webhookId: 'msg_1', events: [] };
    expect(await sendMessage(1, { kind: 'slack', config: { url: 'http://169.254.169.254/' } }, message, context, runtime, DEFAULT_POLICY)).toMatchObject({ ok: false, permanent: true });
    expect(await sendMessage(2, { kind: 'syslog', config: { host: '169.254.169.254', port: 514, transport: 'tcp' } }, message, context, runtime, DEFAULT_POLICY)).toMatchObject({ ok: false, permanent: true });
    runtime.close();
  });
});

describe('rule matching', () => {
  const rule = (over: Partial<NotifyRule>): NotifyRule => ({ id: 1, channelId: 1, events: ['finding.created', 'scan.failed'], assetTags: [], mode: 'instant', createdBy: 'a', createdAt: '', ...over });
  it('filters by event, minimum label, minimum severity and asset tags', () => {
    expect(ruleMatches(rule({}), { type: 'finding.created', label: '60d', severity: 'low', assetTags: [] })).toBe(true);
    expect(ruleMatches(rule({}), { type: 'finding.fixed', assetTags: [] })).toBe(false);
    expect(ruleMatches(rule({ minLabel: '14d' }), { type: 'finding.created', label: '60d', assetTags: [] })).toBe(false);
    expect(ruleMatches(rule({ minLabel: '14d' }), { type: 'finding.created', label: '3d', assetTags: [] })).toBe(true);
    expect(ruleMatches(rule({ minLabel: '14d' }), { type: 'finding.created', label: null, assetTags: [] })).toBe(false);
    expect(ruleMatches(rule({ minLabel: '14d' }), { type: 'scan.failed', assetTags: [] })).toBe(true);
    expect(ruleMatches(rule({ minSeverity: 'high' }), { type: 'finding.created', severity: 'medium', assetTags: [] })).toBe(false);
    expect(ruleMatches(rule({ minSeverity: 'high' }), { type: 'finding.created', severity: 'critical', assetTags: [] })).toBe(true);
    expect(ruleMatches(rule({ assetTags: ['prod'] }), { type: 'finding.created', assetTags: ['dev'] })).toBe(false);
    expect(ruleMatches(rule({ assetTags: ['prod'] }), { type: 'finding.created', assetTags: ['dev', 'prod'] })).toBe(true);
  });
});
