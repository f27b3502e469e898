import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import type { Incident } from '../../src/core/incident.js';
import { dispatchNotifications } from '../../src/notify/dispatch-notifications.js';
import type { NotifyEvent } from '../../src/notify/notify-event.js';
import { NotifyRuntime } from '../../src/notify/send-message.js';
import { findOverdue, scanEvent, writeEvent, writeRunEvents } from '../../src/notify/write-run-events.js';
import type { FindingStore, RunOutcome } from '../../src/store/finding-store.js';
import { createChannel, createRule, listDeliveries, openChannel } from '../../src/store/notify-store.js';
import { postgresDown, withSchema } from '../e2e/test-postgres.js';
import { finding, httpSink, notifyDeps, tempStore, WEBHOOK_SECRET } from './notify-fixtures.js';

const pgDown = await postgresDown('notification store tests on PostgreSQL');
const dialects = pgDown === undefined ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

async function withStore(dialect: 'sqlite' | 'postgres', use: (store: FindingStore) => Promise<void>): Promise<void> {
  const run = async (url?: string): Promise<void> => {
    const { store, cleanup } = await tempStore(url);
    try {
      await use(store);
    } finally {
      await cleanup();
    }
  };
  if (dialect === 'postgres') await withSchema((url) => run(url));
  else await run();
}

async function record(store: FindingStore, findings: Finding[], options: { readonly at: Date; readonly incidents?: Incident[]; readonly coverage?: boolean; readonly scanId?: string }): Promise<RunOutcome> {
  return store.recordRun({
    command: 'host',
    toolVersion: '0.1.0',
    startedAt: options.at.toISOString(),
    finishedAt: options.at.toISOString(),
    findings,
    ...(options.coverage === true ? { coverage: [{ ruleId: 'rule-1', asset: 'host-a' }] } : {}),
    withinTransaction: async (trx, outcome) => {
      await writeRunEvents(trx, outcome, { command: 'host', now: options.at, ...(options.incidents === undefined ? {} : { incidents: options.incidents }), ...(options.scanId === undefined ? {} : { scanId: options.scanId }), assetTags: (asset) => (asset === 'host-a' ? ['prod'] : []) });
    },
  });
}

async function outbox(store: FindingStore): Promise<{ event: string; fingerprint: string | null; label: string | null }[]> {
  return store.database.selectFrom('notify_outbox').select(['event', 'fingerprint', 'label']).orderBy('id').execute();
}

