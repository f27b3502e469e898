import { SqliteAdapter, sql, type Expression, type RawBuilder, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { FindingStatus } from '../core/finding-status.js';
import { scopeCondition, type AssetScope } from './asset-scope.js';
import { chunks, selectWithEvidence, suppressionOf, toStoredFindings, type ListedRow, type StoredFinding } from './finding-store.js';
import { KEPT_PREPARED } from './kept-prepared.js';
import { perDatabase } from './per-database.js';
import type { FindingsTable, StoreDatabase, SuppressionsTable } from './store-schema.js';

/** Triage states in the CycloneDX analysis vocabulary. */
export const TRIAGE_STATES = ['in_triage', 'exploitable', 'resolved', 'false_positive', 'not_affected'] as const;
export type TriageState = (typeof TRIAGE_STATES)[number];

/** Which findings a list or a bulk change covers. */
export interface FindingFilter {
  /** A lifecycle status, `suppressed`, or `all`; default: not fixed and not suppressed. */
  readonly status?: FindingStatus | 'suppressed' | 'all';
  /** The latest priority label. */
  readonly label?: string;
  readonly severity?: string;
  readonly asset?: string;
  readonly rule?: string;
  /** Free text, matched without regard to case within title, rule and asset. */
  readonly q?: string;
  /** `YYYY-MM-DD/YYYY-MM-DD` (UTC days, the end exclusive): findings that became new or were reopened then. */
  readonly openedIn?: string;
  /** `YYYY-MM-DD/YYYY-MM-DD` (UTC days, the end exclusive): findings fixed then. */
  readonly fixedIn?: string;
}

/** Where a page starts: just after the finding with this sort key and fingerprint. */
export interface PageCursor {
  readonly key: number;
  readonly fingerprint: string;
}

/** Triage as a finding carries it. */
export interface Triage {
  readonly state: TriageState;
  readonly justification?: string;
  readonly comment?: string;
  readonly by: string;
  readonly at: string;
}

/** A finding as the API lists it. */
export interface ListedFinding extends StoredFinding {
  readonly triage?: Triage;
}

/** One page of findings and where the next one starts (undefined: this was the last). */
export interface FindingPage {
  readonly items: ListedFinding[];
  readonly next?: PageCursor;
}

type Db = Kysely<StoreDatabase>;
type FindingScope = ExpressionBuilder<StoreDatabase & { f: FindingsTable }, 'f'>;

/**
 * The ascending key findings are paged by: highest risk first, findings without a risk after all others.
 * Spelt exactly as in the `findings_risk_order` index so both databases use it: on PostgreSQL the expression, on
 * SQLite the generated column that holds it (0017-order-key-sqlite), which SQLite can seek a cursor's row value in.
 */
const ORDER_KEY = sql<number>`coalesce(-f.risk, 1)`;
const SQLITE_ORDER_KEY = sql<number>`f.order_key`;

/** The page key of `db`'s dialect (see `ORDER_KEY`). */
export function orderKey(db: Db): RawBuilder<number> {
  return isSqlite(db) ? SQLITE_ORDER_KEY : ORDER_KEY;
}

/**
 * The condition a filter puts on findings `f` at `now`, within the asset scope of who asks (ASVS 8.2.2: the
 * scope is part of every query, so no route can forget it). The scope is its own argument, never part of a
 * filter a client sends.
 */
export function filterCondition(eb: FindingScope, filter: FindingFilter, now: string, scope?: AssetScope): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [];
  if (scope !== undefined) conditions.push(scopeCondition(eb, scope));
  // SQLite checks conditions in the order written: the plain columns and the text first, the suppression
  // subquery (two index probes a row) last, only for rows that match the rest (a rare term: 2.1 s against 0.8 s
  // over 200,000 findings without the text index).
  if (filter.status === 'suppressed') {
    // Checked last, below.
  } else if (filter.status === 'all') {
    // Everything, fixed and suppressed too.
  } else {
    // `fixed` as a literal: PostgreSQL's index of findings not fixed (0018) serves a statement planned once only so.
    conditions.push(filter.status === undefined ? eb('f.status', '<>', sql.lit('fixed')) : eb('f.status', '=', filter.status));
  }
  // `none`: findings no run has prioritized, as the dashboard counts them.
  if (filter.label !== undefined) conditions.push(filter.label === 'none' ? eb('f.priority_label', 'is', null) : eb('f.priority_label', '=', filter.label));
  if (filter.openedIn !== undefined) conditions.push(changedIn(eb, ['new', 'reopened'], filter.openedIn));
  if (filter.fixedIn !== undefined) conditions.push(changedIn(eb, ['fixed'], filter.fixedIn));
  if (filter.severity !== undefined) conditions.push(eb('f.severity', '=', filter.severity));
  if (filter.asset !== undefined) conditions.push(eb('f.asset', '=', filter.asset));
  if (filter.rule !== undefined) conditions.push(eb('f.rule_id', '=', filter.rule));
  if (filter.q !== undefined && filter.q !== '') {
    // The user's text is a parameter and its wildcards are escaped: `%` and `_` match themselves.
    const pattern = likePattern(filter.q);
    conditions.push(
      eb.or([
        sql<SqlBool>`lower(f.title) like ${pattern} escape '\\'`,
        sql<SqlBool>`lower(f.rule_id) like ${pattern} escape '\\'`,
        sql<SqlBool>`lower(f.asset) like ${pattern} escape '\\'`,
      ]),
    );
  }
  if (filter.status === 'suppressed') conditions.push(eb('f.fingerprint', 'in', suppressedFingerprints(eb, now)));
  else if (filter.status !== 'all') conditions.push(eb.not(eb.exists(suppressionOf(eb, now))));
  return eb.and(conditions);
}

