import { PeError } from './pe-error.js';
import type { RandomAccess } from './random-access.js';

/** One section header. */
export interface PeSection {
  readonly name: string;
  readonly virtualAddress: number;
  readonly virtualSize: number;
  readonly rawOffset: number;
  readonly rawSize: number;
}

/** A data directory entry (resource table, CLI header, …). */
export interface PeDirectory {
  readonly rva: number;
  readonly size: number;
}

/** Bounds for reading a hostile PE file. */
export interface PeLimits {
  /** Largest section read into memory, in bytes. */
  readonly maxSectionBytes: number;
  /** Most bytes read from one file over all sections. */
  readonly maxTotalBytes: number;
}

/** Version resources and CLI metadata sit in sections of a few MiB even in the largest Microsoft binaries. */
export const DEFAULT_PE_LIMITS: PeLimits = { maxSectionBytes: 64 * 1024 * 1024, maxTotalBytes: 128 * 1024 * 1024 };

/** Data directory indexes. */
export const DIRECTORY_RESOURCE = 2;
export const DIRECTORY_CLI = 14;

const HEADER_READ = 4096;
const MAX_SECTIONS = 96;

/**
 * The headers of a PE file and the sections loaded so far, addressed by RVA. Sections are loaded on demand
 * (only those holding what is read), so a 100 MiB binary costs the size of its resource section.
 */
export class PeImage {
  readonly is64: boolean;
  readonly machine: number;
  readonly isDll: boolean;
  readonly sections: readonly PeSection[];
  readonly directories: readonly PeDirectory[];
  private readonly access: RandomAccess;
  private readonly limits: PeLimits;
  private readonly loaded = new Map<PeSection, Uint8Array>();
  private loadedBytes = 0;

  private constructor(access: RandomAccess, limits: PeLimits, fields: { is64: boolean; machine: number; isDll: boolean; sections: PeSection[]; directories: PeDirectory[] }) {
    this.access = access;
    this.limits = limits;
    this.is64 = fields.is64;
    this.machine = fields.machine;
    this.isDll = fields.isDll;
    this.sections = fields.sections;
    this.directories = fields.directories;
  }

  /** Reads the DOS, NT and section headers; throws `PeError` when the file is not a readable PE image. */
  static async open(access: RandomAccess, limits: PeLimits = DEFAULT_PE_LIMITS): Promise<PeImage> {
    const head = await access.read(0, HEADER_READ);
    if (head.length < 64 || head[0] !== 0x4d || head[1] !== 0x5a) throw new PeError('pe.not-pe', 'No MZ header: not a Windows executable.');
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const peOffset = view.getUint32(0x3c, true);
    // The NT headers must start inside the first read; real linkers put them within the first few hundred bytes.
    if (peOffset + 24 > head.length) {
      const cut = peOffset < access.size && peOffset + 24 > access.size;
      throw new PeError(cut ? 'pe.truncated' : 'pe.bad-offset', `The PE header at 0x${peOffset.toString(16)} is ${cut ? 'cut short' : 'outside the header area'}.`);
    }
    if (view.getUint32(peOffset, true) !== 0x00004550) throw new PeError('pe.not-pe', 'No PE signature where the DOS header points.');
    const machine = view.getUint16(peOffset + 4, true);
    const sectionCount = view.getUint16(peOffset + 6, true);
    const optionalSize = view.getUint16(peOffset + 20, true);
    const characteristics = view.getUint16(peOffset + 22, true);
    const optional = peOffset + 24;
    if (optional + optionalSize > head.length) throw new PeError('pe.truncated', 'The optional header runs past the header area.');
    if (optionalSize < 2) throw new PeError('pe.truncated', 'The optional header is missing.');
    const magic = view.getUint16(optional, true);
    if (magic !== 0x10b && magic !== 0x20b) throw new PeError('pe.not-pe', `Unknown optional header magic 0x${magic.toString(16)}.`);
    const is64 = magic === 0x20b;
    const countOffset = optional + (is64 ? 108 : 92);
    const directories: PeDirectory[] = [];
    if (countOffset + 4 <= optional + optionalSize) {
      const declared = view.getUint32(countOffset, true);
      const fits = Math.floor((optional + optionalSize - countOffset - 4) / 8);
      for (let i = 0; i < Math.min(declared, fits, 16); i += 1) {
        directories.push({ rva: view.getUint32(countOffset + 4 + i * 8, true), size: view.getUint32(countOffset + 8 + i * 8, true) });
      }
    }
    if (sectionCount > MAX_SECTIONS) throw new PeError('pe.too-many', `The file claims ${sectionCount} sections; at most ${MAX_SECTIONS} are read.`);
    const table = optional + optionalSize;
    if (table + sectionCount * 40 > head.length) throw new PeError('pe.truncated', 'The section table runs past the header area.');
    const sections: PeSection[] = [];
    for (let i = 0; i < sectionCount; i += 1) {
      const at = table + i * 40;
      const nameBytes = head.subarray(at, at + 8);
      const end = nameBytes.indexOf(0);
      sections.push({
        name: Buffer.from(nameBytes.subarray(0, end === -1 ? 8 : end)).toString('latin1'),
        virtualSize: view.getUint32(at + 8, true),
        virtualAddress: view.getUint32(at + 12, true),
        rawSize: view.getUint32(at + 16, true),
        rawOffset: view.getUint32(at + 20, true),
      });
    }
    return new PeImage(access, limits, { is64, machine, isDll: (characteristics & 0x2000) !== 0, sections, directories });
  }

