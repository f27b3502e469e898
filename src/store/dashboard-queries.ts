import { SqliteAdapter, sql, type Kysely, type SqlBool } from 'kysely';
import { PRIORITY_LABELS } from '../core/priority.js';
import { inAssetScope, scopeCondition, type AssetScope } from './asset-scope.js';
import { filterCondition, orderKey } from './finding-page.js';
import { suppressionOf } from './finding-store.js';
import type { StoreDatabase } from './store-schema.js';

type Db = Kysely<StoreDatabase>;

/** The label a finding without a priority is counted under. */
export const NO_LABEL = 'none';

/** Why a finding is on the act-now list; several may hold. */
export type ActNowReason = 'incident' | 'due' | 'kev-exposed' | 'reopened';

/** A finding someone should look at today. */
export interface ActNowItem {
  readonly fingerprint: string;
  readonly title: string;
  readonly asset: string;
  readonly severity: string;
  readonly status: string;
  readonly label: string;
  readonly risk?: number;
  readonly dueAt?: string;
  readonly reasons: readonly ActNowReason[];
}

/** One asset's open findings and when it was last looked at. */
export interface AssetSummary {
  readonly asset: string;
  readonly open: number;
  /** Sum of the open findings' risk: how much there is to fix there. */
  readonly riskSum: number;
  readonly maxRisk: number;
  /** When a recorded run last found anything on it. */
  readonly lastFound?: string;
  /** When a recorded run last evaluated a rule on it (its coverage). */
  readonly lastScan?: string;
}

/** Open findings per label on each day: the dashboard's stacked chart. */
export interface DailySeries {
  /** `YYYY-MM-DD`, oldest first, today last. */
  readonly days: readonly string[];
  readonly labels: readonly { readonly label: string; readonly counts: readonly number[] }[];
}

/** Labels in the order people act on them, and the bucket of findings without one last. */
export const DASHBOARD_LABELS: readonly string[] = [...PRIORITY_LABELS, NO_LABEL];

/** How long before an asset counts as not scanned lately, and a feed as stale. */
export const STALE_DAYS = 7;
const DAY_MS = 86_400_000;

/** New (or reopened) and fixed findings in one ISO week (Monday to Monday, UTC). */
export interface WeekChanges {
  /** `YYYY-MM-DD`: the Monday the week starts on, and the next Monday (exclusive). */
  readonly from: string;
  readonly to: string;
  /** Findings that became new or were reopened in the week, each counted once. */
  readonly opened: number;
  /** Findings closed as fixed in the week, each counted once. */
  readonly fixed: number;
}

/** How long the findings of one label took to be fixed. */
export interface LabelTimeToFix {
  readonly label: string;
  /** Findings fixed in the window. */
  readonly fixed: number;
  /** Days, to a tenth, from the finding's opening (new, or its latest reopening) to its fix; absent when none. */
  readonly medianDays?: number;
  readonly p90Days?: number;
}

/** The day of a feed the store's runs judged by, its age, and whether it is older than `STALE_DAYS`. */
export interface FeedDate {
  readonly date: string;
  readonly ageDays: number;
  readonly stale: boolean;
}

/** The dashboard's whole answer. */
export interface Dashboard {
  readonly generatedAt: string;
  readonly openByLabel: Record<string, number>;
  readonly openTotal: number;
  readonly actNow: { readonly items: ActNowItem[]; readonly total: number };
  readonly series: DailySeries;
  readonly weekly: readonly WeekChanges[];
  readonly timeToFix: { readonly from: string; readonly to: string; readonly labels: readonly LabelTimeToFix[] };
  readonly topAssets: AssetSummary[];
  readonly freshness: {
    readonly assets: { asset: string; lastFound?: string; lastScan?: string }[];
    readonly notScanned: { readonly since: string; readonly count: number };
    readonly feeds: { readonly kev?: FeedDate; readonly epss?: FeedDate };
    readonly failingSchedules: Awaited<ReturnType<typeof failingSchedules>>;
  };
}

/** How many of each the dashboard shows. */
export interface DashboardSizes {
  readonly seriesDays: number;
  readonly weeks: number;
  readonly timeToFixDays: number;
  readonly actNow: number;
  readonly topAssets: number;
  readonly freshnessAssets: number;
}

