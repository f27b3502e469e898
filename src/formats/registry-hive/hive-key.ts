import { filetimeToDate } from './filetime-to-date.js';
import { NO_CELL, type HiveCells } from './hive-cells.js';
import type { RegistryKey } from './registry-hive.js';
import { decodeLatin1, decodeRegistryData, decodeUtf16, REG_DWORD, REG_DWORD_BIG_ENDIAN, REG_EXPAND_SZ, REG_SZ, registryTypeName, type RegistryValue } from './registry-value.js';

/** `nk` flag: the name is stored one byte per character (Latin-1), not UTF-16LE. */
const KEY_COMP_NAME = 0x20;
/** `vk` flag: the value name is stored one byte per character. */
const VALUE_COMP_NAME = 0x1;
/** High bit of a `vk` data size: data of at most 4 bytes lives in the offset field itself. */
const DATA_INLINE = 0x80000000;
/** Largest data a single cell holds before Windows (hive 1.4+) splits it into `db` segments. */
const BIG_DATA_SEGMENT = 16344;
/** Nesting of `ri` lists followed; Windows builds one level, two leaves room for odd writers. */
const MAX_LIST_NESTING = 2;
const NK_FIXED = 76;
const VK_FIXED = 20;

/** Reads the `nk` record at a bins-relative offset, or `undefined` (reported) when it is not one. */
export function readHiveKey(cells: HiveCells, offset: number, parent: HiveKey | undefined): HiveKey | undefined {
  const found = cells.signedCell(offset, 'Key', parent?.path, ['nk']);
  if (found === undefined) return undefined;
  const { start, end } = found.cell;
  if (end - start < NK_FIXED) {
    cells.report('hive.truncated', `Key at offset 0x${offset.toString(16)} is shorter than a key record; skipped.`, offset);
    return undefined;
  }
  const flags = cells.u16(start + 2);
  const nameLength = cells.u16(start + 72);
  if (start + NK_FIXED + nameLength > end) {
    cells.report('hive.truncated', `Key name at offset 0x${offset.toString(16)} runs past its cell; skipped.`, offset);
    return undefined;
  }
  // Every key names its one parent; Windows drops a listed key whose parent field disagrees when it loads a hive.
  // Doing the same keeps a walk linear: without it, keys listed by several parents multiply the work exponentially.
  if (parent !== undefined && cells.u32(start + 16) !== parent.offset) {
    cells.report('hive.bad-cell', `Key at offset 0x${offset.toString(16)} is listed under ${JSON.stringify(parent.path)} but names another parent; skipped.`, offset);
    return undefined;
  }
  const nameBytes = cells.bytes.subarray(start + NK_FIXED, start + NK_FIXED + nameLength);
  const name = flags & KEY_COMP_NAME ? decodeLatin1(nameBytes) : decodeUtf16(nameBytes);
  return new HiveKey(cells, offset, parent, name, {
    lastWritten: cells.view.getBigUint64(start + 4, true),
    subkeyCount: cells.u32(start + 20),
    subkeyList: cells.u32(start + 28),
    valueCount: cells.u32(start + 36),
    valueList: cells.u32(start + 40),
  });
}

interface KeyRecord {
  readonly lastWritten: bigint;
  readonly subkeyCount: number;
  readonly subkeyList: number;
  readonly valueCount: number;
  readonly valueList: number;
}

/** A key backed by its `nk` record; it knows its ancestors so a list that points back up is caught. */
export class HiveKey implements RegistryKey {
  readonly name: string;
  readonly path: string;
  readonly lastWritten: Date;
  readonly depth: number;
  private readonly cells: HiveCells;
  readonly offset: number;
  private readonly parent: HiveKey | undefined;
  private readonly record: KeyRecord;

  constructor(cells: HiveCells, offset: number, parent: HiveKey | undefined, name: string, record: KeyRecord) {
    this.cells = cells;
    this.offset = offset;
    this.parent = parent;
    this.name = name;
    this.path = parent === undefined ? '' : parent.path === '' ? name : `${parent.path}\\${name}`;
    this.depth = parent === undefined ? 0 : parent.depth + 1;
    this.lastWritten = filetimeToDate(record.lastWritten);
    this.record = record;
  }

