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
  notify_channels: NotifyChannelsTable;
  notify_rules: NotifyRulesTable;
  notify_outbox: NotifyOutboxTable;
  notify_state: NotifyStateTable;
  notify_digest_items: NotifyDigestItemsTable;
  notify_deliveries: NotifyDeliveriesTable;
  notify_attempts: NotifyAttemptsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  jobs: JobsTable;
  scans: ScansTable;
  scan_log: ScanLogTable;
  schedules: SchedulesTable;
  report_imports: ReportImportsTable;
  assets: AssetsTable;
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
  /** The KEV catalogue's release day and the EPSS scores' day the run judged by (`YYYY-MM-DD`), when known. */
  kev_date: string | null;
  epss_date: string | null;
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
  /** 1 when `priority` says known exploited (KEV) and internet-facing: the act-now list's test, indexed. */
  kev_exposed: Generated<number>;
  /** Triage in the CycloneDX vocabulary (in_triage, exploitable, resolved, false_positive, not_affected), who set it and when. */
  triage_state: string | null;
  triage_justification: string | null;
  triage_comment: string | null;
  triage_by: string | null;
  triage_at: string | null;
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
  /** JSON array of the fingerprints this run joined the finding with into one story (`related`), or null. */
  related: string | null;
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

/** Where notifications go. The whole configuration (URLs are secrets too) is sealed with AES-256-GCM. */
export interface NotifyChannelsTable {
  id: Generated<number>;
  kind: string;
  name: string;
  /** `v1.` + base64(iv, tag, ciphertext) of the configuration JSON. */
  config_sealed: string;
  /** What listing may show: a URL without path or query, an address list, a host and port. */
  summary: string;
  /** 0 or 1; set by an admin or when a receiver answers 410 Gone. */
  disabled: number;
  disabled_reason: string | null;
  created_by: string;
  created_at: string;
}

/** Which events go to which channel, how urgent they must be, and whether at once or in a digest. */
export interface NotifyRulesTable {
  id: Generated<number>;
  channel_id: number;
  /** JSON array of event types. */
  events: string;
  min_label: string | null;
  min_severity: string | null;
  /** JSON array of asset tags; empty: every asset. */
  asset_tags: string;
  mode: string;
  last_digest_at: string | null;
  created_by: string;
  created_at: string;
}

/** Events written in the transaction that caused them; routed into deliveries later. */
export interface NotifyOutboxTable {
  id: Generated<number>;
  event: string;
  /** Unique when set: the same announcement is never written twice. */
  dedup_key: string | null;
  fingerprint: string | null;
  label: string | null;
  severity: string | null;
  asset: string | null;
  asset_tags: string;
  run_id: number | null;
  scan_id: string | null;
  /** JSON payload (`data` of the webhook body). */
  data: string;
  created_at: string;
  routed_at: string | null;
  /** A dispatcher's claim and how long it holds. */
  claim: string | null;
  claimed_until: string | null;
}

/** The label last announced for each fingerprint, so only a higher one is announced again. */
export interface NotifyStateTable {
  fingerprint: string;
  label: string;
  announced_at: string;
}

/** Events waiting for a digest rule's next digest. */
export interface NotifyDigestItemsTable {
  rule_id: number;
  outbox_id: number;
}

/** One message to one channel, with its retries: the delivery log. */
export interface NotifyDeliveriesTable {
  id: Generated<number>;
  /** Standard Webhooks `webhook-id`: the same on every retry. */
  webhook_id: string;
  /** Routing writes each batch once even when two dispatchers route the same events. */
  group_key: string | null;
  channel_id: number;
  rule_id: number | null;
  /** The most urgent event's type. */
  event_type: string;
  event_count: number;
  /** JSON array of events. */
  payload: string;
  /** pending (not tried), failed (waiting for a retry), sent, dead (gave up). */
  state: string;
  attempts: number;
  next_attempt_at: string;
  claim: string | null;
  claimed_until: string | null;
  last_status: number | null;
  last_error: string | null;
  latency_ms: number | null;
  created_at: string;
  sent_at: string | null;
}

/** Every attempt of every delivery. */
export interface NotifyAttemptsTable {
  id: Generated<number>;
  delivery_id: number;
  attempt: number;
  at: string;
  status: number | null;
  error: string | null;
  latency_ms: number;
}

/** A person who signs in to the server. */
export interface UsersTable {
  id: Generated<number>;
  name: string;
  role: string;
  /** Argon2id PHC string. */
  password_hash: string;
  /** 0 or 1 in both dialects. */
  disabled: number;
  failed_count: number;
  locked_until: string | null;
  created_at: string;
  changed_at: string;
  /** The TOTP secret, sealed under the server's key; null: no second factor. */
  mfa_secret: string | null;
  /** A TOTP secret handed out for enrolment and not confirmed yet, sealed. */
  mfa_pending: string | null;
  /** The last time step a code was accepted for: codes are single-use. */
  mfa_last_step: number | null;
  /** JSON array of asset prefixes the user may see; null: every asset. */
  asset_scope: string | null;
}

/** A browser session: only the SHA-256 of the cookie's value is kept. */
export interface SessionsTable {
  id_hash: string;
  user_id: number;
  created_at: string;
  last_seen_at: string;
  csrf_token: string;
  ip: string | null;
  user_agent: string | null;
}

/** An API token: only its SHA-256 is kept; the token is shown once. */
export interface ApiTokensTable {
  id: Generated<number>;
  token_hash: string;
  name: string;
  role: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  /** JSON array of asset prefixes the token may see and push; null: every asset. */
  asset_scope: string | null;
}

/** Append-only: who changed what, never updated or deleted. */
export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  target: string;
  /** JSON object, or null. */
  detail: string | null;
  ip: string | null;
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

/** One line of what a scan did: a stage, a target reached, an issue met. The newest lines of each scan are kept. */
export interface ScanLogTable {
  id: Generated<number>;
  scan_id: number;
  at: string;
  /** info, warn or error. */
  level: string;
  message: string;
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

/** The asset registry: what people said about an asset on the server (criticality, exposure, tags, owners). */
export interface AssetsTable {
  /** The asset id as findings name it (`WEB01`, `WEB01/W3SVC2`, `https://portal.example.com`). */
  asset: string;
  /** low, medium, high or critical; null: not said. */
  criticality: string | null;
  /** internet or internal; null: not said. */
  exposure: string | null;
  /** JSON arrays of strings. */
  tags: string;
  owners: string;
  updated_by: string;
  updated_at: string;
}
