import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { TOOL_VERSION } from '../scan/tool-version.js';
import type { ServerDeps } from '../server/server-context.js';
import { disableChannel, listRules, openChannel, toRule, type OpenChannel } from '../store/notify-store.js';
import type { NotifyOutboxTable, StoreDatabase } from '../store/store-schema.js';
import type { ChannelKind } from './channel-config.js';
import type { RenderContext, SendResult } from './channels/channel-sender.js';
import { digestPeriodMs, ruleMatches } from './match-rule.js';
import { compareUrgency, isUrgentLabel, type EventType, type NotifyEvent } from './notify-event.js';
import { DEFAULT_POLICY, type OutboundPolicy } from './outbound-policy.js';
import { nextAttemptDelay } from './retry-schedule.js';
import { batches, NotifyRuntime, sendMessage } from './send-message.js';

type Db = Kysely<StoreDatabase>;
type OutboxRow = Selectable<NotifyOutboxTable>;

/** What the engine needs of the server: the store, the clock, the UI's address and the secrets key. */
export type NotifyDeps = Pick<ServerDeps, 'store' | 'now' | 'publicUrl' | 'secretKey'> & { readonly log?: Pick<ServerDeps['log'], 'warn'> };

export interface DispatchOptions {
  /** Multiplies the retry schedule (tests use 0.001); `Retry-After` is honoured unscaled. */
  readonly retryScale?: number;
  readonly policy?: OutboundPolicy;
  /** Rate buckets and SMTP pools shared across calls; default: one for the process. */
  readonly runtime?: NotifyRuntime;
  /** Outbox rows routed, and deliveries claimed, per round. */
  readonly batchSize?: number;
}

/** What one dispatch did. */
export interface DispatchSummary {
  readonly routed: number;
  readonly deliveriesCreated: number;
  readonly attempted: number;
  readonly sent: number;
  readonly failed: number;
  readonly dead: number;
}

/** A claim holds this long; a dispatcher that died gives its rows back after it. */
const ROUTE_LEASE_MS = 60_000;
const SEND_LEASE_MS = 5 * 60_000;

const sharedRuntime = new NotifyRuntime();

/** Closes the pooled SMTP connections the process's dispatches share; the server calls it when it stops. */
export function closeNotifyRuntime(): void {
  sharedRuntime.close();
}

/**
 * The relay and sender: routes new outbox events through the rules into deliveries (one message per scan per
 * channel, most urgent first; digests when due), then attempts every due delivery once, recording each attempt.
 * Safe to run in several processes at once: rows are claimed (`FOR UPDATE SKIP LOCKED` on PostgreSQL, a claim
 * column set by one statement on SQLite) and each batch is written once under a unique key.
 */
export async function dispatchNotifications(deps: NotifyDeps, options: DispatchOptions = {}): Promise<DispatchSummary> {
  const db = deps.store.database;
  const postgres = deps.store.dialect === 'postgres';
  let routed = 0;
  let deliveriesCreated = 0;
  for (;;) {
    const round = await routeOutbox(db, postgres, deps, options.batchSize ?? 500);
    routed += round.routed;
    deliveriesCreated += round.created;
    if (round.routed === 0) break;
  }
  deliveriesCreated += await releaseDigests(db, deps);
  const totals = { attempted: 0, sent: 0, failed: 0, dead: 0 };
  const attempted = new Set<number>();
  for (;;) {
    const claimed = await claimDeliveries(db, postgres, deps.now(), options.batchSize ?? 100, attempted);
    if (claimed.rows.length === 0) break;
    const byChannel = new Map<number, typeof claimed.rows>();
    for (const row of claimed.rows) byChannel.set(row.channel_id, [...(byChannel.get(row.channel_id) ?? []), row]);
    // Channels in parallel, each channel's messages in order: a slow receiver delays only itself.
    await Promise.all(
      [...byChannel].map(async ([channelId, rows]) => {
        // A configuration that no longer opens (the secret key changed) cannot be sent to: its deliveries die with that reason.
        const channel = await openChannel(db, deps.secretKey, channelId).catch((): 'sealed' => 'sealed');
        for (const row of rows) {
          attempted.add(row.id);
          const outcome = await attemptDelivery(db, deps, options, claimed.token, row, channel);
          totals.attempted += 1;
          totals[outcome] += 1;
        }
      }),
    );
  }
  return { routed, deliveriesCreated, ...totals };
}

/** The events a delivery carries. */
function toEvent(row: OutboxRow): NotifyEvent {
  return { id: `evt_${row.id}`, type: row.event as EventType, timestamp: row.created_at, data: JSON.parse(row.data) as Record<string, unknown> };
}