  subkeys(): RegistryKey[] {
    const { subkeyCount, subkeyList } = this.record;
    if (subkeyCount === 0 && subkeyList === NO_CELL) return [];
    if (this.depth + 1 > this.cells.limits.maxDepth) {
      this.cells.report('hive.too-deep', `Key ${JSON.stringify(this.path)} is nested deeper than ${this.cells.limits.maxDepth} levels; its subkeys are skipped.`, this.offset);
      return [];
    }
    const offsets: number[] = [];
    this.collect(subkeyList, 0, new Set(), offsets);
    const keys: RegistryKey[] = [];
    const seen = new Set<number>();
    for (const offset of offsets) {
      if (seen.has(offset)) {
        this.cells.report('hive.duplicate', `Key ${JSON.stringify(this.path)} lists the subkey at 0x${offset.toString(16)} twice; the copy is skipped.`, offset);
        continue;
      }
      seen.add(offset);
      if (this.isSelfOrAncestor(offset)) {
        this.cells.report('hive.cycle', `Key ${JSON.stringify(this.path)} lists itself or an ancestor as a subkey; the loop is skipped.`, offset);
        continue;
      }
      const key = readHiveKey(this.cells, offset, this);
      if (key !== undefined) keys.push(key);
    }
    return keys;
  }

  subkey(name: string): RegistryKey | undefined {
    const wanted = name.toUpperCase();
    return this.subkeys().find((key) => key.name.toUpperCase() === wanted);
  }

  key(path: string): RegistryKey | undefined {
    const parts = path.split('\\').filter((part) => part !== '');
    const first = parts[0];
    if (first === undefined) return this;
    // Recursion is bounded by the same depth limit as a walk, so a hostile path string cannot exhaust the stack.
    if (parts.length > this.cells.limits.maxDepth) return undefined;
    return this.subkey(first)?.key(parts.slice(1).join('\\'));
  }

  values(): RegistryValue[] {
    const { valueCount, valueList } = this.record;
    if (valueCount === 0) return [];
    const list = this.cells.cell(valueList, 'Value list', this.path);
    if (list === undefined) return [];
    let count = valueCount;
    if (count * 4 > list.end - list.start) {
      this.cells.report('hive.bad-cell', `Key ${JSON.stringify(this.path)} claims ${valueCount} values but its list holds fewer; the rest are skipped.`, valueList);
      count = Math.floor((list.end - list.start) / 4);
    }
    const values: RegistryValue[] = [];
    for (let i = 0; i < count; i += 1) {
      const value = this.readValue(this.cells.u32(list.start + i * 4));
      if (value !== undefined) values.push(value);
    }
    return values;
  }

  value(name: string): RegistryValue | undefined {
    const wanted = name.toUpperCase();
    return this.values().find((value) => value.name.toUpperCase() === wanted);
  }

  string(name: string): string | undefined {
    const value = this.value(name);
    if (value === undefined || (value.type !== REG_SZ && value.type !== REG_EXPAND_SZ)) return undefined;
    return typeof value.data === 'string' ? value.data : undefined;
  }

  dword(name: string): number | undefined {
    const value = this.value(name);
    if (value === undefined || (value.type !== REG_DWORD && value.type !== REG_DWORD_BIG_ENDIAN)) return undefined;
    return typeof value.data === 'number' ? value.data : undefined;
  }

  private isSelfOrAncestor(offset: number): boolean {
    if (this.offset === offset) return true;
    for (let key = this.parent; key !== undefined; key = key.parent) {
      if (key.offset === offset) return true;
    }
    return false;
  }

  /** Flattens a subkey list (`lf`, `lh`, `li`, or an `ri` of those) into `nk` offsets. */
  private collect(offset: number, nesting: number, lists: Set<number>, out: number[]): void {
    if (lists.has(offset)) {
      this.cells.report('hive.cycle', `Subkey list of ${JSON.stringify(this.path)} at 0x${offset.toString(16)} contains itself; the loop is skipped.`, offset);
      return;
    }
    lists.add(offset);
    const found = this.cells.signedCell(offset, 'Subkey list', this.path, ['lf', 'lh', 'li', 'ri']);
    if (found === undefined) return;
    const { cell, signature } = found;
    const stride = signature === 'lf' || signature === 'lh' ? 8 : 4;
    let count = this.cells.u16(cell.start + 2);
    if (4 + count * stride > cell.end - cell.start) {
      this.cells.report('hive.bad-cell', `Subkey list at 0x${offset.toString(16)} claims ${count} entries but its cell holds fewer; the rest are skipped.`, offset);
      count = Math.floor((cell.end - cell.start - 4) / stride);
    }
    for (let i = 0; i < count; i += 1) {
      const entry = this.cells.u32(cell.start + 4 + i * stride);
      if (signature !== 'ri') {
        out.push(entry);
      } else if (nesting >= MAX_LIST_NESTING) {
        this.cells.report('hive.too-deep', `Subkey index at 0x${offset.toString(16)} nests index lists too deeply; skipped.`, offset);
      } else {
        this.collect(entry, nesting + 1, lists, out);
      }
    }
  }

