import { compareParsed } from './compare-versions.js';
import { parseVersion } from './parse-version.js';
import type { VersionScheme } from './version-scheme.js';

/**
 * Affected versions: from `introduced` (inclusive, default: every earlier version) up to `fixed` (exclusive)
 * or `lastAffected` (inclusive); or exactly the listed `versions`.
 */
export interface VersionRange {
  readonly introduced?: string;
  readonly fixed?: string;
  readonly lastAffected?: string;
  readonly versions?: readonly string[];
}

/** Whether a version lies in a range; undefined when the version cannot be read in the scheme. */
export function inVersionRange(version: string, range: VersionRange, scheme: VersionScheme): boolean | undefined {
  const parsed = parseVersion(version, scheme);
  if (parsed === undefined) return undefined;
  const at = (bound: string | undefined): number | undefined => {
    if (bound === undefined) return undefined;
    const other = parseVersion(bound, scheme);
    return other === undefined ? undefined : compareParsed(parsed, other);
  };
  if (range.versions !== undefined) return range.versions.some((listed) => at(listed) === 0);
  const fromIntroduced = at(range.introduced);
  if (fromIntroduced !== undefined && fromIntroduced < 0) return false;
  const toFixed = at(range.fixed);
  if (toFixed !== undefined && toFixed >= 0) return false;
  const toLast = at(range.lastAffected);
  if (toLast !== undefined && toLast > 0) return false;
  return true;
}

/** Checks that a range's bounds are versions of the scheme; returns the first bad bound, or undefined. */
export function badRangeBound(range: VersionRange, scheme: VersionScheme): string | undefined {
  const bounds = [range.introduced, range.fixed, range.lastAffected, ...(range.versions ?? [])];
  return bounds.find((bound) => bound !== undefined && parseVersion(bound, scheme) === undefined);
}
