import type { ScanIssue } from '../../core/scan-issue.js';
import { carveAssemblyIdentity } from './carve-assembly-identity.js';
import { carveVersionResource } from './carve-version-resource.js';
import { carveVersionStrings } from './carve-version-strings.js';
import { DEFAULT_PE_LIMITS, PeImage, type PeLimits } from './pe-image.js';
import { PeError } from './pe-error.js';
import { bytesAccess, openFileAccess, type RandomAccess } from './random-access.js';
import { readAssemblyIdentity, type AssemblyIdentity } from './read-assembly-identity.js';
import { readVersionResource, type PeVersionInfo } from './read-version-resource.js';

/** What one PE file says about itself. */
export interface PeFacts {
  /** Absent when the headers cannot be read and the facts were carved from the raw bytes. */
  readonly is64?: boolean;
  readonly isDll?: boolean;
  readonly version?: PeVersionInfo;
  readonly assembly?: AssemblyIdentity;
  /** True when the version (or identity) was found by its signature in the raw bytes, not through valid headers. */
  readonly carved?: boolean;
}

/**
 * Reads the version resource and .NET identity of a PE file (a path or bytes). A file that is not a PE image
 * gives `facts: undefined` and one issue; damage in one part (resources, metadata) is an issue and the other part is still read.
 *
 * When the headers or the resource directory cannot be walked, the version resource (and, with broken headers, the
 * CLI metadata root) is looked for by its signature in the first `maxSectionBytes` of the file; what is found
 * that way comes with a `pe.version-carved`, `pe.version-strings-carved` or `pe.assembly-carved` issue so that
 * no report presents it as read from a valid header.
 */
export async function readPeFile(input: string | Uint8Array, displayPath: string, limits: PeLimits = DEFAULT_PE_LIMITS): Promise<{ facts?: PeFacts; issues: ScanIssue[] }> {
  let access: (RandomAccess & { close?: () => Promise<void> }) | undefined;
  try {
    access = typeof input === 'string' ? await openFileAccess(input) : bytesAccess(input);
  } catch (error) {
    return { issues: [{ code: 'pe.read-failed', message: `Reading ${JSON.stringify(displayPath)} failed: ${error instanceof Error ? error.message : String(error)}.`, path: displayPath }] };
  }
  try {
    let image: PeImage;
    try {
      image = await PeImage.open(access, limits);
    } catch (error) {
      const issues = [toIssue(error, displayPath, 'headers')];
      const raw = await readRaw(access, limits);
      const version = carveVersion(raw, displayPath, issues);
      const assembly = carve(() => carveAssemblyIdentity(raw), displayPath, 'CLI metadata', issues);
      if (version === undefined && assembly === undefined) return { issues };
      if (assembly !== undefined) issues.push({ code: 'pe.assembly-carved', message: `${displayPath}: the assembly identity was read from CLI metadata found by its BSJB signature, not through the PE headers.`, path: displayPath });
      return { facts: { carved: true, ...(version === undefined ? {} : { version }), ...(assembly === undefined ? {} : { assembly }) }, issues };
    }
    const issues: ScanIssue[] = [];
    let version: PeVersionInfo | undefined;
    let assembly: AssemblyIdentity | undefined;
    let carved = false;
    try {
      version = await readVersionResource(image);
    } catch (error) {
      issues.push(toIssue(error, displayPath, 'version resource'));
      const raw = await readRaw(access, limits);
      version = carveVersion(raw, displayPath, issues);
      carved = version !== undefined;
    }
    try {
      assembly = await readAssemblyIdentity(image);
    } catch (error) {
      issues.push(toIssue(error, displayPath, 'CLI metadata'));
    }
    return {
      facts: { is64: image.is64, isDll: image.isDll, ...(version === undefined ? {} : { version }), ...(assembly === undefined ? {} : { assembly }), ...(carved ? { carved } : {}) },
      issues,
    };
  } finally {
    await access.close?.();
  }
}

/** The bytes a carve searches: the file's start, bounded like one section. */
async function readRaw(access: RandomAccess, limits: PeLimits): Promise<Uint8Array> {
  return access.read(0, Math.min(access.size, limits.maxSectionBytes));
}

/**
 * A framed VS_VERSION_INFO block first; when there is none, the strings of an unframed remnant. Either way an
 * issue says how the version was found, and a framed-carve failure is kept only when nothing was found.
 */
function carveVersion(raw: Uint8Array, path: string, issues: ScanIssue[]): PeVersionInfo | undefined {
  const failures: ScanIssue[] = [];
  const framed = carve(() => carveVersionResource(raw), path, 'version resource', failures);
  if (framed !== undefined) {
    issues.push({ code: 'pe.version-carved', message: `${path}: the version was read from a VS_VERSION_INFO block found by its signature at offset 0x${framed.offset.toString(16)}, not through the PE headers and resource directory.`, path });
    return framed.info;
  }
  const loose = carveVersionStrings(raw);
  if (loose === undefined) {
    issues.push(...failures);
    return undefined;
  }
  issues.push({
    code: 'pe.version-strings-carved',
    message: `${path}: the version strings were read from an unframed VS_VERSION_INFO remnant at offset 0x${loose.offset.toString(16)} (no node lengths to check; numeric fixed versions ignored), not through the PE headers and resource directory.`,
    path,
  });
  return loose.info;
}

/** Runs one carve; its failure becomes an issue (the file is already known damaged) and gives undefined. */
function carve<T>(run: () => T | undefined, path: string, part: string, issues: ScanIssue[]): T | undefined {
  try {
    return run();
  } catch (error) {
    issues.push(toIssue(error, path, `carved ${part}`));
    return undefined;
  }
}

function toIssue(error: unknown, path: string, part: string): ScanIssue {
  if (error instanceof PeError) return { code: error.code, message: `${path}: ${part}: ${error.message}`, path };
  if (error instanceof RangeError) return { code: 'pe.truncated', message: `${path}: ${part}: a structure runs past its data (${error.message}).`, path };
  throw error;
}
