import { filetimeToDate } from './filetime-to-date.js';
import { BINS_START, HiveCells } from './hive-cells.js';
import { HiveError } from './hive-error.js';
import { readHiveKey } from './hive-key.js';
import { DEFAULT_REGISTRY_HIVE_LIMITS, type RegistryHive, type RegistryHiveHeader, type RegistryHiveLimits, type RegistryKey } from './registry-hive.js';
import { decodeUtf16 } from './registry-value.js';

/** Smallest readable hive: the base block plus one hbin header. */
const MIN_HIVE_BYTES = BINS_START + 32;

/** Options for reading a hive. */
export interface ParseRegistryHiveOptions {
  /** Shown in issues, so a report can say which hive a problem came from. */
  readonly path?: string;
  readonly limits?: Partial<RegistryHiveLimits>;
}

/**
 * Reads a regf hive from memory. A hive that cannot be read at all throws `HiveError`; damage further in is
 * skipped and listed in `issues`, so one bad key never hides the rest. A dirty hive (its transaction logs not
 * applied) is read as it is on disk, with a `hive.dirty` issue.
 */
export function parseRegistryHive(input: Uint8Array, options: ParseRegistryHiveOptions = {}): RegistryHive {
  // A plain view, so value bytes sliced from a Node Buffer come out as plain Uint8Arrays too.
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const limits: RegistryHiveLimits = { ...DEFAULT_REGISTRY_HIVE_LIMITS, ...options.limits };
  if (bytes.length > limits.maxBytes) {
    throw new HiveError('hive.too-large', `The hive is ${bytes.length} bytes, over the ${limits.maxBytes}-byte limit.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || view.getUint32(0, false) !== 0x72656766) {
    throw new HiveError('hive.bad-signature', 'Not a registry hive: the file does not start with "regf".', 0);
  }
  if (bytes.length < MIN_HIVE_BYTES) {
    throw new HiveError('hive.truncated', `The hive is ${bytes.length} bytes, shorter than its ${MIN_HIVE_BYTES}-byte header.`, bytes.length);
  }
  const header: RegistryHiveHeader = {
    primarySequence: view.getUint32(4, true),
    secondarySequence: view.getUint32(8, true),
    lastWritten: filetimeToDate(view.getBigUint64(12, true)),
    majorVersion: view.getUint32(20, true),
    minorVersion: view.getUint32(24, true),
    fileName: decodeUtf16(bytes.subarray(48, 112)).replace(/\0.*$/s, ''),
  };
  if (header.majorVersion !== 1) {
    throw new HiveError('hive.unsupported', `Hive format version ${header.majorVersion}.${header.minorVersion} is not supported.`, 20);
  }
  const fileType = view.getUint32(28, true);
  if (fileType !== 0) {
    throw new HiveError('hive.unsupported', `This is a transaction log or alternate file (type ${fileType}), not a primary hive.`, 28);
  }
  if (view.getUint32(BINS_START, false) !== 0x6862696e) {
    throw new HiveError('hive.bad-signature', 'The first hive bin does not start with "hbin".', BINS_START);
  }

  const binsSize = view.getUint32(40, true);
  const declaredEnd = BINS_START + binsSize;
  const binsEnd = binsSize === 0 || declaredEnd > bytes.length ? bytes.length : declaredEnd;
  const cells = new HiveCells(bytes, binsEnd, header.minorVersion, limits, options.path);
  if (declaredEnd > bytes.length) {
    cells.report('hive.truncated', `The header declares ${binsSize} bytes of hive bins but the file holds ${bytes.length - BINS_START}; cells past the end are skipped.`);
  }
  if (header.primarySequence !== header.secondarySequence) {
    cells.report(
      'hive.dirty',
      `The hive is dirty (sequence numbers ${header.primarySequence} and ${header.secondarySequence} differ): changes in its transaction logs were not applied, so recent writes may be missing.`,
    );
  }
  let checksum = 0;
  for (let i = 0; i < 508; i += 4) checksum ^= view.getUint32(i, true);
  if (checksum >>> 0 !== view.getUint32(508, true)) {
    cells.report('hive.bad-checksum', 'The hive header checksum does not match; the header may be damaged.');
  }

  const rootOffset = view.getUint32(36, true);
  const root = readHiveKey(cells, rootOffset, undefined);
  if (root === undefined) {
    throw new HiveError('hive.bad-offset', `The root key at offset 0x${rootOffset.toString(16)} cannot be read.`, BINS_START + rootOffset);
  }
  return {
    header,
    issues: cells.issues,
    root: (): RegistryKey => root,
    key: (path: string): RegistryKey | undefined => root.key(path),
  };
}
