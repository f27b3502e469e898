import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The machine's PostgreSQL for end-to-end tests; W3GUARD_TEST_POSTGRES overrides it. */
export const POSTGRES_URL = process.env['W3GUARD_TEST_POSTGRES'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why PostgreSQL cannot be reached, or undefined when it can; a test that needs it says so once and skips. */
export async function postgresDown(what: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.warn(`${what} skipped: ${POSTGRES_URL} is unreachable (${reason})`);
    return reason;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs `use` with a store URL whose `search_path` is a fresh schema, dropped afterwards. */
export async function withSchema(use: (url: string) => void | Promise<void>): Promise<void> {
  const schema = `w3g_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    await use(url.toString());
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}
