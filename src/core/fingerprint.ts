import { createHash } from 'node:crypto';

/** Stable identity of a finding across runs: the same rule, asset and location key give the same fingerprint. */
export function fingerprint(ruleId: string, assetId: string, locationKey: string): string {
  return createHash('sha256').update(`${ruleId}\u0000${assetId}\u0000${locationKey}`).digest('hex').slice(0, 32);
}