/**
 * The fingerprints suppressions in force cover, by fingerprint or by rule on asset: the same findings as
 * `suppressionOf`, as a set the database can start from. Asked per finding along the page order, the list of
 * suppressed findings read every finding when few are (4.5 s at 1M findings on PostgreSQL with none); as a set,
 * the planner starts from the suppressions or walks the page order, whichever it reckons cheaper.
 */
function suppressedFingerprints(eb: FindingScope, now: string) {
  const inForce = (s: ExpressionBuilder<StoreDatabase & { s: SuppressionsTable }, 's'>) => s.or([s('s.expires_at', 'is', null), s('s.expires_at', '>', now)]);
  return eb
    .selectFrom('suppressions as s')
    .select('s.fingerprint')
    .where('s.fingerprint', 'is not', null)
    .where(inForce)
    .unionAll(
      eb
        .selectFrom('suppressions as s')
        .innerJoin('findings as g', (join) => join.onRef('g.rule_id', '=', 's.rule_id').onRef('g.asset', '=', 's.asset'))
        .select('g.fingerprint')
        .where(inForce),
    );
}

/**
 * Findings whose history holds a change to one of `statuses` within a day range: one set, read from the
 * `history_status_at` index once, that each finding of the list is looked up in (keyset paging is unchanged).
 */
function changedIn(eb: FindingScope, statuses: readonly string[], range: string): Expression<SqlBool> {
  const [from = '', to = ''] = range.split('/');
  return eb(
    'f.fingerprint',
    'in',
    eb.selectFrom('history as h').select('h.fingerprint').where('h.to_status', 'in', [...statuses]).where('h.at', '>=', from).where('h.at', '<', to),
  );
}

/**
 * One page of findings in a stable order (risk descending with none last, then fingerprint), by keyset: the
 * page after a cursor never repeats or skips a row, even when rows are added between pages. Each finding comes
 * whole, with its evidence and priority (exports); the list view reads `pageFindingSummaries`.
 */
export async function pageFindings(db: Db, filter: FindingFilter, options: PageOptions): Promise<FindingPage> {
  const now = options.now.toISOString();
  const rows = await readPage(db, filter, options, now, (query) =>
    selectWithEvidence(db)
      .select((eb) => suppressedColumn(eb, filter, now))
      .select(orderKey(db).as('order_key'))
      .where(query.where)
      .orderBy(query.key)
      .orderBy('f.fingerprint')
      .limit(query.limit)
      .execute(),
  );
  const page = rows.slice(0, options.limit);
  return { items: await toListed(db, page, now), ...nextOf(rows, options.limit) };
}

/**
 * The same page as `pageFindings` (same filter, order and cursors), each finding as the list shows it: no
 * evidence, description or priority inputs, so neither the occurrence row nor the JSON columns are read. A page
 * of 50 is ~8 KB instead of ~42 KB, and building it costs a tenth of the time.
 */
export async function pageFindingSummaries(db: Db, filter: FindingFilter, options: PageOptions): Promise<SummaryPage> {
  const now = options.now.toISOString();
  const rows = await readPage(db, filter, options, now, (query) =>
    summarySelect(db)
      .modifyFront(KEPT_PREPARED)
      .select((eb) => suppressedColumn(eb, filter, now))
      .select(orderKey(db).as('order_key'))
      .where(query.where)
      .orderBy(query.key)
      .orderBy('f.fingerprint')
      .limit(sql.lit(query.limit))
      .execute(),
  );
  return { items: rows.slice(0, options.limit).map(toSummary), ...nextOf(rows, options.limit) };
}

/**
 * Whether a suppression covers each row of a page. The filter's condition already decides it for every status
 * but `all` (suppressed rows only, or none), so only `all` looks the suppressions up a second time per row.
 */
