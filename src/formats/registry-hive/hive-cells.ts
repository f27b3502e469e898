import type { ScanIssue } from '../../core/scan-issue.js';
import { HiveError, type HiveErrorCode } from './hive-error.js';
import type { RegistryHiveLimits } from './registry-hive.js';

/** Hive bins start after the 4 KiB base block; every cell offset in the hive is relative to this. */
export const BINS_START = 4096;

/** Offset value meaning "no cell". */
export const NO_CELL = 0xffffffff;

/** A cell's payload as absolute file offsets `[start, end)`, after the 4-byte size field. */
export interface Cell {
  /** Bins-relative offset the cell was reached by (for messages). */
  readonly offset: number;
  readonly start: number;
  readonly end: number;
}

/** Issue codes for parts of a hive that were skipped or read as-is. */
export type HiveIssueCode = HiveErrorCode | 'hive.dirty' | 'hive.bad-checksum' | 'hive.duplicate' | 'hive.too-many-issues';

/**
 * Bounds-checked access to a hive's cells. Every cell read counts against one budget, so no input, however
 * it is wired, can make a reader do unbounded work; parts that cannot be read become deduplicated issues.
 */
export class HiveCells {
  readonly issues: ScanIssue[] = [];
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Absolute end of the readable bins (the header's bins size, clamped to the file). */
  readonly binsEnd: number;
  readonly minorVersion: number;
  readonly limits: RegistryHiveLimits;
  private readonly path: string | undefined;
  private readonly reported = new Set<string>();
  private dropped = 0;
  private visited = 0;

  constructor(bytes: Uint8Array, binsEnd: number, minorVersion: number, limits: RegistryHiveLimits, path: string | undefined) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.binsEnd = binsEnd;
    this.minorVersion = minorVersion;
    this.limits = limits;
    this.path = path;
  }

  /**
   * The cell at a bins-relative offset, or `undefined` (reported) when the offset or size is impossible.
   * `what` and `owner` (a key path) only become text when something is reported: this is the hot path.
   */
  cell(offset: number, what: string, owner?: string): Cell | undefined {
    this.visited += 1;
    if (this.visited > this.limits.maxCells) {
      throw new HiveError('hive.too-large', `Gave up after reading ${this.limits.maxCells} cells; the hive is too large or loops.`);
    }
    const at = BINS_START + offset;
    if (offset === NO_CELL || offset % 4 !== 0 || at + 4 > this.binsEnd) {
      this.report('hive.bad-offset', `${label(what, owner)} at offset 0x${offset.toString(16)} is outside the hive bins; skipped.`, offset);
      return undefined;
    }
    const raw = this.view.getInt32(at, true);
    // Allocated cells have a negative size; a positive one is free space, which a consistent hive never references.
    const size = Math.abs(raw);
    if (raw >= 0 || size < 8 || at + size > this.binsEnd) {
      this.report('hive.bad-cell', `${label(what, owner)} at offset 0x${offset.toString(16)} has an impossible cell size ${raw}; skipped.`, offset);
      return undefined;
    }
    return { offset, start: at + 4, end: at + size };
  }

  /** The cell if its payload starts with one of the two-letter signatures, else `undefined` (reported). */
  signedCell(offset: number, what: string, owner: string | undefined, signatures: readonly string[]): { cell: Cell; signature: string } | undefined {
    const cell = this.cell(offset, what, owner);
    if (cell === undefined) return undefined;
    const signature = String.fromCharCode(this.bytes[cell.start] ?? 0, this.bytes[cell.start + 1] ?? 0);
    if (cell.end - cell.start < 4 || !signatures.includes(signature)) {
      this.report('hive.bad-signature', `${label(what, owner)} at offset 0x${offset.toString(16)} is not a ${signatures.join('/')} record; skipped.`, offset);
      return undefined;
    }
    return { cell, signature };
  }

  u16(at: number): number {
    return this.view.getUint16(at, true);
  }

  u32(at: number): number {
    return this.view.getUint32(at, true);
  }

  ascii(at: number, length: number): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + at, Math.max(0, Math.min(length, this.bytes.length - at))).toString('latin1');
  }

  /** Records an issue once per code and offset, up to the issue cap. */
  report(code: HiveIssueCode, message: string, offset?: number): void {
    const key = `${code}@${offset ?? ''}`;
    if (this.reported.has(key)) return;
    const issue = (c: HiveIssueCode, m: string): ScanIssue => (this.path === undefined ? { code: c, message: m } : { code: c, message: m, path: this.path });
    // The last slot is kept for a running count, so a hive with a million bad cells still costs a bounded list.
    if (this.issues.length < this.limits.maxIssues - 1) {
      this.reported.add(key);
      this.issues.push(issue(code, message));
      return;
    }
    this.dropped += 1;
    this.issues[this.limits.maxIssues - 1] = issue('hive.too-many-issues', `${this.dropped} more issues were not recorded.`);
  }
}

function label(what: string, owner: string | undefined): string {
  return owner === undefined ? what : `${what} of ${JSON.stringify(owner)}`;
}
