import type { Priority } from '../core/priority.js';

const NAMES: Readonly<Record<string, string>> = { inKev: 'in KEV', publiclyExposed: 'publicly exposed', automatable: 'automatable', technicalImpact: 'technical impact' };

/**
 * One sentence saying why a finding has its priority: the base-table row and its four inputs (assumed ones
 * marked `*`), the steps that moved the label, and whether a remediation clock runs. Plain text; each
 * reporter escapes it for its format.
 */
export function explainPriority(priority: Priority): string {
  const assumed = new Set(priority.inputs.filter((i) => i.assumed === true).map((i) => i.name));
  const parts: string[] = [];
  if (priority.decision !== undefined) {
    const values = Object.entries(priority.decision.inputs).map(([name, value]) => `${NAMES[name] ?? name} ${value === true ? 'yes' : value === false ? 'no' : value}${assumed.has(name) ? '*' : ''}`);
    parts.push(`BOD 26-04 row ${priority.decision.row} (${values.join(', ')})`);
  }
  for (const modifier of priority.modifiers) parts.push(`${modifier.rule}: ${modifier.effect}`);
  const epss = priority.inputs.find((i) => i.name === 'epss');
  if (epss !== undefined && typeof epss.value === 'number') parts.push(`EPSS ${epss.value}`);
  const criticality = priority.inputs.find((i) => i.name === 'criticality');
  if (criticality !== undefined) parts.push(`criticality ${String(criticality.value)}${criticality.assumed === true ? '*' : ''}`);
  if (priority.ssvcCisa !== undefined) parts.push(`CISA SSVC ${priority.ssvcCisa}`);
  const clock = priority.inputs.find((i) => i.name === 'remediationClock');
  if (clock?.value === false) parts.push('no clock: attack activity, evidence rather than a weakness');
  const confidence = `confidence ${Math.round(priority.confidence * 100)}%`;
  return `${priority.label} → ${parts.join('; ')}; ${confidence}${assumed.size > 0 ? ' (* assumed)' : ''}`;
}
