import type { FastifyPluginAsync } from 'fastify';
import { decodeCursor, encodeCursor, getFinding, pageFindingSummaries, triageFindings, type FindingFilter, type ListedFinding, type TriageChange, type TriageState } from '../../store/finding-page.js';
import { findingFilterProperties, findingSchema, findingSummarySchema, historyEntrySchema, responses, triageStateSchema } from '../api-schemas.js';
import { actorName } from '../authenticate.js';
import { ApiError, type Principal } from '../server-context.js';

/** What the finding routes take from `buildServer`'s options. */
export interface FindingRoutesOptions {
  readonly onTriaged?: (finding: ListedFinding, state: TriageState, by: string) => Promise<void>;
}

interface ListQuery extends FindingFilter {
  readonly limit: number;
  readonly cursor?: string;
}

interface ChangeBody {
  readonly triage?: { readonly state: TriageState; readonly justification?: string; readonly comment?: string };
  readonly suppression?: { readonly reason: string; readonly until?: string };
}

interface BulkBody extends ChangeBody {
  readonly fingerprints?: readonly string[];
  readonly filter?: FindingFilter;
}


const fingerprintSchema = { type: 'string', minLength: 1, maxLength: 200 } as const;

const changeProperties = {
  triage: {
    type: 'object',
    required: ['state'],
    additionalProperties: false,
    properties: { state: triageStateSchema, justification: { type: 'string', maxLength: 100 }, comment: { type: 'string', maxLength: 4000 } },
  },
  suppression: {
    type: 'object',
    required: ['reason'],
    additionalProperties: false,
    properties: { reason: { type: 'string', minLength: 1, maxLength: 2000 }, until: { type: 'string', format: 'date-time' } },
  },
} as const;

/** Listing, reading, triaging and suppressing findings. */
export const findingRoutes: FastifyPluginAsync<FindingRoutesOptions> = async (app, options) => {
  const db = app.deps.store.database;

  app.get<{ Querystring: ListQuery }>(
    '/api/v1/findings',
    {
      preValidation: app.needRole('viewer'),
      schema: {
        summary: 'List findings, highest risk first, a page at a time; each as a summary (the finding itself has its evidence)',
        tags: ['findings'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...findingFilterProperties, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, cursor: { type: 'string', maxLength: 400, description: 'nextCursor of the page before' } },
        },
        response: responses({ 200: { type: 'object', properties: { items: { type: 'array', items: findingSummarySchema }, nextCursor: { type: ['string', 'null'] } } } }),
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && after === undefined) throw new ApiError(400, 'bad-cursor', 'The cursor is not one this server gave.');
      const scope = request.principal?.assets;
      const page = await pageFindingSummaries(db, filter, { limit, ...(after === undefined ? {} : { after }), now: app.deps.now(), ...(scope === undefined ? {} : { scope }) });
      return { items: page.items, nextCursor: page.next === undefined ? null : encodeCursor(page.next) };
    },
  );

  app.get<{ Params: { fingerprint: string } }>(
    '/api/v1/findings/:fingerprint',
    {
      preValidation: app.needRole('viewer'),
      schema: {
        summary: 'One finding with its history',
        tags: ['findings'],
        params: { type: 'object', required: ['fingerprint'], properties: { fingerprint: fingerprintSchema } },
        response: responses({ 200: { ...findingSchema, properties: { ...findingSchema.properties, history: { type: 'array', items: historyEntrySchema } } } }),
      },
    },
    async (request) => {
      const finding = await getFinding(db, request.params.fingerprint, app.deps.now(), request.principal?.assets);
      if (finding === undefined) throw new ApiError(404, 'not-found', 'There is no finding with this fingerprint.');
      return { ...finding, history: await app.deps.store.history(finding.fingerprint) };
    },
  );

  app.patch<{ Params: { fingerprint: string }; Body: ChangeBody }>(
    '/api/v1/findings/:fingerprint',
    {
      preValidation: app.needRole('operator'),
      schema: {
        summary: 'Triage (CycloneDX states) or suppress one finding',
        tags: ['findings'],
        params: { type: 'object', required: ['fingerprint'], properties: { fingerprint: fingerprintSchema } },
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: changeProperties },
        response: responses({ 200: findingSchema }),
      },
    },
    async (request) => {
      const change = checkedChange(request.body, request.principal, app.deps.now());
      const changed = await triageFindings(db, { fingerprints: [request.params.fingerprint] }, change);
      if (changed.length === 0) throw new ApiError(404, 'not-found', 'There is no finding with this fingerprint.');
      await app.audit(request, 'finding.changed', `finding:${request.params.fingerprint}`, { ...request.body });
      const finding = await getFinding(db, request.params.fingerprint, app.deps.now(), request.principal?.assets);
      if (finding === undefined) throw new ApiError(404, 'not-found', 'There is no finding with this fingerprint.');
      if (change.triage !== undefined && options.onTriaged !== undefined) await options.onTriaged(finding, change.triage.state, actorName(request.principal));
      return finding;
    },
  );

  app.post<{ Body: BulkBody }>(
    '/api/v1/findings/bulk',
    {
      preValidation: app.needRole('operator'),
      schema: {
        summary: 'Triage or suppress every finding named or matching a filter, in one transaction',
        tags: ['findings'],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...changeProperties,
            fingerprints: { type: 'array', items: fingerprintSchema, minItems: 1, maxItems: 10_000 },
            filter: { type: 'object', additionalProperties: false, properties: findingFilterProperties },
          },
        },
        response: responses({ 200: { type: 'object', properties: { count: { type: 'integer' } } } }),
      },
    },
    async (request) => {
      const { fingerprints, filter, ...body } = request.body;
      if ((fingerprints === undefined) === (filter === undefined)) throw new ApiError(400, 'bad-request', 'Give either fingerprints or a filter.');
      const change = checkedChange(body, request.principal, app.deps.now());
      const changed = await triageFindings(db, fingerprints === undefined ? { filter: filter ?? {} } : { fingerprints }, change);
      await app.audit(request, 'finding.bulk-changed', fingerprints === undefined ? 'findings:filter' : 'findings:list', { ...body, ...(filter === undefined ? {} : { filter }), count: changed.length });
      if (change.triage !== undefined && options.onTriaged !== undefined) {
        for (const fingerprint of changed) {
          const finding = await getFinding(db, fingerprint, app.deps.now(), change.scope);
          if (finding !== undefined) await options.onTriaged(finding, change.triage.state, actorName(request.principal));
        }
      }
      return { count: changed.length };
    },
  );
};

/**
 * A change as the store takes it, limited to the asset scope of who makes it; refusing a suppression that has
 * already ended or a change that does nothing.
 */
function checkedChange(body: ChangeBody, principal: Principal | null, now: Date): TriageChange {
  const actor = actorName(principal);
  if (body.triage === undefined && body.suppression === undefined) throw new ApiError(400, 'bad-request', 'Give a triage, a suppression, or both.');
  const until = body.suppression?.until === undefined ? undefined : new Date(body.suppression.until);
  if (until !== undefined && until.getTime() <= now.getTime()) throw new ApiError(400, 'bad-request', 'The suppression\'s end is already past.');
  return {
    ...(body.triage === undefined ? {} : { triage: body.triage }),
    ...(body.suppression === undefined ? {} : { suppression: { reason: body.suppression.reason, ...(until === undefined ? {} : { until: until.toISOString() }) } }),
    actor,
    now,
    ...(principal?.assets === undefined ? {} : { scope: principal.assets }),
  };
}
