import { chmodSync, existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { FindingStore } from './finding-store.js';
import { preparingKept } from './kept-prepared.js';
import { StoreError } from './store-error.js';
import { CodeMigrationProvider, type StoreDialect } from './store-migrations.js';
import type { StoreDatabase } from './store-schema.js';

/** How to open a store. */
export interface OpenStoreOptions {
  /** PostgreSQL only: keep every table in this schema (created when missing). Tests use one per run. */
  readonly schema?: string;
}

/** Whether `--db` names a PostgreSQL server rather than a SQLite file. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/**
 * Opens the store named by `--db` — a SQLite file (created when missing) or a `postgres://` URL — and brings
 * its schema to the latest version. Throws `StoreError` when the database cannot be reached or migrated.
 */
export async function openStore(target: string, options: OpenStoreOptions = {}): Promise<FindingStore> {
  const dialect: StoreDialect = isPostgresUrl(target) ? 'postgres' : 'sqlite';
  const { db, schema } = dialect === 'postgres' ? await openPostgres(target, options.schema) : { db: openSqlite(target), schema: undefined };
  const migrator = new Migrator({
    db,
    provider: new CodeMigrationProvider(dialect),
    // Named always: unnamed, Kysely takes another schema's migration tables on the same server for this one's.
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) {
    await db.destroy();
    throw new StoreError('store.migration-failed', `cannot bring the store ${describe(target)} to the current schema: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return new FindingStore(db, dialect);
}

function openSqlite(file: string): Kysely<StoreDatabase> {
  let database: Database.Database;
  const created = file !== ':memory:' && !existsSync(file);
  try {
    database = new Database(file);
    // The store holds evidence (log lines, paths, config values): only its owner reads it. SQLite gives the
    // WAL and shared-memory files the same mode.
    if (created && process.platform !== 'win32') chmodSync(file, 0o600);
  } catch (error) {
    throw new StoreError('store.unreachable', `cannot open the store ${JSON.stringify(file)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  // WAL lets a reader (findings, the server) run while a scan records; NORMAL is durable enough under WAL.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database: keepingStatements(database) }) });
}

/** Statements kept per database: the queries a server repeats (lists, lookups) are a few dozen texts. */
const KEPT_STATEMENTS = 200;

/**
 * The database as Kysely sees it, with each statement prepared once per SQL text and kept: Kysely prepares every
 * query anew, and compiling a list query took ~5 % of a loaded server's time. A statement still being iterated
 * (a streamed query) is not handed out again; a new one is prepared for that call.
 */
function keepingStatements(database: Database.Database): SqliteDatabase {
  const kept = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare: (text: string) => {
      const statement = kept.get(text);
      if (statement !== undefined && !statement.busy) return statement;
      const made = readingArrays(database.prepare(text));
      if (statement === undefined) {
        if (kept.size >= KEPT_STATEMENTS) kept.delete(kept.keys().next().value as string);
        kept.set(text, made);
      }
      return made;
    },
  };
}

type SqliteStatement = ReturnType<SqliteDatabase['prepare']> & { readonly busy: boolean };

/**
 * A statement whose `all` reads rows as arrays and names their values in JavaScript: better-sqlite3 builds each
 * row object property by property in C++, which cost more than the query itself for a page of 50 findings
 * (0.33 ms against 0.23 ms this way, same rows). A later column of the same name wins, as in better-sqlite3.
 */
function readingArrays(statement: Database.Statement): SqliteStatement {
  if (!statement.reader) return statement;
  const named = rowNamer(statement.columns().map((column) => column.name));
  return {
    reader: true,
    get busy() {
      return statement.busy;
    },
    all(parameters) {
      let rows: unknown[][];
      try {
        rows = statement.raw(true).all(...parameters) as unknown[][];
      } finally {
        statement.raw(false);
      }
      return rows.map(named);
    },
    run: (parameters) => statement.run(...parameters),
    iterate: (parameters) => statement.iterate(...parameters),
  };
}

/**
 * Names a row's values: one object literal per statement, built once from its column names, so every row gets the
 * same hidden class at once. Assigning two dozen names one by one (`row[name] = value`) went through V8's
 * generic keyed store and left each row a dictionary: 0.27 ms a page of 51 findings against 0.007 ms. The names
 * are the statement's own (the SQL this project writes) and go in as JSON string literals; a name the literal
 * cannot hold as a plain key (`__proto__` would set the prototype) names the values one by one instead.
 */
export function rowNamer(names: readonly string[]): (values: readonly unknown[]) => Record<string, unknown> {
  if (names.includes('__proto__')) {
    return (values) => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i += 1) Object.defineProperty(row, names[i] as string, { value: values[i], enumerable: true, writable: true, configurable: true });
      return row;
    };
  }
  return new Function('values', `return {${names.map((name, i) => `${JSON.stringify(name)}: values[${i}]`).join(', ')}};`) as (values: readonly unknown[]) => Record<string, unknown>;
}

async function openPostgres(url: string, schema: string | undefined): Promise<{ db: Kysely<StoreDatabase>; schema: string }> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new StoreError('store.bad-schema', `schema name ${JSON.stringify(schema)} is not a plain lower-case identifier`);
  const client = new pg.Client({ connectionString: url });
  // A cut while this first connection is open rejects the statement under way, which becomes a StoreError below;
  // unheard, the client's 'error' event would end the process instead.
  client.on('error', () => undefined);
  let current: string | undefined;
  try {
    await client.connect();
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    // The schema the URL's search_path (or the server's default) puts new tables in.
    else current = (await client.query<{ name: string | null }>('SELECT current_schema() AS name')).rows[0]?.name ?? undefined;
  } catch (error) {
    throw new StoreError('store.unreachable', `cannot reach the store ${describe(url)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
  if (schema === undefined && current === undefined) throw new StoreError('store.no-schema', `the store ${describe(url)} has no schema to create its tables in: set search_path to an existing schema`);
  const pool = new pg.Pool({ connectionString: url, max: 4, ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }) });
  // An idle connection the server drops (a restart, an administrator, a failover) must not end the process: the pool
  // discards it and the next query opens a new one.
  pool.on('error', () => undefined);
  // pg-pool listens for a connection's errors only while it is idle. A connection the server cuts while it is checked
  // out (a transaction under way, between statements or failing on the cut) emits 'error' on its client with no one
  // listening, and that ends the process: a worker whose sessions an administrator terminated died mid-scan this way.
  // Heard here, the error only marks the client unusable: its next statement fails, the transaction rolls back (the
  // job is retried), and the pool discards the client on release.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    preparingKept(client);
  });
  return { db: new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool }) }), schema: schema ?? current ?? 'public' };
}

/** The store as a message may name it: a URL without its password. */
function describe(target: string): string {
  if (!isPostgresUrl(target)) return JSON.stringify(target);
  try {
    const url = new URL(target);
    url.password = '';
    return url.toString();
  } catch {
    return 'postgres://…';
  }
}
