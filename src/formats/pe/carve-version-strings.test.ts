import { describe, expect, it } from 'vitest';
import { carveVersionStrings } from './carve-version-strings.js';
import { buildTestPe, zeroVersionNodeHeaders } from './fixtures/build-test-pe.js';

const utf16 = (text: string): Buffer => Buffer.from(`${text}\0`, 'utf16le');
const STRINGS = { CompanyName: 'Contoso Ltd', FileVersion: '5.4.3.2', ProductName: 'Contoso Widgets', OriginalFilename: 'Contoso.Widgets.dll' };

function zeroedHeaders(): Buffer {
  return zeroVersionNodeHeaders(buildTestPe({ fileVersion: '5.4.3.2', strings: STRINGS }));
}

describe('carveVersionStrings', () => {
  it('reads the strings of a version resource whose node headers were zeroed', () => {
    const carved = carveVersionStrings(zeroedHeaders());
    // resedit also writes the product version as a string.
    expect(carved?.info).toEqual({ strings: { ...STRINGS, ProductVersion: '5.4.3.2' } });
  });

  it('reads strings laid out without node headers or padding, at an odd offset, empty values included', () => {
    const remnant = Buffer.concat([
      Buffer.alloc(3, 0x90),
      utf16('VS_VERSION_INFO'),
      Buffer.from([0xbd, 0x04, 0xef, 0xfe, 0, 0, 1, 0, 0, 0, 0, 0]),
      utf16('StringFileInfo'),
      utf16('040904b0'),
      ...['CompanyName', 'Fabrikam', 'Comments', 'FileVersion', '2.0.1 (release)', 'ProductName', 'Fabrikam Portal'].map(utf16),
      utf16('VarFileInfo'),
      utf16('Translation'),
    ]);
    expect(carveVersionStrings(remnant)).toEqual({ offset: 3, info: { strings: { CompanyName: 'Fabrikam', FileVersion: '2.0.1 (release)', ProductName: 'Fabrikam Portal' } } });
  });

  it('reads nothing from the names alone, from a key without the fixed-info signature, or without a language key', () => {
    const head = Buffer.concat([utf16('VS_VERSION_INFO'), Buffer.from([0xbd, 0x04, 0xef, 0xfe]), Buffer.alloc(8), utf16('StringFileInfo')]);
    const nameList = Buffer.concat([head, utf16('040904b0'), ...['CompanyName', 'FileDescription', 'FileVersion', 'ProductVersion', 'ProductName'].map(utf16)]);
    expect(carveVersionStrings(nameList)).toBeUndefined();
    const noSignature = Buffer.concat([utf16('VS_VERSION_INFO'), Buffer.alloc(12), utf16('StringFileInfo'), utf16('040904b0'), utf16('FileVersion'), utf16('1.2.3.4')]);
    expect(carveVersionStrings(noSignature)).toBeUndefined();
    const noLanguage = Buffer.concat([head, utf16('FileVersion'), utf16('1.2.3.4')]);
    expect(carveVersionStrings(noLanguage)).toBeUndefined();
    const notAVersion = Buffer.concat([head, utf16('040904b0'), utf16('FileVersion'), utf16('see readme')]);
    expect(carveVersionStrings(notAVersion)).toBeUndefined();
  });

  it('stays inside its window on a long run of text and ends quickly on many keys', () => {
    const head = Buffer.concat([utf16('VS_VERSION_INFO'), Buffer.from([0xbd, 0x04, 0xef, 0xfe]), Buffer.alloc(8), utf16('StringFileInfo'), utf16('040904b0')]);
    const endless = Buffer.concat([head, Buffer.from('FileVersion'.repeat(400_000), 'utf16le')]);
    const many = Buffer.concat(Array.from({ length: 100_000 }, () => head));
    const started = Date.now();
    expect(carveVersionStrings(endless)).toBeUndefined();
    expect(carveVersionStrings(many)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