function suppressedColumn(eb: FindingScope, filter: FindingFilter, now: string) {
  if (filter.status === 'all') return eb.exists(suppressionOf(eb, now)).as('suppressed');
  return sql<number>`${sql.lit(filter.status === 'suppressed' ? 1 : 0)}`.as('suppressed');
}

/** One query of a page: the key its rows are ordered by, the condition they meet and how many it reads. */
interface PageQuery {
  readonly key: RawBuilder<number>;
  readonly where: (eb: FindingScope) => Expression<SqlBool>;
  readonly limit: number;
}

/**
 * A page's rows (one more than its limit, when there are), in page order, read by `run`, which sends one query.
 * The condition is the cursor first (see `afterCursor`), then where free text finds its matches (see
 * `textPlan`), then the filter. With free text walked on SQLite the rows are ordered by `WALK_KEY`, the same
 * values as `ORDER_KEY` spelt as the walk index has them. On PostgreSQL a walk reads the term's next matches in
 * page order from `findings_text_walk` alone (an index-only scan) and the page query looks only those rows up,
 * batch after batch (each 4x the last), until the page is full or the matches end.
 */
async function readPage<R>(db: Db, filter: FindingFilter, options: PageOptions, now: string, run: (query: PageQuery) => Promise<R[]>): Promise<R[]> {
  const want = options.limit + 1;
  const query = (key: RawBuilder<number>, after: PageCursor | undefined, text: RawBuilder<SqlBool> | undefined, limit: number): PageQuery => ({
    key,
    limit,
    where: (eb) =>
      eb.and([
        ...(after === undefined ? [] : [afterCursor(db, after, key)]),
        ...(text === undefined ? [] : [text]),
        filterCondition(eb, filter, now, options.scope),
      ]),
  });
  // A list drawn from a set (the suppressions, a range of the history) tests the text on that set's findings: a
  // walk along the page order would pass every match of the term to find the few in the set (600 ms for the
  // suppressed findings holding "host42" at 1M, none of them suppressed; now 5 ms). On SQLite so does one site's or
  // one rule's list, read in page order from its own index, for a term common enough to be walked.
  const fromSet = filter.status === 'suppressed' || filter.openedIn !== undefined || filter.fixedIn !== undefined;
  const planned = fromSet ? undefined : await textPlan(db, filter.q, options.now.getTime());
  const text = planned?.kind === 'walk' && (filter.asset !== undefined || filter.rule !== undefined) ? undefined : planned;
  if (text?.kind !== 'batches') return run(query(text?.kind === 'walk' ? WALK_KEY : orderKey(db), options.after, text?.condition, want));
  const rows: R[] = [];
  let from = options.after;
  // The first batch: a page and a quarter of matches, enough when few fail the rest of the filter (by default
  // the fixed ones, a tenth); a walk to 200 matches of a term in 1 % of 1M findings cost 40 ms against 20 ms.
  for (let size = Math.ceil(want * 1.25), first = true, batches = 0; rows.length < want; size = Math.min(size * 4, WALK_BATCH_MAX), first = false, batches += 1) {
    if (batches === WALK_BATCHES && from !== undefined) {
      // Most of the term's matches fail the rest of the filter: the rest of the page is read as any filtered list
      // is, after the last match looked at, the planner choosing the filter's index or the trigram ones.
      rows.push(...(await run(query(orderKey(db), from, undefined, want - rows.length))));
      break;
    }
    const probe = first && text.probe;
    const batch = text.names === true ? await nameMatches(db, text.term, likePattern(text.term), from, size) : await walkMatches(db, text.term, from, size, probe ? (options.textWindow ?? WALK_WINDOW) : undefined);
    if (probe) rememberTerm(db, text.term, batch !== 'rare', options.now.getTime());
    if (batch === 'rare') return run(query(orderKey(db), options.after, trigramCandidates(likePattern(text.term)), want));
    const last = batch.at(-1);
    if (last === undefined) break;
    // One array parameter, not one per match: the statement's text is the same for every batch size.
    const fingerprints = batch.map((match) => match.fingerprint);
    rows.push(...(await run(query(orderKey(db), undefined, sql<SqlBool>`f.fingerprint = any(${fingerprints}::text[])`, want - rows.length))));
    if (batch.length < size) break;
    from = last;
  }
  return rows;
}

/**
 * How far the first PostgreSQL walk batch looks for a term's matches (~15 ms in the index alone): a term with
 * fewer there than the batch wants is rare, and read from the trigram indexes instead.
 */
const WALK_WINDOW = 60_000;