/**
 * Everything the dashboard shows, within the asset scope of who asks. The findings are read once, grouped by
 * asset, label, lifecycle and suppression (`findingGroups`): the open counts, the assets by risk, the act-now
 * total, the series' last day and the freshness of each asset are all sums of those groups. The history is read
 * only over the days, weeks and window shown, through the `history_status_at` index.
 */
export async function readDashboard(db: Db, now: Date, sizes: DashboardSizes, scope?: AssetScope): Promise<Dashboard> {
  // One transaction: every figure is read from the same snapshot. On PostgreSQL, JIT compilation is off for it
  // (it cost each larger query about 100 ms of compiling for a run of a few hundred), and sorts get 32 MB: the
  // weekly distinct counts sort ~100,000 history rows, which the default 4 MB spilled to disk (280 ms, not 150).
  return db.transaction().execute(async (trx) => {
    if (!(trx.getExecutor().adapter instanceof SqliteAdapter)) {
      await sql`set local jit = off`.execute(trx);
      await sql`set local work_mem = '32MB'`.execute(trx);
    }
    return dashboardWithin(trx, now, sizes, scope);
  });
}

async function dashboardWithin(db: Db, now: Date, sizes: DashboardSizes, scope?: AssetScope): Promise<Dashboard> {
  const groups = await findingGroups(db, now, scope);
  const openByLabel: Record<string, number> = Object.fromEntries(DASHBOARD_LABELS.map((label) => [label, 0]));
  const notFixed = new Map<string, number>();
  const assets = new Map<string, { open: number; riskSum: number; maxRisk: number | undefined; lastOpen?: string; lastFound?: string }>();
  let actNowTotal = 0;
  for (const group of groups) {
    const asset = assets.get(group.asset) ?? { open: 0, riskSum: 0, maxRisk: undefined };
    assets.set(group.asset, asset);
    asset.lastFound = later(asset.lastFound, group.lastFound);
    if (group.fixed) continue;
    notFixed.set(group.label, (notFixed.get(group.label) ?? 0) + group.count);
    if (group.suppressed) continue;
    openByLabel[group.label] = (openByLabel[group.label] ?? 0) + group.count;
    actNowTotal += group.actNow;
    asset.open += group.count;
    asset.riskSum += group.riskSum;
    if (group.maxRisk !== undefined && (asset.maxRisk === undefined || group.maxRisk > asset.maxRisk)) asset.maxRisk = group.maxRisk;
    asset.lastOpen = later(asset.lastOpen, group.lastFound);
  }
  const scanned = await lastScans(db, [...assets.keys()]);
  const topAssets = [...assets.entries()]
    .filter(([, a]) => a.open > 0)
    .sort(([an, a], [bn, b]) => b.riskSum - a.riskSum || (an < bn ? -1 : an > bn ? 1 : 0))
    .slice(0, sizes.topAssets)
    .map(([name, a]): AssetSummary => ({
      asset: name,
      open: a.open,
      riskSum: a.riskSum,
      maxRisk: a.maxRisk ?? 0,
      ...(a.lastOpen === undefined ? {} : { lastFound: a.lastOpen }),
      ...(scanned.has(name) ? { lastScan: scanned.get(name) } : {}),
    }));
  const freshness = [...assets.entries()].map(([name, a]) => ({ asset: name, ...(a.lastFound === undefined ? {} : { lastFound: a.lastFound }), ...(scanned.has(name) ? { lastScan: scanned.get(name) } : {}) }));
  const since = new Date(now.getTime() - STALE_DAYS * DAY_MS).toISOString();
  const when = (item: { lastFound?: string; lastScan?: string }): string => later(item.lastScan, item.lastFound) ?? '';
  freshness.sort((a, b) => (when(a) < when(b) ? -1 : when(a) > when(b) ? 1 : a.asset < b.asset ? -1 : 1));
  const [items, series, weekly, timeToFixed, feeds, failing] = [
    await actNowItems(db, now, sizes.actNow, scope, { total: actNowTotal, open: Object.values(openByLabel).reduce((sum, n) => sum + n, 0) }),
    await dailyOpenSeries(db, now, sizes.seriesDays, notFixed, scope),
    await weeklyChanges(db, now, sizes.weeks, scope),
    await timeToFix(db, now, sizes.timeToFixDays, scope),
    await feedDates(db, now),
    await failingSchedules(db, scope),
  ];
  return {
    generatedAt: now.toISOString(),
    openByLabel,
    openTotal: Object.values(openByLabel).reduce((sum, n) => sum + n, 0),
    actNow: { items, total: actNowTotal },
    series,
    weekly,
    timeToFix: timeToFixed,
    topAssets,
    freshness: {
      assets: freshness.slice(0, sizes.freshnessAssets),
      notScanned: { since, count: freshness.filter((a) => a.lastScan === undefined || a.lastScan < since).length },
      feeds,
      failingSchedules: failing,
    },
  };
}

