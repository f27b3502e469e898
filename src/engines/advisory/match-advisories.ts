import type { InventoryComponent } from '../../core/inventory-component.js';
import { inVersionRange } from '../version-match/version-range.js';
import type { Advisory, AdvisoryVulnerability } from './advisory.js';
import { matchPattern } from './match-pattern.js';

/** One vulnerability that applies to one component at the version read. */
export interface AdvisoryMatch {
  readonly advisory: Advisory;
  readonly vulnerability: AdvisoryVulnerability;
  /** The version that was judged. */
  readonly version: string;
}

/** Whether an advisory recognises a component as its product. */
export function identifies(advisory: Advisory, component: InventoryComponent): boolean {
  const id = advisory.identify;
  const equal = (a: string | undefined, list: readonly string[]): boolean => a !== undefined && list.some((b) => b.toLowerCase() === a.toLowerCase());
  if (equal(component.fileName, id.fileNames)) return true;
  if (component.productName !== undefined && id.productNames.some((p) => matchPattern(component.productName ?? '', p))) return true;
  if (equal(component.assemblyName, id.assemblyNames)) return true;
  if (component.ecosystem !== undefined && component.packageName !== undefined && equal(`${component.ecosystem}:${component.packageName}`, id.packages)) return true;
  if (component.source === 'uninstall' && id.uninstallNames.some((p) => matchPattern(component.name, p))) return true;
  if (component.source === 'runtime-folder' && equal(component.name, id.runtimes)) return true;
  return component.source === 'windows-build' && id.windows;
}

/** The vulnerabilities of the advisories that affect a component at the version read (`now` decides end-of-support entries). */
export function matchAdvisories(advisories: readonly Advisory[], component: InventoryComponent, now: Date): AdvisoryMatch[] {
  const matches: AdvisoryMatch[] = [];
  for (const advisory of advisories) {
    if (!identifies(advisory, component)) continue;
    const version = advisory.versionFrom === 'product' && component.source === 'pe' ? (component.productVersion ?? component.version) : component.version;
    if (version === undefined) continue;
    for (const vulnerability of advisory.vulnerabilities) {
      if (vulnerability.endOfSupport !== undefined && now.getTime() < Date.parse(`${vulnerability.endOfSupport}T00:00:00Z`)) continue;
      if (vulnerability.affected.some((range) => inVersionRange(version, range, advisory.scheme) === true)) matches.push({ advisory, vulnerability, version });
    }
  }
  return matches;
}
