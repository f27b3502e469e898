import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../core/finding.js';
import { postgresDown, withSchema } from '../../test/e2e/test-postgres.js';
import { makeFinding } from '../../test/server/seed-findings.js';
import { pageFindings, pageFindingSummaries, type FindingFilter } from './finding-page.js';
import type { FindingStore } from './finding-store.js';
import { openStore } from './open-store.js';
import type { StoreDatabase } from './store-schema.js';

const AT = '2026-05-31T00:00:00.000Z';
const NOW = new Date('2026-06-01T00:00:00Z');
/** More findings share "number" than the SQLite text search reads from its index (1,000): that term is walked. */
const COUNT = 2600;

/** Titles a text search must treat literally: quotes, wildcards, mixed case, non-ASCII. */
const ODD_TITLES = ['Quoted "phrase" here', 'Wildcard 100%_done', 'MiXeD CaSe Web.Config', 'Pfad über Ärger', 'ab'];

function findingsToRecord(): Finding[] {
  const odd = ODD_TITLES.map((title, i) => makeFinding(COUNT + i, { title }));
  return [...Array.from({ length: COUNT }, (_, i) => makeFinding(i)), ...odd];
}

/** Every page of a filter, as the list reads it. */
async function listAll(store: FindingStore, filter: FindingFilter, limit = 500): Promise<string[]> {
  const seen: string[] = [];
  let after;
  do {
    const page = await pageFindingSummaries(store.database, filter, { limit, now: NOW, ...(after === undefined ? {} : { after }) });
    seen.push(...page.items.map((f) => f.fingerprint));
    after = page.next;
  } while (after !== undefined);
  return seen;
}