/**
 * PostgreSQL walk batches a page reads at most (64 and 256 matches for a page of 50) before it reads the rest of the
 * page as a plain filtered list: when the rest of the filter keeps few of the term's matches (a site or a rule that
 * does not hold it), the walk would pass them all: `rule=w3g-bench-rule-42&q=request 17`, none matching, 1,000 ms
 * against 30 ms at 1M findings; `asset=HOST7/W3SVC1&q=host42` 500 against 45 ms.
 */
const WALK_BATCHES = 2;

/** The most matches one PostgreSQL walk batch reads (each batch reads 4x the last). */
const WALK_BATCH_MAX = 3200;

/**
 * The next `size` findings after `from` (in page order) whose text holds the lower-cased `term`, on PostgreSQL, from
 * `findings_text_walk` (0016-text-walk-postgres) alone: the key, fingerprint and lower-cased text are in the
 * index, so the scan reads no row. With a `window`, only that many entries are looked at: `rare` when they hold
 * fewer than `size` matches and more entries follow. `strpos` finds what `like '%term%'` finds (both compare
 * bytes), at half the cost an entry, and the planner gives it a fixed selectivity: for a `like` whose histogram
 * said the term was rare it chose two parallel workers, whose start-up alone cost ~30 ms a page.
 */
async function walkMatches(db: Db, term: string, from: PageCursor | undefined, size: number, window?: number): Promise<PageCursor[] | 'rare'> {
  const after = from === undefined ? sql`` : sql`where (w.walk_key, w.fingerprint) > (${from.key}, ${from.fingerprint})`;
  // Kept prepared (`KEPT_PREPARED`), with the limits as literals: a walk in page order however few entries it wants.
  const entries = window === undefined ? sql`findings w ${after}` : sql`(select w.fingerprint, w.walk_key, w.search_text from findings w ${after} order by w.walk_key, w.fingerprint limit ${sql.lit(window)}) w`;
  const { rows } = await sql<{ fingerprint: string; walk_key: number }>`select ${KEPT_PREPARED} w.fingerprint, w.walk_key from ${entries} ${from === undefined || window !== undefined ? sql`where` : sql`and`} strpos(w.search_text, ${term}) > 0 order by w.walk_key, w.fingerprint limit ${sql.lit(size)}`.execute(db);
  if (window !== undefined && rows.length < size) {
    const { rows: looked } = await sql<{ n: number }>`select count(*) as n from (select 1 from findings w ${after} limit ${window}) w`.execute(db);
    if (Number(looked[0]?.n ?? 0) >= window) return 'rare';
  }
  return rows.map((row) => ({ key: Number(row.walk_key), fingerprint: row.fingerprint }));
}

/**
 * At most this many sites and rules holding a term are read as branches (see `nameMatches`); a term in more
 * (`host` in every site) is walked.
 */
const MAX_NAME_BRANCHES = 32;

/**
 * PostgreSQL: whether a term is read by `nameMatches`: when it is in the names of a few sites or rules, from
 * `finding_names` (0019-finding-names-postgres, a few hundred rows), and in few titles (the titles' trigram index).
 * `host42`, in 1 % of 1M findings, all on 7 of 700 sites, took a walk of 25,000 entries a page (7 ms) and takes 7
 * short index reads. Otherwise the term is walked (or, rare, read from the trigram indexes) as before. Like the
 * walk's probe, the verdict is kept a minute (`nameVerdicts`) and decides only how the matches are read: they are
 * all in `nameMatches`'s branches, which read the names and titles anew for each batch.
 */
async function namePlan(db: Db, term: string, pattern: string, at: number): Promise<boolean> {
  const verdicts = nameVerdicts(db);
  const known = verdicts.get(term);
  if (known !== undefined && at < known.until) return known.value;
  const { rows } = await sql<{ names: number; titles: number }>`select ${KEPT_PREPARED} (select count(*) from (select 1 from finding_names where strpos(lower(name), ${term}) > 0 limit ${sql.lit(MAX_NAME_BRANCHES + 1)}) n) as names, (select count(*) from (select 1 from findings g where lower(g.title) like ${pattern} escape '\\' limit ${sql.lit(TEXT_CANDIDATES + 1)}) t) as titles`.execute(db);
  const names = Number(rows[0]?.names ?? 0);
  const verdict = names > 0 && names <= MAX_NAME_BRANCHES && Number(rows[0]?.titles ?? 0) <= TEXT_CANDIDATES;
  keepVerdict(verdicts, term, verdict, at);
  return verdict;
}

/** Per store, whether each term searched lately is read by `nameMatches`, until when (see `namePlan`). */
const nameVerdicts = perDatabase(() => new Map<string, Verdict<boolean>>());

