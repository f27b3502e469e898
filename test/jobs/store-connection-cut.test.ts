import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { FindingStore } from '../../src/store/finding-store.js';
import { openStore } from '../../src/store/open-store.js';
import { POSTGRES_URL, postgresDown } from '../e2e/test-postgres.js';
import { until } from './job-fixtures.js';

const pgDown = await postgresDown('store connection cut tests');

let store: FindingStore | undefined;
let schema: string | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
  if (schema !== undefined) {
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    schema = undefined;
  }
});

describe.skipIf(pgDown !== undefined)('a store connection cut while a transaction holds it (PostgreSQL)', () => {
  it('fails that transaction only: the process lives on and the next query gets a new connection', async () => {
    // Its own application name, so only this store's sessions are cut (other tests share the server).
    const app = `w3g_cut_${randomBytes(4).toString('hex')}`;
    schema = `w3g_test_${randomBytes(6).toString('hex')}`;
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('application_name', app);
    const st = await openStore(url.toString(), { schema });
    store = st;
    // An 'error' event on a client nobody listens to surfaces here (and ends a worker outside the tests).
    const unheard: unknown[] = [];
    const onUncaught = (error: unknown): void => void unheard.push(error);
    process.on('uncaughtException', onUncaught);
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      const cut = st.database.transaction().execute(async (trx) => {
        await sql`SELECT 1`.execute(trx);
        // Cut between two statements: the client is checked out, with no statement of its own running.
        const { rowCount } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [app]);
        expect(rowCount).toBe(1);
        await until('the session to end', async () => ((await admin.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [app])).rowCount === 0 ? true : undefined), 5000);
        // Time for the client to read the server's goodbye and see its socket close.
        await new Promise((r) => setTimeout(r, 300));
        await sql`SELECT 2`.execute(trx);
      });
      await expect(cut).rejects.toThrow();
      const { rows } = await sql<{ n: number }>`SELECT 3 AS n`.execute(st.database);
      expect(rows[0]?.n).toBe(3);
      expect(unheard).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await admin.end();
    }
  });
});
