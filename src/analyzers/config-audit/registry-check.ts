import type { RuleMeta } from '../../core/rule-meta.js';
import type { Severity } from '../../core/severity.js';
import type { RegistryHive, RegistryKey } from '../../formats/registry-hive/registry-hive.js';

/** The registry of the scanned host, as the registry checks see it. */
export interface RegistryContext {
  readonly system: RegistryHive;
  /** The SYSTEM hive's path as reached from the host root given on the command line. */
  readonly systemFile: string;
  /** The control set Windows boots with, which is what `CurrentControlSet` means on a live machine. */
  readonly controlSet: RegistryKey;
  readonly software?: RegistryHive;
  readonly softwareFile?: string;
  /** The Windows build (`CurrentBuild` in the SOFTWARE hive), when it is known. */
  readonly build?: number;
}

/** A failed registry check: the key and values found, and which hive holds them. */
export interface RegistryFailure {
  readonly status: 'fail';
  /** `HKLM\SYSTEM\CurrentControlSet\…`: the finding's location key, stable across control sets. */
  readonly location: string;
  readonly file: string;
  /** What was found and what was expected, without the key path (the evidence adds it). */
  readonly text: string;
  /** Overrides the check's severity for this result (a setting left to the Windows default). */
  readonly severity?: Severity;
}

/** The outcome of a registry check on one host. */
export type RegistryResult = { readonly status: 'pass' } | RegistryFailure | { readonly status: 'not-evaluated'; readonly reason: string };

/** A check of registry settings: a plain object in `REGISTRY_CHECKS`. */
export interface RegistryCheck {
  readonly meta: RuleMeta;
  /** One result per key judged; the host fails the check when any result fails. */
  evaluate(context: RegistryContext): readonly RegistryResult[];
}