/** Incidents and three-day labels go out at once even under a digest rule. */
function urgent(row: OutboxRow): boolean {
  if (row.event === 'incident.opened') return true;
  return (row.event === 'finding.created' || row.event === 'finding.reopened' || row.event === 'finding.label_raised' || row.event === 'finding.overdue') && isUrgentLabel(row.label);
}

function newWebhookId(): string {
  return `msg_${randomBytes(16).toString('hex')}`;
}

async function routeOutbox(db: Db, postgres: boolean, deps: NotifyDeps, limit: number): Promise<{ routed: number; created: number }> {
  const now = deps.now();
  const nowIso = now.toISOString();
  const token = randomUUID();
  const claimable = db
    .selectFrom('notify_outbox')
    .select('id')
    .where('routed_at', 'is', null)
    .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<', nowIso)]))
    .orderBy('id')
    .limit(limit)
    .$if(postgres, (q) => q.forUpdate().skipLocked());
  await db.updateTable('notify_outbox').set({ claim: token, claimed_until: new Date(now.getTime() + ROUTE_LEASE_MS).toISOString() }).where('id', 'in', claimable).execute();
  const rows = await db.selectFrom('notify_outbox').selectAll().where('claim', '=', token).where('routed_at', 'is', null).orderBy('id').execute();
  if (rows.length === 0) return { routed: 0, created: 0 };
  const rules = await listRules(db);
  const enabled = new Map((await db.selectFrom('notify_channels').select(['id', 'kind']).where('disabled', '=', 0).execute()).map((c) => [c.id, c.kind]));
  const instant = new Map<number, { rule: number; rows: OutboxRow[] }>();
  const digestItems: { rule_id: number; outbox_id: number }[] = [];
  for (const row of rows) {
    const routable = { type: row.event, label: row.label, severity: row.severity, assetTags: JSON.parse(row.asset_tags) as string[] };
    const taken = new Set<number>();
    for (const rule of rules) {
      if (!enabled.has(rule.channelId) || !ruleMatches(rule, routable)) continue;
      if (rule.mode === 'instant' || urgent(row)) {
        // One message per channel: several rules pointing at it announce an event once.
        if (taken.has(rule.channelId)) continue;
        taken.add(rule.channelId);
        const entry = instant.get(rule.channelId) ?? { rule: rule.id, rows: [] };
        entry.rows.push(row);
        instant.set(rule.channelId, entry);
      } else digestItems.push({ rule_id: rule.id, outbox_id: row.id });
    }
  }
  let created = 0;
  await db.transaction().execute(async (trx) => {
    for (const [channelId, entry] of instant) {
      const kind = enabled.get(channelId);
      const groups = new Map<string, OutboxRow[]>();
      for (const row of entry.rows) {
        const key = kind !== undefined && batches(kind as ChannelKind) ? (row.run_id !== null ? `run:${row.run_id}` : row.scan_id !== null ? `scan:${row.scan_id}` : `o:${row.id}`) : `o:${row.id}`;
        groups.set(key, [...(groups.get(key) ?? []), row]);
      }
      for (const group of groups.values()) {
        const events = group.map(toEvent).sort(compareUrgency);
        const first = events[0];
        if (first === undefined) continue;
        const result = await trx
          .insertInto('notify_deliveries')
          .values(newDelivery({ channelId, ruleId: entry.rule, events, groupKey: `c${channelId}:o${Math.min(...group.map((r) => r.id))}`, nowIso }))
          .onConflict((oc) => oc.column('group_key').doNothing())
          .executeTakeFirst();
        created += Number(result.numInsertedOrUpdatedRows ?? 0);
      }
    }
    for (let start = 0; start < digestItems.length; start += 500) {
      await trx.insertInto('notify_digest_items').values(digestItems.slice(start, start + 500)).onConflict((oc) => oc.columns(['rule_id', 'outbox_id']).doNothing()).execute();
    }
    await trx.updateTable('notify_outbox').set({ routed_at: nowIso, claim: null, claimed_until: null }).where('claim', '=', token).execute();
  });
  return { routed: rows.length, created };
}

function newDelivery(input: { channelId: number; ruleId: number | null; events: readonly NotifyEvent[]; groupKey: string | null; nowIso: string }) {
  return {
    webhook_id: newWebhookId(),
    group_key: input.groupKey,
    channel_id: input.channelId,
    rule_id: input.ruleId,
    event_type: input.events[0]?.type ?? 'test',
    event_count: input.events.length,
    payload: JSON.stringify(input.events),
    state: 'pending',
    attempts: 0,
    next_attempt_at: input.nowIso,
    claim: null,
    claimed_until: null,
    last_status: null,
    last_error: null,
    latency_ms: null,
    created_at: input.nowIso,
    sent_at: null,
  };
}

