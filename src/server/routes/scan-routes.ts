import type { FastifyInstance, FastifyRequest } from 'fastify';
import { importReport } from '../../jobs/import-report.js';
import { requestVerify } from '../../jobs/request-verify.js';
import { createSchedule, deleteSchedule, listSchedules, setScheduleEnabled } from '../../jobs/scan-schedules.js';
import { getFinding } from '../../store/finding-page.js';
import { readScanLog } from '../../store/scan-log.js';
import { getScan, getScanWithAssets, LISTED_SCAN_KINDS, listScans, requestScan, SCAN_STATES, type ScanListQuery } from '../../store/scan-store.js';
import { ApiError } from '../server-context.js';

/** Pushed host reports can be large: many findings with evidence. */
const REPORT_BODY_LIMIT = 64 * 1024 * 1024;

const errorSchema = { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } } } as const;

const scanSchema = {
  type: 'object',
  required: ['id', 'kind', 'state'],
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string' },
    targets: { type: 'array', items: { type: 'string' } },
    state: { enum: ['queued', 'running', 'done', 'failed'] },
    progress: { type: 'object', additionalProperties: true },
    findings: { type: 'integer' },
    runId: { type: 'integer' },
    error: { type: 'string' },
    requestedBy: { type: 'string' },
    createdAt: { type: 'string' },
    startedAt: { type: 'string' },
    finishedAt: { type: 'string' },
    verify: { type: 'object', properties: { fingerprint: { type: 'string' }, result: { enum: ['fixed', 'open'] } } },
    findingAssets: { type: 'array', items: { type: 'string' }, description: 'One scan only: the assets its run found anything on, within the caller’s asset scope.' },
  },
} as const;

const scanLogSchema = {
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: { type: 'object', required: ['at', 'level', 'message'], properties: { at: { type: 'string' }, level: { enum: ['info', 'warn', 'error'] }, message: { type: 'string' } } } } },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

const scheduleSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string' },
    targets: { type: 'array', items: { type: 'string' } },
    cron: { type: 'string' },
    timezone: { type: 'string' },
    enabled: { type: 'boolean' },
    lastRunAt: { type: 'string' },
    nextRunAt: { type: 'string' },
    lastError: { type: 'string' },
    createdBy: { type: 'string' },
  },
} as const;

const scanRequestBody = {
  type: 'object',
  required: ['kind', 'targets'],
  additionalProperties: false,
  properties: { kind: { type: 'string', maxLength: 32 }, targets: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 2048 } } },
} as const;

/** Who acts, as scans and the audit log name them. */
function actor(request: FastifyRequest): string {
  if (request.principal === null) throw new ApiError(401, 'auth.required', 'sign in or send an API token.');
  return request.principal.name;
}

/**
 * Scans, verifies, pushed reports and schedules. Thin: the logic lives in the services (scan-store, request-verify,
 * import-report, scan-schedules), which are tested on both stores without HTTP.
 */
