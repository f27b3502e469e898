import type { FastifyPluginAsync } from 'fastify';
import { actorName } from '../authenticate.js';
import { ASSET_LIMITS, assetIdProblem, CRITICALITIES, EXPOSURES, upsertAsset, type AssetChange } from '../../store/asset-registry.js';
import { inAssetScope } from '../../store/asset-scope.js';
import { assetDetail, assetTree } from '../../store/asset-tree.js';
import { responses } from '../api-schemas.js';
import { ApiError } from '../server-context.js';

const criticalitySchema = { type: 'string', enum: CRITICALITIES } as const;
const exposureSchema = { type: 'string', enum: EXPOSURES } as const;
/** Printable text without surrounding space: tags route notifications and owners are shown, both as plain text. */
const label = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength, pattern: '^[^\\s\\u0000-\\u001f\\u007f](?:[^\\u0000-\\u001f\\u007f]*[^\\s\\u0000-\\u001f\\u007f])?$' }) as const;
const tagsSchema = { type: 'array', maxItems: ASSET_LIMITS.tags, items: label(ASSET_LIMITS.tagLength) } as const;
const ownersSchema = { type: 'array', maxItems: ASSET_LIMITS.owners, items: label(ASSET_LIMITS.ownerLength) } as const;

const viewProperties = {
  asset: { type: 'string' },
  kind: { type: 'string', enum: ['host', 'site', 'application', 'app-pool', 'http-sys', 'url', 'other'] },
  parent: { type: 'string', description: 'the node it hangs under in the tree' },
  open: { type: 'integer', description: 'open, not suppressed findings on this asset itself' },
  riskSum: { type: 'number' },
  maxRisk: { type: 'number' },
  lastFound: { type: 'string' },
  lastScan: { type: 'string' },
  criticality: criticalitySchema,
  exposure: exposureSchema,
  tags: { type: 'array', items: { type: 'string' } },
  owners: { type: 'array', items: { type: 'string' } },
  updatedBy: { type: 'string' },
  updatedAt: { type: 'string' },
} as const;
const viewRequired = ['asset', 'kind', 'open', 'riskSum', 'maxRisk', 'tags', 'owners'] as const;

/** A tree node; `children` nests the next level (host → site → application: three levels at most). */
const node = <C extends object | undefined>(children: C) =>
  ({
    type: 'object',
    required: [...viewRequired, 'totalOpen', 'totalRisk', 'children'],
    properties: {
      ...viewProperties,
      totalOpen: { type: 'integer', description: 'open findings on this asset and everything under it' },
      totalRisk: { type: 'number' },
      children: children === undefined ? { type: 'array', maxItems: 0, items: { type: 'object' } } : { type: 'array', items: children },
    },
  }) as const;
const treeSchema = node(node(node(undefined)));

const detailSchema = {
  type: 'object',
  required: [...viewRequired, 'effective'],
  properties: {
    ...viewProperties,
    effective: {
      type: 'object',
      description: 'the context inherited along host → site → application: what prioritization and notification routing use',
      properties: { criticality: criticalitySchema, exposure: exposureSchema, tags: { type: 'array', items: { type: 'string' } }, owners: { type: 'array', items: { type: 'string' } } },
    },
  },
} as const;

const assetParams = { type: 'object', required: ['asset'], properties: { asset: { type: 'string', minLength: 1, maxLength: ASSET_LIMITS.assetLength } } } as const;

/** The asset tree and registry: the UI's `/assets` and `/assets/{id}` pages. */
export const assetRoutes: FastifyPluginAsync = async (app) => {
  const db = app.deps.store.database;
  app.get<{ Querystring: { limit: number } }>(
    '/api/v1/assets',
    {
      preValidation: app.needRole('viewer'),
      schema: {
        summary: 'Every known asset as trees host → site → application, the riskiest first, with the registry\'s attributes',
        description: 'Assets known from findings, runs\' coverage or the registry, within the asset scope of who asks. `limit` counts roots.',
        tags: ['assets'],
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
        response: responses({ 200: { type: 'object', required: ['items', 'total'], properties: { items: { type: 'array', items: treeSchema }, total: { type: 'integer', description: 'roots in all' } } } }),
      },
    },
    async (request) => {
      const scope = request.principal?.assets;
      return assetTree(db, app.deps.now(), { limit: request.query.limit, ...(scope === undefined ? {} : { scope }) });
    },
  );
  app.get<{ Params: { asset: string } }>(
    '/api/v1/assets/:asset',
    {
      preValidation: app.needRole('viewer'),
      schema: { summary: 'One asset\'s open findings, freshness and attributes', tags: ['assets'], params: assetParams, response: responses({ 200: detailSchema }) },
    },
    async (request) => {
      const found = await assetDetail(db, app.deps.now(), request.params.asset, request.principal?.assets);
      if (found === undefined) throw new ApiError(404, 'not-found', 'No finding, run or registry entry names this asset.');
      return found;
    },
  );
  app.patch<{ Params: { asset: string }; Body: AssetChange }>(
    '/api/v1/assets/:asset',
    {
      preValidation: app.needRole('operator'),
      schema: {
        summary: 'Set an asset\'s criticality, exposure, tags or owners (registering it when new)',
        description: 'A field left out stays; null clears criticality or exposure; tags and owners are replaced as given. Prioritization of later runs and notification routing read these.',
        tags: ['assets'],
        params: assetParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { criticality: { ...criticalitySchema, type: ['string', 'null'], enum: [...CRITICALITIES, null] }, exposure: { ...exposureSchema, type: ['string', 'null'], enum: [...EXPOSURES, null] }, tags: tagsSchema, owners: ownersSchema },
        },
        response: responses({ 200: detailSchema }),
      },
    },
    async (request) => {
      const { asset } = request.params;
      // Outside the scope reads as unknown, as for GET: the answer tells nothing of other teams' assets.
      if (!inAssetScope(asset, request.principal?.assets)) throw new ApiError(404, 'not-found', 'No finding, run or registry entry names this asset.');
      const problem = assetIdProblem(asset);
      if (problem !== undefined) throw new ApiError(400, 'asset.invalid', problem);
      await upsertAsset(db, asset, request.body, actorName(request.principal), app.deps.now());
      await app.audit(request, 'asset.changed', `asset:${asset}`, { ...request.body });
      const found = await assetDetail(db, app.deps.now(), asset, request.principal?.assets);
      if (found === undefined) throw new ApiError(404, 'not-found', 'No finding, run or registry entry names this asset.');
      return found;
    },
  );
};
