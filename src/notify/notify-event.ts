import { PRIORITY_LABELS, type PriorityLabel } from '../core/priority.js';
import { SEVERITIES, type Severity } from '../core/severity.js';

/** What the server announces (Standard Webhooks naming: full-stop-delimited). `test` is a channel's "send test". */
export const EVENT_TYPES = [
  'finding.created',
  'finding.reopened',
  'finding.fixed',
  'finding.label_raised',
  'finding.overdue',
  'incident.opened',
  'scan.completed',
  'scan.failed',
  'verify.completed',
  'test',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The part of a finding an announcement carries: enough to decide, never its raw evidence. */
export interface FindingBrief {
  readonly fingerprint: string;
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly asset: string;
  readonly status?: string;
  readonly label?: PriorityLabel;
  readonly risk?: number;
  readonly dueAt?: string;
}

/** One event as the outbox keeps it and the channels render it. */
export interface NotifyEvent {
  /** `evt_<outbox id>`, stable for the event's life. */
  readonly id: string;
  readonly type: EventType;
  /** ISO 8601 UTC, when the event happened. */
  readonly timestamp: string;
  /** The event's payload as webhooks receive it: `finding`, `incident`, `runId`, `scanId`, … */
  readonly data: Readonly<Record<string, unknown>>;
}

/** An event about to be written: routing columns beside the payload. */
export interface NewEvent {
  readonly type: EventType;
  readonly data: Readonly<Record<string, unknown>>;
  /** Re-writing an event with the same key announces nothing new (re-scans, retried jobs). */
  readonly dedupKey?: string;
  readonly fingerprint?: string;
  readonly label?: PriorityLabel;
  readonly severity?: Severity;
  readonly asset?: string;
  readonly assetTags?: readonly string[];
  readonly runId?: number;
  readonly scanId?: string;
  /** ISO 8601 UTC. */
  readonly at: string;
}

/** 0 for `incident` (most urgent) up to 5 for `next-upgrade`; labels outside the list rank last. */
export function labelUrgency(label: string | null | undefined): number {
  const index = PRIORITY_LABELS.indexOf(label as PriorityLabel);
  return index < 0 ? PRIORITY_LABELS.length : index;
}

/** Labels announced at once whatever a rule's mode: compromise, and the three-day due dates. */
export function isUrgentLabel(label: string | null | undefined): boolean {
  return label === 'incident' || label === '3d-forensic' || label === '3d';
}

export function isPriorityLabel(text: unknown): text is PriorityLabel {
  return typeof text === 'string' && (PRIORITY_LABELS as readonly string[]).includes(text);
}

export function isSeverity(text: unknown): text is Severity {
  return typeof text === 'string' && (SEVERITIES as readonly string[]).includes(text);
}

/** How urgent an event is, for "most urgent first": incidents, then by label, then by severity. */
export function eventUrgency(event: NotifyEvent): number {
  if (event.type === 'incident.opened') return -1;
  if (event.type === 'scan.failed') return PRIORITY_LABELS.length + 1;
  const finding = findingOf(event);
  if (finding === undefined) return PRIORITY_LABELS.length + 2;
  return labelUrgency(finding.label) + (4 - SEVERITIES.indexOf(finding.severity)) / 10;
}

/** Most urgent first, then oldest first, then by id: the order every batch is rendered in. */
export function compareUrgency(a: NotifyEvent, b: NotifyEvent): number {
  return eventUrgency(a) - eventUrgency(b) || (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The finding an event is about, when it is about one. */
export function findingOf(event: NotifyEvent): FindingBrief | undefined {
  const finding = event.data['finding'];
  if (finding === null || typeof finding !== 'object') return undefined;
  const f = finding as Record<string, unknown>;
  if (typeof f['fingerprint'] !== 'string' || typeof f['title'] !== 'string') return undefined;
  return finding as FindingBrief;
}
