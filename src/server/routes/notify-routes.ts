import type { FastifyInstance, FastifyRequest } from 'fastify';
// The OpenAPI fields (tags, summary) of route schemas.
import type {} from '@fastify/swagger';
import { CHANNEL_KINDS, ChannelConfigError } from '../../notify/channel-config.js';
import { sendTest } from '../../notify/dispatch-notifications.js';
import { EVENT_TYPES } from '../../notify/notify-event.js';
import { PRIORITY_LABELS } from '../../core/priority.js';
import { SEVERITIES } from '../../core/severity.js';
import { createChannel, createRule, deleteChannel, deleteRule, listAttempts, listChannels, listDeliveries, listRules, NotifyInputError, RULE_MODES } from '../../store/notify-store.js';
import { ApiError } from '../server-context.js';

const ERROR = { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } }, required: ['error'] } as const;
const CREATED = { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'], additionalProperties: false } as const;
const ID_PARAMS = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } as const;

/** A channel as listed: no configuration, only a summary without secrets. */
const CHANNEL = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string', enum: [...CHANNEL_KINDS] },
    name: { type: 'string' },
    summary: { type: 'string' },
    disabled: { type: 'boolean' },
    disabledReason: { type: 'string' },
    createdBy: { type: 'string' },
    createdAt: { type: 'string' },
  },
  required: ['id', 'kind', 'name', 'summary', 'disabled', 'createdBy', 'createdAt'],
  additionalProperties: false,
} as const;

const RULE = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    channel: { type: 'integer' },
    events: { type: 'array', items: { type: 'string' } },
    minLabel: { type: 'string' },
    minSeverity: { type: 'string' },
    assetTags: { type: 'array', items: { type: 'string' } },
    mode: { type: 'string' },
    lastDigestAt: { type: 'string' },
    createdBy: { type: 'string' },
    createdAt: { type: 'string' },
  },
  required: ['id', 'channel', 'events', 'assetTags', 'mode', 'createdBy', 'createdAt'],
  additionalProperties: false,
} as const;

const DELIVERY = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    webhookId: { type: 'string' },
    channelId: { type: 'integer' },
    ruleId: { type: 'integer' },
    eventType: { type: 'string' },
    eventCount: { type: 'integer' },
    state: { type: 'string', enum: ['pending', 'failed', 'sent', 'dead'] },
    attempts: { type: 'integer' },
    nextAttemptAt: { type: 'string' },
    lastStatus: { type: 'integer' },
    lastError: { type: 'string' },
    latencyMs: { type: 'integer' },
    createdAt: { type: 'string' },
    sentAt: { type: 'string' },
  },
  required: ['id', 'webhookId', 'channelId', 'eventType', 'eventCount', 'state', 'attempts', 'createdAt'],
  additionalProperties: false,
} as const;

interface ChannelBody {
  readonly kind: string;
  readonly name: string;
  readonly config: Record<string, unknown>;
}

interface RuleBody {
  readonly channel: number;
  readonly events: string[];
  readonly minLabel?: string;
  readonly minSeverity?: string;
  readonly assetTags?: string[];
  readonly mode: string;
}

