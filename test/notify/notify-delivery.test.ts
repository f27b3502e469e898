import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchNotifications, sendTest } from '../../src/notify/dispatch-notifications.js';
import { runNotifications } from '../../src/notify/notify-job.js';
import { NotifyRuntime } from '../../src/notify/send-message.js';
import { writeRunEvents } from '../../src/notify/write-run-events.js';
import { createChannel, createRule, listAttempts, listChannels, listDeliveries } from '../../src/store/notify-store.js';
import { finding, HOSTILE, httpSink, notifyDeps, tempStore, WEBHOOK_SECRET } from './notify-fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Verifies a Standard Webhooks signature the way a receiver would, independently of the sender's code. */
function verifySignature(secret: string, headers: Record<string, string | string[] | undefined>, body: string): boolean {
  const id = String(headers['webhook-id']);
  const ts = String(headers['webhook-timestamp']);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest();
  return String(headers['webhook-signature'])
    .split(' ')
    .some((part) => {
      const [version, value] = part.split(',');
      if (version !== 'v1' || value === undefined) return false;
      const given = Buffer.from(value, 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

async function setup() {
  const { store, cleanup } = await tempStore();
  cleanups.push(cleanup);
  const runtime = new NotifyRuntime();
  cleanups.push(async () => runtime.close());
  const deps = { ...notifyDeps(store), now: () => new Date() };
  return { store, deps, runtime };
}

async function record(store: Awaited<ReturnType<typeof setup>>['store'], findings: ReturnType<typeof finding>[], now = new Date()) {
  return store.recordRun({
    command: 'scan',
    toolVersion: '0.1.0',
    startedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    findings,
    withinTransaction: async (trx, outcome) => {
      await writeRunEvents(trx, outcome, { command: 'scan', now });
    },
  });
}

describe('webhook delivery', () => {
  it('signs per Standard Webhooks, retries a 500 with the same webhook-id and delivers once', async () => {
    const { store, deps, runtime } = await setup();
    const sink = await httpSink([{ status: 500 }, { status: 200 }]);
    cleanups.push(sink.close);
    const channel = await createChannel(store.database, deps.secretKey, { kind: 'webhook', name: 'hook', config: { url: sink.url, secret: WEBHOOK_SECRET }, createdBy: 'admin', now: new Date() });
    await createRule(store.database, { channelId: channel, events: ['finding.created'], mode: 'instant', createdBy: 'admin', now: new Date() });
    await record(store, [finding('fp-1', { label: '14d', title: HOSTILE })]);

    const first = await dispatchNotifications(deps, { retryScale: 0.001, runtime });
    expect(first).toMatchObject({ routed: 1, deliveriesCreated: 1, attempted: 1, failed: 1 });
    let sent = 0;
    for (let round = 0; round < 50 && sent === 0; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      sent += (await dispatchNotifications(deps, { retryScale: 0.001, runtime })).sent;
    }
    expect(sent).toBe(1);
    expect(sink.received).toHaveLength(2);
    const [a, b] = sink.received;
    expect(a?.headers['webhook-id']).toBe(b?.headers['webhook-id']);
    expect(String(a?.headers['webhook-id'])).toMatch(/^msg_[0-9a-f]{32}$/);
    for (const hit of sink.received) expect(verifySignature(WEBHOOK_SECRET, hit.headers, hit.body)).toBe(true);
    expect(verifySignature(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, b?.headers ?? {}, b?.body ?? '')).toBe(false);
    expect(b?.headers['user-agent']).toMatch(/^w3guard\/\d/);
    const body = JSON.parse(b?.body ?? '{}') as { type: string; timestamp: string; data: { finding: { title: string; fingerprint: string } } };
    expect(Object.keys(body)).toEqual(['type', 'timestamp', 'data']);
    expect(body.type).toBe('finding.created');
    expect(body.data.finding.title).toBe(HOSTILE);
    const [delivery] = await listDeliveries(store.database);
    expect(delivery).toMatchObject({ state: 'sent', attempts: 2, lastStatus: 200 });
    const attempts = await listAttempts(store.database, delivery?.id ?? 0);
    expect(attempts.map((x) => x.status)).toEqual([500, 200]);
    // Nothing is sent again.
    expect(await dispatchNotifications(deps, { retryScale: 0.001, runtime })).toMatchObject({ routed: 0, attempted: 0 });
    expect(sink.received).toHaveLength(2);
  });

  it('waits for Retry-After on a 429', async () => {
    const { store, deps, runtime } = await setup();
    const sink = await httpSink([{ status: 429, headers: { 'retry-after': '1' } }, { status: 204 }]);
    cleanups.push(sink.close);
    const channel = await createChannel(store.database, deps.secretKey, { kind: 'webhook', name: 'hook', config: { url: sink.url, secret: WEBHOOK_SECRET }, createdBy: 'admin', now: new Date() });
    await createRule(store.database, { channelId: channel, events: ['finding.created'], mode: 'instant', createdBy: 'admin', now: new Date() });
    await record(store, [finding('fp-1', { label: '14d' })]);
    await dispatchNotifications(deps, { retryScale: 0.001, runtime });
    const [waiting] = await listDeliveries(store.database);
    expect(waiting).toMatchObject({ state: 'failed', lastStatus: 429 });
    expect(Date.parse(waiting?.nextAttemptAt ?? '') - Date.now()).toBeGreaterThan(800);
    // Too early: not attempted.
    expect((await dispatchNotifications(deps, { retryScale: 0.001, runtime })).attempted).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await dispatchNotifications(deps, { retryScale: 0.001, runtime })).sent).toBe(1);
    const [a, b] = sink.received;
    expect((b?.at ?? 0) - (a?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('disables the channel on 410 Gone and gives up after the schedule', async () => {
    const { store, deps, runtime } = await setup();
    const gone = await httpSink([{ status: 410 }]);
    const broken = await httpSink([{ status: 503 }]);
    cleanups.push(gone.close, broken.close);
    const a = await createChannel(store.database, deps.secretKey, { kind: 'webhook', name: 'gone', config: { url: gone.url, secret: WEBHOOK_SECRET }, createdBy: 'admin', now: new Date() });
    const b = await createChannel(store.database, deps.secretKey, { kind: 'webhook', name: 'broken', config: { url: broken.url, secret: WEBHOOK_SECRET }, createdBy: 'admin', now: new Date() });
    for (const channelId of [a, b]) await createRule(store.database, { channelId, events: ['finding.created'], mode: 'instant', createdBy: 'admin', now: new Date() });
    await record(store, [finding('fp-1', { label: '14d' })]);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const summary = await dispatchNotifications(deps, { retryScale: 0.00001, runtime });
      if (summary.attempted === 0 && (await listDeliveries(store.database, { state: 'failed' })).length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const channels = await listChannels(store.database);
    expect(channels.find((c) => c.id === a)).toMatchObject({ disabled: true, disabledReason: 'the receiver answered 410 Gone' });
    expect(channels.find((c) => c.id === b)?.disabled).toBe(false);
    expect(gone.received).toHaveLength(1);
    expect(broken.received).toHaveLength(10);
    const deliveries = await listDeliveries(store.database);
    expect(deliveries.map((d) => d.state)).toEqual(['dead', 'dead']);
  });

  it('sendTest delivers a test event and reports a failing receiver', async () => {
    const { store, deps, runtime } = await setup();
    const ok = await httpSink([{ status: 200 }]);
    const bad = await httpSink([{ status: 500 }]);
    cleanups.push(ok.close, bad.close);
    const a = await createChannel(store.database, deps.secretKey, { kind: 'webhook', name: 'ok', config: { url: ok.url, secret: WEBHOOK_SECRET }, createdBy: 'admin', now: new Date() });
    const b = await createChannel(store.database, deps.secretKey, { kind: 'slack', name: 'bad', config: { url: bad.url }, createdBy: 'admin', now: new Date() });
    expect(await sendTest(deps, a, { runtime })).toMatchObject({ ok: true, status: 200 });
    expect(JSON.parse(ok.received[0]?.body ?? '{}')).toMatchObject({ type: 'test' });
    expect(verifySignature(WEBHOOK_SECRET, ok.received[0]?.headers ?? {}, ok.received[0]?.body ?? '')).toBe(true);
    expect(await sendTest(deps, b, { runtime })).toMatchObject({ ok: false, status: 500 });
    expect(await sendTest(deps, 999, { runtime })).toBeUndefined();
    expect((await listDeliveries(store.database)).map((d) => d.state)).toEqual(['dead', 'sent']);
  });

  it('the notify round announces overdue findings once and sends them', async () => {
    const { store, deps, runtime } = await setup();
    const sink = await httpSink([{ status: 200 }]);
    cleanups.push(sink.close);
    const channel = await createChannel(store.database, deps.secretKey, { kind: 'webhook', name: 'hook', config: { url: sink.url, secret: WEBHOOK_SECRET }, createdBy: 'admin', now: new Date() });
    await createRule(store.database, { channelId: channel, events: ['finding.overdue'], mode: 'instant', createdBy: 'admin', now: new Date() });
    await record(store, [finding('fp-late', { label: '14d', dueAt: '2020-01-01T00:00:00.000Z' })]);
    expect(await runNotifications(deps, { runtime })).toMatchObject({ overdue: 1, routed: 2, sent: 1 });
    expect(await runNotifications(deps, { runtime })).toMatchObject({ overdue: 0, routed: 0, sent: 0 });
    expect(JSON.parse(sink.received[0]?.body ?? '{}')).toMatchObject({ type: 'finding.overdue', data: { finding: { fingerprint: 'fp-late', dueAt: '2020-01-01T00:00:00.000Z' } } });
  });

  it('gives up on a channel whose configuration no longer opens, saying why', async () => {
    const { store, deps, runtime } = await setup();
    const sink = await httpSink([{ status: 200 }]);
    cleanups.push(sink.close);
    const channel = await createChannel(store.database, deps.secretKey, { kind: 'webhook', name: 'hook', config: { url: sink.url, secret: WEBHOOK_SECRET }, createdBy: 'admin', now: new Date() });
    await createRule(store.database, { channelId: channel, events: ['finding.created'], mode: 'instant', createdBy: 'admin', now: new Date() });
    await record(store, [finding('fp-1', { label: '14d' })]);
    expect(await dispatchNotifications({ ...deps, secretKey: Buffer.alloc(32, 7) }, { runtime })).toMatchObject({ dead: 1 });
    expect((await listDeliveries(store.database))[0]).toMatchObject({ state: 'dead', lastError: 'the channel configuration cannot be decrypted with the server secret key' });
    expect(sink.received).toHaveLength(0);
  });
});