/** The later of two ISO timestamps, either possibly absent. */
function later(a: string | undefined, b: string | undefined): string | undefined {
  return a === undefined ? b : b === undefined || a >= b ? a : b;
}

/** Findings of one asset, label, status and suppression, summed. */
interface FindingGroup {
  readonly asset: string;
  readonly label: string;
  readonly fixed: boolean;
  readonly suppressed: boolean;
  readonly count: number;
  readonly riskSum: number;
  readonly maxRisk?: number;
  readonly lastFound?: string;
  /** How many of them are on the act-now list (counted for open findings only). */
  readonly actNow: number;
}

/**
 * One pass over the findings within the scope, grouped by asset, label, lifecycle and suppression. Whether a
 * finding is suppressed is asked only when some suppression is in force: a store without one pays nothing for it
 * (the per-row lookup was half the cost of each open count at 100,000 findings).
 */
async function findingGroups(db: Db, now: Date, scope?: AssetScope): Promise<FindingGroup[]> {
  const at = now.toISOString();
  const anySuppression = await db.selectFrom('suppressions').select('id').where((w) => w.or([w('expires_at', 'is', null), w('expires_at', '>', at)])).limit(1).executeTakeFirst();
  const act = actNowConditions(now);
  const suppressed = (eb: Parameters<typeof suppressionOf>[0]) => sql<number>`case when f.status <> 'fixed' and ${eb.exists(suppressionOf(eb, at))} then 1 else 0 end`;
  let inner = db
    .selectFrom('findings as f')
    .select((eb) => ['f.asset', 'f.priority_label', 'f.status', 'f.risk', 'f.last_seen', sql<number>`case when f.status <> 'fixed' and ${act.any} then 1 else 0 end`.as('act'), (anySuppression === undefined ? sql<number>`0` : suppressed(eb)).as('suppressed')]);
  if (scope !== undefined) inner = inner.where((eb) => scopeCondition(eb, scope));
  // Grouped in the index's order, SQLite sums as it reads; the suppression, when asked, is one more group key.
  const rows = await db
    .selectFrom(inner.as('x'))
    .select((eb) => [
      'x.asset',
      'x.priority_label',
      'x.status',
      (anySuppression === undefined ? sql<number>`0` : sql<number>`x.suppressed`).as('suppressed'),
      eb.fn.countAll<number | string>().as('n'),
      eb.fn.sum<number | string>(sql`coalesce(x.risk, 0)`).as('risk_sum'),
      eb.fn.max<number | string | null>('x.risk').as('max_risk'),
      eb.fn.max('x.last_seen').as('last_found'),
      eb.fn.sum<number | string>('x.act').as('act'),
    ])
    .groupBy(anySuppression === undefined ? ['x.asset', 'x.priority_label', 'x.status'] : ['x.asset', 'x.priority_label', 'x.status', 'x.suppressed'])
    .execute();
  return rows.map((row) => ({
    asset: row.asset,
    label: row.priority_label ?? NO_LABEL,
    fixed: row.status === 'fixed',
    suppressed: Number(row.suppressed) === 1,
    count: Number(row.n),
    riskSum: Number(row.risk_sum ?? 0),
    ...(row.max_risk === null ? {} : { maxRisk: Number(row.max_risk) }),
    ...(row.last_found === null ? {} : { lastFound: row.last_found }),
    actNow: Number(row.act ?? 0),
  }));
}

