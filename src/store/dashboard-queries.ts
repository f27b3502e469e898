import { sql, type Kysely, type SqlBool } from 'kysely';
import { PRIORITY_LABELS } from '../core/priority.js';
import { inAssetScope, scopeCondition, type AssetScope } from './asset-scope.js';
import { filterCondition } from './finding-page.js';
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

/** Open, not suppressed findings per priority label (every label present, zero when none). */
export async function countOpenByLabel(db: Db, now: Date, scope?: AssetScope): Promise<Record<string, number>> {
  const at = now.toISOString();
  const rows = await db
    .selectFrom('findings as f')
    .select((eb) => ['f.priority_label', eb.fn.countAll<number | string>().as('n')])
    .where((eb) => filterCondition(eb, {}, at, scope))
    .groupBy('f.priority_label')
    .execute();
  const counts: Record<string, number> = Object.fromEntries(DASHBOARD_LABELS.map((label) => [label, 0]));
  for (const row of rows) {
    const label = row.priority_label ?? NO_LABEL;
    counts[label] = (counts[label] ?? 0) + Number(row.n);
  }
  return counts;
}

/**
 * Open, not suppressed findings that need action now: incidents, 3-day items due within 48 hours or overdue,
 * known-exploited (KEV) weaknesses on an internet-facing asset when the priority's inputs say both, and
 * reopened ones. Highest risk first.
 */
export async function actNow(db: Db, now: Date, limit: number, scope?: AssetScope): Promise<{ readonly items: ActNowItem[]; readonly total: number }> {
  const at = now.toISOString();
  const soon = new Date(now.getTime() + 48 * 3600_000).toISOString();
  // The priority JSON is written by decide-priority with `name` then `value`, so both facts are plain substrings.
  const kev = sql<SqlBool>`(f.priority like ${'%"name":"inKev","value":true%'} and f.priority like ${'%"name":"publiclyExposed","value":true%'})`;
  const due = sql<SqlBool>`(f.priority_label in ('3d', '3d-forensic') and f.due_at is not null and f.due_at <= ${soon})`;
  const base = db
    .selectFrom('findings as f')
    .where((eb) => filterCondition(eb, {}, at, scope))
    .where((eb) => eb.or([eb('f.priority_label', '=', 'incident'), due, kev, eb('f.status', '=', 'reopened')]));
  // The total rides on each row (a window count over the whole match), so the conditions are evaluated once.
  const rows = await base
    .select(['f.fingerprint', 'f.title', 'f.asset', 'f.severity', 'f.status', 'f.priority_label', 'f.risk', 'f.due_at'])
    .select([due.as('is_due'), kev.as('is_kev'), sql<number | string>`count(*) over ()`.as('total')])
    .orderBy(sql`coalesce(-f.risk, 1)`)
    .orderBy('f.fingerprint')
    .limit(limit)
    .execute();
  const total = { n: rows[0]?.total ?? 0 };
  const truthy = (value: unknown): boolean => value === true || Number(value) === 1;
  const items = rows.map((row): ActNowItem => {
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
  return { items, total: Number(total.n) };
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

/** Every asset the store knows, stalest first: when a run last found anything on it and last covered it. */
export async function assetFreshness(db: Db, limit: number, scope?: AssetScope): Promise<{ asset: string; lastFound?: string; lastScan?: string }[]> {
  let select = db.selectFrom('findings as f').select((eb) => ['f.asset', eb.fn.max('f.last_seen').as('last_found')]);
  if (scope !== undefined) select = select.where((eb) => scopeCondition(eb, scope));
  const rows = await select.groupBy('f.asset').execute();
  const scanned = await lastScans(db, rows.map((row) => row.asset));
  const items = rows.map((row) => {
    const lastScan = scanned.get(row.asset);
    return { asset: row.asset, ...(row.last_found === null ? {} : { lastFound: row.last_found }), ...(lastScan === undefined ? {} : { lastScan }) };
  });
  const when = (item: { lastFound?: string; lastScan?: string }): string => [item.lastScan ?? '', item.lastFound ?? ''].sort().at(-1) ?? '';
  return items.sort((a, b) => (when(a) < when(b) ? -1 : when(a) > when(b) ? 1 : a.asset < b.asset ? -1 : 1)).slice(0, limit);
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
 * Findings open (not fixed) per label at the end of each of the last `days` UTC days, from the history table:
 * each `new` or `reopened` opens a finding, each `fixed` closes it. Grouped by day in SQL, summed here, so
 * the cost follows the number of days with changes, not of findings. A finding counts under its current
 * label (history keeps statuses, not labels), and suppressions are not subtracted: it is the lifecycle trend.
 */
export async function dailyOpenSeries(db: Db, now: Date, days: number, scope?: AssetScope): Promise<DailySeries> {
  let select = db
    .selectFrom('history as h')
    .innerJoin('findings as f', 'f.fingerprint', 'h.fingerprint')
    .select((eb) => [
      sql<string>`substr(h.at, 1, 10)`.as('day'),
      'f.priority_label',
      'h.to_status',
      eb.fn.countAll<number | string>().as('n'),
    ])
    .where('h.to_status', 'in', ['new', 'reopened', 'fixed'])
    .groupBy([sql`substr(h.at, 1, 10)`, 'f.priority_label', 'h.to_status']);
  if (scope !== undefined) select = select.where((eb) => scopeCondition(eb, scope));
  const rows = await select.execute();
  const dayList: string[] = [];
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let k = days - 1; k >= 0; k -= 1) dayList.push(new Date(today - k * 86_400_000).toISOString().slice(0, 10));
  const deltas = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const label = row.priority_label ?? NO_LABEL;
    const byDay = deltas.get(label) ?? new Map<string, number>();
    deltas.set(label, byDay);
    const sign = row.to_status === 'fixed' ? -1 : 1;
    byDay.set(row.day, (byDay.get(row.day) ?? 0) + sign * Number(row.n));
  }
  const labels = DASHBOARD_LABELS.map((label) => {
    const byDay = deltas.get(label) ?? new Map<string, number>();
    const sorted = [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const counts: number[] = [];
    let open = 0;
    let next = 0;
    for (const day of dayList) {
      while (next < sorted.length && (sorted[next]?.[0] ?? '') <= day) open += sorted[next++]?.[1] ?? 0;
      counts.push(open);
    }
    return { label, counts };
  });
  return { days: dayList, labels };
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
