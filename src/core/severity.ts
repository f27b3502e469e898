/** How bad a finding is if true, from `info` to `critical`. */
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

/** Severities from the lowest to the highest. */
export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** Rank of a severity: 0 for info up to 4 for critical. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Parses a user-supplied severity name, or returns undefined when it is not one. */
export function parseSeverity(text: string): Severity | undefined {
  const lower = text.trim().toLowerCase();
  return SEVERITIES.find((s) => s === lower);
}
