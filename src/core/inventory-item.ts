import type { ComponentSource } from './inventory-component.js';

/** What the catalogues say about one CVE: KEV membership and the EPSS score, when known. */
export interface CveIntel {
  readonly id: string;
  readonly kev?: { readonly dateAdded: string; readonly dueDate: string; readonly knownRansomwareCampaignUse: string };
  readonly epss?: { readonly score: number; readonly percentile: number; readonly date?: string };
}

/** One vulnerability that applies to an inventoried component. */
export interface ComponentVulnerability {
  /** The finding's rule id (`w3g-adv-telerik-ui-aspnet-ajax-cve-2019-18935`). */
  readonly ruleId: string;
  readonly advisory: string;
  readonly id: string;
  readonly title: string;
  readonly fixed: string;
  readonly cves: readonly CveIntel[];
}

/** One component in the report's `inventory`: where its version was read, and what applies to it. */
export interface InventoryItem {
  readonly asset: string;
  readonly name: string;
  readonly version?: string;
  readonly productVersion?: string;
  readonly source: ComponentSource;
  readonly location: string;
  readonly productName?: string;
  readonly companyName?: string;
  readonly fileName?: string;
  readonly assemblyName?: string;
  readonly publicKeyToken?: string;
  readonly ecosystem?: string;
  readonly packageName?: string;
  readonly purl?: string;
  readonly vulnerabilities: readonly ComponentVulnerability[];
}

/** How one vulnerability changed since an earlier report, judged by the versions on disk. */
export interface VerificationResult {
  readonly status: 'fixed' | 'still-vulnerable' | 'newly-vulnerable' | 'fix-pending-reboot';
  readonly ruleId: string;
  readonly cves: readonly string[];
  readonly asset: string;
  readonly location: string;
  readonly name: string;
  readonly previousVersion?: string;
  readonly currentVersion?: string;
  readonly note?: string;
}

/** Which feed data judged the run. */
export interface FeedsUsed {
  readonly kev?: { readonly catalogVersion: string; readonly dateReleased: string; readonly count: number; readonly source: string };
  readonly epss?: { readonly scoreDate?: string; readonly modelVersion?: string; readonly count: number; readonly source: string };
}