/** Notification channels, rules and the delivery log: admins only; secrets go in and never come back out. */
export async function notifyRoutes(app: FastifyInstance): Promise<void> {
  const admin = app.needRole('admin');
  const db = (): FastifyInstance['deps']['store']['database'] => app.deps.store.database;
  const actor = (request: FastifyRequest): string => request.principal?.name ?? 'unknown';

  app.post<{ Body: ChannelBody }>(
    '/api/v1/channels',
    {
      preValidation: admin,
      schema: {
        tags: ['notifications'],
        summary: 'Adds a notification channel; its configuration is encrypted at rest and never returned.',
        body: {
          type: 'object',
          properties: { kind: { type: 'string', enum: [...CHANNEL_KINDS] }, name: { type: 'string', minLength: 1, maxLength: 100 }, config: { type: 'object', additionalProperties: true, description: 'the kind’s settings (see docs/notifications.md)' } },
          required: ['kind', 'name', 'config'],
          additionalProperties: false,
        },
        response: { 201: CREATED, 400: ERROR },
      },
    },
    async (request, reply) => {
      const id = await asApiError(() => createChannel(db(), app.deps.secretKey, { kind: request.body.kind, name: request.body.name, config: request.body.config, createdBy: actor(request), now: app.deps.now() }));
      await app.audit(request, 'channel.create', `channel:${id}`, { kind: request.body.kind, name: request.body.name });
      return reply.code(201).send({ id });
    },
  );

  app.get('/api/v1/channels', { preValidation: admin, schema: { tags: ['notifications'], response: { 200: { type: 'object', properties: { items: { type: 'array', items: CHANNEL } }, required: ['items'] } } } }, async () => ({
    items: await listChannels(db()),
  }));

  app.delete<{ Params: { id: number } }>('/api/v1/channels/:id', { preValidation: admin, schema: { tags: ['notifications'], params: ID_PARAMS, response: { 204: { type: 'null' }, 404: ERROR } } }, async (request, reply) => {
    if (!(await deleteChannel(db(), request.params.id))) throw new ApiError(404, 'channel.not-found', `there is no channel ${request.params.id}`);
    await app.audit(request, 'channel.delete', `channel:${request.params.id}`);
    return reply.code(204).send();
  });

  app.post<{ Params: { id: number } }>(
    '/api/v1/channels/:id/test',
    {
      preValidation: admin,
      schema: {
        tags: ['notifications'],
        summary: 'Sends a test notification now; 502 with the receiver’s answer when it fails.',
        params: ID_PARAMS,
        response: {
          200: { type: 'object', properties: { delivered: { type: 'boolean' }, deliveryId: { type: 'integer' }, status: { type: 'integer' }, latencyMs: { type: 'integer' } }, required: ['delivered', 'deliveryId', 'latencyMs'], additionalProperties: false },
          404: ERROR,
          502: ERROR,
        },
      },
    },
    async (request) => {
      const result = await sendTest(app.deps, request.params.id);
      if (result === undefined) throw new ApiError(404, 'channel.not-found', `there is no channel ${request.params.id}`);
      await app.audit(request, 'channel.test', `channel:${request.params.id}`, { delivered: result.ok, ...(result.status === undefined ? {} : { status: result.status }) });
      if (!result.ok) throw new ApiError(502, 'channel.test-failed', result.status === undefined ? `the test notification failed: ${result.error ?? 'no answer'}` : `the receiver answered ${result.status} to the test notification`);
      return { delivered: true, deliveryId: result.deliveryId, ...(result.status === undefined ? {} : { status: result.status }), latencyMs: result.latencyMs };
    },
  );

  app.post<{ Body: RuleBody }>(
    '/api/v1/rules',
    {
      preValidation: admin,
      schema: {
        tags: ['notifications'],
        body: {
          type: 'object',
          properties: {
            channel: { type: 'integer', minimum: 1 },
            events: { type: 'array', minItems: 1, maxItems: EVENT_TYPES.length, items: { type: 'string', enum: EVENT_TYPES.filter((e) => e !== 'test') } },
            minLabel: { type: 'string', enum: [...PRIORITY_LABELS] },
            minSeverity: { type: 'string', enum: [...SEVERITIES] },
            assetTags: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 100 } },
            mode: { type: 'string', enum: [...RULE_MODES] },
          },
          required: ['channel', 'events', 'mode'],
          additionalProperties: false,
        },
        response: { 201: CREATED, 400: ERROR },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const id = await asApiError(() =>
        createRule(db(), {
          channelId: body.channel,
          events: body.events,
          ...(body.minLabel === undefined ? {} : { minLabel: body.minLabel }),
          ...(body.minSeverity === undefined ? {} : { minSeverity: body.minSeverity }),
          ...(body.assetTags === undefined ? {} : { assetTags: body.assetTags }),
          mode: body.mode,
          createdBy: actor(request),
          now: app.deps.now(),
        }),
      );
      await app.audit(request, 'rule.create', `rule:${id}`, { channel: body.channel, events: body.events, mode: body.mode });
      return reply.code(201).send({ id });
    },
  );

  app.get('/api/v1/rules', { preValidation: admin, schema: { tags: ['notifications'], response: { 200: { type: 'object', properties: { items: { type: 'array', items: RULE } }, required: ['items'] } } } }, async () => ({
    items: (await listRules(db())).map(({ channelId, ...rule }) => ({ ...rule, channel: channelId })),
  }));

  app.delete<{ Params: { id: number } }>('/api/v1/rules/:id', { preValidation: admin, schema: { tags: ['notifications'], params: ID_PARAMS, response: { 204: { type: 'null' }, 404: ERROR } } }, async (request, reply) => {
    if (!(await deleteRule(db(), request.params.id))) throw new ApiError(404, 'rule.not-found', `there is no rule ${request.params.id}`);
    await app.audit(request, 'rule.delete', `rule:${request.params.id}`);
    return reply.code(204).send();
  });

  app.get<{ Querystring: { limit?: number; before?: number; channel?: number; state?: string } }>(
    '/api/v1/deliveries',
    {
      preValidation: admin,
      schema: {
        tags: ['notifications'],
        summary: 'The delivery log, newest first (`before`: only deliveries with a smaller id, for the next page): every message, its attempts, the receiver’s last answer and latency.',
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 }, before: { type: 'integer', minimum: 1 }, channel: { type: 'integer', minimum: 1 }, state: { type: 'string', enum: ['pending', 'failed', 'sent', 'dead'] } }, additionalProperties: false },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: DELIVERY } }, required: ['items'] } },
      },
    },
    async (request) => ({
      items: await listDeliveries(db(), {
        ...(request.query.limit === undefined ? {} : { limit: request.query.limit }),
        ...(request.query.before === undefined ? {} : { beforeId: request.query.before }),
        ...(request.query.channel === undefined ? {} : { channelId: request.query.channel }),
        ...(request.query.state === undefined ? {} : { state: request.query.state }),
      }),
    }),
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/deliveries/:id',
    {
      preValidation: admin,
      schema: {
        tags: ['notifications'],
        summary: 'One delivery with every attempt.',
        params: ID_PARAMS,
        response: {
          200: {
            type: 'object',
            properties: {
              ...DELIVERY.properties,
              attemptLog: {
                type: 'array',
                items: { type: 'object', properties: { attempt: { type: 'integer' }, at: { type: 'string' }, status: { type: 'integer' }, error: { type: 'string' }, latencyMs: { type: 'integer' } }, required: ['attempt', 'at', 'latencyMs'], additionalProperties: false },
              },
            },
            required: [...DELIVERY.required, 'attemptLog'],
            additionalProperties: false,
          },
          404: ERROR,
        },
      },
    },
    async (request) => {
      const [delivery] = await listDeliveries(db(), { id: request.params.id });
      if (delivery === undefined) throw new ApiError(404, 'delivery.not-found', `there is no delivery ${request.params.id}`);
      return { ...delivery, attemptLog: await listAttempts(db(), delivery.id) };
    },
  );
}

/** Turns what a user got wrong into a 400 answer; anything else stays a server error. */
async function asApiError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ChannelConfigError) throw new ApiError(400, 'channel.invalid', error.message, { cause: error });
    if (error instanceof NotifyInputError) throw new ApiError(400, 'rule.invalid', error.message, { cause: error });
    throw error;
  }
}
