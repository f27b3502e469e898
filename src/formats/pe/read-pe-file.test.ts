import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMetadata, buildTestPe, publicKeyTokenOf, zeroVersionNodeHeaders } from './fixtures/build-test-pe.js';
import { parseMetadata } from './read-assembly-identity.js';
import { readPeFile } from './read-pe-file.js';
import { parseVersionInfo } from './read-version-resource.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const sad = path.join(here, 'fixtures', 'sad');
const temp = await mkdtemp(path.join(tmpdir(), 'w3g-pe-'));
afterAll(() => rm(temp, { recursive: true, force: true }));

const TELERIK_STRINGS = {
  CompanyName: 'Progress Software Corporation',
  FileDescription: 'Telerik UI for ASP.NET AJAX',
  FileVersion: '2019.3.1023.45',
  OriginalFilename: 'Telerik.Web.UI.dll',
  ProductName: 'Telerik UI for ASP.NET AJAX',
  ProductVersion: '2019.3.1023.45',
};

describe('readPeFile', () => {
  it('reads the fixed versions and strings of a version resource', async () => {
    const bytes = buildTestPe({ fileVersion: '2019.3.1023.45', productVersion: '2019.3.1023.0', strings: TELERIK_STRINGS });
    const { facts, issues } = await readPeFile(bytes, 'Telerik.Web.UI.dll');
    expect(issues).toEqual([]);
    expect(facts?.version?.fileVersion).toBe('2019.3.1023.45');
    expect(facts?.version?.productVersion).toBe('2019.3.1023.0');
    expect(facts?.version?.strings).toMatchObject(TELERIK_STRINGS);
    expect(facts?.assembly).toBeUndefined();
    expect(facts?.isDll).toBe(true);
  });

  it('reads a 32-bit image too', async () => {
    const { facts } = await readPeFile(buildTestPe({ fileVersion: '10.0.17763.1', is32: true, strings: { OriginalFilename: 'w3wp.exe' } }), 'w3wp.exe');
    expect(facts?.is64).toBe(false);
    expect(facts?.version?.strings['OriginalFilename']).toBe('w3wp.exe');
  });

  it('reads the .NET assembly identity from hand-built CLI metadata, deriving the public key token', async () => {
    const publicKey = Uint8Array.from({ length: 160 }, (_, i) => (i * 37) & 0xff);
    const bytes = buildTestPe({ fileVersion: '2019.3.1023.45', strings: TELERIK_STRINGS, assembly: { name: 'Telerik.Web.UI', version: '2019.3.1023.45', publicKey } });
    const { facts, issues } = await readPeFile(bytes, 'Telerik.Web.UI.dll');
    expect(issues).toEqual([]);
    expect(facts?.assembly).toEqual({ name: 'Telerik.Web.UI', version: '2019.3.1023.45', publicKeyToken: publicKeyTokenOf(publicKey) });
  });

  it('sizes table columns by row counts: 70000 TypeRef rows widen the ResolutionScope column to 4 bytes', () => {
    const identity = parseMetadata(buildMetadata({ name: 'Big', version: '1.2.3.4', typeRefs: 70_000, culture: 'neutral' }));
    expect(identity).toEqual({ name: 'Big', version: '1.2.3.4', culture: 'neutral' });
  });

  it('reports damaged metadata as an issue and still returns the version resource', async () => {
    const good = buildMetadata({ name: 'X', version: '1.0.0.0' });
    const hugeRows = Uint8Array.from(good);
    // The first row count (Module) sits after the 24-byte table stream header, which starts after the stream headers.
    const tablesAt = Buffer.from(good).indexOf(Buffer.from([0, 0, 0, 0, 2, 0, 0, 1]));
    new DataView(hugeRows.buffer).setUint32(tablesAt + 24, 0x7fffffff, true);
    expect(() => parseMetadata(hugeRows)).toThrowError(/claims 2147483647 rows/);
    const noSignature = Uint8Array.from(good);
    noSignature[0] = 0;
    expect(() => parseMetadata(noSignature)).toThrowError(/BSJB/);
    expect(() => parseMetadata(good.subarray(0, 40))).toThrowError(/cut short/);
  });

  it.each([
    ['truncated-header.dll', 'pe.truncated'],
    ['resource-loop.dll', 'pe.resource-loop'],
    ['huge-resource-count.dll', 'pe.too-many'],
    ['huge-section-count.dll', 'pe.too-many'],
    ['bad-pe-offset.dll', 'pe.bad-offset'],
    ['not-pe.dll', 'pe.not-pe'],
    ['mz-text.dll', 'pe.bad-offset'],
  ])('turns the hostile fixture %s into the issue %s, quickly', async (name, code) => {
    const started = Date.now();
    const { issues } = await readPeFile(path.join(sad, name), name);
    expect(issues.map((issue) => issue.code)).toContain(code);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('stops at nodes that claim no length and at impossible version nesting', () => {
    expect(() => parseVersionInfo(new Uint8Array(64))).toThrowError(/VS_VERSION_INFO/);
    const header = Buffer.alloc(200);
    header.writeUInt16LE(200, 0);
    Buffer.from('VS_VERSION_INFO\0', 'utf16le').copy(header, 6);
    // Children with a zero length cannot advance the walk: parsing must end, not spin.
    expect(parseVersionInfo(header).strings).toEqual({});
  });

  it('says when the file is missing', async () => {
    const { issues } = await readPeFile(path.join(temp, 'absent.dll'), 'absent.dll');
    expect(issues[0]?.code).toBe('pe.read-failed');
  });
});

/** Offset of the optional header (after the 4-byte PE signature and the 20-byte COFF header). */
function optionalHeaderAt(bytes: Uint8Array): number {
  return Buffer.from(bytes).readUInt32LE(0x3c) + 24;
}

describe('readPeFile on damaged headers and resource directories', () => {
  const full = buildTestPe({ fileVersion: '2019.3.1023.45', productVersion: '2019.3.1023.0', strings: TELERIK_STRINGS });

  it('carves the version resource when the optional header is cut away, and says it was carved', async () => {
    const cut = Buffer.from(full);
    // SizeOfOptionalHeader = 0: no optional header, no data directories, no usable section table.
    cut.writeUInt16LE(0, optionalHeaderAt(cut) - 4);
    const { facts, issues } = await readPeFile(cut, 'Telerik.Web.UI.dll');
    expect(issues.map((issue) => issue.code)).toEqual(['pe.truncated', 'pe.version-carved']);
    expect(issues[1]?.message).toMatch(/found by its signature at offset 0x[0-9a-f]+, not through the PE headers/);
    expect(facts).toMatchObject({ carved: true, version: { fileVersion: '2019.3.1023.45', productVersion: '2019.3.1023.0', strings: TELERIK_STRINGS } });
    expect(facts?.is64).toBeUndefined();
  });

  it('carves from a partial copy that lost its first bytes (no MZ header at all)', async () => {
    const { facts, issues } = await readPeFile(full.subarray(0x203), 'fragment.dll');
    expect(issues.map((issue) => issue.code)).toEqual(['pe.not-pe', 'pe.version-carved']);
    expect(facts?.version?.strings['ProductName']).toBe(TELERIK_STRINGS.ProductName);
  });

  it('carves when the resource directory cannot be walked, keeping what the headers say', async () => {
    const broken = Buffer.from(full);
    // Data directory 2 (resources) sits after the 112-byte PE32+ optional header fields; point it at no section.
    broken.writeUInt32LE(0x7fff0000, optionalHeaderAt(broken) + 112 + 2 * 8);
    const { facts, issues } = await readPeFile(broken, 'Telerik.Web.UI.dll');
    expect(issues.map((issue) => issue.code)).toEqual(['pe.bad-offset', 'pe.version-carved']);
    expect(facts).toMatchObject({ is64: true, isDll: true, carved: true, version: { fileVersion: '2019.3.1023.45' } });
  });

  it('falls back to the strings of a version resource whose node headers were zeroed, keeping no numeric version', async () => {
    const cut = zeroVersionNodeHeaders(full);
    cut.writeUInt16LE(0, optionalHeaderAt(cut) - 4);
    const { facts, issues } = await readPeFile(cut, 'Telerik.Web.UI.dll');
    expect(issues.map((issue) => issue.code)).toEqual(['pe.truncated', 'pe.version-strings-carved']);
    expect(issues[1]?.message).toMatch(/unframed VS_VERSION_INFO remnant at offset 0x[0-9a-f]+ \(no node lengths to check; numeric fixed versions ignored\)/);
    expect(facts).toEqual({ carved: true, version: { strings: { ...TELERIK_STRINGS } } });
  });

  it('carves the .NET assembly identity from its BSJB metadata root when the headers are cut', async () => {
    const publicKey = Uint8Array.from({ length: 160 }, (_, i) => (i * 11) & 0xff);
    const cut = Buffer.from(buildTestPe({ fileVersion: '2024.1.131.462', strings: TELERIK_STRINGS, assembly: { name: 'Telerik.Web.UI', version: '2024.1.131.462', publicKey } }));
    cut.writeUInt16LE(0, optionalHeaderAt(cut) - 4);
    const { facts, issues } = await readPeFile(cut, 'Telerik.Web.UI.dll');
    expect(issues.map((issue) => issue.code)).toEqual(['pe.truncated', 'pe.version-carved', 'pe.assembly-carved']);
    expect(facts?.assembly).toEqual({ name: 'Telerik.Web.UI', version: '2024.1.131.462', publicKeyToken: publicKeyTokenOf(publicKey) });
    expect(facts?.version?.fileVersion).toBe('2024.1.131.462');
  });

  it('reports keys and signatures that frame nothing as issues, with no facts, quickly', async () => {
    const cut = Buffer.from(full);
    cut.writeUInt16LE(0, optionalHeaderAt(cut) - 4);
    const key = cut.indexOf(Buffer.from('VS_VERSION_INFO\0', 'utf16le'));
    // The block now claims to run far past the end of the file; a stray "BSJB" starts no metadata.
    cut.writeUInt16LE(0xfff0, key - 6);
    const hostile = Buffer.concat([cut, Buffer.from('BSJB and some text')]);
    const started = Date.now();
    const { facts, issues } = await readPeFile(hostile, 'broken.dll');
    expect(facts).toBeUndefined();
    expect(issues.map((issue) => issue.code)).toEqual(['pe.truncated', 'pe.bad-version-info', 'pe.bad-metadata']);
    expect(issues[1]?.message).toMatch(/carved version resource: .*runs past the end of the file/);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('readPeFile agrees with exiftool', () => {
  const exiftool = promisify(execFile)('exiftool', ['-ver']).then(
    () => true,
    () => false,
  );

  it('on version fields of files built here and of real Microsoft DLLs in node_modules', async (context) => {
    if (!(await exiftool)) context.skip('exiftool is not installed (Debian: libimage-exiftool-perl)');
    const built = path.join(temp, 'Telerik.Web.UI.dll');
    await writeFile(built, buildTestPe({ fileVersion: '2019.3.1023.45', productVersion: '2019.3.1023.0', strings: TELERIK_STRINGS }));
    const real = path.resolve(here, '../../../node_modules/@microsoft/sarif-multitool-linux/amd64/vcruntime140.dll');
    const files = [built, ...(await readFile(real).then(() => [real], () => []))];
    const { stdout } = await promisify(execFile)('exiftool', ['-j', '-FileVersionNumber', '-ProductVersionNumber', '-FileVersion', '-ProductVersion', '-ProductName', '-CompanyName', '-OriginalFileName', ...files]);
    const rows = JSON.parse(stdout) as Record<string, string | number>[];
    expect(rows.length).toBe(files.length);
    for (const [i, file] of files.entries()) {
      const row = rows[i] ?? {};
      const { facts } = await readPeFile(file, file);
      const strings = facts?.version?.strings ?? {};
      expect(facts?.version?.fileVersion).toBe(String(row['FileVersionNumber']));
      expect(facts?.version?.productVersion).toBe(String(row['ProductVersionNumber']));
      for (const [ours, theirs] of [['FileVersion', 'FileVersion'], ['ProductVersion', 'ProductVersion'], ['ProductName', 'ProductName'], ['CompanyName', 'CompanyName'], ['OriginalFilename', 'OriginalFileName']] as const) {
        if (row[theirs] !== undefined) expect(strings[ours]).toBe(String(row[theirs]));
      }
    }
  });
});