/**
 * Why an open finding needs action now: an incident; a 3-day item due within 48 hours or overdue; a
 * known-exploited (KEV) weakness on an internet-facing asset when the priority's inputs say both; reopened.
 */
function actNowConditions(now: Date) {
  const soon = new Date(now.getTime() + 48 * 3600_000).toISOString();
  const kev = sql<SqlBool>`(f.kev_exposed = 1)`;
  const due = sql<SqlBool>`(f.priority_label in ('3d', '3d-forensic') and f.due_at is not null and f.due_at <= ${soon})`;
  const any = sql<SqlBool>`(f.priority_label = 'incident' or f.status = 'reopened' or ${due} or ${kev})`;
  return { kev, due, any };
}

/** How many findings the act-now list may read along the risk order before it looks its few items up instead. */
const ACT_NOW_WALK = 5_000;

/**
 * The first `limit` open, not suppressed findings that need action now (`actNowConditions`), highest risk first.
 * When they are common (`total` of `open`), read along the risk order: the first rows that qualify end the read.
 * When they are rare, that walk would read nearly every finding (100,000 rows when none qualifies): the few are
 * looked up by label, status and `kev_exposed` instead, then ordered. The total comes from `findingGroups`.
 */
export async function actNowItems(db: Db, now: Date, limit: number, scope?: AssetScope, counts?: { readonly total: number; readonly open: number }): Promise<ActNowItem[]> {
  if (counts?.total === 0) return [];
  const at = now.toISOString();
  const { due, kev, any } = actNowConditions(now);
  let select = db.selectFrom('findings as f');
  if (counts !== undefined && (limit * counts.open) / counts.total > ACT_NOW_WALK) {
    const candidates = db
      .selectFrom('findings as c')
      .select('c.fingerprint')
      .where('c.priority_label', 'in', ['incident', '3d', '3d-forensic'])
      .union(db.selectFrom('findings as c').select('c.fingerprint').where('c.status', '=', 'reopened'))
      .union(db.selectFrom('findings as c').select('c.fingerprint').where('c.kev_exposed', '=', 1));
    select = select.where('f.fingerprint', 'in', candidates);
  }
  const rows = await select
    .where((eb) => filterCondition(eb, {}, at, scope))
    .where(any)
    .select(['f.fingerprint', 'f.title', 'f.asset', 'f.severity', 'f.status', 'f.priority_label', 'f.risk', 'f.due_at'])
    .select([due.as('is_due'), kev.as('is_kev')])
    .orderBy(orderKey(db))
    .orderBy('f.fingerprint')
    .limit(limit)
    .execute();
  const truthy = (value: unknown): boolean => value === true || Number(value) === 1;
  return rows.map((row): ActNowItem => {
    const reasons: ActNowReason[] = [];
    if (row.priority_label === 'incident') reasons.push('incident');
    if (truthy(row.is_due)) reasons.push('due');
    if (truthy(row.is_kev)) reasons.push('kev-exposed');
    if (row.status === 'reopened') reasons.push('reopened');
    return {
      fingerprint: row.fingerprint,
      title: row.title,
      asset: row.asset,
      severity: row.severity,
      status: row.status,
      label: row.priority_label ?? NO_LABEL,
      ...(row.risk === null ? {} : { risk: Number(row.risk) }),
      ...(row.due_at === null ? {} : { dueAt: row.due_at }),
      reasons,
    };
  });
}

/** Assets by open (not fixed, not suppressed) risk, highest first, with when each was last found and last scanned. */
export async function summarizeAssets(db: Db, now: Date, options: { readonly limit?: number; readonly asset?: string; readonly scope?: AssetScope }): Promise<AssetSummary[]> {
  const open = await openByAsset(db, now, options);
  const scanned = await lastScans(db, open.map((row) => row.asset));
  return open.map((row) => ({ ...row, ...(scanned.has(row.asset) ? { lastScan: scanned.get(row.asset) } : {}) }));
}

