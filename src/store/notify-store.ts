import type { Kysely, Selectable } from 'kysely';
import type { PriorityLabel } from '../core/priority.js';
import type { Severity } from '../core/severity.js';
import { parseChannelConfig, type ChannelConfig, type ChannelKind } from '../notify/channel-config.js';
import { EVENT_TYPES, isPriorityLabel, isSeverity, type EventType, type NewEvent } from '../notify/notify-event.js';
import type { OutboundPolicy } from '../notify/outbound-policy.js';
import { seal, unseal } from './secret-box.js';
import type { NotifyDeliveriesTable, NotifyRulesTable, StoreDatabase } from './store-schema.js';

type Db = Kysely<StoreDatabase>;

export const RULE_MODES = ['instant', 'digest:daily', 'digest:weekly'] as const;
export type RuleMode = (typeof RULE_MODES)[number];

/** A channel as the API lists it: never its configuration, only a summary that holds no secret. */
export interface ChannelView {
  readonly id: number;
  readonly kind: ChannelKind;
  readonly name: string;
  readonly summary: string;
  readonly disabled: boolean;
  readonly disabledReason?: string;
  readonly createdBy: string;
  readonly createdAt: string;
}

/** A channel with its configuration opened, for sending. */
export interface OpenChannel extends ChannelView {
  readonly channel: ChannelConfig;
}

export interface NotifyRule {
  readonly id: number;
  readonly channelId: number;
  readonly events: readonly EventType[];
  readonly minLabel?: PriorityLabel;
  readonly minSeverity?: Severity;
  readonly assetTags: readonly string[];
  readonly mode: RuleMode;
  readonly lastDigestAt?: string;
  readonly createdBy: string;
  readonly createdAt: string;
}

/** One entry of the delivery log. */
export interface DeliveryView {
  readonly id: number;
  readonly webhookId: string;
  readonly channelId: number;
  readonly ruleId?: number;
  readonly eventType: string;
  readonly eventCount: number;
  readonly state: 'pending' | 'failed' | 'sent' | 'dead';
  readonly attempts: number;
  readonly nextAttemptAt?: string;
  readonly lastStatus?: number;
  readonly lastError?: string;
  readonly latencyMs?: number;
  readonly createdAt: string;
  readonly sentAt?: string;
}

/** Something a user asked for that cannot be done; the message is one sentence to show. */
export class NotifyInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotifyInputError';
  }
}

/** Associated data for sealed channel configurations: a sealed value opens only as the kind it was saved as. */
function purpose(kind: string): string {
  return `w3guard.channel.${kind}`;
}

/** Saves a channel; its configuration is checked, then sealed under `key`. */
export async function createChannel(
  db: Db,
  key: Buffer,
  input: { readonly kind: string; readonly name: string; readonly config: unknown; readonly createdBy: string; readonly now: Date },
  policy?: OutboundPolicy,
): Promise<number> {
  const { channel, summary } = parseChannelConfig(input.kind, input.config, policy);
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) throw new NotifyInputError('name must be 1 to 100 characters');
  const { id } = await db
    .insertInto('notify_channels')
    .values({ kind: channel.kind, name, config_sealed: seal(key, JSON.stringify(channel.config), purpose(channel.kind)), summary, disabled: 0, disabled_reason: null, created_by: input.createdBy, created_at: input.now.toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function listChannels(db: Db): Promise<ChannelView[]> {
  const rows = await db.selectFrom('notify_channels').select(['id', 'kind', 'name', 'summary', 'disabled', 'disabled_reason', 'created_by', 'created_at']).orderBy('id').execute();
  return rows.map(toChannelView);
}

/** A channel with its configuration opened, or undefined when there is none with this id. */
export async function openChannel(db: Db, key: Buffer, id: number): Promise<OpenChannel | undefined> {
  const row = await db.selectFrom('notify_channels').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) return undefined;
  const config = JSON.parse(unseal(key, row.config_sealed, purpose(row.kind))) as ChannelConfig['config'];
  return { ...toChannelView(row), channel: { kind: row.kind, config } as ChannelConfig };
}

/** Deletes a channel and its rules; its deliveries stay in the log. Returns whether it existed. */
export async function deleteChannel(db: Db, id: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const rules = trx.selectFrom('notify_rules').select('id').where('channel_id', '=', id);
    await trx.deleteFrom('notify_digest_items').where('rule_id', 'in', rules).execute();
    await trx.deleteFrom('notify_rules').where('channel_id', '=', id).execute();
    // Nothing more is sent to a channel that is gone.
    await trx.updateTable('notify_deliveries').set({ state: 'dead', last_error: 'channel deleted', claim: null, claimed_until: null }).where('channel_id', '=', id).where('state', 'in', ['pending', 'failed']).execute();
    const result = await trx.deleteFrom('notify_channels').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  });
}

