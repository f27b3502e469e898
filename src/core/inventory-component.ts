/** Where a component's version was read from. */
export type ComponentSource = 'pe' | 'jar' | 'deps-json' | 'packages-config' | 'packages-lock' | 'cyclonedx' | 'uninstall' | 'runtime-folder' | 'windows-build';

/** One piece of software found on a host or in an input, with the version read from the thing itself. */
export interface InventoryComponent {
  /** Display name: ProductName, package id, DisplayName, framework name. */
  readonly name: string;
  /** The version that judges it (file version, package version, DisplayVersion, build.UBR). */
  readonly version?: string;
  /** PE product version, when it differs from the file version. */
  readonly productVersion?: string;
  readonly source: ComponentSource;
  /** A file (as reached from the path given; `archive.jar!inner.jar` inside archives) or a registry key (`HKLM\SOFTWARE\…`). */
  readonly location: string;
  readonly fileName?: string;
  readonly productName?: string;
  readonly companyName?: string;
  readonly originalFilename?: string;
  readonly assemblyName?: string;
  readonly publicKeyToken?: string;
  /** `nuget`, `maven`, `npm`. */
  readonly ecosystem?: string;
  /** Package id (`org.apache.logging.log4j:log4j-core` for Maven). */
  readonly packageName?: string;
  readonly purl?: string;
}
