import type { ScanIssue } from '../../core/scan-issue.js';
import { DEFAULT_PE_LIMITS, PeImage, type PeLimits } from './pe-image.js';
import { PeError } from './pe-error.js';
import { bytesAccess, openFileAccess, type RandomAccess } from './random-access.js';
import { readAssemblyIdentity, type AssemblyIdentity } from './read-assembly-identity.js';
import { readVersionResource, type PeVersionInfo } from './read-version-resource.js';

/** What one PE file says about itself. */
export interface PeFacts {
  readonly is64: boolean;
  readonly isDll: boolean;
  readonly version?: PeVersionInfo;
  readonly assembly?: AssemblyIdentity;
}

/**
 * Reads the version resource and .NET identity of a PE file (a path or bytes). A file that is not a PE image
 * gives `facts: undefined` and one issue; damage in one part (resources, metadata) is an issue and the other part is still read.
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
      return { issues: [toIssue(error, displayPath, 'headers')] };
    }
    const issues: ScanIssue[] = [];
    let version: PeVersionInfo | undefined;
    let assembly: AssemblyIdentity | undefined;
    try {
      version = await readVersionResource(image);
    } catch (error) {
      issues.push(toIssue(error, displayPath, 'version resource'));
    }
    try {
      assembly = await readAssemblyIdentity(image);
    } catch (error) {
      issues.push(toIssue(error, displayPath, 'CLI metadata'));
    }
    return {
      facts: { is64: image.is64, isDll: image.isDll, ...(version === undefined ? {} : { version }), ...(assembly === undefined ? {} : { assembly }) },
      issues,
    };
  } finally {
    await access.close?.();
  }
}

function toIssue(error: unknown, path: string, part: string): ScanIssue {
  if (error instanceof PeError) return { code: error.code, message: `${path}: ${part}: ${error.message}`, path };
  if (error instanceof RangeError) return { code: 'pe.truncated', message: `${path}: ${part}: a structure runs past its data (${error.message}).`, path };
  throw error;
}