/** Stops sending to a channel (a receiver answered 410 Gone, or an admin said so). */
export async function disableChannel(db: Db, id: number, reason: string): Promise<void> {
  await db.updateTable('notify_channels').set({ disabled: 1, disabled_reason: reason }).where('id', '=', id).execute();
}

/** Saves a rule after checking its channel, events, thresholds and mode. */
export async function createRule(
  db: Db,
  input: {
    readonly channelId: number;
    readonly events: readonly string[];
    readonly minLabel?: string;
    readonly minSeverity?: string;
    readonly assetTags?: readonly string[];
    readonly mode: string;
    readonly createdBy: string;
    readonly now: Date;
  },
): Promise<number> {
  const channel = await db.selectFrom('notify_channels').select('id').where('id', '=', input.channelId).executeTakeFirst();
  if (channel === undefined) throw new NotifyInputError(`there is no channel ${input.channelId}`);
  if (input.events.length === 0) throw new NotifyInputError('events must name at least one event');
  const unknown = input.events.find((event) => !(EVENT_TYPES as readonly string[]).includes(event) || event === 'test');
  if (unknown !== undefined) throw new NotifyInputError(`events: ${JSON.stringify(unknown)} is not an event (${EVENT_TYPES.filter((e) => e !== 'test').join(', ')})`);
  if (input.minLabel !== undefined && !isPriorityLabel(input.minLabel)) throw new NotifyInputError('minLabel must be a priority label (incident, 3d-forensic, 3d, 14d, 60d, next-upgrade)');
  if (input.minSeverity !== undefined && !isSeverity(input.minSeverity)) throw new NotifyInputError('minSeverity must be info, low, medium, high or critical');
  if (!(RULE_MODES as readonly string[]).includes(input.mode)) throw new NotifyInputError(`mode must be one of ${RULE_MODES.join(', ')}`);
  const tags = [...new Set(input.assetTags ?? [])];
  if (tags.some((tag) => tag.length === 0 || tag.length > 100)) throw new NotifyInputError('assetTags must be 1 to 100 characters each');
  const { id } = await db
    .insertInto('notify_rules')
    .values({
      channel_id: input.channelId,
      events: JSON.stringify([...new Set(input.events)]),
      min_label: input.minLabel ?? null,
      min_severity: input.minSeverity ?? null,
      asset_tags: JSON.stringify(tags),
      mode: input.mode,
      last_digest_at: null,
      created_by: input.createdBy,
      created_at: input.now.toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function listRules(db: Db): Promise<NotifyRule[]> {
  const rows = await db.selectFrom('notify_rules').selectAll().orderBy('id').execute();
  return rows.map(toRule);
}

export async function deleteRule(db: Db, id: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom('notify_digest_items').where('rule_id', '=', id).execute();
    const result = await trx.deleteFrom('notify_rules').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  });
}

/**
 * Writes events to the outbox (inside the caller's transaction, so they exist exactly when what caused them
 * commits). An event whose dedup key is already there is skipped. Returns how many were written.
 */
export async function insertEvents(trx: Db, events: readonly NewEvent[]): Promise<number> {
  let written = 0;
  // Row by row: a conflict on one dedup key must skip that row only, and the count must be exact on both dialects.
  for (const event of events) {
    const result = await trx
      .insertInto('notify_outbox')
      .values({
        event: event.type,
        dedup_key: event.dedupKey ?? null,
        fingerprint: event.fingerprint ?? null,
        label: event.label ?? null,
        severity: event.severity ?? null,
        asset: event.asset ?? null,
        asset_tags: JSON.stringify(event.assetTags ?? []),
        run_id: event.runId ?? null,
        scan_id: event.scanId ?? null,
        data: JSON.stringify(event.data),
        created_at: event.at,
        routed_at: null,
        claim: null,
        claimed_until: null,
      })
      .onConflict((oc) => oc.column('dedup_key').doNothing())
      .executeTakeFirst();
    written += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return written;
}

/** The delivery log, newest first. */
export async function listDeliveries(db: Db, query: { readonly limit?: number; readonly channelId?: number; readonly state?: string; readonly id?: number; readonly beforeId?: number } = {}): Promise<DeliveryView[]> {
  let select = db.selectFrom('notify_deliveries').selectAll().orderBy('id', 'desc').limit(Math.min(Math.max(query.limit ?? 100, 1), 1000));
  // Pages by id, newest first: the next page is everything older than the last id shown.
  if (query.beforeId !== undefined) select = select.where('id', '<', query.beforeId);
  if (query.channelId !== undefined) select = select.where('channel_id', '=', query.channelId);
  if (query.state !== undefined) select = select.where('state', '=', query.state);
  if (query.id !== undefined) select = select.where('id', '=', query.id);
  return (await select.execute()).map(toDeliveryView);
}

/** Every attempt of one delivery, oldest first. */
export async function listAttempts(db: Db, deliveryId: number): Promise<{ attempt: number; at: string; status?: number; error?: string; latencyMs: number }[]> {
  const rows = await db.selectFrom('notify_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('id').execute();
  return rows.map((row) => ({ attempt: row.attempt, at: row.at, ...(row.status === null ? {} : { status: row.status }), ...(row.error === null ? {} : { error: row.error }), latencyMs: row.latency_ms }));
}

function toChannelView(row: { id: number; kind: string; name: string; summary: string; disabled: number; disabled_reason: string | null; created_by: string; created_at: string }): ChannelView {
  return {
    id: row.id,
    kind: row.kind as ChannelKind,
    name: row.name,
    summary: row.summary,
    disabled: Number(row.disabled) !== 0,
    ...(row.disabled_reason === null ? {} : { disabledReason: row.disabled_reason }),
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

export function toRule(row: Selectable<NotifyRulesTable>): NotifyRule {
  return {
    id: row.id,
    channelId: row.channel_id,
    events: JSON.parse(row.events) as EventType[],
    ...(isPriorityLabel(row.min_label) ? { minLabel: row.min_label } : {}),
    ...(isSeverity(row.min_severity) ? { minSeverity: row.min_severity } : {}),
    assetTags: JSON.parse(row.asset_tags) as string[],
    mode: row.mode as RuleMode,
    ...(row.last_digest_at === null ? {} : { lastDigestAt: row.last_digest_at }),
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

function toDeliveryView(row: Selectable<NotifyDeliveriesTable>): DeliveryView {
  const waiting = row.state === 'pending' || row.state === 'failed';
  return {
    id: row.id,
    webhookId: row.webhook_id,
    channelId: row.channel_id,
    ...(row.rule_id === null ? {} : { ruleId: row.rule_id }),
    eventType: row.event_type,
    eventCount: row.event_count,
    state: row.state as DeliveryView['state'],
    attempts: row.attempts,
    ...(waiting ? { nextAttemptAt: row.next_attempt_at } : {}),
    ...(row.last_status === null ? {} : { lastStatus: row.last_status }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    ...(row.latency_ms === null ? {} : { latencyMs: row.latency_ms }),
    createdAt: row.created_at,
    ...(row.sent_at === null ? {} : { sentAt: row.sent_at }),
  };
}