/** `summarizeAssets` without the last scans, for callers that read every asset's last scan at once. */
export async function openByAsset(db: Db, now: Date, options: { readonly limit?: number; readonly asset?: string; readonly scope?: AssetScope }): Promise<AssetSummary[]> {
  const at = now.toISOString();
  let select = db
    .selectFrom('findings as f')
    .select((eb) => [
      'f.asset',
      eb.fn.countAll<number | string>().as('open'),
      eb.fn.sum<number | string>(sql`coalesce(f.risk, 0)`).as('risk_sum'),
      eb.fn.max<number | string | null>('f.risk').as('max_risk'),
      eb.fn.max('f.last_seen').as('last_found'),
    ])
    .where((eb) => filterCondition(eb, {}, at, options.scope))
    .groupBy('f.asset');
  if (options.asset !== undefined) select = select.where('f.asset', '=', options.asset);
  const ordered = select.orderBy('risk_sum', 'desc').orderBy('f.asset');
  const rows = await (options.limit === undefined ? ordered : ordered.limit(options.limit)).execute();
  return rows.map((row) => ({
    asset: row.asset,
    open: Number(row.open),
    riskSum: Number(row.risk_sum ?? 0),
    maxRisk: Number(row.max_risk ?? 0),
    ...(row.last_found === null ? {} : { lastFound: row.last_found }),
  }));
}

/**
 * When a recorded run last evaluated rules on each asset (its coverage): the asset's highest covering run id,
 * read from the (asset, run_id) index, then that run's end. Without a list: every covered asset.
 */
export async function lastScans(db: Db, assets?: readonly string[]): Promise<Map<string, string>> {
  const scanned = new Map<string, string>();
  const chunks = assets === undefined ? [undefined] : Array.from({ length: Math.ceil(assets.length / 500) }, (_, k) => assets.slice(k * 500, k * 500 + 500));
  for (const chunk of chunks) {
    let select = db.selectFrom('coverage as c').select((eb) => ['c.asset', eb.fn.max('c.run_id').as('run_id')]);
    if (chunk !== undefined) select = select.where('c.asset', 'in', chunk);
    const latest = await select.groupBy('c.asset').execute();
    if (latest.length === 0) continue;
    const runs = await db.selectFrom('runs').select(['id', 'finished_at']).where('id', 'in', [...new Set(latest.map((row) => Number(row.run_id)))]).execute();
    const finished = new Map(runs.map((run) => [Number(run.id), run.finished_at]));
    for (const row of latest) {
      const at = finished.get(Number(row.run_id));
      if (at !== undefined) scanned.set(row.asset, at);
    }
  }
  return scanned;
}

/**
 * Findings open (not fixed) per label at the end of each of the last `days` UTC days. The last day's figure is
 * what is not fixed now (`notFixed`, per label); each day before it is the day after minus the findings the day
 * after opened (`new`, `reopened` in the history) plus those it fixed. So only the window's changes are read
 * (`history_status_at`), not every change ever recorded. A finding counts under its current label (history keeps
 * statuses, not labels), and suppressions are not subtracted: it is the lifecycle trend.
 */
export async function dailyOpenSeries(db: Db, now: Date, days: number, notFixed: ReadonlyMap<string, number>, scope?: AssetScope): Promise<DailySeries> {
  const dayList: string[] = [];
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let k = days - 1; k >= 0; k -= 1) dayList.push(new Date(today - k * DAY_MS).toISOString().slice(0, 10));
  // Changes from the second day of the window on (any later ones too: they are already in `notFixed`).
  const from = new Date(today - (days - 2) * DAY_MS).toISOString().slice(0, 10);
  let select = db
    .selectFrom('history as h')
    .innerJoin('findings as f', 'f.fingerprint', 'h.fingerprint')
    .select((eb) => [sql<string>`substr(h.at, 1, 10)`.as('day'), 'f.priority_label', 'h.to_status', eb.fn.countAll<number | string>().as('n')])
    .where('h.to_status', 'in', ['new', 'reopened', 'fixed'])
    .where('h.at', '>=', from)
    .groupBy([sql`substr(h.at, 1, 10)`, 'f.priority_label', 'h.to_status']);
  if (scope !== undefined) select = select.where((eb) => scopeCondition(eb, scope));
  const rows = await select.execute();
  // Per label and day: how many more were open at the end of that day than at the end of the day before.
  const deltas = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const label = row.priority_label ?? NO_LABEL;
    const byDay = deltas.get(label) ?? new Map<string, number>();
    deltas.set(label, byDay);
    byDay.set(row.day, (byDay.get(row.day) ?? 0) + (row.to_status === 'fixed' ? -1 : 1) * Number(row.n));
  }
  const last = dayList.at(-1) ?? '';
  const labels = DASHBOARD_LABELS.map((label) => {
    const byDay = deltas.get(label) ?? new Map<string, number>();
    let open = notFixed.get(label) ?? 0;
    for (const [day, delta] of byDay) if (day > last) open -= delta;
    const counts = dayList.map(() => 0);
    for (let k = dayList.length - 1; k >= 0; k -= 1) {
      counts[k] = open;
      open -= byDay.get(dayList[k] ?? '') ?? 0;
    }
    return { label, counts };
  });
  return { days: dayList, labels };
}

