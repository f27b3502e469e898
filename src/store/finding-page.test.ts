import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeFinding } from '../../test/server/seed-findings.js';
import { findOverdue } from '../notify/write-run-events.js';
import { inAssetScope } from './asset-scope.js';
import { decodeCursor, encodeCursor, getFinding, pageFindings, triageFindings } from './finding-page.js';
import type { FindingStore } from './finding-store.js';
import { openStore } from './open-store.js';
import type { StoreDatabase } from './store-schema.js';

describe('finding pages', () => {
  let dir: string;
  let store: FindingStore;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'w3g-page-'));
    store = await openStore(path.join(dir, 'store.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads findings in page order from the findings_risk_order index, without sorting them', async () => {
    const plan = await sql<{ detail: string }>`explain query plan select f.fingerprint from findings as f order by f.order_key, f.fingerprint limit 50`.execute(store.database);
    const details = plan.rows.map((row) => row.detail).join('\n');
    expect(details).toContain('findings_risk_order');
    expect(details).not.toContain('TEMP B-TREE');
  });

  it('reads a page of one label, severity, site, rule or status from that column\'s paging index, without sorting the matches', async () => {
    for (const [column, index] of [
      ['priority_label', 'findings_label_order'],
      ['severity', 'findings_severity_order'],
      ['asset', 'findings_asset_order'],
      ['rule_id', 'findings_rule_order'],
      ['status', 'findings_status_order'],
    ] as const) {
      const plan = await sql<{ detail: string }>`explain query plan select f.fingerprint from findings as f
        where ${sql.ref(`f.${column}`)} = ${'x'} and (f.order_key, f.fingerprint) > (${-50}, ${'abc'})
        order by f.order_key, f.fingerprint limit 51`.execute(store.database);
      const details = plan.rows.map((row) => row.detail).join('\n');
      expect(details, column).toContain(index);
      expect(details, column).not.toContain('TEMP B-TREE');
    }
  });

  /**
   * The plan of the query `send` sends whose SQL holds `marker`, caught on its way to the same store file by a
   * logging Kysely, then explained.
   */
  async function planOfSent(send: (db: Kysely<StoreDatabase>) => Promise<unknown>, marker: string): Promise<string[]> {
    const sent: CompiledQuery[] = [];
    const db = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database: new Database(path.join(dir, 'store.db')) }), log: (event) => void sent.push(event.query) });
    try {
      await send(db);
      const query = sent.find((q) => q.sql.includes(marker));
      expect(query, marker).toBeDefined();
      const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query?.sql ?? ''}`, [...(query?.parameters ?? [])]));
      return plan.rows.map((row) => row.detail);
    } finally {
      await db.destroy();
    }
  }

  /** The plan of the page pageFindings reads after a cursor, with this filter. */
  const pagePlan = (filter: { q?: string; label?: string }) =>
    planOfSent((db) => pageFindings(db, filter, { limit: 50, after: { key: -50, fingerprint: 'abc' }, now: new Date() }), 'order by');

  it('seeks the page after a cursor in the index, key and fingerprint, instead of reading or stepping over the rows before it', async () => {
    // The row value itself, not only the key: at 1M findings ~10,000 share a risk, and a seek to the key alone
    // stepped over all of them before the cursor.
    for (const filter of [{}, { label: '14d' }]) {
      const scan = (await pagePlan(filter)).find((detail) => / f /.test(detail) && !detail.includes(' s '));
      expect(scan, JSON.stringify(filter)).toMatch(/^SEARCH f USING INDEX \S+ \((priority_label=\? AND )?\(order_key,fingerprint\)>\(\?,\?\)\)$/);
    }
  });

  it('reads the default list (everything not fixed) from the index of findings not fixed, first page and after a cursor', async () => {
    const first = await planOfSent((db) => pageFindings(db, {}, { limit: 50, now: new Date() }), 'order by');
    expect(first).toContainEqual(expect.stringMatching(/^SCAN f USING INDEX findings_open_order$/));
    expect(await pagePlan({})).toContainEqual(expect.stringMatching(/^SEARCH f USING INDEX findings_open_order \(\(order_key,fingerprint\)>\(\?,\?\)\)$/));
    // Any other status reads its own index or, for all, the whole risk order.
    const all = await planOfSent((db) => pageFindings(db, { status: 'all' }, { limit: 50, now: new Date() }), 'order by');
    expect(all).toContainEqual(expect.stringMatching(/^SCAN f USING INDEX findings_risk_order$/));
  });

  it('walks free text through the index that holds the text, in page order, while other lists keep the narrow index', async () => {
    // "ab" has no trigram, so it is walked whatever the count; the walk must test the text in the index (no
    // row read for a finding that does not hold the term) and seek the cursor, never sort.
    const walked = await pagePlan({ q: 'ab' });
    expect(walked).toContainEqual(expect.stringMatching(/^SEARCH f USING INDEX findings_text_walk \(<expr>>\?\)$/));
    expect(walked.join('\n')).not.toContain('TEMP B-TREE');
    expect(await pagePlan({})).toContainEqual(expect.stringMatching(/^SEARCH f USING INDEX findings_open_order /));
  });

  it('looks for overdue findings (serve, every 5 s) through an index of open due dates, not the whole table', async () => {
    const details = await planOfSent((db) => findOverdue(db, new Date('2026-06-01T00:00:00Z')), 'due_at');
    expect(details).toContainEqual(expect.stringMatching(/^SEARCH f USING INDEX findings_open_due \(due_at/));
    expect(details.join('\n')).not.toContain('SCAN f');
  });

  it('gives back the cursor it encoded and refuses others', () => {
    const cursor = { key: -12.5, fingerprint: 'abc' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    for (const bad of ['', 'not base64 !', Buffer.from('[1]').toString('base64url'), Buffer.from('["1","x"]').toString('base64url'), Buffer.from('{"key":1}').toString('base64url')]) expect(decodeCursor(bad), bad).toBeUndefined();
  });

  it('answers an empty store with an empty last page', async () => {
    expect(await pageFindings(store.database, {}, { limit: 10, now: new Date() })).toEqual({ items: [] });
  });

  it('keeps every query within an asset scope: pages, one finding and triage, with wildcards taken literally', async () => {
    const assets = ['HOST', 'host/W3SVC2', 'HOST/W3SVC2/app', 'HOSTS', 'HOST_', 'HOS%', 'OTHER/HOST'];
    const findings = assets.map((asset, i) => makeFinding(i, { asset }));
    const at = '2026-05-31T00:00:00.000Z';
    await store.recordRun({ command: 'test', toolVersion: '0', startedAt: at, finishedAt: at, findings, keepFindings: false });
    const now = new Date('2026-06-01T00:00:00Z');
    const scope = ['HOST'];
    const within = ['HOST', 'HOST/W3SVC2/app', 'host/W3SVC2'];
    const page = await pageFindings(store.database, { status: 'all' }, { limit: 100, now, scope });
    expect(page.items.map((f) => f.asset).sort()).toEqual(within);
    expect(assets.filter((a) => inAssetScope(a, scope)).sort()).toEqual(within);
    expect((await pageFindings(store.database, { status: 'all' }, { limit: 100, now, scope: ['HOS%'] })).items.map((f) => f.asset)).toEqual(['HOS%']);
    expect((await pageFindings(store.database, { status: 'all' }, { limit: 100, now, scope: ['HOST/W3SVC2'] })).items.map((f) => f.asset).sort()).toEqual(['HOST/W3SVC2/app', 'host/W3SVC2']);
    const outside = findings[3]?.fingerprint ?? '';
    expect(await getFinding(store.database, outside, now, scope)).toBeUndefined();
    expect(await getFinding(store.database, outside, now)).toBeDefined();
    const changed = await triageFindings(store.database, { fingerprints: findings.map((f) => f.fingerprint) }, { triage: { state: 'in_triage' }, actor: 't', now, scope });
    expect(changed).toHaveLength(within.length);
    const filtered = await triageFindings(store.database, { filter: { status: 'all' } }, { triage: { state: 'exploitable' }, actor: 't', now, scope: ['OTHER'] });
    expect(filtered).toEqual([findings[6]?.fingerprint]);
  });
});
