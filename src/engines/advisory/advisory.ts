import type { Severity } from '../../core/severity.js';
import type { VersionRange } from '../version-match/version-range.js';
import type { VersionScheme } from '../version-match/version-scheme.js';

/** How to recognise a product among inventoried components; any one identifier is enough. */
export interface AdvisoryIdentify {
  /** PE file names, compared case-insensitively. */
  readonly fileNames: readonly string[];
  /** PE ProductName patterns (`*` is any text), compared case-insensitively. */
  readonly productNames: readonly string[];
  /** .NET assembly names. */
  readonly assemblyNames: readonly string[];
  /** Packages as `ecosystem:name` (`nuget:Telerik.UI.for.AspNet.Ajax`, `maven:org.apache.logging.log4j:log4j-core`). */
  readonly packages: readonly string[];
  /** Uninstall-key DisplayName patterns (`*` is any text). */
  readonly uninstallNames: readonly string[];
  /** Shared runtimes by framework name (`Microsoft.AspNetCore.App`). */
  readonly runtimes: readonly string[];
  /** The Windows build (`CurrentBuild.UBR` from the SOFTWARE hive). */
  readonly windows: boolean;
}

/** One vulnerability of an advisory: its CVEs, affected ranges and fix. */
export interface AdvisoryVulnerability {
  /** Unique within the advisory; the rule id is `w3g-adv-<advisory>-<id>` in lower case. */
  readonly id: string;
  readonly cves: readonly string[];
  readonly title: string;
  readonly severity: Severity;
  readonly affected: readonly VersionRange[];
  /** The version to upgrade to, as people name it. */
  readonly fixed: string;
  readonly remediation: string;
  readonly references: readonly string[];
  /** Affected only from this date (ISO): a runtime that is out of support from then on. */
  readonly endOfSupport?: string;
  /** Why a range is approximate, when it is. */
  readonly note?: string;
  /** Versions that must match the ranges and versions that must not: every shipped vulnerability is tested with both. */
  readonly samples: { readonly affected: readonly string[]; readonly unaffected: readonly string[] };
}

/** One product's advisory, loaded from `content/advisories/*.yml`. */
export interface Advisory {
  readonly id: string;
  readonly product: string;
  readonly scheme: VersionScheme;
  readonly identify: AdvisoryIdentify;
  /** Which PE version judges the product: the file version (default) or the product version. */
  readonly versionFrom: 'file' | 'product';
  readonly vulnerabilities: readonly AdvisoryVulnerability[];
  /** The advisory file as given and the line of the advisory, for diagnostics. */
  readonly file: string;
  readonly line: number;
}
