import { sql, type Kysely } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely/migration';

/** The SQL dialects the store runs on. */
export type StoreDialect = 'sqlite' | 'postgres';

/** The paging index of each filter column (0008), rebuilt on the key column on SQLite (0017). */
const PAGING_INDEXES = [
  ['findings_label_order', 'priority_label'],
  ['findings_severity_order', 'severity'],
  ['findings_asset_order', 'asset'],
  ['findings_rule_order', 'rule_id'],
  ['findings_status_order', 'status'],
] as const;

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
    '0003-accounts': {
      async up(db: Kysely<unknown>): Promise<void> {
        // The server's users, their browser sessions, API tokens and the audit log, beside the findings they act on.
        const serial = dialect === 'postgres' ? 'serial' : 'integer';
        const autoIncrement = dialect === 'sqlite';
        await db.schema
          .createTable('users')
          .addColumn('id', serial, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('failed_count', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('locked_until', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('changed_at', 'text', (c) => c.notNull())
          .execute();
        // Only a SHA-256 of the cookie's value is kept: a copy of the database opens no session.
        await db.schema
          .createTable('sessions')
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('last_seen_at', 'text', (c) => c.notNull())
          .addColumn('csrf_token', 'text', (c) => c.notNull())
          .addColumn('ip', 'text')
          .addColumn('user_agent', 'text')
          .execute();
        await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
        await db.schema
          .createTable('api_tokens')
          .addColumn('id', serial, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text')
          .addColumn('last_used_at', 'text')
          .addColumn('revoked_at', 'text')
          .execute();
        await db.schema
          .createTable('audit_log')
          .addColumn('id', serial, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('target', 'text', (c) => c.notNull())
          .addColumn('detail', 'text')
          .addColumn('ip', 'text')
          .execute();
        // Triage in the CycloneDX vocabulary, kept with the finding; its changes go to the history.
        await db.schema.alterTable('findings').addColumn('triage_state', 'text').execute();
        await db.schema.alterTable('findings').addColumn('triage_justification', 'text').execute();
        await db.schema.alterTable('findings').addColumn('triage_comment', 'text').execute();
        await db.schema.alterTable('findings').addColumn('triage_by', 'text').execute();
        await db.schema.alterTable('findings').addColumn('triage_at', 'text').execute();
        // The API pages findings by risk (highest first, none last), then fingerprint: one ascending key the
        // keyset condition and this index share, in both dialects.
        await sql`create index findings_risk_order on findings ((coalesce(-risk, 1)), fingerprint)`.execute(db);
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
    '0005-notifications': {
      async up(db: Kysely<unknown>): Promise<void> {
        const serial = dialect === 'postgres' ? 'serial' : 'integer';
        const autoIncrement = dialect === 'sqlite';
        await db.schema
          .createTable('notify_channels')
          .addColumn('id', serial, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('config_sealed', 'text', (c) => c.notNull())
          .addColumn('summary', 'text', (c) => c.notNull())
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('disabled_reason', 'text')
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('notify_rules')
          .addColumn('id', serial, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('channel_id', 'integer', (c) => c.notNull().references('notify_channels.id').onDelete('cascade'))
          .addColumn('events', 'text', (c) => c.notNull())
          .addColumn('min_label', 'text')
          .addColumn('min_severity', 'text')
          .addColumn('asset_tags', 'text', (c) => c.notNull())
          .addColumn('mode', 'text', (c) => c.notNull())
          .addColumn('last_digest_at', 'text')
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('notify_outbox')
          .addColumn('id', serial, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('event', 'text', (c) => c.notNull())
          .addColumn('dedup_key', 'text', (c) => c.unique())
          .addColumn('fingerprint', 'text')
          .addColumn('label', 'text')
          .addColumn('severity', 'text')
          .addColumn('asset', 'text')
          .addColumn('asset_tags', 'text', (c) => c.notNull())
          .addColumn('run_id', 'integer')
          .addColumn('scan_id', 'text')
          .addColumn('data', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('routed_at', 'text')
          .addColumn('claim', 'text')
          .addColumn('claimed_until', 'text')
          .execute();
        // The relay reads what is not routed yet, oldest first.
        await db.schema.createIndex('notify_outbox_unrouted').on('notify_outbox').columns(['routed_at', 'id']).execute();
        await db.schema
          .createTable('notify_state')
          .addColumn('fingerprint', 'text', (c) => c.primaryKey())
          .addColumn('label', 'text', (c) => c.notNull())
          .addColumn('announced_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('notify_digest_items')
          .addColumn('rule_id', 'integer', (c) => c.notNull().references('notify_rules.id').onDelete('cascade'))
          .addColumn('outbox_id', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('notify_digest_items_pk', ['rule_id', 'outbox_id'])
          .execute();
        await db.schema
          .createTable('notify_deliveries')
          .addColumn('id', serial, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('webhook_id', 'text', (c) => c.notNull().unique())
          .addColumn('group_key', 'text', (c) => c.unique())
          .addColumn('channel_id', 'integer', (c) => c.notNull())
          .addColumn('rule_id', 'integer')
          .addColumn('event_type', 'text', (c) => c.notNull())
          .addColumn('event_count', 'integer', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('next_attempt_at', 'text', (c) => c.notNull())
          .addColumn('claim', 'text')
          .addColumn('claimed_until', 'text')
          .addColumn('last_status', 'integer')
          .addColumn('last_error', 'text')
          .addColumn('latency_ms', 'integer')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('sent_at', 'text')
          .execute();
        // The sender reads due deliveries; the log lists the newest first.
        await db.schema.createIndex('notify_deliveries_due').on('notify_deliveries').columns(['state', 'next_attempt_at']).execute();
        await db.schema
          .createTable('notify_attempts')
          .addColumn('id', serial, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('delivery_id', 'integer', (c) => c.notNull().references('notify_deliveries.id').onDelete('cascade'))
          .addColumn('attempt', 'integer', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('status', 'integer')
          .addColumn('error', 'text')
          .addColumn('latency_ms', 'integer', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('notify_attempts_delivery').on('notify_attempts').columns(['delivery_id', 'id']).execute();
      },
    },
    '0006-mfa-scopes': {
      async up(db: Kysely<unknown>): Promise<void> {
        // A second factor per user: the confirmed secret and the one awaiting confirmation, both sealed; the
        // last time step a code was taken for, so no code works twice.
        await db.schema.alterTable('users').addColumn('mfa_secret', 'text').execute();
        await db.schema.alterTable('users').addColumn('mfa_pending', 'text').execute();
        await db.schema.alterTable('users').addColumn('mfa_last_step', 'integer').execute();
        // Asset prefixes as a JSON array; null: every asset.
        await db.schema.alterTable('users').addColumn('asset_scope', 'text').execute();
        await db.schema.alterTable('api_tokens').addColumn('asset_scope', 'text').execute();
      },
    },
    '0007-coverage-by-asset': {
      // The dashboard's freshness asks each asset's latest covering run; without this it reads all coverage.
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema.createIndex('coverage_asset_run').on('coverage').columns(['asset', 'run_id']).execute();
      },
    },
    '0008-findings-filter-order': {
      async up(db: Kysely<unknown>): Promise<void> {
        // A filtered list (one label, severity, site, rule or status) must find its first page, and the page after
        // a cursor, without sorting every matching finding: with only an index on the filtered column, SQLite
        // read and sorted every finding of the label (51 ms at 200,000 findings; under load at 1M, 2 pages a
        // second). Each index below holds the filter's column then the paging key of findings_risk_order, so
        // the database seeks to the cursor within one value and reads just the page.
        for (const [name, column] of PAGING_INDEXES) {
          await sql`create index ${sql.raw(name)} on findings (${sql.ref(column)}, (coalesce(-risk, 1)), fingerprint)`.execute(db);
        }
      },
    },
    '0009-asset-registry': {
      async up(db: Kysely<unknown>): Promise<void> {
        // What people say about an asset on the server: the context `w3guard.yaml` gives a command-line run.
        // Keyed by the asset id as findings name it; tags and owners are JSON arrays of strings.
        await db.schema
          .createTable('assets')
          .addColumn('asset', 'text', (c) => c.primaryKey())
          .addColumn('criticality', 'text')
          .addColumn('exposure', 'text')
          .addColumn('tags', 'text', (c) => c.notNull())
          .addColumn('owners', 'text', (c) => c.notNull())
          .addColumn('updated_by', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0011-scan-log': {
      async up(db: Kysely<unknown>): Promise<void> {
        const serial = dialect === 'postgres' ? 'serial' : 'integer';
        const autoIncrement = dialect === 'sqlite';
        // What a scan did, line by line (stages, targets, issues), for the scan's page; bounded per scan.
        await db.schema
          .createTable('scan_log')
          .addColumn('id', serial, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
          .addColumn('scan_id', 'integer', (c) => c.notNull().references('scans.id').onDelete('cascade'))
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('level', 'text', (c) => c.notNull())
          .addColumn('message', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('scan_log_scan').on('scan_log').columns(['scan_id', 'id']).execute();
        // The scans list filters by state or kind, newest first.
        await db.schema.createIndex('scans_state_id').on('scans').columns(['state', 'id']).execute();
        await db.schema.createIndex('scans_kind_id').on('scans').columns(['kind', 'id']).execute();
      },
    },
    '0012-dashboard': {
      async up(db: Kysely<unknown>): Promise<void> {
        // The KEV catalogue and EPSS scores a run judged its findings by (`YYYY-MM-DD`), so the dashboard can say
        // how fresh the data behind the labels is. Runs recorded before stay null: their feeds are unknown.
        await db.schema.alterTable('runs').addColumn('kev_date', 'text').execute();
        await db.schema.alterTable('runs').addColumn('epss_date', 'text').execute();
        // The dashboard's history figures (the last days' changes, new and fixed per week, time to fix) and the
        // findings list's `openedIn`/`fixedIn` filters read one kind of change over a time range: without this
        // index each read every change ever recorded (the daily series: 600 ms at 100,000 findings on SQLite).
        await db.schema.createIndex('history_status_at').on('history').columns(['to_status', 'at', 'fingerprint']).execute();
        // Time to fix seeks each fixed finding's opening just before its fix: without this index SQLite read every
        // opening of that kind before the fix, once per fixed finding (minutes at 25,000 fixes).
        await db.schema.createIndex('history_fingerprint_status_at').on('history').columns(['fingerprint', 'to_status', 'at']).execute();
        // The history figures count a change under its finding's label (and scope, by asset): this index answers
        // that lookup without reading the finding's row (a whole row per change made the daily series 2x slower).
        await db.schema.createIndex('findings_fingerprint_label').on('findings').columns(['fingerprint', 'priority_label', 'asset']).execute();
        // Whether a finding's priority says known exploited (KEV) and internet-facing, written with the priority
        // (finding-store kevExposed); set here for the findings already stored, by the same substrings.
        await db.schema.alterTable('findings').addColumn('kev_exposed', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        // Few findings are: the act-now list looks them up by this index when its items are rare.
        await db.schema.createIndex('findings_kev_exposed').on('findings').column('kev_exposed').execute();
        await sql`update findings set kev_exposed = 1 where priority like ${'%"name":"inKev","value":true%'} and priority like ${'%"name":"publiclyExposed","value":true%'}`.execute(db);
        // Everything the dashboard sums per asset, label and status, so its one pass over the findings reads this
        // index alone, in group order, not the rows: the rows (evidence, priority JSON) made it 1-2 s at 100,000.
        await db.schema.createIndex('findings_dashboard').on('findings').columns(['asset', 'priority_label', 'status', 'kev_exposed', 'due_at', 'risk', 'last_seen']).execute();
      },
    },
    '0013-list-speed': {
      async up(db: Kysely<unknown>): Promise<void> {
        // `serve` looks for overdue findings every 5 s (status not fixed, due_at past). Without an index that read
        // the whole table: 730 ms at 200,000 findings, during which SQLite's synchronous driver held every request
        // (the multi-second stalls of a loaded list). Only open findings are in it.
        await sql`create index findings_open_due on findings (due_at) where status <> 'fixed'`.execute(db);
        // Free text (`q`) matched `lower(x) like '%term%'` on title, rule and asset with no index to help: a term
        // in few findings walked the whole table in risk order (2 s at 200,000 findings on SQLite, with every other
        // request waiting). Each database gets an index of the text's trigrams; the query keeps its LIKE, so what
        // matches is unchanged, and the index only narrows where to look.
        if (dialect === 'sqlite') {
          // FTS5's trigram tokenizer over the findings' own rows (external content, keyed by rowid), kept in step
          // by triggers; an update that leaves the three columns as they were (most re-scans) costs nothing.
          await sql`create virtual table findings_text using fts5(title, rule_id, asset, content='findings', content_rowid='rowid', tokenize='trigram')`.execute(db);
          await sql`create trigger findings_text_insert after insert on findings begin insert into findings_text(rowid, title, rule_id, asset) values (new.rowid, new.title, new.rule_id, new.asset); end`.execute(db);
          await sql`create trigger findings_text_delete after delete on findings begin insert into findings_text(findings_text, rowid, title, rule_id, asset) values ('delete', old.rowid, old.title, old.rule_id, old.asset); end`.execute(db);
          await sql`create trigger findings_text_update after update of title, rule_id, asset on findings when old.title is not new.title or old.rule_id is not new.rule_id or old.asset is not new.asset begin insert into findings_text(findings_text, rowid, title, rule_id, asset) values ('delete', old.rowid, old.title, old.rule_id, old.asset); insert into findings_text(rowid, title, rule_id, asset) values (new.rowid, new.title, new.rule_id, new.asset); end`.execute(db);
          await sql`insert into findings_text(findings_text) values ('rebuild')`.execute(db);
          return;
        }
        // PostgreSQL: pg_trgm (contrib) GIN indexes on the lower-cased columns, which LIKE '%…%' uses directly.
        // The extension goes to `public`, once per database, so dropping one store's schema never drops it under
        // another's. Where it is missing or may not be created, the store works as before, without the index.
        const found = await sql<{ schema: string | null; available: boolean }>`select (select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm') as schema, exists (select 1 from pg_available_extensions where name = 'pg_trgm') as available`.execute(db);
        let schema = found.rows[0]?.schema ?? null;
        if (schema === null) {
          if (found.rows[0]?.available !== true) return;
          // A savepoint: a refused CREATE EXTENSION (no privilege) must not abort the migration's transaction.
          await sql`savepoint trigram`.execute(db);
          try {
            await sql`create extension if not exists pg_trgm schema public`.execute(db);
            await sql`release savepoint trigram`.execute(db);
            schema = 'public';
          } catch {
            await sql`rollback to savepoint trigram`.execute(db);
            return;
          }
        }
        const opclass = sql.raw(`"${schema.replaceAll('"', '""')}".gin_trgm_ops`);
        for (const column of ['title', 'rule_id', 'asset']) {
          await sql`create index ${sql.raw(`findings_${column}_trigram`)} on findings using gin (lower(${sql.ref(column)}) ${opclass})`.execute(db);
        }
      },
    },
    '0014-correlated-findings': {
      async up(db: Kysely<unknown>): Promise<void> {
        // The findings a run joined with this one into one story (log line → file → event), so a finding's page
        // can show the correlated timeline; kept per run, like the evidence.
        await db.schema.alterTable('occurrences').addColumn('related', 'text').execute();
      },
    },
    '0015-text-walk': {
      async up(db: Kysely<unknown>): Promise<void> {
        // A common term (more matches than the trigram index is worth reading) is found by walking the risk order
        // until a page is full; that read every finding's row on the way (117 ms for a term in 1 % of 1M findings,
        // with every other request waiting on SQLite). This index holds the page key, the fingerprint and the text
        // free text searches, lower-cased: the walk tests the text in the index and reads a row only when it holds
        // the term (about a twentieth of the time). Its key is spelt `+ 0` (finding-page WALK_KEY) so no other list
        // picks this wider index over findings_risk_order. PostgreSQL: 0016.
        if (dialect !== 'sqlite') return;
        await sql`create index findings_text_walk on findings ((coalesce(-risk, 1) + 0), fingerprint, (lower(title) || char(10) || lower(rule_id) || char(10) || lower(asset)))`.execute(db);
      },
    },
    '0016-text-walk-postgres': {
      async up(db: Kysely<unknown>): Promise<void> {
        // The same walk on PostgreSQL (230 ms for a term in 1 % of 1M findings, reading each row on the way). It
        // filters an index's entries only in an index-only scan, and that only on columns, not on expressions:
        // the key and the text become stored generated columns (the table is rewritten once, ~2 min at 1M
        // findings), and the walk reads the term's matches from the index alone (finding-page walkMatches).
        if (dialect === 'sqlite') return;
        await sql`alter table findings add column search_text text generated always as (lower(title) || E'\n' || lower(rule_id) || E'\n' || lower(asset)) stored`.execute(db);
        await sql`alter table findings add column walk_key double precision generated always as (coalesce(-risk, 1)) stored`.execute(db);
        await sql`create index findings_text_walk on findings (walk_key, fingerprint) include (search_text)`.execute(db);
        // The list decides between the trigram indexes and the walk from the planner's estimate of a term's
        // matches, which needs statistics of the new text column (without them every term looked common, and a
        // term in no finding walked the whole index). Until autovacuum next marks the pages all-visible, the
        // index-only scan still reads rows to check visibility (a common term: ~100 ms instead of ~45 ms at 1M).
        await sql`analyze findings`.execute(db);
      },
    },
    '0017-order-key-sqlite': {
      async up(db: Kysely<unknown>): Promise<void> {
        // SQLite seeks an index with a row value, `(key, fingerprint) > (cursor)`, only when the key is a column:
        // with the key an expression it seeks to the cursor's key alone and then steps over every finding of that
        // key before the cursor (risk scores are whole numbers: at 1M findings ~10,000 share one, so a page after
        // a cursor read up to 10,000 index entries, 2 ms of CPU on average against 0.6 ms for a first page). The
        // key becomes a virtual generated column (computed on read, stored only in the indexes) and the paging
        // indexes of 0008 and findings_risk_order are built on it under the same names. PostgreSQL seeks with
        // the row value over the expression already.
        if (dialect !== 'sqlite') return;
        await sql`alter table findings add column order_key generated always as (coalesce(-risk, 1)) virtual`.execute(db);
        await sql`drop index findings_risk_order`.execute(db);
        await sql`create index findings_risk_order on findings (order_key, fingerprint)`.execute(db);
        // Each paging index also holds the status, last: SQLite tests an index's columns before it reads the row,
        // so a filtered list steps over the fixed findings of its label or site without reading them.
        for (const [name, column] of PAGING_INDEXES) {
          await sql`drop index ${sql.raw(name)}`.execute(db);
          await sql`create index ${sql.raw(name)} on findings (${sql.ref(column)}, order_key, fingerprint${column === 'status' ? sql`` : sql`, status`})`.execute(db);
        }
        // The default list (everything not fixed) read the risk order and each row on it to skip the fixed ones:
        // where fixed findings gather (a store's history, or whole risk scores fixed at once), a page stepped
        // over thousands of them (5 ms a page in the benchmark's store, against 0.06 ms from this index, which
        // holds only findings that are not fixed).
        await sql`create index findings_open_order on findings (order_key, fingerprint) where status <> 'fixed'`.execute(db);
        await sql`analyze findings`.execute(db);
      },
    },
    '0018-open-order-postgres': {
      async up(db: Kysely<unknown>): Promise<void> {
        // The default list's index of findings not fixed (SQLite: 0017) on PostgreSQL, whose plain index scans
        // cannot test the status before reading the row either: a page just before a risk score whose findings
        // were all fixed read and dropped 10,128 rows (142 ms with them not yet in memory).
        if (dialect === 'sqlite') return;
        await sql`create index findings_open_order on findings ((coalesce(-risk, 1)), fingerprint) where status <> 'fixed'`.execute(db);
        await sql`analyze findings`.execute(db);
      },
    },
    '0019-finding-names-postgres': {
      async up(db: Kysely<unknown>): Promise<void> {
        // Free text that names sites or rules (`host42`, a term in 1 % of 1M findings, all of them on 7 sites) was
        // walked along the whole risk order, 25,000 index entries for a page (7 ms of PostgreSQL's CPU; at 50
        // clients, two thirds of the database's time for the list). The sites and rules findings name, kept here
        // by triggers on every statement that writes findings, tell in a few hundred rows which of them hold the
        // term; their findings are then read in page order from the paging indexes (finding-page nameMatches).
        // A name stays once its findings are gone: it only adds a branch that finds nothing.
        if (dialect === 'sqlite') return;
        await sql`create table finding_names (kind text not null, name text not null, primary key (kind, name))`.execute(db);
        await sql`insert into finding_names (kind, name) select distinct 'asset', asset from findings union select distinct 'rule', rule_id from findings`.execute(db);
        // The search path is fixed when the function is made: the store's schema, whoever's session writes.
        await sql`create function finding_names_add() returns trigger language plpgsql set search_path from current as $$
begin
  insert into finding_names (kind, name) select distinct 'asset', asset from written union select distinct 'rule', rule_id from written on conflict do nothing;
  return null;
end $$`.execute(db);
        await sql`create trigger finding_names_insert after insert on findings referencing new table as written for each statement execute function finding_names_add()`.execute(db);
        await sql`create trigger finding_names_update after update on findings referencing new table as written for each statement execute function finding_names_add()`.execute(db);
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
