import type { VersionScheme } from './version-scheme.js';

/** A version broken into comparable parts: numbers first, then pre-release identifiers (empty for a release). */
export interface ParsedVersion {
  readonly numbers: readonly number[];
  readonly pre: readonly (string | number)[];
}

/** Longest version text looked at; versions come from files and registries an attacker may have written. */
const MAX_VERSION_LENGTH = 128;
const MAX_PARTS = 8;

/** Parses a version in a scheme, or returns undefined when the text is not a version of that scheme. */
export function parseVersion(text: string, scheme: VersionScheme): ParsedVersion | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length > MAX_VERSION_LENGTH) return undefined;
  switch (scheme) {
    case 'windows':
      return dotted(leadingDotted(trimmed), 4);
    case 'exchange':
      return dotted(exchangeText(trimmed), 4);
    case 'telerik': {
      const parsed = dotted(leadingDotted(trimmed), 4);
      // The fourth number names the .NET build (35, 40, 45), so 2019.3.1023.45 and 2019.3.1023.40 are one release.
      return parsed === undefined ? undefined : { numbers: parsed.numbers.slice(0, 3), pre: [] };
    }
    case 'semver':
      return semver(trimmed);
  }
}

/** The dotted numbers at the start of a text: file versions often carry a tail such as `(winblue_ltsb.150309-0600)`. */
function leadingDotted(text: string): string {
  const match = /^\d+(?:[.,]\s*\d+)*/.exec(text);
  return match === null ? '' : match[0].replace(/,\s*/g, '.');
}

function exchangeText(text: string): string {
  // What Exchange shows administrators: "Version 15.2 (Build 858.5)".
  const display = /^Version\s+(\d+)\.(\d+)\s+\(Build\s+(\d+)\.(\d+)\)/i.exec(text);
  if (display !== null) return `${display[1]}.${display[2]}.${display[3]}.${display[4]}`;
  return leadingDotted(text);
}

function dotted(text: string, maxParts: number): ParsedVersion | undefined {
  if (text === '') return undefined;
  const parts = text.split('.');
  if (parts.length > maxParts) return undefined;
  const numbers = parts.map(Number);
  // Windows stores each part in 16 bits; a larger number is not a version this scheme produces.
  if (numbers.some((n) => !Number.isSafeInteger(n) || n < 0 || n > 0xffff_ffff)) return undefined;
  return { numbers, pre: [] };
}

function semver(text: string): ParsedVersion | undefined {
  const withoutBuild = text.replace(/^v/i, '').split('+')[0] ?? '';
  const match = /^(\d+(?:\.\d+){0,3})(?:[-.]?([0-9A-Za-z][0-9A-Za-z.-]*))?$/.exec(withoutBuild);
  if (match === null) return undefined;
  const numbers = (match[1] ?? '').split('.').map(Number);
  if (numbers.some((n) => !Number.isSafeInteger(n))) return undefined;
  const tail = match[2];
  if (tail === undefined) return { numbers, pre: [] };
  // Maven's release qualifiers are releases, not pre-releases.
  if (/^(final|release|ga)$/i.test(tail)) return { numbers, pre: [] };
  const pre: (string | number)[] = [];
  for (const piece of tail.split(/[.-]/)) {
    // `beta9` compares as `beta`, 9 so that beta10 sorts after beta9.
    for (const token of piece.match(/\d+|[A-Za-z]+/g) ?? []) pre.push(/^\d+$/.test(token) ? Number(token) : token.toLowerCase());
    if (pre.length > MAX_PARTS) return undefined;
  }
  return { numbers, pre };
}