/** Sends each digest rule's waiting events as one message when its period has passed and something is waiting. */
async function releaseDigests(db: Db, deps: NotifyDeps): Promise<number> {
  const now = deps.now();
  const nowIso = now.toISOString();
  let created = 0;
  const rows = await db.selectFrom('notify_rules').selectAll().where('mode', 'in', ['digest:daily', 'digest:weekly']).execute();
  for (const rule of rows.map(toRule)) {
    const period = digestPeriodMs(rule.mode);
    const since = rule.lastDigestAt ?? rule.createdAt;
    if (period === undefined || now.getTime() - Date.parse(since) < period) continue;
    created += await db.transaction().execute(async (trx) => {
      // Taking the slot by moving `last_digest_at` from what was read: a second dispatcher updates nothing and stops.
      const taken = await trx
        .updateTable('notify_rules')
        .set({ last_digest_at: nowIso })
        .where('id', '=', rule.id)
        .where((w) => (rule.lastDigestAt === undefined ? w('last_digest_at', 'is', null) : w('last_digest_at', '=', rule.lastDigestAt)))
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) !== 1) return 0;
      const channel = await trx.selectFrom('notify_channels').select(['id', 'kind', 'disabled']).where('id', '=', rule.channelId).executeTakeFirst();
      if (channel === undefined || Number(channel.disabled) !== 0) return 0;
      const items = await trx.selectFrom('notify_digest_items as d').innerJoin('notify_outbox as o', 'o.id', 'd.outbox_id').selectAll('o').where('d.rule_id', '=', rule.id).orderBy('o.id').execute();
      // Nothing new since the last digest: no message (the slot is used all the same).
      if (items.length === 0) return 0;
      const events = items.map(toEvent).sort(compareUrgency);
      await trx.deleteFrom('notify_digest_items').where('rule_id', '=', rule.id).where('outbox_id', 'in', items.map((i) => i.id)).execute();
      // People get one digest message; a signed webhook gets each event as its own delivery, keyed by the event.
      const messages = batches(channel.kind as ChannelKind) ? [{ key: `digest:r${rule.id}:${nowIso}`, events }] : events.map((event) => ({ key: `digest:r${rule.id}:${event.id}`, events: [event] }));
      let written = 0;
      for (const message of messages) {
        const result = await trx
          .insertInto('notify_deliveries')
          .values(newDelivery({ channelId: rule.channelId, ruleId: rule.id, events: message.events, groupKey: message.key, nowIso }))
          .onConflict((oc) => oc.column('group_key').doNothing())
          .executeTakeFirst();
        written += Number(result.numInsertedOrUpdatedRows ?? 0);
      }
      return written;
    });
  }
  return created;
}

async function claimDeliveries(db: Db, postgres: boolean, now: Date, limit: number, skip: ReadonlySet<number>) {
  const nowIso = now.toISOString();
  const token = randomUUID();
  let claimable = db
    .selectFrom('notify_deliveries')
    .select('id')
    .where('state', 'in', ['pending', 'failed'])
    .where('next_attempt_at', '<=', nowIso)
    .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<', nowIso)]))
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .$if(postgres, (q) => q.forUpdate().skipLocked());
  // A delivery retried "immediately" is attempted once per dispatch: the caller decides when to come back.
  if (skip.size > 0) claimable = claimable.where('id', 'not in', [...skip]);
  await db.updateTable('notify_deliveries').set({ claim: token, claimed_until: new Date(now.getTime() + SEND_LEASE_MS).toISOString() }).where('id', 'in', claimable).execute();
  const rows = await db.selectFrom('notify_deliveries').selectAll().where('claim', '=', token).orderBy('id').execute();
  return { token, rows };
}