  /** The data directory at an index, when present and non-empty. */
  directory(index: number): PeDirectory | undefined {
    const entry = this.directories[index];
    return entry === undefined || entry.rva === 0 || entry.size === 0 ? undefined : entry;
  }

  /** Bytes at an RVA, loading the section that holds them; throws `PeError` when the range is not in one section's file data. */
  async slice(rva: number, length: number): Promise<Uint8Array> {
    const section = this.sections.find((s) => rva >= s.virtualAddress && rva < s.virtualAddress + Math.max(s.virtualSize, s.rawSize));
    if (section === undefined) throw new PeError('pe.bad-offset', `RVA 0x${rva.toString(16)} is in no section.`);
    const data = await this.load(section);
    const start = rva - section.virtualAddress;
    if (start + length > data.length) throw new PeError('pe.truncated', `${length} bytes at RVA 0x${rva.toString(16)} run past the end of section ${JSON.stringify(section.name)}.`);
    return data.subarray(start, start + length);
  }

  /** The whole file data of the section holding an RVA, and where the RVA falls in it. */
  async sectionAt(rva: number): Promise<{ data: Uint8Array; start: number; base: number }> {
    const section = this.sections.find((s) => rva >= s.virtualAddress && rva < s.virtualAddress + Math.max(s.virtualSize, s.rawSize));
    if (section === undefined) throw new PeError('pe.bad-offset', `RVA 0x${rva.toString(16)} is in no section.`);
    const data = await this.load(section);
    return { data, start: rva - section.virtualAddress, base: section.virtualAddress };
  }

  private async load(section: PeSection): Promise<Uint8Array> {
    const cached = this.loaded.get(section);
    if (cached !== undefined) return cached;
    const size = Math.min(section.rawSize, section.virtualSize === 0 ? section.rawSize : Math.max(section.virtualSize, section.rawSize));
    if (size > this.limits.maxSectionBytes) throw new PeError('pe.too-large', `Section ${JSON.stringify(section.name)} is ${size} bytes, over the ${this.limits.maxSectionBytes}-byte limit.`);
    if (this.loadedBytes + size > this.limits.maxTotalBytes) throw new PeError('pe.too-large', `Reading section ${JSON.stringify(section.name)} would pass the ${this.limits.maxTotalBytes}-byte limit per file.`);
    if (section.rawOffset + size > this.access.size) throw new PeError('pe.truncated', `Section ${JSON.stringify(section.name)} runs past the end of the file.`);
    const data = await this.access.read(section.rawOffset, size);
    if (data.length < size) throw new PeError('pe.truncated', `Section ${JSON.stringify(section.name)} is cut short.`);
    this.loadedBytes += size;
    this.loaded.set(section, data);
    return data;
  }
}