describe.each(dialects)('run events on %s', (dialect) => {
  it('announces created, label raised, fixed, reopened and incidents once each', async () => {
    await withStore(dialect, async (store) => {
      const t = (hour: number) => new Date(Date.UTC(2026, 10, 30, hour));
      const outcome = await record(store, [finding('fp-1', { label: '14d' }), finding('fp-2', { label: '60d' })], { at: t(1) });
      expect(await outbox(store)).toEqual([
        { event: 'finding.created', fingerprint: 'fp-1', label: '14d' },
        { event: 'finding.created', fingerprint: 'fp-2', label: '60d' },
      ]);
      // The same outcome written again (a retried job) announces nothing new.
      expect(await store.database.transaction().execute((trx) => writeRunEvents(trx, outcome, { command: 'host', now: t(1) }))).toBe(0);
      // A re-scan with the same labels: nothing.
      await record(store, [finding('fp-1', { label: '14d' }), finding('fp-2', { label: '60d' })], { at: t(2) });
      expect(await outbox(store)).toHaveLength(2);
      // fp-1 rises to 3d: announced once, even when re-scanned at 3d again or lowered and raised again.
      await record(store, [finding('fp-1', { label: '3d' }), finding('fp-2', { label: '60d' })], { at: t(3) });
      await record(store, [finding('fp-1', { label: '3d' }), finding('fp-2', { label: 'next-upgrade' })], { at: t(4) });
      await record(store, [finding('fp-1', { label: '14d' }), finding('fp-2', { label: 'next-upgrade' })], { at: t(5) });
      await record(store, [finding('fp-1', { label: '3d' }), finding('fp-2', { label: 'next-upgrade' })], { at: t(6) });
      const raised = (await outbox(store)).filter((e) => e.event === 'finding.label_raised');
      expect(raised).toEqual([{ event: 'finding.label_raised', fingerprint: 'fp-1', label: '3d' }]);
      // fp-2 not found by a covering run: fixed; found again: reopened.
      await record(store, [finding('fp-1', { label: '3d' })], { at: t(7), coverage: true });
      await record(store, [finding('fp-1', { label: '3d' }), finding('fp-2', { label: '60d' })], { at: t(8), coverage: true });
      const incident: Incident = { id: 'inc-1', asset: 'host-a', title: 'Web shell used', kind: 'exploit-drop-use', members: ['fp-1'], timeline: [] };
      await record(store, [finding('fp-1', { label: 'incident' })], { at: t(9), incidents: [incident] });
      await record(store, [finding('fp-1', { label: 'incident' })], { at: t(10), incidents: [incident] });
      const events = (await outbox(store)).map((e) => `${e.event} ${e.fingerprint ?? ''}`);
      expect(events).toEqual([
        'finding.created fp-1',
        'finding.created fp-2',
        'finding.label_raised fp-1',
        'finding.fixed fp-2',
        'finding.reopened fp-2',
        'finding.label_raised fp-1',
        'incident.opened ',
      ]);
      const tags = await store.database.selectFrom('notify_outbox').select('asset_tags').executeTakeFirstOrThrow();
      expect(JSON.parse(tags.asset_tags)).toEqual(['prod']);
    });
  });

  it('leaves suppressed findings out and announces overdue ones once per due date', async () => {
    await withStore(dialect, async (store) => {
      const at = new Date('2026-11-01T00:00:00Z');
      await store.suppress({ fingerprint: 'fp-quiet', reason: 'accepted', author: 'admin', now: at });
      await record(store, [finding('fp-quiet', { label: '3d' }), finding('fp-late', { label: '3d', dueAt: '2026-11-04T00:00:00.000Z' }), finding('fp-ok', { label: '14d', dueAt: '2026-12-30T00:00:00.000Z' })], { at });
      expect((await outbox(store)).map((e) => e.fingerprint)).toEqual(['fp-late', 'fp-ok']);
      const now = new Date('2026-11-30T00:00:00Z');
      expect(await findOverdue(store.database, now)).toBe(1);
      expect(await findOverdue(store.database, now)).toBe(0);
      const overdue = (await outbox(store)).filter((e) => e.event === 'finding.overdue');
      expect(overdue).toEqual([{ event: 'finding.overdue', fingerprint: 'fp-late', label: '3d' }]);
      expect(await writeEvent(store.database, scanEvent({ type: 'scan.failed', scanId: 's-1', kind: 'scan', error: 'target unreachable', now }))).toBe(1);
      expect(await writeEvent(store.database, scanEvent({ type: 'scan.failed', scanId: 's-1', kind: 'scan', error: 'target unreachable', now }))).toBe(0);
    });
  });

  it('routes: one message per run per channel, urgent events at once, the rest in a digest only when something is new', async () => {
    await withStore(dialect, async (store) => {
      const sink = await httpSink([{ status: 200 }]);
      const runtime = new NotifyRuntime();
      try {
        const deps = notifyDeps(store, new Date('2026-11-30T08:00:00Z'));
        const slack = await createChannel(store.database, deps.secretKey, { kind: 'slack', name: 'soc', config: { url: `${sink.url}/slack` }, createdBy: 'admin', now: deps.now() });
        const hook = await createChannel(store.database, deps.secretKey, { kind: 'webhook', name: 'siem', config: { url: `${sink.url}/webhook`, secret: WEBHOOK_SECRET }, createdBy: 'admin', now: deps.now() });
        // Two rules on the Slack channel: an event both match is announced once.
        await createRule(store.database, { channelId: slack, events: ['finding.created', 'incident.opened'], minLabel: '3d', mode: 'instant', createdBy: 'admin', now: deps.now() });
        await createRule(store.database, { channelId: slack, events: ['finding.created'], minSeverity: 'high', mode: 'instant', createdBy: 'admin', now: deps.now() });
        const digest = await createRule(store.database, { channelId: hook, events: ['finding.created'], assetTags: ['prod'], mode: 'digest:daily', createdBy: 'admin', now: deps.now() });
        await record(store, [finding('fp-low', { label: '60d', severity: 'medium' }), finding('fp-hot', { label: '3d', severity: 'high' }), finding('fp-mid', { label: '14d', severity: 'high' }), finding('fp-other', { label: '14d', asset: 'host-b' })], {
          at: deps.now(),
        });
        const first = await dispatchNotifications(deps, { runtime });
        expect(first).toMatchObject({ routed: 4, sent: 2 });
        const slackHits = sink.received.filter((r) => r.path === '/hook/slack');
        expect(slackHits).toHaveLength(1);
        const message = JSON.parse(slackHits[0]?.body ?? '{}') as { blocks: { type: string; accessory?: { url: string } }[] };
        // Most urgent first: fp-hot (3d) before fp-mid and fp-other (14d, high).
        const links = message.blocks.filter((b) => b.type === 'section').map((b) => b.accessory?.url);
        expect(links).toEqual(['https://w3guard.example/findings/fp-hot', 'https://w3guard.example/findings/fp-mid', 'https://w3guard.example/findings/fp-other']);
        // The digest rule still sends the 3d finding at once; the others wait for the digest.
        const hookHits = sink.received.filter((r) => r.path === '/hook/webhook');
        expect(hookHits.map((r) => (JSON.parse(r.body) as { data: { finding: { fingerprint: string } } }).data.finding.fingerprint)).toEqual(['fp-hot']);
        const waiting = await store.database.selectFrom('notify_digest_items').select('outbox_id').where('rule_id', '=', digest).execute();
        expect(waiting).toHaveLength(2);
        // Not a day yet: nothing.
        deps.setNow(new Date('2026-11-30T20:00:00Z'));
        expect((await dispatchNotifications(deps, { runtime })).deliveriesCreated).toBe(0);
        deps.setNow(new Date('2026-12-01T08:00:00Z'));
        // A webhook gets the digest's events one delivery each, most urgent first.
        expect((await dispatchNotifications(deps, { runtime })).deliveriesCreated).toBe(2);
        const deliveries = await listDeliveries(store.database, { channelId: hook });
        expect(deliveries.map((d) => [d.eventCount, d.state])).toEqual([[1, 'sent'], [1, 'sent'], [1, 'sent']]);
        const payloads = await store.database.selectFrom('notify_deliveries').select('payload').where('channel_id', '=', hook).orderBy('id').execute();
        expect(payloads.map((p) => (JSON.parse(p.payload) as NotifyEvent[]).map((e) => (e.data['finding'] as { fingerprint: string }).fingerprint))).toEqual([['fp-hot'], ['fp-mid'], ['fp-low']]);
        const bodies = sink.received.filter((r) => r.path === '/hook/webhook').map((r) => (JSON.parse(r.body) as { data: { finding: { fingerprint: string } } }).data.finding.fingerprint);
        expect(bodies).toEqual(['fp-hot', 'fp-mid', 'fp-low']);
        // A day later with nothing new: no digest.
        deps.setNow(new Date('2026-12-02T09:00:00Z'));
        expect((await dispatchNotifications(deps, { runtime })).deliveriesCreated).toBe(0);
      } finally {
        runtime.close();
        await sink.close();
      }
    });
  });

  it('keeps channel configurations encrypted at rest', async () => {
    await withStore(dialect, async (store) => {
      const key = randomBytes(32);
      const id = await createChannel(store.database, key, { kind: 'webhook', name: 'siem', config: { url: 'https://hooks.example/secret-path', secret: WEBHOOK_SECRET }, createdBy: 'admin', now: new Date() });
      const row = await store.database.selectFrom('notify_channels').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toContain('secret-path');
      expect(JSON.stringify(row)).not.toContain(WEBHOOK_SECRET.slice(6, 20));
      expect(row.summary).toBe('https://hooks.example/…');
      expect((await openChannel(store.database, key, id))?.channel).toEqual({ kind: 'webhook', config: { url: 'https://hooks.example/secret-path', secret: WEBHOOK_SECRET } });
      await expect(openChannel(store.database, randomBytes(32), id)).rejects.toThrow();
    });
  });
});

