import type { Generated } from 'kysely';
import type { FindingStatus } from '../core/finding-status.js';

/**
 * The store's tables as Kysely sees them. Times are ISO 8601 UTC text in both dialects: they sort as text,
 * compare as text, and read back the same from SQLite and PostgreSQL.
 */
export interface StoreDatabase {
  runs: RunsTable;
  coverage: CoverageTable;
  findings: FindingsTable;
  occurrences: OccurrencesTable;
  suppressions: SuppressionsTable;
  history: HistoryTable;
  jobs: JobsTable;
  scans: ScansTable;
  schedules: SchedulesTable;
  report_imports: ReportImportsTable;
}

/** One recorded run of a scanning command. */
export interface RunsTable {
  id: Generated<number>;
  command: string;
  tool_version: string;
  started_at: string;
  finished_at: string;
  /** Findings the run reported, and how many it closed. */
  finding_count: number;
  fixed_count: number;
}

/** What a run looked at: one rule evaluated to the end on one asset. */
export interface CoverageTable {
  run_id: number;
  rule_id: string;
  asset: string;
}

/** The latest state of every finding ever seen, one row per fingerprint. */
export interface FindingsTable {
  fingerprint: string;
  rule_id: string;
  engine: string;
  asset: string;
  location_key: string;
  severity: string;
  /** 0 (info) to 4 (critical), for ordering in SQL. */
  severity_rank: number;
  confidence: string;
  category: string;
  title: string;
  description: string;
  /** JSON arrays of strings. */
  tags: string;
  references: string;
  remediation: string | null;
  status: FindingStatus;
  first_seen: string;
  last_seen: string;
  fixed_at: string | null;
  /** Occurrences in the last run that found it. */
  occurrences: number;
  /** How many recorded runs found it. */
  times_seen: number;
  reopened_count: number;
  first_run_id: number;
  last_run_id: number;
  /** The earliest due date a run gave this fingerprint (ISO 8601); null until one was prioritized. */
  due_at: string | null;
  /** The latest priority label and 0–100 risk, and the whole priority as JSON. */
  priority_label: string | null;
  risk: number | null;
  priority: string | null;
}

/** A finding as one run saw it: its count, evidence sample and evidence times. */
export interface OccurrencesTable {
  run_id: number;
  fingerprint: string;
  occurrences: number;
  first_time: string | null;
  last_time: string | null;
  /** JSON array of evidence items (the run's capped sample). */
  evidence: string;
}

/** Leaves a finding out of the default output and the exit code until it expires. */
export interface SuppressionsTable {
  id: Generated<number>;
  /** Either a fingerprint, or a rule on an asset. */
  fingerprint: string | null;
  rule_id: string | null;
  asset: string | null;
  reason: string;
  author: string;
  created_at: string;
  /** Null: until lifted. */
  expires_at: string | null;
}

/** Append-only: every status change and suppression, never updated or deleted. */
export interface HistoryTable {
  id: Generated<number>;
  fingerprint: string;
  /** Null for changes not made by a run (a suppression). */
  run_id: number | null;
  from_status: string | null;
  to_status: string;
  at: string;
  /** Who made the change: null for a run, the author for a suppression. */
  actor: string | null;
  note: string | null;
}

/** The SQLite store's job queue (PostgreSQL uses pg-boss in its own schema instead). */
export interface JobsTable {
  id: Generated<number>;
  kind: string;
  /** JSON. */
  data: string;
  /** At most one `active` job per key. */
  singleton_key: string | null;
  state: 'queued' | 'active' | 'done' | 'failed';
  attempts: number;
  /** Not claimed before this (ISO 8601): the back-off of a retry, or a deferred job. */
  run_after: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  last_error: string | null;
}

/** A scan a user or a schedule asked for, and how it went. */
export interface ScansTable {
  id: Generated<number>;
  /** scan, host or verify. */
  kind: string;
  /** JSON array of strings: base URLs, or host roots on the worker. */
  targets: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  /** JSON: phase and counts while running. */
  progress: string | null;
  requested_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  run_id: number | null;
  finding_count: number | null;
  error: string | null;
  /** Set for a verify: the finding it re-checks. */
  verify_fingerprint: string | null;
  /** fixed or open, once a verify is done. */
  verify_result: string | null;
  attempts: number;
}

/** Scans to request on a cron schedule. */
export interface SchedulesTable {
  id: Generated<number>;
  kind: string;
  /** JSON array of strings. */
  targets: string;
  cron: string;
  timezone: string;
  /** 1 or 0 in both dialects. */
  enabled: number;
  last_run_at: string | null;
  next_run_at: string | null;
  last_error: string | null;
  created_by: string;
  created_at: string;
}

/** Reports pushed to the server, by idempotency key: the same push twice is one run. */
export interface ReportImportsTable {
  key: string;
  run_id: number;
  created_by: string;
  created_at: string;
}
