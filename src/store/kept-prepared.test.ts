import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresDown, POSTGRES_URL, withSchema } from '../../test/e2e/test-postgres.js';
import { makeFinding } from '../../test/server/seed-findings.js';
import { pageFindingSummaries } from './finding-page.js';
import type { FindingStore } from './finding-store.js';
import { preparingKept } from './kept-prepared.js';
import { openStore } from './open-store.js';

const AT = '2026-05-31T00:00:00.000Z';
const NOW = new Date('2026-06-01T00:00:00Z');

describe('statements kept prepared on PostgreSQL', () => {
  let store: FindingStore | undefined;
  let finish: () => void = () => undefined;
  let done: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    if ((await postgresDown('kept prepared statements')) !== undefined) return;
    const ready = new Promise<string>((resolve) => {
      done = withSchema(async (url) => {
        resolve(url);
        await new Promise<void>((release) => (finish = release));
      });
    });
    store = await openStore(await ready);
    const findings = Array.from({ length: 3000 }, (_, i) => makeFinding(i));
    await store.recordRun({ command: 'test', toolVersion: '0', startedAt: AT, finishedAt: AT, findings, keepFindings: false });
    await sql`analyze findings`.execute(store.database);
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    finish();
    await done;
  });

  it('keeps the findings list prepared, planned once for any value as well as for its own', async (context) => {
    if (store === undefined) return context.skip();
    const custom = await pageFindingSummaries(store.database, {}, { limit: 50, now: NOW });
    await store.database.connection().execute(async (db) => {
      // A plan made once for every value from the start, as PostgreSQL may choose after five runs.
      await sql`set plan_cache_mode = force_generic_plan`.execute(db);
      try {
        for (let i = 0; i < 3; i += 1) expect(await pageFindingSummaries(db, {}, { limit: 50, now: NOW })).toEqual(custom);
        const { rows } = await sql<{ name: string; statement: string; generic_plans: number; parameter_types: string }>`
          select name, statement, generic_plans, parameter_types::text from pg_prepared_statements`.execute(db);
        expect(rows.every((row) => row.statement.startsWith('select /* kept */ '))).toBe(true);
        const list = rows.find((row) => row.statement.includes('coalesce(-f.risk, 1) as "order_key"'));
        expect(Number(list?.generic_plans)).toBeGreaterThanOrEqual(3);
        // That plan reads the index of findings not fixed in page order and stops after the page: the status and
        // the limit are literals, so it does not sort every open finding (or scan them in parallel) instead.
        expect(list?.parameter_types).toBe('{text}');
        const { rows: plan } = await sql<{ 'QUERY PLAN': string }>`explain execute ${sql.id(list?.name ?? '')} (${sql.lit(NOW.toISOString())})`.execute(db);
        const text = plan.map((line) => line['QUERY PLAN']).join('\n');
        expect(text).toContain('findings_open_order');
        expect(text).not.toMatch(/Sort|Gather/);
      } finally {
        await sql`reset plan_cache_mode`.execute(db);
      }
    });
  });

  it('names only the marked selects, and at most a hundred a connection', async (context) => {
    if (store === undefined) return context.skip();
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      preparingKept(client);
      for (let i = 0; i < 105; i += 1) expect((await client.query(`select /* kept */ $1::int + ${i} as n`, [1])).rows).toEqual([{ n: 1 + i }]);
      // Again: the first hundred run as prepared, the rest unnamed, all with the right answer.
      for (let i = 0; i < 105; i += 1) expect((await client.query(`select /* kept */ $1::int + ${i} as n`, [2])).rows).toEqual([{ n: 2 + i }]);
      await client.query('select $1::int as plain', [1]);
      // Statements without parameters still go by the simple protocol: several in one text.
      await client.query('select 1; select 2');
      const { rows } = await client.query<{ n: string; kept: string }>(`select count(*) as n, count(*) filter (where statement like 'select /* kept */%') as kept from pg_prepared_statements`);
      expect(rows[0]).toEqual({ n: '100', kept: '100' });
    } finally {
      await client.end();
    }
  });
});
