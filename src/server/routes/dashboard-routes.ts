import type { FastifyPluginAsync } from 'fastify';
import { actNow, assetFreshness, countOpenByLabel, dailyOpenSeries, failingSchedules, summarizeAssets } from '../../store/dashboard-queries.js';
import { responses } from '../api-schemas.js';

/** Days the dashboard's chart covers, today included. */
export const SERIES_DAYS = 30;
/** Items on the act-now list; the total says how many more there are. */
export const ACT_NOW_LIMIT = 20;
/** Assets in the top-risk panel. */
export const TOP_ASSETS = 10;
/** Assets in the freshness panel, stalest first. */
export const FRESHNESS_ASSETS = 20;

const counts = { type: 'object', additionalProperties: { type: 'integer' } } as const;

/** The dashboard's answer: everything the first page shows, so it costs one request. */
export const dashboardSchema = {
  type: 'object',
  required: ['generatedAt', 'openByLabel', 'openTotal', 'actNow', 'series', 'topAssets', 'freshness'],
  properties: {
    generatedAt: { type: 'string' },
    openByLabel: { ...counts, description: 'open, not suppressed findings per priority label (`none`: not prioritized)' },
    openTotal: { type: 'integer' },
    actNow: {
      type: 'object',
      required: ['items', 'total'],
      properties: {
        total: { type: 'integer' },
        items: {
          type: 'array',
          items: {
            type: 'object',
            required: ['fingerprint', 'title', 'asset', 'severity', 'status', 'label', 'reasons'],
            properties: {
              fingerprint: { type: 'string' },
              title: { type: 'string' },
              asset: { type: 'string' },
              severity: { type: 'string' },
              status: { type: 'string' },
              label: { type: 'string' },
              risk: { type: 'number' },
              dueAt: { type: 'string' },
              reasons: { type: 'array', items: { type: 'string', enum: ['incident', 'due', 'kev-exposed', 'reopened'] } },
            },
          },
        },
      },
    },
    series: {
      type: 'object',
      required: ['days', 'labels'],
      description: 'findings open (not fixed) at the end of each UTC day, per current label, from the history',
      properties: {
        days: { type: 'array', items: { type: 'string' } },
        labels: { type: 'array', items: { type: 'object', required: ['label', 'counts'], properties: { label: { type: 'string' }, counts: { type: 'array', items: { type: 'integer' } } } } },
      },
    },
    topAssets: {
      type: 'array',
      items: {
        type: 'object',
        required: ['asset', 'open', 'riskSum', 'maxRisk'],
        properties: { asset: { type: 'string' }, open: { type: 'integer' }, riskSum: { type: 'number' }, maxRisk: { type: 'number' }, lastFound: { type: 'string' }, lastScan: { type: 'string' } },
      },
    },
    freshness: {
      type: 'object',
      required: ['assets', 'failingSchedules'],
      properties: {
        assets: { type: 'array', items: { type: 'object', required: ['asset'], properties: { asset: { type: 'string' }, lastFound: { type: 'string' }, lastScan: { type: 'string' } } } },
        failingSchedules: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'kind', 'cron', 'targets', 'lastError'],
            properties: { id: { type: 'integer' }, kind: { type: 'string' }, cron: { type: 'string' }, targets: { type: 'array', items: { type: 'string' } }, lastRunAt: { type: 'string' }, lastError: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;

/** `GET /api/v1/dashboard`: what to act on now, open findings by label and over time, riskiest and stalest assets. */
export const dashboardRoutes: FastifyPluginAsync = async (app) => {
  const db = app.deps.store.database;
  app.get('/api/v1/dashboard', { preValidation: app.needRole('viewer'), schema: { summary: 'The dashboard: act now, open by label, trend, top assets, freshness', tags: ['dashboard'], response: responses({ 200: dashboardSchema }) } }, async (request) => {
    const now = app.deps.now();
    // Every figure is computed within the asset scope of who asks, as the findings list is.
    const scope = request.principal?.assets;
    const openByLabel = await countOpenByLabel(db, now, scope);
    return {
      generatedAt: now.toISOString(),
      openByLabel,
      openTotal: Object.values(openByLabel).reduce((sum, n) => sum + n, 0),
      actNow: await actNow(db, now, ACT_NOW_LIMIT, scope),
      series: await dailyOpenSeries(db, now, SERIES_DAYS, scope),
      topAssets: await summarizeAssets(db, now, { limit: TOP_ASSETS, ...(scope === undefined ? {} : { scope }) }),
      freshness: { assets: await assetFreshness(db, FRESHNESS_ASSETS, scope), failingSchedules: await failingSchedules(db, scope) },
    };
  });
};
