import type { FastifyPluginAsync } from 'fastify';
import { summarizeAssets } from '../../store/dashboard-queries.js';
import { responses } from '../api-schemas.js';
import { ApiError } from '../server-context.js';

const assetSchema = {
  type: 'object',
  required: ['asset', 'open', 'riskSum', 'maxRisk'],
  properties: {
    asset: { type: 'string' },
    open: { type: 'integer', description: 'open, not suppressed findings' },
    riskSum: { type: 'number' },
    maxRisk: { type: 'number' },
    lastFound: { type: 'string' },
    lastScan: { type: 'string' },
  },
} as const;

/** Assets with open findings, riskiest first: the UI's asset list and `/assets/{id}` page. */
export const assetRoutes: FastifyPluginAsync = async (app) => {
  const db = app.deps.store.database;
  app.get<{ Querystring: { limit: number } }>(
    '/api/v1/assets',
    {
      preValidation: app.needRole('viewer'),
      schema: {
        summary: 'Assets with open findings, highest summed risk first',
        tags: ['assets'],
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
        response: responses({ 200: { type: 'object', properties: { items: { type: 'array', items: assetSchema } } } }),
      },
    },
    async (request) => {
      const scope = request.principal?.assets;
      return { items: await summarizeAssets(db, app.deps.now(), { limit: request.query.limit, ...(scope === undefined ? {} : { scope }) }) };
    },
  );
  app.get<{ Params: { asset: string } }>(
    '/api/v1/assets/:asset',
    {
      preValidation: app.needRole('viewer'),
      schema: { summary: 'One asset\'s open findings and freshness', tags: ['assets'], params: { type: 'object', required: ['asset'], properties: { asset: { type: 'string', minLength: 1, maxLength: 1000 } } }, response: responses({ 200: assetSchema }) },
    },
    async (request) => {
      const scope = request.principal?.assets;
      const [found] = await summarizeAssets(db, app.deps.now(), { limit: 1, asset: request.params.asset, ...(scope === undefined ? {} : { scope }) });
      if (found === undefined) throw new ApiError(404, 'not-found', 'No open finding is on this asset.');
      return found;
    },
  );
};
