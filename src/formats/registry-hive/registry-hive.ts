import type { ScanIssue } from '../../core/scan-issue.js';
import type { RegistryValue } from './registry-value.js';

/** One key of a hive. Subkeys and values are read from the hive on every call, so keys are cheap to hold. */
export interface RegistryKey {
  readonly name: string;
  /** Backslash-separated path from the hive root (the root's path is `''`). */
  readonly path: string;
  /** Last write time of the key (its `nk` timestamp). */
  readonly lastWritten: Date;
  /**
   * Subkeys in hive order (Windows keeps them sorted by upper-cased name); unreadable ones are skipped and reported.
   * Like every method that reads the hive, throws `HiveError` (`hive.too-large`) once the hive's cell budget is spent.
   */
  subkeys(): RegistryKey[];
  /** The direct subkey with this name, compared case-insensitively. */
  subkey(name: string): RegistryKey | undefined;
  /** A descendant by backslash-separated relative path, compared case-insensitively. */
  key(path: string): RegistryKey | undefined;
  /** Values in hive order; unreadable ones are skipped and reported. */
  values(): RegistryValue[];
  /** The value with this name, compared case-insensitively; `''` is the default value. */
  value(name: string): RegistryValue | undefined;
  /** A REG_SZ or REG_EXPAND_SZ value's text. */
  string(name: string): string | undefined;
  /** A REG_DWORD (either byte order) value's number. */
  dword(name: string): number | undefined;
}

/** Header facts of a hive. */
export interface RegistryHiveHeader {
  readonly primarySequence: number;
  readonly secondarySequence: number;
  readonly lastWritten: Date;
  readonly majorVersion: number;
  readonly minorVersion: number;
  /** The file name Windows recorded in the header (its last 31 characters), for triage. */
  readonly fileName: string;
}

/** A readable hive: the root key, path lookup, and the issues met so far (they grow as more of the hive is read). */
export interface RegistryHive {
  readonly header: RegistryHiveHeader;
  /** Problems met while reading: a dirty hive, skipped cells, cycles. Capped; read them after walking. */
  readonly issues: readonly ScanIssue[];
  root(): RegistryKey;
  /** A key by backslash-separated path from the root, compared case-insensitively; `''` is the root. */
  key(path: string): RegistryKey | undefined;
}

/** Bounds for reading a hostile hive. */
export interface RegistryHiveLimits {
  /** Largest hive accepted, in bytes. */
  readonly maxBytes: number;
  /** Deepest key nesting followed (Windows itself stops at 512). */
  readonly maxDepth: number;
  /** Cells read over the hive object's whole life before it gives up with `hive.too-large`. */
  readonly maxCells: number;
  /** Issues kept; later ones are counted in one final issue. */
  readonly maxIssues: number;
}

/**
 * Real SOFTWARE hives reach a few hundred MiB and a full walk reads a few million cells (about 1 µs each), so the
 * cell budget allows a couple of full walks and stops a hostile hive (shared subtrees that multiply a walk) in seconds.
 */
export const DEFAULT_REGISTRY_HIVE_LIMITS: RegistryHiveLimits = {
  maxBytes: 1024 * 1024 * 1024,
  maxDepth: 512,
  maxCells: 10_000_000,
  maxIssues: 200,
};