/** What `q` promises, worked out here: the text within title, rule or asset, without regard to (ASCII) case. */
function expected(findings: readonly Finding[], q: string): string[] {
  const term = q.toLowerCase();
  const key = (f: Finding): number => (f.risk === undefined ? 1 : -f.risk);
  return findings
    .filter((f) => [f.title, f.ruleId, f.asset].some((text) => text.toLowerCase().includes(term)))
    .sort((a, b) => key(a) - key(b) || (a.fingerprint < b.fingerprint ? -1 : 1))
    .map((f) => f.fingerprint);
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`free text over the findings list on ${dialect}`, () => {
    let store: FindingStore | undefined;
    let findings: Finding[] = [];
    let finish: () => void = () => undefined;
    let done: Promise<void> = Promise.resolve();
    let dir = '';
    let url = '';

    beforeAll(async () => {
      if (dialect === 'postgres') {
        if ((await postgresDown('free text on PostgreSQL')) !== undefined) return;
        // The schema lives while the tests run: withSchema drops it once `finish` is called.
        const ready = new Promise<string>((resolve) => {
          done = withSchema(async (url) => {
            resolve(url);
            await new Promise<void>((release) => (finish = release));
          });
        });
        url = await ready;
        store = await openStore(url);
      } else {
        dir = mkdtempSync(path.join(tmpdir(), 'w3g-text-'));
        store = await openStore(path.join(dir, 'store.db'));
      }
      findings = findingsToRecord();
      await store.recordRun({ command: 'test', toolVersion: '0', startedAt: AT, finishedAt: AT, findings, keepFindings: false });
    }, 120_000);
    afterAll(async () => {
      await store?.close();
      finish();
      await done;
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    it('finds the same findings as a plain substring match, for rare, common, short and odd terms', async (context) => {
      if (store === undefined) return context.skip();
      // "number 12": ~100 findings (SQLite reads them from its trigram index); "number": all 2,600 (walked);
      // "ab", two characters: no trigram at all; then quotes, wildcards, case and non-ASCII.
      for (const q of ['number 12', 'NUMBER 2599', 'number', 'ab', 'site-3', 'rule-1', '"phrase"', 'quoted "', '100%_', '0%_d', 'web.config', 'ÜBER', 'zzz-none']) {
        expect(await listAll(store, { q }), q).toEqual(expected(findings, q));
      }
    });

    it('combines free text with the other filters and with the full findings of an export', async (context) => {
      if (store === undefined) return context.skip();
      const listed = await listAll(store, { q: 'number 3', severity: 'high' });
      expect(listed).toEqual(expected(findings.filter((f) => f.severity === 'high'), 'number 3'));
      // A walked term whose matches mostly fail the rest of the filter: PostgreSQL reads several batches of them.
      for (const severity of ['high', 'info']) {
        expect(await listAll(store, { q: 'number', severity }), severity).toEqual(expected(findings.filter((f) => f.severity === severity), 'number'));
      }
      // A site or a rule that holds few of a walked term's matches, or none: after two batches of the walk the rest
      // is read as a plain filtered list (PostgreSQL), or the site's own order is read from the start (SQLite).
      for (const [q, asset, rule] of [['number', 'site-3', undefined], ['number 1', undefined, 'rule-4'], ['site-2', 'site-3', undefined], ['rule-12', undefined, 'rule-1']] as const) {
        const filter = { q, ...(asset === undefined ? {} : { asset }), ...(rule === undefined ? {} : { rule }) };
        expect(await listAll(store, filter, 50), JSON.stringify(filter)).toEqual(expected(findings.filter((f) => (asset === undefined || f.asset === asset) && (rule === undefined || f.ruleId === rule)), q));
      }
      // PostgreSQL takes a term as rare when a short look along the walk finds too few of its matches, and reads it
      // from the trigram indexes instead: the same findings either way.
      // Each a minute after the verdicts of the searches above (kept a minute), so the walk is probed again.
      for (const [i, q] of ['number 12', 'site-3', 'zzz-none', 'number'].entries()) {
        const now = new Date(NOW.getTime() + (i + 1) * 61_000);
        const seen: string[] = [];
        let after;
        do {
          const page = await pageFindingSummaries(store.database, { q }, { limit: 50, now, textWindow: 100, ...(after === undefined ? {} : { after }) });
          seen.push(...page.items.map((f) => f.fingerprint));
          after = page.next;
        } while (after !== undefined);
        expect(seen, q).toEqual(expected(findings, q));
      }
      const full = await pageFindings(store.database, { q: 'number 3', severity: 'high' }, { limit: 500, now: NOW });
      expect(full.items.map((f) => f.fingerprint)).toEqual(listed);
      expect(full.items[0]?.evidence).toHaveLength(1);
    });

    it('follows a finding whose title changes: the old words stop matching, the new ones match', async (context) => {
      if (store === undefined) return context.skip();
      const renamed = makeFinding(17, { title: 'Renamed shell upload' });
      const later = '2026-05-31T02:00:00.000Z';
      await store.recordRun({ command: 'test', toolVersion: '0', startedAt: later, finishedAt: later, findings: [renamed], keepFindings: false });
      expect(await listAll(store, { q: 'shell upload' })).toEqual([renamed.fingerprint]);
      expect(await listAll(store, { q: 'number 17' })).not.toContain(renamed.fingerprint);
      findings = findings.map((f) => (f.fingerprint === renamed.fingerprint ? renamed : f));
      expect(await listAll(store, { q: 'number 17' })).toEqual(expected(findings, 'number 17'));
    });

    it('reads a term in the names of a few sites or rules from their own indexes, new sites included (PostgreSQL)', async (context) => {
      if (store === undefined || dialect === 'sqlite') return context.skip();
      const statements: string[] = [];
      const db = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }), log: (event) => void statements.push(event.query.sql) });
      try {
        const page = async (q: string, limit: number): Promise<string[]> => {
          const seen: string[] = [];
          let after;
          do {
            const found = await pageFindingSummaries(db, { q }, { limit, now: NOW, ...(after === undefined ? {} : { after }) });
            seen.push(...found.items.map((f) => f.fingerprint));
            after = found.next;
          } while (after !== undefined);
          return seen;
        };
        // `site-3`: one site; `rule-1`: four rules (rule-1, rule-10, rule-11, rule-12), whose findings overlap no title.
        for (const q of ['site-3', 'RULE-1']) {
          statements.length = 0;
          expect(await page(q, 50), q).toEqual(expected(findings, q));
          expect(statements.some((text) => text.includes('search_text')), q).toBe(false);
          expect(statements.filter((text) => / as k from findings f where /.test(text)).length, q).toBeGreaterThan(0);
        }
        // A site first seen now: its name is kept by the store's trigger, and its findings found with the others'.
        const later = '2026-05-31T03:00:00.000Z';
        // And findings whose site and rule both hold a term: each in two branches, listed once.
        const both = Array.from({ length: 120 }, (_, i) => makeFinding(6000 + i, { asset: 'dup-site', ruleId: 'dup-rule' }));
        const added = [makeFinding(5000, { asset: 'site-30' }), makeFinding(5001, { asset: 'site-3', title: 'Finding on site-3 in its title' }), ...both];
        await store.recordRun({ command: 'test', toolVersion: '0', startedAt: later, finishedAt: later, findings: added, keepFindings: false });
        findings = [...findings, ...added];
        statements.length = 0;
        expect(await page('site-3', 50)).toEqual(expected(findings, 'site-3'));
        expect(statements.some((text) => text.includes('search_text'))).toBe(false);
        expect(await page('dup-', 50)).toEqual(expected(findings, 'dup-'));
        // A term in every title is walked.
        statements.length = 0;
        expect(await page('number 1', 500)).toEqual(expected(findings, 'number 1'));
        expect(statements.some((text) => / as k from findings f where /.test(text))).toBe(false);
      } finally {
        await db.destroy();
      }
    });

    it('finds out whether a term is common once a minute, not for every page', async (context) => {
      if (store === undefined) return context.skip();
      // SQLite counts the term's matches in its text index; PostgreSQL probes the walk (a window of entries).
      const counts: string[] = [];
      const log = (event: { query: { sql: string } }): void => void ((dialect === 'sqlite' ? event.query.sql.includes('count(*)') : /from \(select w\.fingerprint/.test(event.query.sql)) && counts.push(event.query.sql));
      const db =
        dialect === 'sqlite'
          ? new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database: new Database(path.join(dir, 'store.db')) }), log })
          : new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }), log });
      try {
        for (const q of ['number', 'number 12']) {
          counts.length = 0;
          const first = await pageFindingSummaries(db, { q }, { limit: 50, now: NOW });
          const second = await pageFindingSummaries(db, { q: q.toUpperCase() }, { limit: 50, now: new Date(NOW.getTime() + 30_000), ...(first.next === undefined ? {} : { after: first.next }) });
          expect([...first.items, ...second.items].map((f) => f.fingerprint), q).toEqual(expected(findings, q).slice(0, 100));
          expect(counts, q).toHaveLength(1);
          // A minute on, the count is taken again: the store may have changed.
          await pageFindingSummaries(db, { q }, { limit: 50, now: new Date(NOW.getTime() + 61_000) });
          expect(counts, q).toHaveLength(2);
        }
      } finally {
        await db.destroy();
      }
    });

    it('lists the suppressed findings, by fingerprint and by rule on asset, as status=all marks them', async (context) => {
      if (store === undefined) return context.skip();
      const now = new Date('2026-06-01T00:00:00Z');
      await store.suppress({ fingerprint: makeFinding(3).fingerprint, reason: 'checked', author: 'alice', now });
      await store.suppress({ ruleId: 'rule-4', asset: 'site-2', reason: 'test site', author: 'bob', expiresAt: '2026-07-01T00:00:00.000Z', now });
      await store.suppress({ ruleId: 'rule-5', asset: 'site-1', reason: 'expired', author: 'bob', expiresAt: '2026-05-01T00:00:00.000Z', now: new Date('2026-04-01T00:00:00Z') });
      try {
        const expectedSuppressed = expected(findings, '')
          .filter((fp) => {
            const f = findings.find((x) => x.fingerprint === fp);
            return fp === makeFinding(3).fingerprint || (f?.ruleId === 'rule-4' && f.asset === 'site-2');
          });
        expect(expectedSuppressed.length).toBeGreaterThan(30);
        const listed = await listAll(store, { status: 'suppressed' });
        expect(listed).toEqual(expectedSuppressed);
        const all: string[] = [];
        let after;
        do {
          const page = await pageFindingSummaries(store.database, { status: 'all' }, { limit: 500, now: NOW, ...(after === undefined ? {} : { after }) });
          all.push(...page.items.filter((f) => f.suppressed).map((f) => f.fingerprint));
          after = page.next;
        } while (after !== undefined);
        expect(all).toEqual(expectedSuppressed);
        // With the rest of a filter, the suppressed of one site and a term.
        expect(await listAll(store, { status: 'suppressed', asset: 'site-2', q: 'number 1' })).toEqual(expected(findings, 'number 1').filter((fp) => expectedSuppressed.includes(fp) && findings.find((x) => x.fingerprint === fp)?.asset === 'site-2'));
      } finally {
        await sql`delete from suppressions`.execute(store.database);
      }
    });

    it('keeps a text index for the search', async (context) => {
      if (store === undefined) return context.skip();
      if (dialect === 'sqlite') {
        // A deleted finding leaves the index too (the trigger), or it would be a candidate for ever.
        const gone = makeFinding(2001).fingerprint;
        await sql`delete from occurrences where fingerprint = ${gone}`.execute(store.database);
        await sql`delete from history where fingerprint = ${gone}`.execute(store.database);
        await sql`delete from findings where fingerprint = ${gone}`.execute(store.database);
        const left = await sql<{ n: number }>`select count(*) as n from findings_text where findings_text match ${'"number 2001"'}`.execute(store.database);
        expect(Number(left.rows[0]?.n)).toBe(0);
        const integrity = sql`insert into findings_text(findings_text) values ('integrity-check')`;
        await expect(integrity.execute(store.database)).resolves.toBeDefined();
      } else {
        // Where the server has no pg_trgm the store goes without (and the search above still matched).
        const trigram = await sql<{ available: boolean }>`select exists (select 1 from pg_available_extensions where name = 'pg_trgm') as available`.execute(store.database);
        const indexes = await sql<{ indexname: string }>`select indexname from pg_indexes where schemaname = current_schema() and indexname like 'findings_%_trigram' order by indexname`.execute(store.database);
        expect(indexes.rows.map((r) => r.indexname)).toEqual(trigram.rows[0]?.available === true ? ['findings_asset_trigram', 'findings_rule_id_trigram', 'findings_title_trigram'] : []);
        // A walk reads the matches from findings_text_walk alone (an index-only scan: key, fingerprint and text are
        // in the index). The planner prefers a plain scan of so small a table; barred from it, it can use the index.
        const plan = await store.database.transaction().execute(async (trx) => {
          await sql`set local enable_seqscan = off`.execute(trx);
          return sql<{ 'QUERY PLAN': string }>`explain select w.fingerprint, w.walk_key from findings w where strpos(w.search_text, ${'number'}) > 0 order by w.walk_key, w.fingerprint limit 200`.execute(trx);
        });
        expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/Index Only Scan using findings_text_walk/);
      }
    });
  });
}
