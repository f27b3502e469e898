import { sql, type Kysely } from 'kysely';
import type { Finding } from '../core/finding.js';
import type { Incident } from '../core/incident.js';
import type { RunOutcome } from '../store/finding-store.js';
import { insertEvents } from '../store/notify-store.js';
import type { StoreDatabase } from '../store/store-schema.js';
import { isPriorityLabel, isSeverity, labelUrgency, type EventType, type FindingBrief, type NewEvent } from './notify-event.js';

type Db = Kysely<StoreDatabase>;

/** What a run's events need beside its outcome. */
export interface RunEventContext {
  /** The server's scan the run belongs to, when a job ran it. */
  readonly scanId?: string;
  readonly command: string;
  /** Incidents of the run's report: each is announced once, by its id. */
  readonly incidents?: readonly Incident[];
  /** The tags of an asset, for rules limited to tagged assets. */
  readonly assetTags?: (asset: string) => readonly string[];
  readonly now: Date;
}

/** The label a fingerprint has had announced when none was given: ranks below every real label. */
const NO_LABEL = 'none';
const BATCH = 500;

/**
 * Derives a recorded run's announcements and writes them to the outbox in the run's transaction: new findings
 * (`finding.created`), reopened ones, fixed ones, findings whose label rose above the last one announced
 * (`finding.label_raised`), and the report's incidents. Suppressed findings are not announced. Writing the same
 * outcome twice announces nothing twice. Returns how many events were written.
 */
export async function writeRunEvents(trx: Db, outcome: RunOutcome, context: RunEventContext): Promise<number> {
  const at = context.now.toISOString();
  const tags = context.assetTags ?? (() => []);
  const events: NewEvent[] = [];
  const states = new Map<string, string>();
  const visible = outcome.findings.filter((f) => !outcome.suppressed.has(f.fingerprint));
  for (let start = 0; start < visible.length; start += BATCH) {
    const batch = visible.slice(start, start + BATCH);
    const rows = await trx.selectFrom('notify_state').select(['fingerprint', 'label']).where('fingerprint', 'in', batch.map((f) => f.fingerprint)).execute();
    for (const row of rows) states.set(row.fingerprint, row.label);
  }
  const announce = new Map<string, string>();
  const base = (type: EventType, finding: Finding, dedupKey: string, extra: Record<string, unknown> = {}): NewEvent => ({
    type,
    data: { finding: brief(finding), runId: outcome.runId, ...(context.scanId === undefined ? {} : { scanId: context.scanId }), ...extra },
    dedupKey,
    fingerprint: finding.fingerprint,
    ...(finding.priority === undefined ? {} : { label: finding.priority.label }),
    severity: finding.severity,
    asset: finding.asset,
    assetTags: tags(finding.asset),
    runId: outcome.runId,
    ...(context.scanId === undefined ? {} : { scanId: context.scanId }),
    at,
  });
  for (const finding of visible) {
    const label = finding.priority?.label ?? NO_LABEL;
    const before = states.get(finding.fingerprint);
    if (finding.status === 'new' || finding.status === 'reopened') {
      const type = finding.status === 'new' ? 'finding.created' : 'finding.reopened';
      events.push(base(type, finding, `${type}|${finding.fingerprint}|run:${outcome.runId}`));
      announce.set(finding.fingerprint, before !== undefined && labelUrgency(before) < labelUrgency(label) ? before : label);
    } else if (before === undefined) {
      // Known before notifications were set up: remember its label without announcing it.
      announce.set(finding.fingerprint, label);
    } else if (labelUrgency(label) < labelUrgency(before)) {
      events.push(base('finding.label_raised', finding, `finding.label_raised|${finding.fingerprint}|${label}`, { previousLabel: before === NO_LABEL ? null : before }));
      announce.set(finding.fingerprint, label);
    }
  }
  for (const finding of outcome.fixed) {
    if (outcome.suppressed.has(finding.fingerprint)) continue;
    events.push(base('finding.fixed', finding, `finding.fixed|${finding.fingerprint}|run:${outcome.runId}`));
  }
  for (const incident of context.incidents ?? []) {
    events.push({
      type: 'incident.opened',
      data: {
        incident: { id: incident.id, asset: incident.asset, title: incident.title, kind: incident.kind, members: incident.members, firstSeen: incident.firstSeen ?? null, lastSeen: incident.lastSeen ?? null },
        runId: outcome.runId,
        ...(context.scanId === undefined ? {} : { scanId: context.scanId }),
      },
      dedupKey: `incident.opened|${incident.id}`,
      label: 'incident',
      severity: 'critical',
      asset: incident.asset,
      assetTags: tags(incident.asset),
      runId: outcome.runId,
      ...(context.scanId === undefined ? {} : { scanId: context.scanId }),
      at,
    });
  }
  const entries = [...announce].map(([fingerprint, label]) => ({ fingerprint, label, announced_at: at }));
  for (let start = 0; start < entries.length; start += BATCH) {
    await trx
      .insertInto('notify_state')
      .values(entries.slice(start, start + BATCH))
      .onConflict((oc) => oc.column('fingerprint').doUpdateSet((eb) => ({ label: eb.ref('excluded.label'), announced_at: eb.ref('excluded.announced_at') })))
      .execute();
  }
  return insertEvents(trx, events);
}

