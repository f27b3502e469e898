import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { currentControlSet } from './current-control-set.js';
import { parseRegistryHive } from './parse-registry-hive.js';
import { REG_DWORD } from './registry-value.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const system = (): Uint8Array => Uint8Array.from(readFileSync(path.join(FIXTURES, 'happy/system.hiv')));

/** Rewrites the inline data of the only DWORD value named `Current` (hivex stores 4-byte data in the vk record). */
function setCurrent(bytes: Uint8Array, current: number): Uint8Array {
  const at = Buffer.from(bytes).indexOf(Buffer.from('vk\x07\x00', 'latin1'));
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  expect(view.getUint32(at + 12, true)).toBe(REG_DWORD);
  expect(Buffer.from(bytes.subarray(at + 20, at + 27)).toString('latin1')).toBe('Current');
  view.setUint32(at + 8, current, true);
  return bytes;
}

describe('currentControlSet', () => {
  it('follows Select\\Current to the control set Windows boots with', () => {
    const hive = parseRegistryHive(system());
    expect(currentControlSet(hive)?.name).toBe('ControlSet002');
    expect(currentControlSet(hive)?.key('Services\\HTTP\\Parameters')?.dword('EnableTrailerSupport')).toBe(1);
    expect(parseRegistryHive(setCurrent(system(), 1)).key('Select')?.dword('Current')).toBe(1);
    expect(currentControlSet(parseRegistryHive(setCurrent(system(), 1)))?.name).toBe('ControlSet001');
  });

  it('gives up on a missing control set or an out-of-range number', () => {
    expect(currentControlSet(parseRegistryHive(setCurrent(system(), 3)))).toBeUndefined();
    expect(currentControlSet(parseRegistryHive(setCurrent(system(), 0)))).toBeUndefined();
    expect(currentControlSet(parseRegistryHive(readFileSync(path.join(FIXTURES, 'happy/software.hiv'))))).toBeUndefined();
  });
});
