/**
 * Why a finding ranks where it does: the label of the decision procedure (CISA BOD 26-04 table, the
 * compromise gate, own exploitation attempts, EPSS and criticality as one-step modifiers), a 0–100 score
 * whose bands follow the labels, a due date, and every input with its value, its source and whether it was
 * assumed.
 */
export type PriorityLabel = 'incident' | '3d-forensic' | '3d' | '14d' | '60d' | 'next-upgrade';

export const PRIORITY_LABELS: readonly PriorityLabel[] = ['incident', '3d-forensic', '3d', '14d', '60d', 'next-upgrade'];

/** One input of the decision: its value, where it came from, and whether it was assumed for lack of data. */
export interface PriorityInput {
  readonly name: string;
  readonly value: string | number | boolean | null;
  readonly source: string;
  readonly asOf?: string;
  readonly assumed?: boolean;
  readonly detail?: string;
}

/** A step that moved the label after the base table (own attempts, EPSS, criticality). */
export interface PriorityModifier {
  readonly rule: string;
  readonly effect: string;
  readonly evidence?: readonly string[];
}

/** The base-table row the label came from. */
export interface PriorityDecision {
  readonly table: string;
  readonly row: number;
  readonly inputs: Readonly<Record<string, string | boolean>>;
}

export interface Priority {
  readonly label: PriorityLabel;
  /** 0–100; bands do not overlap, so sorting by score sorts by label first. */
  readonly score: number;
  /** ISO 8601 UTC. */
  readonly dueAt?: string;
  /** Share of the four base inputs that were observed rather than assumed. */
  readonly confidence: number;
  /** CISA SSVC coordinator decision, shown beside the label; no date is derived from it. */
  readonly ssvcCisa?: 'track' | 'track*' | 'attend' | 'act';
  readonly decision?: PriorityDecision;
  readonly modifiers: readonly PriorityModifier[];
  readonly inputs: readonly PriorityInput[];
}