/**
 * The next `size` matches after `from` in page order of a term read by names (see `namePlan`), in one statement:
 * the findings of each site and rule whose name holds the term, each read in page order from its paging index
 * (findings_asset_order, findings_rule_order), and those whose title holds it (the trigram index), merged. A
 * finding in two branches (its site and its rule both hold the term) comes once; a batch is shorter than `size`
 * only when the branches are read to their end.
 */
async function nameMatches(db: Db, term: string, pattern: string, from: PageCursor | undefined, size: number): Promise<PageCursor[]> {
  const after = from === undefined ? sql`` : sql`and (${ORDER_KEY}, f.fingerprint) > (${from.key}, ${from.fingerprint})`;
  const branch = (condition: RawBuilder<SqlBool>) => sql`select f.fingerprint, ${ORDER_KEY} as k from findings f where ${condition} ${after} order by ${ORDER_KEY}, f.fingerprint limit ${sql.lit(size)}`;
  const named = (kind: string, column: RawBuilder<string>) =>
    sql`select b.fingerprint, b.k from finding_names n cross join lateral (${branch(sql<SqlBool>`${column} = n.name`)}) b where n.kind = ${kind} and strpos(lower(n.name), ${term}) > 0`;
  // The titles' matches as an array made once (an init plan): as a subquery, the planner could walk the page
  // order testing each finding against it, which for a term in no title reads every finding. Kept prepared
  // (planning the statement took 2 ms); its limit is a literal, as in the walk.
  const titled = branch(sql<SqlBool>`f.fingerprint = any(array(select g.fingerprint from findings g where lower(g.title) like ${pattern} escape '\\'))`);
  const { rows } = await sql<{ fingerprint: string; k: number }>`select ${KEPT_PREPARED} m.fingerprint, m.k from (${named('asset', sql`f.asset`)} union all ${named('rule', sql`f.rule_id`)} union all (${titled})) m order by m.k, m.fingerprint limit ${sql.lit(size)}`.execute(db);
  const seen = new Set<string>();
  const out: PageCursor[] = [];
  for (const row of rows) {
    if (seen.has(row.fingerprint)) continue;
    seen.add(row.fingerprint);
    out.push({ key: Number(row.k), fingerprint: row.fingerprint });
  }
  // Cut short by duplicates, not by the end of the branches: topped up after the last one.
  if (out.length < rows.length && rows.length === size) out.push(...(await nameMatches(db, term, pattern, out.at(-1), size - out.length)));
  return out;
}

/** On PostgreSQL, the findings whose text holds a rare term, from the pg_trgm GIN indexes (0013-list-speed). */
function trigramCandidates(pattern: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`f.fingerprint in (select g.fingerprint from findings g where lower(g.title) like ${pattern} escape '\\' or lower(g.rule_id) like ${pattern} escape '\\' or lower(g.asset) like ${pattern} escape '\\')`;
}

/** Which page to read, at what time, within whose asset scope. */
export interface PageOptions {
  readonly limit: number;
  readonly after?: PageCursor;
  readonly now: Date;
  readonly scope?: AssetScope;
  /** PostgreSQL: how many entries a text walk looks at before it takes a term as rare (default `WALK_WINDOW`). */
  readonly textWindow?: number;
}

/** A finding as the list shows it: what identifies, orders and describes it in one line. */
export interface FindingSummary {
  readonly fingerprint: string;
  readonly ruleId: string;
  readonly engine: string;
  readonly title: string;
  readonly severity: string;
  readonly confidence: string;
  readonly category: string;
  readonly asset: string;
  readonly locationKey: string;
  readonly occurrences: number;
  readonly risk?: number;
  readonly status: FindingStatus;
  readonly priority?: { readonly label: string; readonly dueAt?: string };
  readonly suppressed: boolean;
  readonly triage?: Triage;
  readonly firstRecorded: string;
  readonly lastRecorded: string;
  readonly fixedAt?: string;
}

/** One page of summaries and where the next one starts (undefined: this was the last). */
export interface SummaryPage {
  readonly items: FindingSummary[];
  readonly next?: PageCursor;
}

const SUMMARY_COLUMNS = [
  'f.fingerprint', 'f.rule_id', 'f.engine', 'f.title', 'f.severity', 'f.confidence', 'f.category', 'f.asset', 'f.location_key', 'f.occurrences', 'f.risk', 'f.status',
  'f.priority_label', 'f.due_at', 'f.first_seen', 'f.last_seen', 'f.fixed_at', 'f.triage_state', 'f.triage_justification', 'f.triage_comment', 'f.triage_by', 'f.triage_at',
] as const;

/**
 * The list's select of summary columns, built once per database: Kysely builders never change, and parsing the 22
 * column references anew took a twentieth of a page's time.
 */
function buildSummarySelect(db: Db) {
  return db.selectFrom('findings as f').select(SUMMARY_COLUMNS);
}

