import { describe, expect, it } from 'vitest';
import { buildTestPe } from './fixtures/build-test-pe.js';
import { carveVersionResource, MAX_VERSION_CANDIDATES } from './carve-version-resource.js';
import { PeError } from './pe-error.js';

const KEY = Buffer.from('VS_VERSION_INFO\0', 'utf16le');

/** The VS_VERSION_INFO block of a PE built by resedit, cut out of the file (header starts 6 bytes before the key). */
function realBlock(fileVersion: string): Buffer {
  const pe = Buffer.from(buildTestPe({ fileVersion, strings: { CompanyName: 'Contoso', ProductName: 'Contoso Widgets', FileVersion: fileVersion } }));
  const start = pe.indexOf(KEY) - 6;
  return pe.subarray(start, start + pe.readUInt16LE(start));
}

describe('carveVersionResource', () => {
  it('finds a framed block anywhere in raw bytes, at any offset, and parses it like the resource path', () => {
    const block = realBlock('7.1.22.3');
    for (const lead of [0, 3, 4097]) {
      const bytes = Buffer.concat([Buffer.alloc(lead, 0xcc), block, Buffer.alloc(31, 0xcc)]);
      const carved = carveVersionResource(bytes);
      expect(carved?.offset).toBe(lead);
      expect(carved?.info.fileVersion).toBe('7.1.22.3');
      expect(carved?.info.strings).toMatchObject({ CompanyName: 'Contoso', ProductName: 'Contoso Widgets' });
    }
  });

  it('returns undefined when no key is present', () => {
    expect(carveVersionResource(Buffer.alloc(4096, 0x41))).toBeUndefined();
  });

  it('skips keys without block framing and takes the first framed block after them', () => {
    // Bare keys (a string table mentioning the name), a header claiming a text node, a missing fixed-info signature.
    const textNode = Buffer.concat([Buffer.from([0x40, 0, 52, 0, 1, 0]), KEY, Buffer.alloc(60)]);
    const noSignature = Buffer.from(realBlock('1.0.0.0'));
    noSignature.writeUInt32LE(0, 40);
    const decoys = Buffer.concat([...Array.from({ length: MAX_VERSION_CANDIDATES - 3 }, () => KEY), textNode, noSignature]);
    const carved = carveVersionResource(Buffer.concat([decoys, realBlock('2.3.4.5')]));
    expect(carved?.info.fileVersion).toBe('2.3.4.5');
  });

  it('rejects a block whose wLength points past the end of the file, saying why', () => {
    const block = Buffer.from(realBlock('9.9.9.9'));
    block.writeUInt16LE(0xfff0, 0);
    expect(() => carveVersionResource(block)).toThrowError(/none starts a well-framed block \(first at 0x0: wLength 65520 runs past the end of the file\)/);
  });

  it('gives up on a file stuffed with keys after one linear pass, quickly', () => {
    const hostile = Buffer.concat([Buffer.alloc(8 * 1024 * 1024, 0x20), ...Array.from({ length: 200_000 }, () => KEY), realBlock('1.2.3.4')]);
    const started = Date.now();
    let error: unknown;
    try {
      carveVersionResource(hostile);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PeError);
    expect(error).toMatchObject({ code: 'pe.too-many' });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
