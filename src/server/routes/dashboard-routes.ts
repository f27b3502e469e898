import type { FastifyPluginAsync } from 'fastify';
import { readDashboard, STALE_DAYS } from '../../store/dashboard-queries.js';
import { responses } from '../api-schemas.js';

/** Days the dashboard's chart covers, today included. */
export const SERIES_DAYS = 30;
/** Items on the act-now list; the total says how many more there are. */
export const ACT_NOW_LIMIT = 20;
/** Assets in the top-risk panel. */
export const TOP_ASSETS = 10;
/** Assets in the freshness panel, stalest first. */
export const FRESHNESS_ASSETS = 20;
/** ISO weeks of new against fixed findings, this one included. */
export const WEEKS = 12;
/** Days over which time to fix is measured, today included. */
export const TIME_TO_FIX_DAYS = 90;

const counts = { type: 'object', additionalProperties: { type: 'integer' } } as const;
const feedDateSchema = { type: 'object', required: ['date', 'ageDays', 'stale'], properties: { date: { type: 'string' }, ageDays: { type: 'integer' }, stale: { type: 'boolean' } } } as const;

/** The dashboard's answer: everything the first page shows, so it costs one request. */
export const dashboardSchema = {
  type: 'object',
  required: ['generatedAt', 'openByLabel', 'openTotal', 'actNow', 'series', 'weekly', 'timeToFix', 'topAssets', 'freshness'],
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
    weekly: {
      type: 'array',
      description: 'per ISO week (UTC, Monday to the next Monday, exclusive), oldest first: findings that became new or were reopened, and findings fixed, each counted once a week',
      items: { type: 'object', required: ['from', 'to', 'opened', 'fixed'], properties: { from: { type: 'string' }, to: { type: 'string' }, opened: { type: 'integer' }, fixed: { type: 'integer' } } },
    },
    timeToFix: {
      type: 'object',
      required: ['from', 'to', 'labels'],
      description: `per current label, over findings fixed from \`from\` to \`to\` (UTC days, \`to\` exclusive): days from the finding's opening (new, or its latest reopening) to its latest fix, median and 90th percentile`,
      properties: {
        from: { type: 'string' },
        to: { type: 'string' },
        labels: { type: 'array', items: { type: 'object', required: ['label', 'fixed'], properties: { label: { type: 'string' }, fixed: { type: 'integer' }, medianDays: { type: 'number' }, p90Days: { type: 'number' } } } },
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
      required: ['assets', 'notScanned', 'feeds', 'failingSchedules'],
      properties: {
        assets: { type: 'array', items: { type: 'object', required: ['asset'], properties: { asset: { type: 'string' }, lastFound: { type: 'string' }, lastScan: { type: 'string' } } } },
        notScanned: {
          type: 'object',
          required: ['since', 'count'],
          description: `assets no recorded run has covered since \`since\` (${STALE_DAYS} days ago), never-scanned ones included`,
          properties: { since: { type: 'string' }, count: { type: 'integer' } },
        },
        feeds: {
          type: 'object',
          description: `the freshest KEV catalogue and EPSS scores the recorded runs judged by; stale: older than ${STALE_DAYS} days`,
          properties: { kev: feedDateSchema, epss: feedDateSchema },
        },
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
  app.get('/api/v1/dashboard', { preValidation: app.needRole('viewer'), schema: { summary: 'The dashboard: act now, open by label, trend, new against fixed, time to fix, top assets, freshness', tags: ['dashboard'], response: responses({ 200: dashboardSchema }) } }, async (request) =>
    // Every figure is computed within the asset scope of who asks, as the findings list is.
    readDashboard(db, app.deps.now(), { seriesDays: SERIES_DAYS, weeks: WEEKS, timeToFixDays: TIME_TO_FIX_DAYS, actNow: ACT_NOW_LIMIT, topAssets: TOP_ASSETS, freshnessAssets: FRESHNESS_ASSETS }, request.principal?.assets),
  );
};