const summarySelect = perDatabase(buildSummarySelect);

type SummaryRow = Pick<FindingsTable, 'fingerprint' | 'rule_id' | 'engine' | 'title' | 'severity' | 'confidence' | 'category' | 'asset' | 'location_key' | 'occurrences' | 'risk' | 'status' | 'priority_label' | 'due_at' | 'first_seen' | 'last_seen' | 'fixed_at' | TriageColumn> & { readonly suppressed: unknown };

function toSummary(row: SummaryRow): FindingSummary {
  const triage = triageOf(row);
  return {
    fingerprint: row.fingerprint,
    ruleId: row.rule_id,
    engine: row.engine,
    title: row.title,
    severity: row.severity,
    confidence: row.confidence,
    category: row.category,
    asset: row.asset,
    locationKey: row.location_key,
    occurrences: row.occurrences,
    ...(row.risk === null ? {} : { risk: Number(row.risk) }),
    status: row.status,
    ...(row.priority_label === null ? {} : { priority: { label: row.priority_label, ...(row.due_at === null ? {} : { dueAt: row.due_at }) } }),
    suppressed: row.suppressed === true || Number(row.suppressed) === 1,
    ...(triage === undefined ? {} : { triage }),
    firstRecorded: row.first_seen,
    lastRecorded: row.last_seen,
    ...(row.fixed_at === null ? {} : { fixedAt: row.fixed_at }),
  };
}

/**
 * Rows after the cursor. The row-value comparison is exact, and both databases seek the index with it when the
 * key is a column (SQLite's `order_key`) or, on PostgreSQL, the indexed expression. SQLite cannot seek a row value
 * over an expression (the text walk's `WALK_KEY`): it read every row before the cursor (~120 ms at row 10,000 of
 * 200,000), so there a redundant `key >= cursor key` comes first, a plain range it seeks with, after which it still
 * steps over the rows of the cursor's key before it. PostgreSQL gets the row value alone: with both, it misjudged
 * how many rows match and sorted the whole label instead (80 ms against 1 ms).
 * The caller puts this before the filter's condition: SQLite checks conditions in the order written, and this one
 * needs only the index (at 1M, ~10,000 share a key: 27 ms a page with the status check first, 0.9 ms this way).
 */
function afterCursor(db: Db, after: PageCursor, key: RawBuilder<number>): RawBuilder<SqlBool> {
  const range = sql<SqlBool>`(${key}, f.fingerprint) > (${after.key}, ${after.fingerprint})`;
  return key === WALK_KEY ? sql<SqlBool>`${key} >= ${after.key} and ${range}` : range;
}

function isSqlite(db: Db): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/**
 * Up to this many findings matching a term, a text search reads them from the trigram index and sorts them;
 * beyond, it walks the risk order. Counting costs ~8 µs a match (a common phrase's trigrams are in most rows),
 * reading a candidate ~3 µs; the walk reads only `findings_text_walk` (~0.25 µs an entry) and meets 50 matches
 * within 50 × N ÷ matches entries. The two cost the same near √(N) matches: ~450 at 200,000 findings, ~1,000 at
 * 1M; past the bound, counting further costs more than the walk it would spare.
 */
const TEXT_CANDIDATES = 1000;

/**
 * The page key as `findings_text_walk` (0015-text-walk) spells it: the same values as `ORDER_KEY`, but another
 * expression, so SQLite picks that index only for a text walk and every other list keeps its narrower one.
 */
const WALK_KEY = sql<number>`(coalesce(-f.risk, 1) + 0)`;

/** Where a page's free text finds its matches (see `textPlan`). */
type TextPlan =
  | { readonly kind: 'candidates' | 'walk'; readonly condition: RawBuilder<SqlBool> }
  | { readonly kind: 'batches'; readonly term: string; readonly probe: boolean; readonly names?: boolean };

/**
 * Where free text finds its matches. From the trigram index (0013-list-speed: FTS5 on SQLite, pg_trgm's GIN
 * indexes on PostgreSQL) when the term has few: a rare term walked the whole risk order (2 s at 200,000 findings;
 * now under 1 ms). Else by walking the risk order in `findings_text_walk` (0015-text-walk), whose entries hold
 * each finding's lower-cased text (spelt here exactly as there): a row is read only when its text holds the term
 * (the walk read every row on its way: a term in 1 % of 1M findings took 96 ms of CPU on SQLite, 230 ms on
 * PostgreSQL). SQLite counts the term's matches in its index, up to the bound (the verdict kept a minute:
 * `termCounts`); PostgreSQL looks for them in the first `WALK_WINDOW` entries of the walk (its verdict kept as
 * long) rather than trust the planner's estimate of them, which for `%term%` comes from a sample's histogram and can swing either way from
 * one ANALYZE to the next. A term under 3 characters has no trigram: walked. The LIKE of `filterCondition` still
 * decides what matches; the indexes only narrow where to look.
 */