/** Makes one attempt of a claimed delivery and records it; returns the state it is left in. */
async function attemptDelivery(
  db: Db,
  deps: NotifyDeps,
  options: DispatchOptions,
  token: string,
  row: { id: number; webhook_id: string; payload: string; attempts: number; channel_id: number },
  channel: OpenChannel | 'sealed' | undefined,
): Promise<'sent' | 'failed' | 'dead'> {
  let result: SendResult;
  let latencyMs = 0;
  if (channel === 'sealed') {
    result = { ok: false, error: 'the channel configuration cannot be decrypted with the server secret key', permanent: true };
  } else if (channel === undefined || channel.disabled) {
    result = { ok: false, error: channel === undefined ? 'the channel no longer exists' : `the channel is disabled${channel.disabledReason === undefined ? '' : `: ${channel.disabledReason}`}`, permanent: true };
  } else {
    const context: RenderContext = { publicUrl: deps.publicUrl, version: TOOL_VERSION, now: deps.now() };
    const started = performance.now();
    result = await sendMessage(channel.id, channel.channel, { webhookId: row.webhook_id, events: JSON.parse(row.payload) as NotifyEvent[] }, context, options.runtime ?? sharedRuntime, options.policy ?? DEFAULT_POLICY).catch(
      (error: unknown): SendResult => ({ ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
    latencyMs = Math.round(performance.now() - started);
  }
  return recordAttempt(db, deps, options, token, row, result, latencyMs);
}

async function recordAttempt(
  db: Db,
  deps: NotifyDeps,
  options: DispatchOptions,
  token: string | null,
  row: { id: number; attempts: number; channel_id: number },
  result: SendResult,
  latencyMs: number,
  noRetry = false,
): Promise<'sent' | 'failed' | 'dead'> {
  const now = deps.now();
  const attempts = row.attempts + 1;
  const delay = result.ok || result.permanent === true || result.gone === true || noRetry ? undefined : nextAttemptDelay(attempts, { scale: options.retryScale ?? 1, ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }) });
  const state = result.ok ? 'sent' : delay === undefined ? 'dead' : 'failed';
  if (result.gone === true) {
    await disableChannel(db, row.channel_id, 'the receiver answered 410 Gone');
    deps.log?.warn({ channelId: row.channel_id }, 'notification channel disabled: the receiver answered 410 Gone');
  }
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('notify_attempts').values({ delivery_id: row.id, attempt: attempts, at: now.toISOString(), status: result.status ?? null, error: result.error ?? null, latency_ms: latencyMs }).execute();
    let update = trx
      .updateTable('notify_deliveries')
      .set({
        state,
        attempts,
        claim: null,
        claimed_until: null,
        last_status: result.status ?? null,
        last_error: result.ok ? null : (result.error ?? 'failed'),
        latency_ms: latencyMs,
        ...(delay === undefined ? {} : { next_attempt_at: new Date(now.getTime() + delay).toISOString() }),
        ...(result.ok ? { sent_at: now.toISOString() } : {}),
      })
      .where('id', '=', row.id);
    // A dispatcher whose lease ran out must not overwrite what another one recorded since.
    if (token !== null) update = update.where('claim', '=', token);
    await update.execute();
  });
  return state;
}

/** What a test delivery gave. */
export interface TestResult {
  readonly ok: boolean;
  readonly deliveryId: number;
  readonly status?: number;
  readonly error?: string;
  readonly latencyMs: number;
}

/**
 * Sends a `test` event to one channel now and returns how it went (no retry; the attempt is in the delivery
 * log like any other). Undefined when there is no such channel.
 */
export async function sendTest(deps: NotifyDeps, channelId: number, options: DispatchOptions = {}): Promise<TestResult | undefined> {
  const db = deps.store.database;
  const channel = await openChannel(db, deps.secretKey, channelId);
  if (channel === undefined) return undefined;
  const now = deps.now();
  const event: NotifyEvent = { id: `evt_test_${randomBytes(8).toString('hex')}`, type: 'test', timestamp: now.toISOString(), data: { message: `Test notification for channel ${channel.name}`, channel: { id: channel.id, name: channel.name, kind: channel.kind } } };
  const token = randomUUID();
  const values = { ...newDelivery({ channelId, ruleId: null, events: [event], groupKey: null, nowIso: now.toISOString() }), claim: token, claimed_until: new Date(now.getTime() + SEND_LEASE_MS).toISOString() };
  const { id } = await db.insertInto('notify_deliveries').values(values).returning('id').executeTakeFirstOrThrow();
  const context: RenderContext = { publicUrl: deps.publicUrl, version: TOOL_VERSION, now };
  const started = performance.now();
  const result = await sendMessage(channel.id, channel.channel, { webhookId: values.webhook_id, events: [event] }, context, options.runtime ?? sharedRuntime, options.policy ?? DEFAULT_POLICY).catch(
    (error: unknown): SendResult => ({ ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
  const latencyMs = Math.round(performance.now() - started);
  await recordAttempt(db, deps, options, token, { id, attempts: 0, channel_id: channelId }, result, latencyMs, true);
  return { ok: result.ok, deliveryId: id, ...(result.status === undefined ? {} : { status: result.status }), ...(result.error === undefined ? {} : { error: result.error }), latencyMs };
}
