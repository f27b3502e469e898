import type { Confidence } from './confidence.js';
import type { Severity } from './severity.js';

/** The description of a rule, shared by every engine. */
export interface RuleMeta {
  /** Stable id, for example `w3g-web-log4shell-jndi`. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly confidence: Confidence;
  /** Which engine runs it: `line-rule`, `sigma`, `yara`, `http-template`, `check`, `advisory`, `behavior`. */
  readonly engine: string;
  readonly category: string;
  /** `attack.t1505.003`, `cve.2019-18935`, … */
  readonly tags: readonly string[];
  readonly references: readonly string[];
  readonly remediation?: string;
  /**
   * What exploiting the weakness a hit shows gives an attacker (SSVC Technical Impact): `total` control or
   * disclosure, or `partial`. For findings without a CVE; the risk step reads it, else its category default.
   */
  readonly technicalImpact?: 'partial' | 'total';
  /** Whether attackers can reliably automate exploiting it (SSVC Automatable). */
  readonly automatable?: boolean;
  /** The hit is itself compromise evidence (a web shell on disk, a backdoor answering, `w3wp.exe` spawning a shell). */
  readonly compromise?: boolean;
}