export async function scanRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;

  app.post<{ Body: { kind: string; targets: string[] } }>(
    '/api/v1/scans',
    { preValidation: app.needRole('operator'), schema: { body: scanRequestBody, response: { 202: { type: 'object', properties: { id: { type: 'integer' } } }, 400: errorSchema } } },
    async (request, reply) => {
      const id = await requestScan(deps, { kind: request.body.kind, targets: request.body.targets, by: actor(request) });
      await app.audit(request, 'scan.request', `scan:${id}`, { kind: request.body.kind, targets: request.body.targets.length });
      return reply.code(202).send({ id });
    },
  );

  app.get<{ Querystring: ScanListQuery }>(
    '/api/v1/scans',
    {
      preValidation: app.needRole('viewer'),
      schema: {
        summary: 'Scans newest first, a page at a time (pass nextCursor back as cursor), optionally of one state or kind',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 500 },
            cursor: { type: 'string', maxLength: 20 },
            before: { type: 'integer', minimum: 1 },
            state: { enum: [...SCAN_STATES] },
            kind: { enum: [...LISTED_SCAN_KINDS] },
          },
        },
        response: { 200: { type: 'object', required: ['items', 'nextCursor'], properties: { items: { type: 'array', items: scanSchema }, nextCursor: { type: ['string', 'null'] } } }, 400: errorSchema },
      },
    },
    async (request) => listScans(deps, request.query),
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/scans/:id',
    { preValidation: app.needRole('viewer'), schema: { params: idParams, response: { 200: scanSchema, 404: errorSchema } } },
    async (request) => getScanWithAssets(deps, request.params.id, request.principal?.assets),
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/scans/:id/log',
    { preValidation: app.needRole('viewer'), schema: { summary: 'What a scan did, oldest line first: attempts, stages, targets, inputs read and issues met (its newest 200 lines)', params: idParams, response: { 200: scanLogSchema, 404: errorSchema } } },
    async (request) => {
      await getScan(deps, request.params.id);
      return { items: await readScanLog(deps.store.database, request.params.id) };
    },
  );

  app.post<{ Params: { fingerprint: string } }>(
    '/api/v1/findings/:fingerprint/verify',
    { preValidation: app.needRole('operator'), schema: { params: { type: 'object', required: ['fingerprint'], properties: { fingerprint: { type: 'string', minLength: 1, maxLength: 200 } } }, response: { 202: { type: 'object', properties: { scanId: { type: 'integer' } } }, 404: errorSchema, 409: errorSchema } } },
    async (request, reply) => {
      // A finding outside the asset scope is not there for this caller: the same 404 as an unknown one.
      const scope = request.principal?.assets;
      if (scope !== undefined && (await getFinding(deps.store.database, request.params.fingerprint, deps.now(), scope)) === undefined) {
        throw new ApiError(404, 'finding.not-found', 'there is no finding with this fingerprint.');
      }
      const scanId = await requestVerify(deps, request.params.fingerprint, actor(request));
      await app.audit(request, 'finding.verify', `finding:${request.params.fingerprint}`, { scanId });
      return reply.code(202).send({ scanId });
    },
  );

  app.post<{ Body: unknown; Headers: { 'idempotency-key'?: string } }>(
    '/api/v1/reports',
    {
      bodyLimit: REPORT_BODY_LIMIT,
      preValidation: app.needRole('operator'),
      // The report's shape is checked by checkPushedReport, which names the first problem in a sentence.
      schema: { headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } } }, response: { 201: { type: 'object', properties: { runId: { type: 'integer' } } }, 400: errorSchema } },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const scope = request.principal?.assets;
      const imported = await importReport(deps, request.body, { by: actor(request), ...(key === undefined ? {} : { idempotencyKey: key }), ...(scope === undefined ? {} : { scope }) });
      if (imported.created) await app.audit(request, 'report.import', `run:${imported.runId}`);
      // The same push again answers as the first did: the client cannot tell a retry from a first try.
      return reply.code(201).send({ runId: imported.runId });
    },
  );

  app.get('/api/v1/schedules', { preValidation: app.needRole('viewer'), schema: { response: { 200: { type: 'object', properties: { items: { type: 'array', items: scheduleSchema } } } } } }, async () => ({ items: await listSchedules(deps) }));

  app.post<{ Body: { kind: string; targets: string[]; cron: string; timezone: string } }>(
    '/api/v1/schedules',
    {
      preValidation: app.needRole('operator'),
      schema: {
        body: {
          type: 'object',
          required: ['kind', 'targets', 'cron', 'timezone'],
          additionalProperties: false,
          properties: { ...scanRequestBody.properties, cron: { type: 'string', minLength: 1, maxLength: 200 }, timezone: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        response: { 201: { type: 'object', properties: { id: { type: 'integer' } } }, 400: errorSchema },
      },
    },
    async (request, reply) => {
      const id = await createSchedule(deps, { ...request.body, by: actor(request) });
      await app.audit(request, 'schedule.create', `schedule:${id}`, { kind: request.body.kind, cron: request.body.cron, timezone: request.body.timezone });
      return reply.code(201).send({ id });
    },
  );

  app.patch<{ Params: { id: number }; Body: { enabled: boolean } }>(
    '/api/v1/schedules/:id',
    {
      preValidation: app.needRole('operator'),
      schema: {
        summary: 'Pause or resume a schedule; resuming runs next at the cron’s next time, not the slots missed while paused',
        params: idParams,
        body: { type: 'object', required: ['enabled'], additionalProperties: false, properties: { enabled: { type: 'boolean' } } },
        response: { 200: scheduleSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const schedule = await setScheduleEnabled(deps, request.params.id, request.body.enabled);
      await app.audit(request, request.body.enabled ? 'schedule.enable' : 'schedule.disable', `schedule:${request.params.id}`);
      return schedule;
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/api/v1/schedules/:id',
    { preValidation: app.needRole('operator'), schema: { summary: 'Remove a schedule; the scans it requested stay', params: idParams, response: { 204: { type: 'null' }, 404: errorSchema } } },
    async (request, reply) => {
      if (!(await deleteSchedule(deps, request.params.id))) throw new ApiError(404, 'schedule.not-found', `there is no schedule ${request.params.id}.`);
      await app.audit(request, 'schedule.delete', `schedule:${request.params.id}`);
      return reply.code(204).send();
    },
  );
}