/**
 * New (or reopened) and fixed findings in each of the last `weeks` ISO weeks (Monday to Monday, UTC), this week
 * last, from the history. A finding is counted once a week on each side however often it changed: the figure is
 * the number of findings the list shows with `openedIn` or `fixedIn` set to the week.
 */
export async function weeklyChanges(db: Db, now: Date, weeks: number, scope?: AssetScope): Promise<WeekChanges[]> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const monday = today - ((now.getUTCDay() + 6) % 7) * DAY_MS;
  const starts = Array.from({ length: weeks + 1 }, (_, k) => new Date(monday - (weeks - 1 - k) * 7 * DAY_MS).toISOString().slice(0, 10));
  const first = starts[0] ?? '';
  const end = starts.at(-1) ?? '';
  // The week's number, 0 (oldest) to weeks - 1, as one CASE both databases run alike.
  const week = sql<number>`case ${sql.join(starts.slice(1, -1).map((start, k) => sql`when h.at < ${start} then ${sql.lit(k)}`), sql` `)} else ${sql.lit(weeks - 1)} end`;
  const kind = sql<string>`case when h.to_status = 'fixed' then 'fixed' else 'opened' end`;
  let select = db
    .selectFrom('history as h')
    .select([week.as('week'), kind.as('kind'), sql<number | string>`count(distinct h.fingerprint)`.as('n')])
    .where('h.to_status', 'in', ['new', 'reopened', 'fixed'])
    .where('h.at', '>=', first)
    .where('h.at', '<', end)
    .groupBy([sql`1`, sql`2`]);
  if (scope !== undefined) select = select.where((eb) => eb.exists(eb.selectFrom('findings as f').select(sql`1`.as('one')).whereRef('f.fingerprint', '=', 'h.fingerprint').where((inner) => scopeCondition(inner, scope))));
  const rows = await select.execute();
  return starts.slice(0, -1).map((from, k) => {
    const count = (which: string) => Number(rows.find((row) => Number(row.week) === k && row.kind === which)?.n ?? 0);
    return { from, to: starts[k + 1] ?? end, opened: count('opened'), fixed: count('fixed') };
  });
}

/**
 * How long fixing took, per current label, over the findings fixed in the last `days` UTC days (today included):
 * for each, its latest fix in the window, measured from its opening just before (the `new`, or the latest
 * `reopened`). Durations are whole hours grouped in SQL, so the answer costs a few rows whatever the count; the
 * median and 90th percentile are nearest-rank, in days to a tenth. `fixed` is the number of findings the list
 * shows with `fixedIn` set to the window, status `all` and that label.
 */
