/** How one configuration check fared across everything it was evaluated on. */
export interface CheckSummary {
  /** The check's rule id, for example `w3g-cis-iis10-3.2-debug-off`. */
  readonly id: string;
  readonly title: string;
  /** Benchmark tags such as `cis.iis10.3.2` and `cis.level1`. */
  readonly tags: readonly string[];
  readonly pass: number;
  readonly fail: number;
  readonly notEvaluated: number;
  /** Why the check could not be decided, one entry per distinct reason. */
  readonly notEvaluatedReasons: readonly string[];
}