  private readValue(offset: number): RegistryValue | undefined {
    const cells = this.cells;
    const found = cells.signedCell(offset, 'Value', this.path, ['vk']);
    if (found === undefined) return undefined;
    const { start, end } = found.cell;
    const nameLength = cells.u16(start + 2);
    if (end - start < VK_FIXED || start + VK_FIXED + nameLength > end) {
      cells.report('hive.truncated', `Value at 0x${offset.toString(16)} runs past its cell; skipped.`, offset);
      return undefined;
    }
    const rawSize = cells.u32(start + 4);
    const dataOffset = cells.u32(start + 8);
    const type = cells.u32(start + 12);
    const flags = cells.u16(start + 16);
    const nameBytes = cells.bytes.subarray(start + VK_FIXED, start + VK_FIXED + nameLength);
    const name = flags & VALUE_COMP_NAME ? decodeLatin1(nameBytes) : decodeUtf16(nameBytes);
    const bytes = this.readData(offset, rawSize, dataOffset, start + 8);
    if (bytes === undefined) return undefined;
    return { name, type, typeName: registryTypeName(type), data: decodeRegistryData(type, bytes), bytes };
  }

  private readData(valueOffset: number, rawSize: number, dataOffset: number, inlineAt: number): Uint8Array | undefined {
    const cells = this.cells;
    if (rawSize & DATA_INLINE) {
      const size = rawSize & ~DATA_INLINE;
      if (size > 4) {
        cells.report('hive.bad-cell', `Value at 0x${valueOffset.toString(16)} claims ${size} inline bytes; only 4 are kept.`, valueOffset);
      }
      return cells.bytes.slice(inlineAt, inlineAt + Math.min(size, 4));
    }
    if (rawSize === 0) return new Uint8Array(0);
    const found = cells.cell(dataOffset, 'Value data', this.path);
    if (found === undefined) return undefined;
    const available = found.end - found.start;
    // Hives from 1.4 on split data over 16344 bytes into `db` segments; 1.3 hives (and hivex) keep one big cell.
    if (rawSize > BIG_DATA_SEGMENT && cells.ascii(found.start, 2) === 'db' && (cells.minorVersion >= 4 || available < rawSize)) {
      return this.readBigData(valueOffset, rawSize, found.start, available);
    }
    if (available < rawSize) {
      cells.report('hive.truncated', `Value at 0x${valueOffset.toString(16)} claims ${rawSize} bytes but its cell holds ${available}; the value is skipped.`, valueOffset);
      return undefined;
    }
    return cells.bytes.slice(found.start, found.start + rawSize);
  }

  private readBigData(valueOffset: number, size: number, start: number, available: number): Uint8Array | undefined {
    const cells = this.cells;
    if (available < 8) {
      cells.report('hive.truncated', `Big data record of value at 0x${valueOffset.toString(16)} is cut short; the value is skipped.`, valueOffset);
      return undefined;
    }
    const count = cells.u16(start + 2);
    const list = cells.cell(cells.u32(start + 4), 'Big data segment list', this.path);
    if (list === undefined) return undefined;
    if (count * 4 > list.end - list.start || count * BIG_DATA_SEGMENT < size) {
      cells.report('hive.bad-cell', `Big data record of value at 0x${valueOffset.toString(16)} has an impossible segment count ${count}; the value is skipped.`, valueOffset);
      return undefined;
    }
    const out = new Uint8Array(size);
    let filled = 0;
    for (let i = 0; i < count && filled < size; i += 1) {
      const segment = cells.cell(cells.u32(list.start + i * 4), 'Big data segment', this.path);
      if (segment === undefined) return undefined;
      const want = Math.min(size - filled, BIG_DATA_SEGMENT);
      const take = Math.min(want, segment.end - segment.start);
      if (take < want) {
        cells.report('hive.truncated', `Data segment ${i} of value at 0x${valueOffset.toString(16)} is cut short; the value is skipped.`, valueOffset);
        return undefined;
      }
      out.set(cells.bytes.subarray(segment.start, segment.start + take), filled);
      filled += take;
    }
    return out;
  }
}