export async function timeToFix(db: Db, now: Date, days: number, scope?: AssetScope): Promise<Dashboard['timeToFix']> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const from = new Date(today - (days - 1) * DAY_MS).toISOString().slice(0, 10);
  const to = new Date(today + DAY_MS).toISOString().slice(0, 10);
  const fixes = db
    .selectFrom('history as h')
    .select(['h.fingerprint', sql<string>`max(h.at)`.as('fixed_at')])
    .where('h.to_status', '=', 'fixed')
    .where('h.at', '>=', from)
    .where('h.at', '<', to)
    .groupBy('h.fingerprint');
  let spans = db
    .selectFrom(fixes.as('x'))
    .innerJoin('findings as f', 'f.fingerprint', 'x.fingerprint')
    .select((eb) => [
      'f.priority_label',
      'x.fixed_at',
      // Every finding's history starts with `new`, so an opening is always found; no fallback to the finding's
      // row keeps the join on the findings_fingerprint_label index (its row made this 10x slower on SQLite).
      eb.selectFrom('history as o').select(sql<string>`max(o.at)`.as('at')).whereRef('o.fingerprint', '=', 'x.fingerprint').where('o.to_status', 'in', ['new', 'reopened']).whereRef('o.at', '<=', 'x.fixed_at').as('opened_at'),
    ]);
  if (scope !== undefined) spans = spans.where((eb) => scopeCondition(eb, scope));
  const postgres = !(db.getExecutor().adapter instanceof SqliteAdapter);
  // Whole hours between the two ISO timestamps, rounded to the minute first so an exact hour is not 59 minutes.
  const hours = postgres
    ? sql<number>`floor(round(extract(epoch from (cast(y.fixed_at as timestamptz) - cast(y.opened_at as timestamptz))) / 60) / 60)`
    : sql<number>`cast(round((julianday(y.fixed_at) - julianday(y.opened_at)) * 1440) as integer) / 60`;
  const rows = await db
    .selectFrom(spans.as('y'))
    .select(['y.priority_label', hours.as('hours'), sql<number | string>`count(*)`.as('n')])
    .groupBy([sql`1`, sql`2`])
    .execute();
  const labels = DASHBOARD_LABELS.map((label): LabelTimeToFix => {
    const histogram = rows
      .filter((row) => (row.priority_label ?? NO_LABEL) === label)
      .filter((row) => row.hours !== null)
      .map((row) => ({ hours: Math.max(0, Number(row.hours)), n: Number(row.n) }))
      .sort((a, b) => a.hours - b.hours);
    const fixed = histogram.reduce((sum, bucket) => sum + bucket.n, 0);
    if (fixed === 0) return { label, fixed };
    const rank = (p: number): number => {
      const wanted = Math.ceil(p * fixed);
      let seen = 0;
      for (const bucket of histogram) {
        seen += bucket.n;
        if (seen >= wanted) return Math.round((bucket.hours / 24) * 10) / 10;
      }
      return 0;
    };
    return { label, fixed, medianDays: rank(0.5), p90Days: rank(0.9) };
  });
  return { from, to, labels };
}

/**
 * The freshest KEV catalogue and EPSS scores the store's runs judged by (each run records their days), how old
 * each is, and whether it is older than `STALE_DAYS`. The feeds are the same for every asset: no scope applies.
 */
export async function feedDates(db: Db, now: Date): Promise<Dashboard['freshness']['feeds']> {
  const row = await db.selectFrom('runs').select((eb) => [eb.fn.max('kev_date').as('kev'), eb.fn.max('epss_date').as('epss')]).executeTakeFirst();
  const dated = (date: string | null | undefined): FeedDate | undefined => {
    if (date === null || date === undefined) return undefined;
    const ageDays = Math.max(0, Math.floor((now.getTime() - Date.parse(`${date}T00:00:00Z`)) / DAY_MS));
    return { date, ageDays, stale: ageDays > STALE_DAYS };
  };
  const kev = dated(row?.kev);
  const epss = dated(row?.epss);
  return { ...(kev === undefined ? {} : { kev }), ...(epss === undefined ? {} : { epss }) };
}

/** Enabled schedules whose last run failed, for the freshness panel. */
export async function failingSchedules(db: Db, scope?: AssetScope): Promise<{ id: number; kind: string; cron: string; targets: string[]; lastRunAt?: string; lastError: string }[]> {
  const rows = await db.selectFrom('schedules').select(['id', 'kind', 'cron', 'targets', 'last_run_at', 'last_error']).where('last_error', 'is not', null).where('enabled', '=', 1).orderBy('id').limit(200).execute();
  // A scoped user sees a schedule only when every target it scans lies within the scope.
  const visible = rows.filter((row) => scope === undefined || (JSON.parse(row.targets) as string[]).every((target) => inAssetScope(target, scope)));
  return visible.slice(0, 50).map((row) => ({
    id: Number(row.id),
    kind: row.kind,
    cron: row.cron,
    targets: JSON.parse(row.targets) as string[],
    ...(row.last_run_at === null ? {} : { lastRunAt: row.last_run_at }),
    lastError: row.last_error ?? '',
  }));
}
