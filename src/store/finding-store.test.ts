import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { afterAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import type { Asset } from '../core/asset.js';
import type { Coverage } from '../core/coverage.js';
import { FindingAggregator } from '../core/finding-aggregator.js';
import type { FindingDraft } from '../core/finding-draft.js';
import type { Finding } from '../core/finding.js';
import type { Priority, PriorityLabel } from '../core/priority.js';
import type { RuleMeta } from '../core/rule-meta.js';
import { finalizeFindings } from '../scan/finalize-findings.js';
import type { FindingStore, RunRecord } from './finding-store.js';
import { openStore } from './open-store.js';
import { CodeMigrationProvider, type StoreDialect } from './store-migrations.js';
import type { StoreDatabase } from './store-schema.js';

/** The machine's PostgreSQL; W3GUARD_TEST_POSTGRES overrides it. */
const POSTGRES_URL = process.env['W3GUARD_TEST_POSTGRES'] ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresReachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const postgresDown = await postgresReachable();
if (postgresDown !== undefined) console.warn(`PostgreSQL store tests skipped: ${POSTGRES_URL} is unreachable (${postgresDown})`);

const SHELL: RuleMeta = rule('w3g-test-web-shell', 'critical', 'Web shell in the web root');
const DEBUG: RuleMeta = rule('w3g-test-debug-on', 'medium', 'Debug compilation is on');
const SITE: Asset = { id: 'Default Web Site', kind: 'site' };
const OTHER: Asset = { id: 'Intranet', kind: 'site' };
const T0 = Date.parse('2026-11-01T10:00:00Z');

function rule(id: string, severity: RuleMeta['severity'], title: string): RuleMeta {
  return { id, title, description: title, severity, confidence: 'firm', engine: 'test', category: 'web-shell', tags: ['attack.t1505.003'], references: [] };
}

/** Real findings: drafts grouped and fingerprinted by the aggregator, as a scan makes them. */
function findings(drafts: readonly FindingDraft[]): Finding[] {
  const aggregator = new FindingAggregator();
  for (const draft of drafts) aggregator.add(draft);
  return finalizeFindings(aggregator.groups(), 10, 'info');
}

function shell(name: string, asset: Asset = SITE): FindingDraft {
  return { rule: SHELL, asset, locationKey: `wwwroot/${name}`, evidence: { kind: 'file', path: `inetpub/wwwroot/${name}`, text: `<%@ Page %> ${name}`, time: T0 } };
}

const debugOn: FindingDraft = { rule: DEBUG, asset: SITE, locationKey: 'system.web/compilation/@debug', evidence: { kind: 'config', file: 'web.config', line: 3, text: 'debug="true"' } };

function covers(rules: readonly RuleMeta[], assets: readonly Asset[]): Coverage[] {
  return rules.flatMap((r) => assets.map((a) => ({ ruleId: r.id, asset: a.id })));
}

/** Findings as the prioritize step leaves them: label, risk and due date by location. */
function prioritized(list: readonly Finding[], by: Record<string, [PriorityLabel, number, string]>): Finding[] {
  return list.map((f) => {
    const given = by[f.locationKey];
    if (given === undefined) return f;
    const [label, score, dueAt] = given;
    const priority: Priority = { label, score, dueAt, confidence: 1, modifiers: [], inputs: [{ name: 'test', value: score, source: 'test' }] };
    return { ...f, risk: score, priority };
  });
}

let clock = 0;
function run(found: readonly Finding[], coverage?: readonly Coverage[]): RunRecord {
  clock += 1;
  const at = new Date(Date.UTC(2026, 10, 2, 0, clock)).toISOString();
  return { command: 'test', toolVersion: '0.0.0', startedAt: at, finishedAt: at, findings: found, ...(coverage === undefined ? {} : { coverage }) };
}

function statusOf(outcome: { findings: readonly Finding[]; fixed: readonly Finding[] }): Record<string, string | undefined> {
  const byPath: Record<string, string | undefined> = {};
  for (const f of [...outcome.findings, ...outcome.fixed]) byPath[f.locationKey] = f.status;
  return byPath;
}

interface Backend {
  readonly name: string;
  readonly skip: boolean;
  open(): Promise<FindingStore>;
  cleanup(): Promise<void>;
  /** The SQLite file, once opened. */
  file?(): string | undefined;
  /** The same database with only the first schema version, as w3guard 0.1 left it. */
  openVersion1(): Promise<Kysely<StoreDatabase>>;
}

/** Applies the store's migrations up to the first one only. */
async function migrateToVersion1(db: Kysely<StoreDatabase>, dialect: StoreDialect, schema?: string): Promise<Kysely<StoreDatabase>> {
  const migrator = new Migrator({ db, provider: new CodeMigrationProvider(dialect), ...(schema === undefined ? {} : { migrationTableSchema: schema }) });
  const { error } = await migrator.migrateTo('0001-findings-store');
  if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
  return db;
}

function sqliteBackend(): Backend {
  let folder: string | undefined;
  return {
    name: 'SQLite',
    skip: false,
    file: () => (folder === undefined ? undefined : join(folder, 'store.db')),
    open() {
      folder ??= mkdtempSync(join(tmpdir(), 'w3guard-store-'));
      return openStore(join(folder, 'store.db'));
    },
    openVersion1() {
      folder ??= mkdtempSync(join(tmpdir(), 'w3guard-store-'));
      return migrateToVersion1(new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database: new Database(join(folder, 'store.db')) }) }), 'sqlite');
    },
    cleanup() {
      if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
      folder = undefined;
      return Promise.resolve();
    },
  };
}

