import { sql, type ExpressionBuilder, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { Coverage } from '../core/coverage.js';
import type { Evidence } from '../core/evidence.js';
import { compareFindings } from '../core/finding-aggregator.js';
import type { FindingStatus } from '../core/finding-status.js';
import type { Finding } from '../core/finding.js';
import type { FeedsUsed } from '../core/inventory-item.js';
import type { Priority, PriorityLabel } from '../core/priority.js';
import { parseSeverity, severityRank } from '../core/severity.js';
import type { Confidence } from '../core/confidence.js';
import { StoreError } from './store-error.js';
import type { StoreDialect } from './store-migrations.js';
import type { FindingsTable, HistoryTable, StoreDatabase, SuppressionsTable } from './store-schema.js';

/** Rows per multi-row statement: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const BATCH_ROWS = 500;

/** One run to record: what it found and what it looked at. */
export interface RunRecord {
  readonly command: string;
  readonly toolVersion: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** An array, or any iterable (a generator) read one batch at a time. Repeated fingerprints count once. */
  readonly findings: Iterable<Finding>;
  /** Undefined or empty: a partial run, which closes nothing. */
  readonly coverage?: readonly Coverage[];
  /** False: return counts only, not every finding with its status (for very large runs). Default true. */
  readonly keepFindings?: boolean;
  /**
   * Runs inside the run's transaction once its statuses are decided: what must commit or fail with the run
   * (the notification outbox, a job's completion) writes here.
   */
  readonly withinTransaction?: (trx: Kysely<StoreDatabase>, outcome: RunOutcome) => Promise<void>;
  /**
   * The KEV and EPSS data the run judged by, as its report names them. Absent: read from the findings' priority
   * inputs (the catalogue date each KEV or EPSS input was taken `asOf`), so pushed and older reports say it too.
   */
  readonly feeds?: FeedsUsed;
}

/** What a suppression in force says about a finding it covers. */
export interface Suppression {
  readonly reason: string;
  /** ISO 8601; absent: until lifted. */
  readonly until?: string;
  readonly by: string;
}

/** What recording a run decided. */
export interface RunOutcome {
  readonly runId: number;
  /**
   * The run's findings with their lifecycle status, in the order given (empty with `keepFindings: false`);
   * each carries `suppression` when one is in force, and `priority.dueAt` is the earliest ever given.
   */
  readonly findings: Finding[];
  /** Findings this run closed, with status `fixed`, in report order. */
  readonly fixed: Finding[];
  /** Fingerprints (of `findings` and `fixed`) under a suppression in force at the run's end, with its details. */
  readonly suppressed: ReadonlyMap<string, Suppression>;
  /** How many findings the run recorded with each status (`fixed`: how many it closed). */
  readonly counts: Readonly<Record<FindingStatus, number>>;
}

/** A finding as the store keeps it. */
export interface StoredFinding extends Finding {
  readonly status: FindingStatus;
  readonly suppressed: boolean;
  /** When a recorded run first and last found it (ISO 8601), and when it was closed. */
  readonly firstRecorded: string;
  readonly lastRecorded: string;
  readonly fixedAt?: string;
}

/** Which findings to list. */
export interface FindingQuery {
  /** A lifecycle status, or `suppressed`; default: everything not fixed. */
  readonly status?: FindingStatus | 'suppressed';
  /** Also list suppressed findings (always true for `status: 'suppressed'`). */
  readonly includeSuppressed?: boolean;
  /** Only findings on this asset (its id, as findings carry it). */
  readonly asset?: string;
  /** Only findings whose latest priority has this label. */
  readonly priority?: PriorityLabel;
  /** `risk`: highest risk first (findings without one last); default: report order. */
  readonly sort?: 'report' | 'risk';
  readonly now: Date;
}

/** A suppression to add: a fingerprint, or a rule on an asset. */
export interface SuppressionRequest {
  readonly fingerprint?: string;
  readonly ruleId?: string;
  readonly asset?: string;
  readonly reason: string;
  readonly author: string;
  /** ISO 8601; absent: until lifted. */
  readonly expiresAt?: string;
  readonly now: Date;
}

/** One entry of a finding's history. */
export interface HistoryEntry {
  readonly runId?: number;
  readonly from?: string;
  readonly to: string;
  readonly at: string;
  /** Who made the change; absent for a run. */
  readonly actor?: string;
  readonly note?: string;
}

type FindingRow = Selectable<FindingsTable>;
type HistoryRow = Insertable<HistoryTable>;
type Db = Kysely<StoreDatabase>;

/**
 * The findings store: records runs and their coverage, moves each fingerprint through new → open → fixed →
 * reopened, keeps suppressions and an append-only history. The same code runs on SQLite and PostgreSQL.
 */
export class FindingStore {
  readonly #db: Db;
  readonly dialect: StoreDialect;

  constructor(db: Db, dialect: StoreDialect) {
    this.#db = db;
    this.dialect = dialect;
  }

  /**
   * Records one run in one transaction and returns every finding's status and what the run closed. Findings
   * are read, looked up and written one batch at a time, so a run of a million findings can be handed over as
   * an iterable without holding them all (set `keepFindings: false` to get counts only).
   */
  async recordRun(run: RunRecord): Promise<RunOutcome> {
    const at = run.finishedAt;
    const coverage = dedupeCoverage(run.coverage ?? []);
    const keep = run.keepFindings !== false;
    return this.#db.transaction().execute(async (trx) => {
      const { id: runId } = await trx
        .insertInto('runs')
        .values({ command: run.command, tool_version: run.toolVersion, started_at: run.startedAt, finished_at: run.finishedAt, finding_count: 0, fixed_count: 0, kev_date: null, epss_date: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const rows of chunks(coverage, BATCH_ROWS)) {
        await trx.insertInto('coverage').values(rows.map((c) => ({ run_id: runId, rule_id: c.ruleId, asset: c.asset }))).execute();
      }
      const active = new SuppressionIndex(await activeSuppressions(trx, at));
      const suppressed = new Map<string, Suppression>();
      const statused: Finding[] = [];
      const counts = { new: 0, open: 0, reopened: 0, fixed: 0 };
      const seen = new Set<string>();
      let total = 0;
      const feedDates = new FeedDates(run.feeds);
      for (const batch of uniqueBatches(run.findings, seen, BATCH_ROWS)) {
        total += batch.length;
        if (run.feeds === undefined) for (const finding of batch) feedDates.read(finding);
        const known = new Map<string, Pick<FindingRow, 'status' | 'first_seen' | 'first_run_id' | 'times_seen' | 'reopened_count' | 'due_at' | 'priority_label' | 'risk' | 'priority'>>();
        const rows = await trx
          .selectFrom('findings')
          .select(['fingerprint', 'status', 'first_seen', 'first_run_id', 'times_seen', 'reopened_count', 'due_at', 'priority_label', 'risk', 'priority'])
          .where('fingerprint', 'in', batch.map((f) => f.fingerprint))
          .execute();
        for (const row of rows) known.set(row.fingerprint, row);
        const history: HistoryRow[] = [];
        const values = batch.map((finding) => {
          const before = known.get(finding.fingerprint);
          const status: FindingStatus = before === undefined ? 'new' : before.status === 'fixed' ? 'reopened' : 'open';
          counts[status] += 1;
          if (before?.status !== status) history.push({ fingerprint: finding.fingerprint, run_id: runId, from_status: before?.status ?? null, to_status: status, at, actor: null, note: null });
          // A due date once given is never moved later by re-scoring: the earliest one stands.
          const dueAt = earliest(before?.due_at ?? undefined, finding.priority?.dueAt);
          const priority = finding.priority === undefined ? undefined : { ...finding.priority, ...(dueAt === undefined ? {} : { dueAt }) };
          const suppression = active.find(finding);
          if (suppression !== undefined) suppressed.set(finding.fingerprint, suppression);
          if (keep) statused.push({ ...finding, status, ...(priority === undefined ? {} : { priority }), ...(suppression === undefined ? {} : { suppression }) });
          const priorityJson = priority === undefined ? (before?.priority ?? null) : JSON.stringify(priority);
          return {
            fingerprint: finding.fingerprint,
            rule_id: finding.ruleId,
            engine: finding.engine,
            asset: finding.asset,
            location_key: finding.locationKey,
            severity: finding.severity,
            severity_rank: severityRank(finding.severity),
            confidence: finding.confidence,
            category: finding.category,
            title: finding.title,
            description: finding.description,
            tags: JSON.stringify(finding.tags),
            references: JSON.stringify(finding.references),
            remediation: finding.remediation ?? null,
            status,
            first_seen: before?.first_seen ?? at,
            last_seen: at,
            fixed_at: null,
            occurrences: finding.occurrences,
            times_seen: (before?.times_seen ?? 0) + 1,
            reopened_count: (before?.reopened_count ?? 0) + (status === 'reopened' ? 1 : 0),
            first_run_id: before?.first_run_id ?? runId,
            last_run_id: runId,
            due_at: dueAt ?? null,
            // A run that did not prioritize keeps what an earlier one decided.
            priority_label: finding.priority?.label ?? before?.priority_label ?? null,
            risk: finding.risk ?? finding.priority?.score ?? before?.risk ?? null,
            priority: priorityJson,
            kev_exposed: kevExposed(priorityJson),
          };
        });
        await trx
          .insertInto('findings')
          .values(values)
          .onConflict((oc) =>
            oc.column('fingerprint').doUpdateSet((eb) => ({
              rule_id: eb.ref('excluded.rule_id'),
              engine: eb.ref('excluded.engine'),
              asset: eb.ref('excluded.asset'),
              location_key: eb.ref('excluded.location_key'),
              severity: eb.ref('excluded.severity'),
              severity_rank: eb.ref('excluded.severity_rank'),
              confidence: eb.ref('excluded.confidence'),
              category: eb.ref('excluded.category'),
              title: eb.ref('excluded.title'),
              description: eb.ref('excluded.description'),
              tags: eb.ref('excluded.tags'),
              references: eb.ref('excluded.references'),
              remediation: eb.ref('excluded.remediation'),
              status: eb.ref('excluded.status'),
              last_seen: eb.ref('excluded.last_seen'),
              fixed_at: eb.ref('excluded.fixed_at'),
              occurrences: eb.ref('excluded.occurrences'),
              times_seen: eb.ref('excluded.times_seen'),
              reopened_count: eb.ref('excluded.reopened_count'),
              last_run_id: eb.ref('excluded.last_run_id'),
              due_at: eb.ref('excluded.due_at'),
              priority_label: eb.ref('excluded.priority_label'),
              risk: eb.ref('excluded.risk'),
              priority: eb.ref('excluded.priority'),
              kev_exposed: eb.ref('excluded.kev_exposed'),
            })),
          )
          .execute();
        await trx
          .insertInto('occurrences')
          .values(
            batch.map((f) => ({
              run_id: runId,
              fingerprint: f.fingerprint,
              occurrences: f.occurrences,
              first_time: f.firstSeen ?? null,
              last_time: f.lastSeen ?? null,
              evidence: JSON.stringify(f.evidence),
              related: f.related === undefined || f.related.length === 0 ? null : JSON.stringify(f.related),
            })),
          )
          .execute();
        if (history.length > 0) await trx.insertInto('history').values(history).execute();
      }

      // Closed: not found by this run although the run covered its rule on its asset.
      const closing = coverage.length === 0 ? [] : await selectWithEvidence(trx)
        .innerJoin('coverage as c', (join) => join.onRef('c.rule_id', '=', 'f.rule_id').onRef('c.asset', '=', 'f.asset'))
        .where('c.run_id', '=', runId)
        .where('f.status', '<>', 'fixed')
        .where('f.last_run_id', '<>', runId)
        .execute();
      counts.fixed = closing.length;
      for (const batch of chunks(closing, BATCH_ROWS)) {
        await trx.updateTable('findings').set({ status: 'fixed', fixed_at: at }).where('fingerprint', 'in', batch.map((row) => row.fingerprint)).execute();
        await trx.insertInto('history').values(batch.map((row): HistoryRow => ({ fingerprint: row.fingerprint, run_id: runId, from_status: row.status, to_status: 'fixed', at, actor: null, note: null }))).execute();
      }
      await trx.updateTable('runs').set({ finding_count: total, fixed_count: closing.length, kev_date: feedDates.kev ?? null, epss_date: feedDates.epss ?? null }).where('id', '=', runId).execute();

      const fixed = closing
        .map((row) => {
          const finding: Finding = { ...toFinding(row), status: 'fixed' as const };
          const suppression = active.find(finding);
          if (suppression === undefined) return finding;
          suppressed.set(finding.fingerprint, suppression);
          return { ...finding, suppression };
        })
        .sort(compareFindings);
      const outcome: RunOutcome = { runId, findings: statused, fixed, suppressed, counts };
      if (run.withinTransaction !== undefined) await run.withinTransaction(trx, outcome);
      return outcome;
    });
  }

  /** Lists findings in report order (severity, asset, rule, location), or by risk. */
  async listFindings(query: FindingQuery): Promise<StoredFinding[]> {
    const now = query.now.toISOString();
    let select = selectWithEvidence(this.#db).select((eb) => eb.exists(suppressionOf(eb, now)).as('suppressed'));
    if (query.status === 'suppressed') select = select.where((eb) => eb.exists(suppressionOf(eb, now)));
    else {
      select = query.status === undefined ? select.where('f.status', '<>', 'fixed') : select.where('f.status', '=', query.status);
      if (query.includeSuppressed !== true) select = select.where((eb) => eb.not(eb.exists(suppressionOf(eb, now))));
    }
    if (query.asset !== undefined) select = select.where('f.asset', '=', query.asset);
    if (query.priority !== undefined) select = select.where('f.priority_label', '=', query.priority);
    const rows = await select.execute();
    const byReportOrder = (a: Finding, b: Finding): number => compareFindings(a, b) || (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0);
    const byRisk = (a: Finding, b: Finding): number => (b.risk ?? -1) - (a.risk ?? -1) || byReportOrder(a, b);
    return (await toStoredFindings(this.#db, rows, now))
      .sort(query.sort === 'risk' ? byRisk : byReportOrder);
  }

  /** Whether a fingerprint is in the store. */
  async hasFinding(fingerprint: string): Promise<boolean> {
    const row = await this.#db.selectFrom('findings').select('fingerprint').where('fingerprint', '=', fingerprint).executeTakeFirst();
    return row !== undefined;
  }

  /** Adds a suppression and writes it to the history of every finding it covers now. */
  async suppress(request: SuppressionRequest): Promise<number> {
    const byFingerprint = request.fingerprint !== undefined;
    if (byFingerprint === (request.ruleId !== undefined || request.asset !== undefined) || (!byFingerprint && (request.ruleId === undefined || request.asset === undefined))) {
      throw new StoreError('store.bad-suppression', 'a suppression names either a fingerprint, or a rule and an asset');
    }
    const at = request.now.toISOString();
    return this.#db.transaction().execute(async (trx) => {
      const { id } = await trx
        .insertInto('suppressions')
        .values({
          fingerprint: request.fingerprint ?? null,
          rule_id: request.ruleId ?? null,
          asset: request.asset ?? null,
          reason: request.reason,
          author: request.author,
          created_at: at,
          expires_at: request.expiresAt ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      let covered = trx.selectFrom('findings').select(['fingerprint', 'status']);
      covered = request.fingerprint !== undefined ? covered.where('fingerprint', '=', request.fingerprint) : covered.where('rule_id', '=', request.ruleId ?? '').where('asset', '=', request.asset ?? '');
      const note = `suppression ${id}${request.expiresAt === undefined ? '' : ` until ${request.expiresAt}`}: ${request.reason}`;
      const entries = (await covered.execute()).map((row) => ({ fingerprint: row.fingerprint, run_id: null, from_status: row.status, to_status: 'suppressed', at, actor: request.author, note }));
      for (const batch of chunks(entries, BATCH_ROWS)) await trx.insertInto('history').values(batch).execute();
      return id;
    });
  }

  /** A finding's history, oldest first. */
  async history(fingerprint: string): Promise<HistoryEntry[]> {
    const rows = await this.#db.selectFrom('history').selectAll().where('fingerprint', '=', fingerprint).orderBy('id').execute();
    return rows.map((row) => ({
      ...(row.run_id === null ? {} : { runId: row.run_id }),
      ...(row.from_status === null ? {} : { from: row.from_status }),
      to: row.to_status,
      at: row.at,
      ...(row.actor === null ? {} : { actor: row.actor }),
      ...(row.note === null ? {} : { note: row.note }),
    }));
  }

  /** Counts per table, for tests and diagnostics. */
  async count(table: keyof StoreDatabase): Promise<number> {
    const row = await this.#db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The store's database, for the server's own tables (accounts, scans, notifications) on the same connection. */
  get database(): Db {
    return this.#db;
  }

  async close(): Promise<void> {
    await this.#db.destroy();
  }
}

/** Findings joined with the evidence sample of the last run that found them. */
export function selectWithEvidence(db: Db) {
  return db
    .selectFrom('findings as f')
    .innerJoin('occurrences as o', (join) => join.onRef('o.run_id', '=', 'f.last_run_id').onRef('o.fingerprint', '=', 'f.fingerprint'))
    .selectAll('f')
    .select(['o.evidence', 'o.first_time', 'o.last_time', 'o.related']);
}


/** A listed row with whether a suppression covers it now: what `listFindings` and the API's pages read. */
export type ListedRow = Awaited<ReturnType<ReturnType<typeof selectWithEvidence>['execute']>>[number] & { readonly suppressed: unknown };

/** Rows as the store's findings, each with its lifecycle times and the suppression in force, if any (in row order). */
export async function toStoredFindings(db: Db, rows: readonly ListedRow[], now: string): Promise<StoredFinding[]> {
  const isSuppressed = (row: ListedRow): boolean => row.suppressed === true || Number(row.suppressed) === 1;
  const active = rows.some(isSuppressed) ? new SuppressionIndex(await activeSuppressions(db, now)) : undefined;
  return rows.map((row): StoredFinding => {
    const finding = toFinding(row);
    const suppressed = isSuppressed(row);
    const suppression = suppressed ? active?.find(finding) : undefined;
    return {
      ...finding,
      status: row.status,
      suppressed,
      ...(suppression === undefined ? {} : { suppression }),
      firstRecorded: row.first_seen,
      lastRecorded: row.last_seen,
      ...(row.fixed_at === null ? {} : { fixedAt: row.fixed_at }),
    };
  });
}

/** A suppression in force at `now` covering the outer query's finding `f`. */
export function suppressionOf(eb: ExpressionBuilder<StoreDatabase & { f: FindingsTable }, 'f'>, now: string) {
  return eb
    .selectFrom('suppressions as s')
    .select(sql<number>`1`.as('one'))
    .where((w) =>
      w.and([
        w.or([w('s.fingerprint', '=', w.ref('f.fingerprint')), w.and([w('s.rule_id', '=', w.ref('f.rule_id')), w('s.asset', '=', w.ref('f.asset'))])]),
        w.or([w('s.expires_at', 'is', null), w('s.expires_at', '>', now)]),
      ]),
    );
}

export async function activeSuppressions(db: Db, now: string): Promise<Selectable<SuppressionsTable>[]> {
  return db
    .selectFrom('suppressions')
    .selectAll()
    .where((w) => w.or([w('expires_at', 'is', null), w('expires_at', '>', now)]))
    .execute();
}

/** The suppressions in force, looked up by fingerprint or by rule on asset; the newest wins. */
export class SuppressionIndex {
  readonly #byFingerprint = new Map<string, Suppression>();
  readonly #byRuleAsset = new Map<string, Suppression>();

  constructor(rows: readonly Selectable<SuppressionsTable>[]) {
    for (const row of [...rows].sort((a, b) => a.id - b.id)) {
      const details: Suppression = { reason: row.reason, by: row.author, ...(row.expires_at === null ? {} : { until: row.expires_at }) };
      if (row.fingerprint !== null) this.#byFingerprint.set(row.fingerprint, details);
      else if (row.rule_id !== null && row.asset !== null) this.#byRuleAsset.set(`${row.rule_id}\u0000${row.asset}`, details);
    }
  }

  /** The suppression covering a finding: one naming its fingerprint first, else one on its rule and asset. */
  find(finding: Pick<Finding, 'fingerprint' | 'ruleId' | 'asset'>): Suppression | undefined {
    return this.#byFingerprint.get(finding.fingerprint) ?? this.#byRuleAsset.get(`${finding.ruleId}\u0000${finding.asset}`);
  }
}

/** The earlier of two ISO 8601 instants, either of which may be missing. */
function earliest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(b) < Date.parse(a) ? b : a;
}

export function toFinding(row: FindingRow & { evidence: string; first_time: string | null; last_time: string | null; related: string | null }): Finding {
  return {
    fingerprint: row.fingerprint,
    ruleId: row.rule_id,
    engine: row.engine,
    title: row.title,
    description: row.description,
    severity: parseSeverity(row.severity) ?? 'info',
    confidence: row.confidence as Confidence,
    category: row.category,
    asset: row.asset,
    locationKey: row.location_key,
    tags: parseStrings(row.tags),
    references: parseStrings(row.references),
    ...(row.remediation === null ? {} : { remediation: row.remediation }),
    occurrences: row.occurrences,
    ...(row.first_time === null ? {} : { firstSeen: row.first_time }),
    ...(row.last_time === null ? {} : { lastSeen: row.last_time }),
    evidence: JSON.parse(row.evidence) as Evidence[],
    status: row.status,
    ...(row.risk === null ? {} : { risk: Number(row.risk) }),
    ...(row.priority === null ? {} : { priority: storedPriority(row.priority, row.due_at) }),
    ...(row.related === null ? {} : { related: parseStrings(row.related) }),
  };
}

/** The stored priority, with the earliest due date the fingerprint was ever given. */
function storedPriority(json: string, dueAt: string | null): Priority {
  const priority = JSON.parse(json) as Priority;
  return dueAt === null ? priority : { ...priority, dueAt };
}

function parseStrings(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Batches of findings, each fingerprint once over the whole run (the first one given wins). */
function* uniqueBatches(findings: Iterable<Finding>, seen: Set<string>, size: number): Generator<Finding[]> {
  let batch: Finding[] = [];
  for (const finding of findings) {
    if (seen.has(finding.fingerprint)) continue;
    seen.add(finding.fingerprint);
    batch.push(finding);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function dedupeCoverage(coverage: readonly Coverage[]): Coverage[] {
  const seen = new Map<string, Coverage>();
  for (const c of coverage) seen.set(`${c.ruleId}\u0000${c.asset}`, c);
  return [...seen.values()];
}

export function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** Substrings of a priority's JSON saying the weakness is known exploited (KEV) and the asset internet-facing. */
export const KEV_FACT = '"name":"inKev","value":true';
export const EXPOSED_FACT = '"name":"publiclyExposed","value":true';

/**
 * 1 when a priority (as JSON) says both, kept beside it so the dashboard's act-now count reads an index rather
 * than every priority. decide-priority writes each input's `name` then `value`, so both are plain substrings.
 */
export function kevExposed(priority: string | null): number {
  return priority !== null && priority.includes(KEV_FACT) && priority.includes(EXPOSED_FACT) ? 1 : 0;
}

/**
 * The day of the KEV catalogue and of the EPSS scores a run judged by: from its report's feeds when it names
 * them, else the latest `asOf` of the findings' KEV and EPSS priority inputs.
 */
class FeedDates {
  kev: string | undefined;
  epss: string | undefined;

  constructor(feeds: FeedsUsed | undefined) {
    this.kev = feeds?.kev?.dateReleased.slice(0, 10);
    this.epss = feeds?.epss?.scoreDate?.slice(0, 10);
  }

  read(finding: Finding): void {
    for (const input of finding.priority?.inputs ?? []) {
      const day = input.asOf?.slice(0, 10);
      if (day === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(day)) continue;
      if (input.name === 'inKev' && input.source === 'cisa-kev' && (this.kev === undefined || day > this.kev)) this.kev = day;
      if (input.name === 'epss' && input.source === 'first-epss' && (this.epss === undefined || day > this.epss)) this.epss = day;
    }
  }
}
