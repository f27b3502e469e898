import { parseVersion, type ParsedVersion } from './parse-version.js';
import type { VersionScheme } from './version-scheme.js';

/** Compares two versions of one scheme: negative, zero or positive; undefined when either is not a version of the scheme. */
export function compareVersions(a: string, b: string, scheme: VersionScheme): number | undefined {
  const left = parseVersion(a, scheme);
  const right = parseVersion(b, scheme);
  if (left === undefined || right === undefined) return undefined;
  return compareParsed(left, right);
}

/** Compares parsed versions: missing numbers count as 0; a pre-release sorts before its release. */
export function compareParsed(a: ParsedVersion, b: ParsedVersion): number {
  const length = Math.max(a.numbers.length, b.numbers.length);
  for (let i = 0; i < length; i += 1) {
    const diff = (a.numbers[i] ?? 0) - (b.numbers[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  if (a.pre.length === 0 || b.pre.length === 0) return a.pre.length === b.pre.length ? 0 : a.pre.length === 0 ? 1 : -1;
  const preLength = Math.max(a.pre.length, b.pre.length);
  for (let i = 0; i < preLength; i += 1) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    // SemVer: numeric identifiers sort before alphanumeric ones.
    if (typeof x === 'number' && typeof y === 'number') return Math.sign(x - y);
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}
