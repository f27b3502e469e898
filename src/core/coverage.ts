/**
 * One thing a run looked at: a rule evaluated on an asset. The store closes a finding only when the run
 * covered its rule on its asset and did not find it, so a partial run never marks anything fixed.
 */
export interface Coverage {
  readonly ruleId: string;
  /** The asset id, as findings carry it. */
  readonly asset: string;
}
