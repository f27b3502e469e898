/**
 * Findings of several analyzers on one asset joined into one story (exploit request → file written →
 * file requested → `w3wp.exe` child; vulnerable component + attempts against it + executables in its
 * upload folder). Each member stays its own finding; the incident lists them and orders their moments.
 */
export interface IncidentMoment {
  /** ISO 8601 UTC; absent when the member carries no time (a file found by a sweep without a usable mtime). */
  readonly at?: string;
  readonly fingerprint: string;
  /** The analyzer the member came from: hunt, sweep, events, inventory, audit, scan. */
  readonly source: string;
  /** One line, attacker text included: reporters must escape it. */
  readonly summary: string;
}

export interface Incident {
  /** Stable across runs for the same members' story (derived from the asset and the anchoring fingerprint). */
  readonly id: string;
  readonly asset: string;
  readonly title: string;
  /** Which correlation joined the members (for example `exploit-drop-use`, `vulnerable-attacked-dropped`). */
  readonly kind: string;
  readonly members: readonly string[];
  readonly timeline: readonly IncidentMoment[];
  readonly firstSeen?: string;
  readonly lastSeen?: string;
}