describe('two dispatchers at once', () => {
  it.each(dialects)('send each delivery once on %s', async (dialect) => {
    await withStore(dialect, async (store) => {
      const sink = await httpSink([{ status: 200 }]);
      const runtime = new NotifyRuntime();
      try {
        const deps = { ...notifyDeps(store), now: () => new Date() };
        const hook = await createChannel(store.database, deps.secretKey, { kind: 'webhook', name: 'siem', config: { url: sink.url, secret: WEBHOOK_SECRET }, createdBy: 'admin', now: new Date() });
        await createRule(store.database, { channelId: hook, events: ['finding.created'], mode: 'instant', createdBy: 'admin', now: new Date() });
        await record(store, Array.from({ length: 30 }, (_, i) => finding(`fp-${i}`, { label: '14d' })), { at: new Date() });
        const results = await Promise.all([dispatchNotifications(deps, { runtime, batchSize: 5 }), dispatchNotifications(deps, { runtime, batchSize: 5 }), dispatchNotifications(deps, { runtime, batchSize: 5 })]);
        expect(results.reduce((n, r) => n + r.routed, 0)).toBe(30);
        expect(results.reduce((n, r) => n + r.sent, 0)).toBe(30);
        expect(sink.received).toHaveLength(30);
        expect(new Set(sink.received.map((r) => r.headers['webhook-id'])).size).toBe(30);
      } finally {
        runtime.close();
        await sink.close();
      }
    });
  });
});