/** Writes one event (a scan's or a verification's end) to the outbox, in the caller's transaction when given one. */
export async function writeEvent(trx: Db, event: NewEvent): Promise<number> {
  return insertEvents(trx, [event]);
}

/** The event for a server scan that ended: `scan.completed`, `scan.failed` or `verify.completed`, once per scan. */
export function scanEvent(input: {
  readonly type: 'scan.completed' | 'scan.failed' | 'verify.completed';
  readonly scanId: string;
  readonly kind: string;
  readonly targets?: readonly string[];
  readonly findings?: number;
  readonly error?: string;
  /** verify: the finding and what became of it. */
  readonly finding?: FindingBrief;
  readonly runId?: number;
  readonly now: Date;
}): NewEvent {
  return {
    type: input.type,
    data: {
      scan: { id: input.scanId, kind: input.kind, ...(input.targets === undefined ? {} : { targets: input.targets }), ...(input.findings === undefined ? {} : { findings: input.findings }), ...(input.error === undefined ? {} : { error: input.error }) },
      ...(input.finding === undefined ? {} : { finding: input.finding }),
      ...(input.runId === undefined ? {} : { runId: input.runId }),
    },
    dedupKey: `${input.type}|${input.scanId}`,
    scanId: input.scanId,
    ...(input.runId === undefined ? {} : { runId: input.runId }),
    ...(input.finding === undefined ? {} : { fingerprint: input.finding.fingerprint, severity: input.finding.severity, asset: input.finding.asset, ...(input.finding.label === undefined ? {} : { label: input.finding.label }) }),
    at: input.now.toISOString(),
  };
}

/**
 * Announces findings past their due date: once per finding and due date (a due date moved earlier is a new
 * announcement). Fixed and suppressed findings are left out. Returns how many events were written.
 */
export async function findOverdue(db: Db, now: Date, options: { readonly assetTags?: (asset: string) => readonly string[]; readonly limit?: number } = {}): Promise<number> {
  const at = now.toISOString();
  const rows = await db
    .selectFrom('findings as f')
    .select(['f.fingerprint', 'f.rule_id', 'f.title', 'f.severity', 'f.asset', 'f.status', 'f.priority_label', 'f.risk', 'f.due_at'])
    .where('f.status', '<>', 'fixed')
    .where('f.due_at', 'is not', null)
    .where('f.due_at', '<', at)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('notify_outbox as n').select(sql<number>`1`.as('one')).whereRef('n.dedup_key', '=', sql<string>`'finding.overdue|' || f.fingerprint || '|' || f.due_at`))))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('suppressions as s')
            .select(sql<number>`1`.as('one'))
            .where((w) =>
              w.and([
                w.or([w('s.fingerprint', '=', w.ref('f.fingerprint')), w.and([w('s.rule_id', '=', w.ref('f.rule_id')), w('s.asset', '=', w.ref('f.asset'))])]),
                w.or([w('s.expires_at', 'is', null), w('s.expires_at', '>', at)]),
              ]),
            ),
        ),
      ),
    )
    .orderBy('f.due_at')
    .limit(options.limit ?? 5000)
    .execute();
  const tags = options.assetTags ?? (() => []);
  const events = rows.map((row): NewEvent => {
    const finding: FindingBrief = {
      fingerprint: row.fingerprint,
      ruleId: row.rule_id,
      title: row.title,
      severity: isSeverity(row.severity) ? row.severity : 'info',
      asset: row.asset,
      status: row.status,
      ...(isPriorityLabel(row.priority_label) ? { label: row.priority_label } : {}),
      ...(row.risk === null ? {} : { risk: Number(row.risk) }),
      ...(row.due_at === null ? {} : { dueAt: row.due_at }),
    };
    return {
      type: 'finding.overdue',
      data: { finding },
      dedupKey: `finding.overdue|${row.fingerprint}|${row.due_at ?? ''}`,
      fingerprint: row.fingerprint,
      ...(finding.label === undefined ? {} : { label: finding.label }),
      severity: finding.severity,
      asset: row.asset,
      assetTags: tags(row.asset),
      at,
    };
  });
  return insertEvents(db, events);
}

/** What an announcement carries of a finding: no evidence, no description. */
export function brief(finding: Finding): FindingBrief {
  return {
    fingerprint: finding.fingerprint,
    ruleId: finding.ruleId,
    title: finding.title,
    severity: finding.severity,
    asset: finding.asset,
    ...(finding.status === undefined ? {} : { status: finding.status }),
    ...(finding.priority === undefined ? {} : { label: finding.priority.label }),
    ...(finding.risk === undefined ? (finding.priority === undefined ? {} : { risk: finding.priority.score }) : { risk: finding.risk }),
    ...(finding.priority?.dueAt === undefined ? {} : { dueAt: finding.priority.dueAt }),
  };
}
