import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseRegistryHive } from './parse-registry-hive.js';
import { systemKey } from './system-key.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

describe('systemKey', () => {
  it('reads CurrentControlSet through Select\\Current and other paths as they are', () => {
    const hive = parseRegistryHive(readFileSync(path.join(FIXTURES, 'happy/system.hiv')));
    const tls10 = systemKey(hive, 'CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.0\\Server');
    expect(tls10?.path).toBe('ControlSet002\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.0\\Server');
    expect(tls10?.dword('Enabled')).toBe(0);
    expect(systemKey(hive, '\\currentcontrolset')?.name).toBe('ControlSet002');
    expect(systemKey(hive, 'ControlSet001\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.0\\Server')?.dword('Enabled')).toBe(1);
    expect(systemKey(hive, 'Select')?.dword('LastKnownGood')).toBe(1);
    expect(systemKey(hive, 'CurrentControlSet\\Nope')).toBeUndefined();
  });
});
