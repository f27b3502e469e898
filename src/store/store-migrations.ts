import type { Kysely } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely/migration';

/** The SQL dialects the store runs on. */
export type StoreDialect = 'sqlite' | 'postgres';

/**
 * The store's schema as code, one entry per version, applied in name order by Kysely's Migrator. Never edit a
 * shipped migration: add the next one. The dialect only changes how an auto-numbered key is spelt.
 */
export function storeMigrations(dialect: StoreDialect): Record<string, Migration> {
  return {
    '0001-findings-store': {
      async up(db: Kysely<unknown>): Promise<void> {
        const serial = dialect === 'postgres' ? 'serial' : 'integer';
        const autoIncrement = dialect === 'sqlite';
        await db.schema
          .createTable('runs')
          .addColumn('id', serial, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('command', 'text', (c) => c.notNull())
          .addColumn('tool_version', 'text', (c) => c.notNull())
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('finished_at', 'text', (c) => c.notNull())
          .addColumn('finding_count', 'integer', (c) => c.notNull())
          .addColumn('fixed_count', 'integer', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('coverage')
          .addColumn('run_id', 'integer', (c) => c.notNull().references('runs.id'))
          .addColumn('rule_id', 'text', (c) => c.notNull())
          .addColumn('asset', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('coverage_pk', ['run_id', 'rule_id', 'asset'])
          .execute();
        await db.schema
          .createTable('findings')
          .addColumn('fingerprint', 'text', (c) => c.primaryKey())
          .addColumn('rule_id', 'text', (c) => c.notNull())
          .addColumn('engine', 'text', (c) => c.notNull())
          .addColumn('asset', 'text', (c) => c.notNull())
          .addColumn('location_key', 'text', (c) => c.notNull())
          .addColumn('severity', 'text', (c) => c.notNull())
          .addColumn('severity_rank', 'integer', (c) => c.notNull())
          .addColumn('confidence', 'text', (c) => c.notNull())
          .addColumn('category', 'text', (c) => c.notNull())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('tags', 'text', (c) => c.notNull())
          .addColumn('references', 'text', (c) => c.notNull())
          .addColumn('remediation', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('first_seen', 'text', (c) => c.notNull())
          .addColumn('last_seen', 'text', (c) => c.notNull())
          .addColumn('fixed_at', 'text')
          .addColumn('occurrences', 'integer', (c) => c.notNull())
          .addColumn('times_seen', 'integer', (c) => c.notNull())
          .addColumn('reopened_count', 'integer', (c) => c.notNull())
          .addColumn('first_run_id', 'integer', (c) => c.notNull().references('runs.id'))
          .addColumn('last_run_id', 'integer', (c) => c.notNull().references('runs.id'))
          .execute();
        // Closing joins a run's coverage on (rule, asset); listing filters by status and orders by severity.
        await db.schema.createIndex('findings_rule_asset').on('findings').columns(['rule_id', 'asset']).execute();
        await db.schema.createIndex('findings_status_rank').on('findings').columns(['status', 'severity_rank']).execute();
        await db.schema.createIndex('findings_asset').on('findings').column('asset').execute();
        await db.schema.createIndex('findings_last_run').on('findings').column('last_run_id').execute();
        await db.schema
          .createTable('occurrences')
          .addColumn('run_id', 'integer', (c) => c.notNull().references('runs.id'))
          .addColumn('fingerprint', 'text', (c) => c.notNull())
          .addColumn('occurrences', 'integer', (c) => c.notNull())
          .addColumn('first_time', 'text')
          .addColumn('last_time', 'text')
          .addColumn('evidence', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('occurrences_pk', ['run_id', 'fingerprint'])
          .execute();
        await db.schema.createIndex('occurrences_fingerprint').on('occurrences').column('fingerprint').execute();
        await db.schema
          .createTable('suppressions')
          .addColumn('id', serial, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('fingerprint', 'text')
          .addColumn('rule_id', 'text')
          .addColumn('asset', 'text')
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('author', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text')
          .execute();
        await db.schema.createIndex('suppressions_fingerprint').on('suppressions').column('fingerprint').execute();
        await db.schema.createIndex('suppressions_rule_asset').on('suppressions').columns(['rule_id', 'asset']).execute();
        await db.schema
          .createTable('history')
          .addColumn('id', serial, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('fingerprint', 'text', (c) => c.notNull())
          .addColumn('run_id', 'integer', (c) => c.references('runs.id'))
          .addColumn('from_status', 'text')
          .addColumn('to_status', 'text', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('actor', 'text')
          .addColumn('note', 'text')
          .execute();
        await db.schema.createIndex('history_fingerprint').on('history').columns(['fingerprint', 'id']).execute();
        await db.schema.createIndex('history_run').on('history').column('run_id').execute();
      },
    },
    '0002-priority-due-dates': {
      async up(db: Kysely<unknown>): Promise<void> {
        // The earliest due date ever given a fingerprint: re-scoring never moves it later. Label and risk are
        // kept for listing and sorting; the whole priority (its inputs) for showing why.
        const float = dialect === 'postgres' ? 'double precision' : 'real';
        await db.schema.alterTable('findings').addColumn('due_at', 'text').execute();
        await db.schema.alterTable('findings').addColumn('priority_label', 'text').execute();
        await db.schema.alterTable('findings').addColumn('risk', float).execute();
        await db.schema.alterTable('findings').addColumn('priority', 'text').execute();
        // Listing one asset's findings by status reads this index; it also serves every lookup by asset alone.
        await db.schema.createIndex('findings_asset_status').on('findings').columns(['asset', 'status']).execute();
        await db.schema.dropIndex('findings_asset').execute();
        await db.schema.createIndex('findings_priority_status').on('findings').columns(['priority_label', 'status']).execute();
      },
    },
    '0004-scans': {
      async up(db: Kysely<unknown>): Promise<void> {
        const serial = dialect === 'postgres' ? 'serial' : 'integer';
        const autoIncrement = dialect === 'sqlite';
        // The SQLite store's own queue; on PostgreSQL pg-boss keeps its jobs in its own schema and this stays empty.
        await db.schema
          .createTable('jobs')
          .addColumn('id', serial, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .addColumn('singleton_key', 'text')
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('run_after', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('started_at', 'text')
          .addColumn('finished_at', 'text')
          .addColumn('last_error', 'text')
          .execute();
        await db.schema.createIndex('jobs_state_run_after').on('jobs').columns(['state', 'run_after']).execute();
        await db.schema
          .createTable('scans')
          .addColumn('id', serial, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('targets', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('progress', 'text')
          .addColumn('requested_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('started_at', 'text')
          .addColumn('finished_at', 'text')
          .addColumn('run_id', 'integer', (c) => c.references('runs.id'))
          .addColumn('finding_count', 'integer')
          .addColumn('error', 'text')
          .addColumn('verify_fingerprint', 'text')
          .addColumn('verify_result', 'text')
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('scans_created').on('scans').column('created_at').execute();
        await db.schema
          .createTable('schedules')
          .addColumn('id', serial, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('targets', 'text', (c) => c.notNull())
          .addColumn('cron', 'text', (c) => c.notNull())
          .addColumn('timezone', 'text', (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('last_run_at', 'text')
          .addColumn('next_run_at', 'text')
          .addColumn('last_error', 'text')
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        // One row per pushed report: the primary key is what makes a repeated push one run.
        await db.schema
          .createTable('report_imports')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('run_id', 'integer', (c) => c.notNull().references('runs.id'))
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
  };
}

/** Hands the migrations above to Kysely's Migrator. */
export class CodeMigrationProvider implements MigrationProvider {
  readonly #dialect: StoreDialect;

  constructor(dialect: StoreDialect) {
    this.#dialect = dialect;
  }

  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(storeMigrations(this.#dialect));
  }
}
