import type { Asset } from '../../core/asset.js';
import type { RuleMeta } from '../../core/rule-meta.js';
import type { Severity } from '../../core/severity.js';
import type { AppPool, IisConfig } from '../../formats/iis-config/iis-config.js';

/** What a check is evaluated on: once per host, per site/application/folder path, or per application pool. */
export type CheckScope = 'server' | 'site' | 'application' | 'app-pool';

/** One thing a check is evaluated on. */
export interface CheckTarget {
  /** `''` for the server, `Site`, `Site/app`, `Site/app/folder`. */
  readonly sitePath: string;
  readonly asset: Asset;
  /** Where the target itself is declared, for results about values IIS takes from its schema defaults. */
  readonly file: string;
  readonly line?: number;
  /** Set for `app-pool` checks. */
  readonly pool?: AppPool;
}

/** A file of the host, found under the host root, with what the audit records about it. */
export interface HostFileInfo {
  readonly sha256: string;
  readonly size: number;
}

/** The scanned host as the checks see it. */
export interface AuditHost {
  /** The host root as given, or undefined when a single configuration file was named. */
  readonly root?: string;
  /** Looks a Windows path (`%windir%\…`) up under the host root: its SHA-256 and size, or undefined when absent. */
  describeFile(windowsPath: string): Promise<HostFileInfo | undefined>;
}

/** Everything a check may read. */
export interface CheckContext {
  readonly config: IisConfig;
  readonly host: AuditHost;
  readonly target: CheckTarget;
}

/** A failed check: what was found, what was expected, and where. */
export interface CheckFailure {
  readonly status: 'fail';
  /** XPath-like location, for example `system.web/compilation/@debug`; the finding's location key. */
  readonly location: string;
  readonly attribute: string;
  /** The effective value found (attacker-controlled: escaped by reporters, never here). */
  readonly found: string;
  readonly expected: string;
  readonly file: string;
  readonly line?: number;
  /** Overrides the check's severity for this result (LocalSystem versus NetworkService). */
  readonly severity?: Severity;
  /** Extra words for the evidence text (an account name, a hash). */
  readonly note?: string;
  /** Overrides the target's asset (a module finding is about the host, an identity about its pool). */
  readonly asset?: Asset;
  /** The value is the IIS schema default (nothing sets it), so one finding covers every target that inherits it. */
  readonly fromDefault?: boolean;
  /** More lines of the same file that prove the same thing (an application and its root virtual directory). */
  readonly alsoLines?: readonly number[];
}

/** The outcome of a check on one target. */
export type CheckResult = { readonly status: 'pass' } | CheckFailure | { readonly status: 'not-evaluated'; readonly reason: string };

/** A configuration check: a plain object in `CONFIG_CHECKS`. */
export interface ConfigCheck {
  readonly meta: RuleMeta;
  readonly scope: CheckScope;
  evaluate(context: CheckContext): readonly CheckResult[] | Promise<readonly CheckResult[]>;
}

/** A pass. */
export const PASS: CheckResult = { status: 'pass' };

/** A not-evaluated result with its reason. */
export function notEvaluated(reason: string): CheckResult {
  return { status: 'not-evaluated', reason };
}
