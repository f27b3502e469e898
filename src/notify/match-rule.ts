import { SEVERITIES } from '../core/severity.js';
import type { NotifyRule } from '../store/notify-store.js';
import { labelUrgency } from './notify-event.js';

/** The routing columns of one outbox row. */
export interface RoutableEvent {
  readonly type: string;
  readonly label?: string | null;
  readonly severity?: string | null;
  readonly assetTags: readonly string[];
}

/**
 * Whether a rule wants an event: its type is listed; its label is at least `minLabel` (an event without a
 * label passes only rules without one — scans have no label); its severity at least `minSeverity`; its asset
 * carries one of the rule's tags (no tags: every asset).
 */
export function ruleMatches(rule: NotifyRule, event: RoutableEvent): boolean {
  if (!(rule.events as readonly string[]).includes(event.type)) return false;
  const about = event.type.startsWith('finding.') || event.type === 'incident.opened';
  if (rule.minLabel !== undefined && about && labelUrgency(event.label) > labelUrgency(rule.minLabel)) return false;
  if (rule.minSeverity !== undefined && about && SEVERITIES.indexOf((event.severity ?? 'info') as never) < SEVERITIES.indexOf(rule.minSeverity)) return false;
  if (rule.assetTags.length > 0 && !rule.assetTags.some((tag) => event.assetTags.includes(tag))) return false;
  return true;
}

/** How long a digest rule waits between digests. */
export function digestPeriodMs(mode: string): number | undefined {
  if (mode === 'digest:daily') return 864e5;
  if (mode === 'digest:weekly') return 7 * 864e5;
  return undefined;
}