async function textPlan(db: Db, q: string | undefined, at: number): Promise<TextPlan | undefined> {
  if (q === undefined || q === '') return undefined;
  // As `filterCondition`'s pattern: the three columns' text, joined, holds the term whenever one of them does.
  const pattern = likePattern(q);
  const short = [...q].length < 3;
  const key = q.toLowerCase();
  const counted = termCounts(db);
  const known = counted.get(key);
  const fresh = known !== undefined && at < known.until;
  if (!isSqlite(db)) {
    // A term under 3 characters has no trigram: walked to its end. Else the first batch of a page probes the walk
    // (`WALK_WINDOW`) unless a probe of the last minute found the term rare (trigram indexes) or common (walked).
    if (!short && fresh && !known.value) return { kind: 'candidates', condition: trigramCandidates(pattern) };
    if (!short && (await namePlan(db, key, pattern, at))) return { kind: 'batches', term: key, probe: false, names: true };
    return { kind: 'batches', term: key, probe: !short && !fresh };
  }
  const walk = { kind: 'walk', condition: sql<SqlBool>`(lower(f.title) || char(10) || lower(f.rule_id) || char(10) || lower(f.asset)) like ${pattern} escape '\\'` } as const;
  if (short) return walk;
  // One FTS5 phrase: the term's trigrams in a row, i.e. the term itself, without regard to case.
  const phrase = `"${q.replaceAll('"', '""')}"`;
  const candidates = { kind: 'candidates', condition: sql<SqlBool>`f.rowid in (select rowid from findings_text where findings_text match ${phrase})` } as const;
  if (fresh) return known.value ? walk : candidates;
  const { rows } = await sql<{ n: number }>`select count(*) as n from (select 1 from findings_text where findings_text match ${phrase} limit ${TEXT_CANDIDATES + 1})`.execute(db);
  const common = Number(rows[0]?.n ?? 0) > TEXT_CANDIDATES;
  rememberTerm(db, key, common, at);
  return common ? walk : candidates;
}

/** Keeps whether a term is common (see `termCounts`) for `TERM_COUNT_MS`. */
function rememberTerm(db: Db, term: string, common: boolean, at: number): void {
  keepVerdict(termCounts(db), term, common, at);
}

/** What was found out about a term, and until when it is trusted. */
interface Verdict<V> {
  readonly value: V;
  readonly until: number;
}

/** Keeps a term's verdict for `TERM_COUNT_MS`, in a map of at most `TERM_COUNTS_KEPT` terms (terms come from users). */
function keepVerdict<V>(verdicts: Map<string, Verdict<V>>, term: string, value: V, at: number): void {
  if (verdicts.size >= TERM_COUNTS_KEPT) verdicts.clear();
  verdicts.set(term, { value, until: at + TERM_COUNT_MS });
}

/**
 * Whether each term searched lately was common (walked) or rare (read from the trigram indexes), per store, until
 * when: on SQLite whether it had more matches than `TEXT_CANDIDATES`, on PostgreSQL whether the walk's probe met a
 * batch of matches within `WALK_WINDOW` entries. The verdict decides only where a page looks for the term's matches,
 * never which rows match, so an answer a minute old costs at worst a slower page. Finding it out is the dearest part
 * of a common term's page (SQLite: its trigrams are in most findings, ~3 ms at 1M findings against 0.3 ms for the
 * walk that follows; PostgreSQL: the probe's bounded scan, 5.8 ms against 3.1 for the walk alone), and every page of
 * a search, and every user searching the same term, found it out again.
 */
const termCounts = perDatabase(() => new Map<string, Verdict<boolean>>());
const TERM_COUNT_MS = 60_000;
const TERM_COUNTS_KEPT = 1000;

/** `%term%`, lower-cased, with the term's own `%`, `_` and `\\` escaped: LIKE finds the term as it is written. */
function likePattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The cursor after a page read with one row more than `limit`: absent when that extra row is not there. */
function nextOf(rows: readonly { readonly fingerprint: string; readonly order_key: number }[], limit: number): { next?: PageCursor } {
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return last === undefined ? {} : { next: { key: Number(last.order_key), fingerprint: last.fingerprint } };
}

/** One finding, whatever its status, or undefined (also when it lies outside the scope: its existence stays unknown). */
export async function getFinding(db: Db, fingerprint: string, now: Date, scope?: AssetScope): Promise<ListedFinding | undefined> {
  const at = now.toISOString();
  let select = selectWithEvidence(db)
    .select((eb) => eb.exists(suppressionOf(eb, at)).as('suppressed'))
    .where('f.fingerprint', '=', fingerprint);
  if (scope !== undefined) select = select.where((eb) => scopeCondition(eb, scope));
  const rows = await select.execute();
  return (await toListed(db, rows, at))[0];
}