function postgresBackend(): Backend {
  let schema: string | undefined;
  return {
    name: 'PostgreSQL',
    skip: postgresDown !== undefined,
    open() {
      schema ??= `w3g_test_${randomBytes(6).toString('hex')}`;
      return openStore(POSTGRES_URL, { schema });
    },
    async openVersion1() {
      schema ??= `w3g_test_${randomBytes(6).toString('hex')}`;
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.end();
      const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 1, options: `-c search_path=${schema}` });
      return migrateToVersion1(new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool }) }), 'postgres', schema);
    },
    async cleanup() {
      if (schema === undefined) return;
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
      schema = undefined;
    },
  };
}

describe.each([sqliteBackend(), postgresBackend()])('findings store on $name', (backend) => {
  let store: FindingStore;
  beforeEach(async (context) => {
    if (backend.skip) {
      context.skip();
      return;
    }
    store = await backend.open();
  });
  afterEach(async () => {
    if (backend.skip) return;
    await store.close();
    await backend.cleanup();
  });
  afterAll(() => backend.cleanup());

  it('walks the lifecycle: new; then fixed, new, open; then reopened — each change in the history', async () => {
    const scope = covers([SHELL, DEBUG], [SITE]);
    const first = await store.recordRun(run(findings([shell('cmd.aspx'), debugOn]), scope));
    expect(statusOf(first)).toEqual({ 'wwwroot/cmd.aspx': 'new', 'system.web/compilation/@debug': 'new' });

    const second = await store.recordRun(run(findings([shell('up.aspx'), debugOn]), scope));
    expect(statusOf(second)).toEqual({ 'wwwroot/cmd.aspx': 'fixed', 'wwwroot/up.aspx': 'new', 'system.web/compilation/@debug': 'open' });
    expect(second.fixed.map((f) => f.evidence[0]?.path)).toEqual(['inetpub/wwwroot/cmd.aspx']);

    const third = await store.recordRun(run(findings([shell('cmd.aspx'), shell('up.aspx'), debugOn]), scope));
    expect(statusOf(third)).toEqual({ 'wwwroot/cmd.aspx': 'reopened', 'wwwroot/up.aspx': 'open', 'system.web/compilation/@debug': 'open' });
    expect(third.fixed).toEqual([]);

    const cmd = third.findings.find((f) => f.locationKey === 'wwwroot/cmd.aspx');
    expect(cmd).toBeDefined();
    const history = await store.history(cmd?.fingerprint ?? '');
    expect(history.map((h) => [h.from ?? null, h.to, h.runId])).toEqual([
      [null, 'new', first.runId],
      ['new', 'fixed', second.runId],
      ['fixed', 'reopened', third.runId],
    ]);
    // Seen again after reopening: open; no change, no history entry.
    await store.recordRun(run(findings([shell('cmd.aspx'), shell('up.aspx'), debugOn]), scope));
    expect((await store.history(cmd?.fingerprint ?? '')).map((h) => h.to)).toEqual(['new', 'fixed', 'reopened', 'open']);
    expect((await store.listFindings({ now: new Date(), status: 'open' })).map((f) => f.locationKey).sort()).toEqual(['system.web/compilation/@debug', 'wwwroot/cmd.aspx', 'wwwroot/up.aspx']);
    expect(await store.count('runs')).toBe(4);
  });

  it('never closes what a run did not cover: a partial run, another rule, another asset', async () => {
    await store.recordRun(run(findings([shell('cmd.aspx'), shell('x.aspx', OTHER), debugOn]), covers([SHELL, DEBUG], [SITE, OTHER])));
    // No coverage at all (a --since hunt), then only the debug check, then only the other site.
    for (const coverage of [undefined, covers([DEBUG], [SITE]), covers([SHELL], [{ id: 'Default Web Site/app', kind: 'application' }])]) {
      const outcome = await store.recordRun(run([], coverage));
      expect(outcome.fixed.map((f) => f.locationKey)).toEqual(coverage?.[0]?.ruleId === DEBUG.id ? ['system.web/compilation/@debug'] : []);
    }
    const open = await store.listFindings({ now: new Date() });
    expect(open.map((f) => f.locationKey).sort()).toEqual(['wwwroot/cmd.aspx', 'wwwroot/x.aspx']);
    const closed = await store.listFindings({ now: new Date(), status: 'fixed' });
    expect(closed.map((f) => [f.locationKey, f.status])).toEqual([['system.web/compilation/@debug', 'fixed']]);
    // Covering the shell rule on one site closes that site's shell only.
    const outcome = await store.recordRun(run([], covers([SHELL], [OTHER])));
    expect(outcome.fixed.map((f) => f.asset)).toEqual(['Intranet']);
  });

  it('leaves suppressed findings out until the suppression expires, and records the suppression', async () => {
    const first = await store.recordRun(run(findings([shell('cmd.aspx'), shell('vendor.aspx'), debugOn]), covers([SHELL, DEBUG], [SITE])));
    const vendor = first.findings.find((f) => f.locationKey === 'wwwroot/vendor.aspx');
    if (vendor === undefined) throw new Error('no vendor finding');
    const now = new Date('2026-11-10T00:00:00Z');
    await store.suppress({ fingerprint: vendor.fingerprint, reason: 'vendor DLL, checked', author: 'alice', expiresAt: '2027-03-01T00:00:00.000Z', now });
    await store.suppress({ ruleId: DEBUG.id, asset: SITE.id, reason: 'test server', author: 'bob', now });

    const listed = await store.listFindings({ now });
    expect(listed.map((f) => f.locationKey)).toEqual(['wwwroot/cmd.aspx']);
    const suppressed = await store.listFindings({ now, status: 'suppressed' });
    expect(suppressed.map((f) => [f.locationKey, f.suppressed]).sort()).toEqual([
      ['system.web/compilation/@debug', true],
      ['wwwroot/vendor.aspx', true],
    ]);
    expect((await store.listFindings({ now, includeSuppressed: true })).length).toBe(3);

    const again = await store.recordRun(run(findings([shell('cmd.aspx'), shell('vendor.aspx'), debugOn]), covers([SHELL, DEBUG], [SITE])));
    expect([...again.suppressed.keys()].sort()).toEqual(again.findings.filter((f) => f.locationKey !== 'wwwroot/cmd.aspx').map((f) => f.fingerprint).sort());
    // The run's findings carry what suppresses them: the reason, until when, and who decided.
    const carried = Object.fromEntries(again.findings.map((f) => [f.locationKey, f.suppression]));
    expect(carried).toEqual({
      'wwwroot/cmd.aspx': undefined,
      'wwwroot/vendor.aspx': { reason: 'vendor DLL, checked', until: '2027-03-01T00:00:00.000Z', by: 'alice' },
      'system.web/compilation/@debug': { reason: 'test server', by: 'bob' },
    });
    // So do listed ones, for --show-suppressed and `findings --show-suppressed`.
    const shown = await store.listFindings({ now, includeSuppressed: true });
    expect(Object.fromEntries(shown.map((f) => [f.locationKey, f.suppression]))).toEqual(carried);

    // After the expiry the vendor finding is back; the rule-wide one has none.
    const later = new Date('2027-03-02T00:00:00Z');
    expect((await store.listFindings({ now: later })).map((f) => f.locationKey)).toEqual(['wwwroot/cmd.aspx', 'wwwroot/vendor.aspx']);
    const history = await store.history(vendor.fingerprint);
    expect(history.map((h) => h.to)).toEqual(['new', 'suppressed', 'open']);
    expect(history[1]).toMatchObject({ actor: 'alice', from: 'new', note: expect.stringMatching(/until 2027-03-01.*vendor DLL, checked/) as unknown });
  });

  it('records thousands of findings in batches and closes half of them in one run', async () => {
    const many = findings(Array.from({ length: 2_400 }, (_, i) => shell(`s${i}.aspx`)));
    const scope = covers([SHELL], [SITE]);
    const first = await store.recordRun(run(many, scope));
    expect(first.findings.every((f) => f.status === 'new')).toBe(true);
    const second = await store.recordRun(run(many.filter((_, i) => i % 2 === 0), scope));
    expect(second.findings.every((f) => f.status === 'open')).toBe(true);
    expect(second.fixed).toHaveLength(1_200);
    expect(await store.count('findings')).toBe(2_400);
    expect(await store.count('occurrences')).toBe(3_600);
    expect(await store.count('history')).toBe(2_400 + 1_200 + 1_200);
  });

  it.skipIf(backend.name !== 'SQLite' || process.platform === 'win32')('creates a SQLite store only its owner can read', async () => {
    await store.recordRun(run(findings([debugOn]), covers([DEBUG], [SITE])));
    const file = backend.file?.() ?? '';
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('never moves a due date later when a finding is scored again, and lists by priority, risk and asset', async () => {
    const scope = covers([SHELL, DEBUG], [SITE, OTHER]);
    const first = await store.recordRun(run(prioritized(findings([shell('cmd.aspx'), shell('x.aspx', OTHER), debugOn]), { 'wwwroot/cmd.aspx': ['3d', 80, '2026-11-05T00:00:00.000Z'], 'wwwroot/x.aspx': ['14d', 55, '2026-11-16T00:00:00.000Z'] }), scope));
    expect(first.findings.map((f) => f.priority?.dueAt)).toEqual(['2026-11-05T00:00:00.000Z', '2026-11-16T00:00:00.000Z', undefined]);
    // Re-scored: cmd.aspx later (60d) — its due date stays; x.aspx earlier (3d) — the earlier one is taken.
    const second = await store.recordRun(run(prioritized(findings([shell('cmd.aspx'), shell('x.aspx', OTHER), debugOn]), { 'wwwroot/cmd.aspx': ['60d', 30, '2027-01-04T00:00:00.000Z'], 'wwwroot/x.aspx': ['3d', 85, '2026-11-06T00:00:00.000Z'] }), scope));
    const due = (list: readonly Finding[]): Record<string, [string | undefined, string | undefined, number | undefined]> =>
      Object.fromEntries(list.map((f) => [f.locationKey, [f.priority?.label, f.priority?.dueAt, f.risk]]));
    expect(due(second.findings)).toEqual({
      'wwwroot/cmd.aspx': ['60d', '2026-11-05T00:00:00.000Z', 30],
      'wwwroot/x.aspx': ['3d', '2026-11-06T00:00:00.000Z', 85],
      'system.web/compilation/@debug': [undefined, undefined, undefined],
    });
    // A run without priorities (nothing scored) keeps what was decided; fixed and reopened keep the date too.
    await store.recordRun(run(findings([shell('x.aspx', OTHER), debugOn]), scope));
    const reopened = await store.recordRun(run(findings([shell('cmd.aspx'), shell('x.aspx', OTHER), debugOn]), scope));
    expect(due(reopened.findings)['wwwroot/cmd.aspx']).toEqual([undefined, undefined, undefined]);
    const now = new Date();
    const listed = await store.listFindings({ now, sort: 'risk' });
    expect(listed.map((f) => [f.locationKey, f.status, f.risk, f.priority?.label, f.priority?.dueAt])).toEqual([
      ['wwwroot/x.aspx', 'open', 85, '3d', '2026-11-06T00:00:00.000Z'],
      ['wwwroot/cmd.aspx', 'reopened', 30, '60d', '2026-11-05T00:00:00.000Z'],
      ['system.web/compilation/@debug', 'open', undefined, undefined, undefined],
    ]);
    expect(listed[0]?.priority?.inputs).toEqual([{ name: 'test', value: 85, source: 'test' }]);
    expect((await store.listFindings({ now, priority: '3d' })).map((f) => f.locationKey)).toEqual(['wwwroot/x.aspx']);
    expect((await store.listFindings({ now, asset: SITE.id })).map((f) => f.locationKey)).toEqual(['wwwroot/cmd.aspx', 'system.web/compilation/@debug']);
    expect((await store.listFindings({ now, asset: OTHER.id, status: 'reopened' })).length).toBe(0);
  });

  it('records a run handed over as a generator, one batch at a time, and can return counts only', async () => {
    const made = findings(Array.from({ length: 1_100 }, (_, i) => shell(`g${i}.aspx`)));
    function* lazily(): Generator<Finding> {
      for (const f of made) yield f;
      yield made[0] as Finding; // given twice: counted once
    }
    const outcome = await store.recordRun({ ...run([], covers([SHELL], [SITE])), findings: lazily(), keepFindings: false });
    expect(outcome.findings).toEqual([]);
    expect(outcome.counts).toEqual({ new: 1_100, open: 0, reopened: 0, fixed: 0 });
    const again = await store.recordRun({ ...run([], covers([SHELL], [SITE])), findings: made.slice(0, 600)[Symbol.iterator](), keepFindings: false });
    expect(again.counts).toEqual({ new: 0, open: 600, reopened: 0, fixed: 500 });
    expect(again.fixed).toHaveLength(500);
    expect(await store.count('findings')).toBe(1_100);
  });

  it('brings a version-1 store to version 2 and keeps its findings: lifecycle goes on, due dates start', async () => {
    await store.close();
    await backend.cleanup();
    const v1 = await backend.openVersion1();
    const at = '2026-10-01T00:00:00.000Z';
    await v1.insertInto('runs').values({ command: 'sweep', tool_version: '0.1.0', started_at: at, finished_at: at, finding_count: 1, fixed_count: 0 }).execute();
    const [old] = findings([shell('cmd.aspx')]);
    if (old === undefined) throw new Error('no finding');
    await v1
      .insertInto('findings')
      .values({ fingerprint: old.fingerprint, rule_id: old.ruleId, engine: old.engine, asset: old.asset, location_key: old.locationKey, severity: old.severity, severity_rank: 4, confidence: old.confidence, category: old.category, title: old.title, description: old.description, tags: '[]', references: '[]', remediation: null, status: 'new', first_seen: at, last_seen: at, fixed_at: null, occurrences: 1, times_seen: 1, reopened_count: 0, first_run_id: 1, last_run_id: 1 })
      .execute();
    await v1.insertInto('occurrences').values({ run_id: 1, fingerprint: old.fingerprint, occurrences: 1, first_time: null, last_time: null, evidence: JSON.stringify(old.evidence) }).execute();
    await v1.destroy();

    store = await backend.open();
    expect((await store.listFindings({ now: new Date() })).map((f) => [f.locationKey, f.status, f.priority])).toEqual([['wwwroot/cmd.aspx', 'new', undefined]]);
    const outcome = await store.recordRun(run(prioritized(findings([shell('cmd.aspx')]), { 'wwwroot/cmd.aspx': ['3d', 80, '2026-11-05T00:00:00.000Z'] }), covers([SHELL], [SITE])));
    expect(outcome.findings.map((f) => [f.status, f.priority?.dueAt])).toEqual([['open', '2026-11-05T00:00:00.000Z']]);
    expect((await store.history(old.fingerprint)).map((h) => h.to)).toEqual(['open']);
  });

  it('opens an existing store again without migrating twice, keeping its findings', async () => {
    await store.recordRun(run(findings([debugOn]), covers([DEBUG], [SITE])));
    await store.close();
    store = await backend.open();
    expect(await store.count('findings')).toBe(1);
    const outcome = await store.recordRun(run(findings([debugOn]), covers([DEBUG], [SITE])));
    expect(outcome.findings[0]?.status).toBe('open');
  });
});