/** What a triage or bulk change does to each finding it covers. */
export interface TriageChange {
  readonly triage?: { readonly state: TriageState; readonly justification?: string; readonly comment?: string };
  readonly suppression?: { readonly reason: string; readonly until?: string };
  readonly actor: string;
  readonly now: Date;
  /** Only findings within these asset prefixes change; absent: any. */
  readonly scope?: AssetScope;
}

/**
 * Triages and/or suppresses the findings named, or matching a filter, in one transaction; each change goes to
 * the finding's history. Returns the fingerprints changed.
 */
export async function triageFindings(db: Db, target: { readonly fingerprints: readonly string[] } | { readonly filter: FindingFilter }, change: TriageChange): Promise<string[]> {
  const at = change.now.toISOString();
  return db.transaction().execute(async (trx) => {
    let select = trx.selectFrom('findings as f').select(['f.fingerprint', 'f.status', 'f.triage_state']);
    select = 'fingerprints' in target ? (target.fingerprints.length === 0 ? select.where(sql<SqlBool>`1 = 0`) : select.where('f.fingerprint', 'in', [...target.fingerprints])) : select.where((eb) => filterCondition(eb, target.filter, at));
    const scope = change.scope;
    if (scope !== undefined) select = select.where((eb) => scopeCondition(eb, scope));
    const rows = await select.orderBy('f.fingerprint').execute();
    for (const batch of chunks(rows, 500)) {
      const fingerprints = batch.map((row) => row.fingerprint);
      const triage = change.triage;
      if (triage !== undefined) {
        await trx
          .updateTable('findings')
          .set({ triage_state: triage.state, triage_justification: triage.justification ?? null, triage_comment: triage.comment ?? null, triage_by: change.actor, triage_at: at })
          .where('fingerprint', 'in', fingerprints)
          .execute();
        const note = [triage.justification, triage.comment].filter((part) => part !== undefined && part !== '').join(': ') || null;
        await trx
          .insertInto('history')
          .values(batch.map((row) => ({ fingerprint: row.fingerprint, run_id: null, from_status: row.triage_state === null ? null : `triage:${row.triage_state}`, to_status: `triage:${triage.state}`, at, actor: change.actor, note })))
          .execute();
      }
      const suppression = change.suppression;
      if (suppression !== undefined) {
        for (const row of batch) {
          const { id } = await trx
            .insertInto('suppressions')
            .values({ fingerprint: row.fingerprint, rule_id: null, asset: null, reason: suppression.reason, author: change.actor, created_at: at, expires_at: suppression.until ?? null })
            .returning('id')
            .executeTakeFirstOrThrow();
          const note = `suppression ${id}${suppression.until === undefined ? '' : ` until ${suppression.until}`}: ${suppression.reason}`;
          await trx.insertInto('history').values({ fingerprint: row.fingerprint, run_id: null, from_status: row.status, to_status: 'suppressed', at, actor: change.actor, note }).execute();
        }
      }
    }
    return rows.map((row) => row.fingerprint);
  });
}

/** The opaque form of a cursor: base64url of its JSON. */
export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.key, cursor.fingerprint]), 'utf8').toString('base64url');
}

/** A cursor back from its opaque form, or undefined when it is not one this server made. */
export function decodeCursor(text: string): PageCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [key, fingerprint] = value as unknown[];
    if (typeof key !== 'number' || !Number.isFinite(key) || typeof fingerprint !== 'string' || fingerprint.length > 200) return undefined;
    return { key, fingerprint };
  } catch {
    return undefined;
  }
}

async function toListed(db: Db, rows: readonly ListedRow[], now: string): Promise<ListedFinding[]> {
  const stored = await toStoredFindings(db, rows, now);
  return rows.map((row, i): ListedFinding => {
    const triage = triageOf(row);
    return { ...(stored[i] as StoredFinding), ...(triage === undefined ? {} : { triage }) };
  });
}

type TriageColumn = 'triage_state' | 'triage_justification' | 'triage_comment' | 'triage_by' | 'triage_at';

/** A finding's triage from its row, when it has one. */
function triageOf(row: Pick<FindingsTable, TriageColumn>): Triage | undefined {
  if (row.triage_state === null) return undefined;
  return {
    state: row.triage_state as TriageState,
    ...(row.triage_justification === null ? {} : { justification: row.triage_justification }),
    ...(row.triage_comment === null ? {} : { comment: row.triage_comment }),
    by: row.triage_by ?? '',
    at: row.triage_at ?? '',
  };
}
