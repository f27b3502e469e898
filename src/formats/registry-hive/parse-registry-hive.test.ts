import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HiveError } from './hive-error.js';
import { parseRegistryHive } from './parse-registry-hive.js';
import type { RegistryHive, RegistryKey } from './registry-hive.js';
import type { RegistryValue } from './registry-value.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string): Uint8Array => readFileSync(path.join(FIXTURES, name));
const open = (name: string): RegistryHive => parseRegistryHive(fixture(name), { path: name });

/** Every key and value below `key`, as `path` and `path:value=data` lines, in hive order. */
function walk(key: RegistryKey, out: string[] = []): string[] {
  out.push(key.path);
  for (const value of key.values()) out.push(`${key.path}:${value.name}=${show(value)}`);
  for (const subkey of key.subkeys()) walk(subkey, out);
  return out;
}

function show(value: RegistryValue): string {
  const data = value.data;
  if (data instanceof Uint8Array) return `${value.typeName}[${data.length}]`;
  return `${value.typeName}:${typeof data === 'bigint' ? `${data}n` : JSON.stringify(data)}`;
}

describe('parseRegistryHive on hives written by hivexregedit', () => {
  it('reads SYSTEM: Select, SCHANNEL protocols and ciphers, HTTP.sys parameters', () => {
    const hive = open('happy/system.hiv');
    expect(hive.issues).toEqual([]);
    expect(hive.header).toMatchObject({ majorVersion: 1, minorVersion: 3 });
    expect(hive.root().path).toBe('');
    expect(hive.root().subkeys().map((key) => key.name)).toEqual(['ControlSet001', 'ControlSet002', 'Select']);
    expect(hive.key('select')?.dword('Current')).toBe(2);
    const protocols = hive.key('\\ControlSet002\\Control\\SecurityProviders\\schannel\\PROTOCOLS');
    expect(protocols?.path).toBe('ControlSet002\\Control\\SecurityProviders\\SCHANNEL\\Protocols');
    expect(protocols?.subkeys().map((key) => key.name)).toEqual(['SSL 3.0', 'TLS 1.0', 'TLS 1.2']);
    expect(protocols?.key('TLS 1.0\\Server')?.dword('enabled')).toBe(0);
    expect(protocols?.key('TLS 1.2\\Client')?.dword('Enabled')).toBe(0xffffffff);
    expect(hive.key('ControlSet002\\Control\\SecurityProviders\\SCHANNEL\\Ciphers')?.subkeys().map((key) => key.name)).toEqual([
      'RC4 128/128',
      'Triple DES 168',
    ]);
    const http = hive.key('ControlSet002\\Services\\HTTP\\Parameters');
    expect(http?.dword('EnableTrailerSupport')).toBe(1);
    expect(http?.values().map((value) => value.name).sort()).toEqual(['DisableServerHeader', 'EnableTrailerSupport', 'MaxFieldLength', 'UrlSegmentMaxCount']);
    expect(hive.key('ControlSet002\\Nope')).toBeUndefined();
  });

  it('reads SOFTWARE: build numbers, both Uninstall views, every value type, big values and long lists', () => {
    const hive = open('happy/software.hiv');
    expect(hive.issues).toEqual([]);
    const version = hive.key('Microsoft\\Windows NT\\CurrentVersion');
    expect(version?.string('CurrentBuild')).toBe('20348');
    expect(version?.dword('UBR')).toBe(2845);
    expect(version?.value('InstallTime')).toMatchObject({ typeName: 'REG_QWORD', data: 0x01d9d43a2ba15c00n });
    expect(version?.dword('CurrentBuild')).toBeUndefined();
    const uninstall64 = hive.key('Microsoft\\Windows\\CurrentVersion\\Uninstall');
    const uninstall32 = hive.key('WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall');
    expect(uninstall64?.subkeys().map((key) => key.string('DisplayName'))).toEqual(['Telerik UI for ASP.NET AJAX R2 2017', 'IIS URL Rewrite Module 2']);
    expect(uninstall32?.subkeys().map((key) => `${key.string('DisplayName')} ${key.string('DisplayVersion')}`)).toEqual([
      '7-Zip 19.00 19.00',
      'MagicLine4NX 1.0.0.26',
    ]);
    expect(uninstall64?.key('Telerik UI for ASP.NET AJAX')?.value('InstallLocation')).toMatchObject({ typeName: 'REG_EXPAND_SZ', data: 'C:\\Program Files' });

    const samples = hive.key('Samples');
    expect(samples?.value('')).toMatchObject({ type: 1, data: 'default value' });
    expect(samples?.value('multi')).toMatchObject({ typeName: 'REG_MULTI_SZ', data: ['TLS 1.2', 'TLS 1.3'] });
    expect(samples?.value('Binary')?.data).toEqual(new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0, 1]));
    expect(samples?.value('None')).toMatchObject({ typeName: 'REG_NONE', data: new Uint8Array(0) });
    expect(samples?.value('BigEndian')).toMatchObject({ typeName: 'REG_DWORD_BIG_ENDIAN', data: 0x102 });
    expect(samples?.dword('BigEndian')).toBe(0x102);
    expect(samples?.value('Odd')).toMatchObject({ type: 0x1234, typeName: 'REG_UNKNOWN(0x1234)', data: new Uint8Array([1, 2, 3]) });
    expect(samples?.string('Expand')).toBe('%SystemRoot%\\inetsrv');
    expect(samples?.string('большой')).toBe('big');
    expect(samples?.key('КЛЮЧ')?.dword('x')).toBe(1);

    const blob = samples?.key('Big')?.value('Blob')?.data;
    expect(blob).toBeInstanceOf(Uint8Array);
    expect(blob instanceof Uint8Array && blob.length === 20000 && blob.every((byte, i) => byte === i % 251)).toBe(true);
    const many = samples?.key('Many')?.subkeys() ?? [];
    expect(many.map((key) => key.dword('Index'))).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(hive.key('Samples\\Many\\item39')?.path).toBe('Samples\\Many\\Item39');
  });
});

describe('parseRegistryHive on a hand-built hive', () => {
  it('follows ri over li, lh and lf lists, joins db segments, and decodes UTF-16 names and timestamps', () => {
    const hive = open('happy/crafted.hiv');
    expect(hive.issues).toEqual([]);
    expect(hive.header).toMatchObject({ minorVersion: 5, fileName: 'crafted', primarySequence: 7, secondarySequence: 7 });
    const root = hive.root();
    expect(root.name).toBe('ROOT');
    expect(root.lastWritten.toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect(root.string('HiveName')).toBe('crafted');
    expect(root.subkeys().map((key) => key.name)).toEqual(['Big', 'Lists', 'Loop', 'Ünïcode-名前']);
    expect(hive.key('Lists')?.subkeys().map((key) => key.dword('i'))).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const blob = hive.key('Big')?.value('Blob')?.data;
    expect(blob instanceof Uint8Array && blob.length === 40000 && blob.every((byte, i) => byte === (i * 7) % 256)).toBe(true);
    expect(hive.key('big')?.value('Q')?.data).toBe(2n ** 40n + 5n);
    expect(hive.key('big')?.value('')?.data).toBe('root default');
    expect(hive.key('ÜNÏCODE-名前')?.string('значение')).toBe('текст');
  });
});

describe('parseRegistryHive on damaged hives', () => {
  const code = (run: () => unknown): string => {
    try {
      run();
    } catch (error) {
      if (error instanceof HiveError) return error.code;
      throw error;
    }
    return 'no error';
  };

  it('refuses what is not a readable hive with a typed error', () => {
    expect(code(() => open('sad/bad-signature.hiv'))).toBe('hive.bad-signature');
    expect(code(() => open('sad/header-only.hiv'))).toBe('hive.truncated');
    expect(code(() => parseRegistryHive(new Uint8Array(0)))).toBe('hive.bad-signature');
    expect(code(() => parseRegistryHive(fixture('happy/system.hiv'), { limits: { maxBytes: 4096 } }))).toBe('hive.too-large');
    const log = Uint8Array.from(fixture('happy/system.hiv'));
    log[28] = 1;
    expect(code(() => parseRegistryHive(log))).toBe('hive.unsupported');
    const badRoot = Uint8Array.from(fixture('happy/system.hiv'));
    new DataView(badRoot.buffer).setUint32(36, 0x7ffffff0, true);
    expect(code(() => parseRegistryHive(badRoot))).toBe('hive.bad-offset');
  });

  it('reads a truncated hive up to the cut and reports the rest', () => {
    const hive = open('sad/truncated.hiv');
    const lines = walk(hive.root());
    expect(lines.length).toBeGreaterThan(0);
    expect(hive.issues.map((issue) => issue.code)).toContain('hive.truncated');
    expect(hive.issues.every((issue) => issue.path === 'sad/truncated.hiv')).toBe(true);
  });

  it('reads a dirty hive as it is, with a warning', () => {
    const hive = open('sad/dirty.hiv');
    expect(hive.issues.map((issue) => issue.code)).toEqual(['hive.dirty']);
    expect(walk(hive.root())).toEqual(walk(open('happy/system.hiv').root()));
  });

  it('skips a subkey list that loops back to an ancestor or to the key itself', () => {
    const hive = open('sad/cycle.hiv');
    expect(hive.key('Loop')?.subkeys()).toEqual([]);
    expect(walk(hive.root()).length).toBe(walk(open('happy/crafted.hiv').root()).length);
    expect(hive.issues.map((issue) => issue.code)).toEqual(['hive.cycle', 'hive.cycle']);
  });

  it('reads a key only under the parent it names, so keys listed by two parents cannot multiply a walk', () => {
    // reglookup and hivexregedit follow all 2**40 paths of this hive; Windows, and this reader, follow one.
    const hive = open('sad/fan-out.hiv');
    const lines = walk(hive.root());
    expect(lines).toHaveLength(1 + 40 * 4);
    expect(lines).toContain('P01\\A\\L01\\P02\\B');
    expect(hive.issues.map((issue) => issue.code)).toEqual(Array(40).fill('hive.bad-cell'));
    expect(hive.issues).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/is listed under "P01\\\\B" but names another parent/) }));
  });

  it('warns about a header whose checksum does not match and reads on', () => {
    const bytes = Uint8Array.from(fixture('happy/system.hiv'));
    bytes.set([(bytes[120] ?? 0) ^ 0xff], 120);
    const hive = parseRegistryHive(bytes);
    expect(hive.issues.map((issue) => issue.code)).toEqual(['hive.bad-checksum']);
    expect(hive.key('Select')?.dword('Current')).toBe(2);
  });

  it('lists a subkey named twice in one list only once', () => {
    const bytes = Uint8Array.from(fixture('happy/crafted.hiv'));
    const view = new DataView(bytes.buffer);
    const root = 4096 + view.getUint32(36, true);
    const list = 4096 + view.getUint32(root + 4 + 28, true) + 4;
    // Second entry (offset and hash) becomes a copy of the first.
    view.setUint32(list + 12, view.getUint32(list + 4, true), true);
    view.setUint32(list + 16, view.getUint32(list + 8, true), true);
    const hive = parseRegistryHive(bytes);
    expect(hive.root().subkeys().map((key) => key.name)).toEqual(['Big', 'Loop', 'Ünïcode-名前']);
    expect(hive.issues.map((issue) => issue.code)).toEqual(['hive.duplicate']);
  });

  it('skips an index list that contains itself', () => {
    const hive = open('sad/ri-loop.hiv');
    expect(hive.root().subkeys().map((key) => key.name)).toEqual(['Big', 'Lists', 'Loop', 'Ünïcode-名前']);
    expect(hive.issues.map((issue) => issue.code)).toEqual(['hive.cycle']);
  });

  it('clamps counts larger than their lists and skips offsets outside the bins', () => {
    const huge = open('sad/huge-count.hiv');
    expect(huge.key('Huge')?.subkeys()).toEqual([]);
    expect(huge.issues.map((issue) => issue.code)).toContain('hive.bad-cell');
    const far = open('sad/bad-offset.hiv');
    expect(far.key('Far')?.subkeys()).toEqual([]);
    expect(far.key('FarValue')?.values()).toEqual([]);
    expect(far.issues.map((issue) => issue.code)).toEqual(['hive.bad-offset', 'hive.bad-offset']);
  });

  it('stops with hive.too-large once the cell budget is spent, and with hive.too-deep past the depth limit', () => {
    const hive = parseRegistryHive(fixture('happy/software.hiv'), { limits: { maxCells: 50 } });
    expect(code(() => walk(hive.root()))).toBe('hive.too-large');
    const shallow = parseRegistryHive(fixture('happy/system.hiv'), { limits: { maxDepth: 2 } });
    expect(walk(shallow.root())).toContain('ControlSet002\\Control');
    expect(shallow.key('ControlSet002\\Control\\SecurityProviders')).toBeUndefined();
    expect(new Set(shallow.issues.map((issue) => issue.code))).toEqual(new Set(['hive.too-deep']));
  });

  it('caps the issue list and counts what it dropped', () => {
    // Break every value record's signature: one issue each, far more than the cap.
    const damaged = Uint8Array.from(fixture('happy/software.hiv'));
    const text = Buffer.from(damaged).toString('latin1');
    for (let at = text.indexOf('vk'); at !== -1; at = text.indexOf('vk', at + 2)) damaged[at] = 0x78;
    const hive = parseRegistryHive(damaged, { limits: { maxIssues: 5 } });
    walk(hive.root());
    expect(hive.issues).toHaveLength(5);
    expect(hive.issues.slice(0, 4).map((issue) => issue.code)).toEqual(Array(4).fill('hive.bad-signature'));
    expect(hive.issues[4]).toMatchObject({ code: 'hive.too-many-issues', message: expect.stringMatching(/^\d+ more issues were not recorded\.$/) });
  });
});

describe('parseRegistryHive under fuzzing', () => {
  /** Small deterministic PRNG (mulberry32), so a failure reproduces. */
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it.each(['happy/system.hiv', 'happy/software.hiv', 'happy/crafted.hiv'])('returns or throws HiveError quickly on damaged copies of %s', (name) => {
    const original = fixture(name);
    const next = random(name.length * 7919);
    for (let round = 0; round < 300; round += 1) {
      let bytes = Uint8Array.from(original);
      if (round % 3 === 0) bytes = bytes.subarray(0, Math.floor(next() * bytes.length));
      const flips = 1 + Math.floor(next() * 20);
      for (let i = 0; i < flips && bytes.length > 0; i += 1) {
        // Most damage lands in the bins, where the structure is; some hits the header.
        const at = next() < 0.1 ? Math.floor(next() * Math.min(512, bytes.length)) : Math.floor(next() * bytes.length);
        bytes[at] = Math.floor(next() * 256);
      }
      const started = performance.now();
      try {
        const hive = parseRegistryHive(bytes);
        walk(hive.root());
        expect(hive.issues.length).toBeLessThanOrEqual(200);
      } catch (error) {
        if (!(error instanceof HiveError)) throw new Error(`round ${round}: ${String(error)}`, { cause: error });
      }
      expect(performance.now() - started).toBeLessThan(2000);
    }
  });
});

const reglookup = spawnSync('reglookup', ['-h'], { encoding: 'utf8' });
const hasReglookup = reglookup.error === undefined;
if (!hasReglookup) {
  console.warn('reglookup is not installed (Debian package: reglookup); skipping the cross-check against it.');
}

describe.skipIf(!hasReglookup)('parseRegistryHive agrees with reglookup', () => {
  const TYPE_NAMES: Record<number, string> = {
    0: 'NONE',
    1: 'SZ',
    2: 'EXPAND_SZ',
    3: 'BINARY',
    4: 'DWORD',
    5: 'DWORD_BE',
    6: 'LINK',
    7: 'MULTI_SZ',
    8: 'RSRC_LIST',
    9: 'RSRC_DESC',
    10: 'RSRC_REQ_LIST',
    11: 'QWORD',
  };
  // reglookup's quoting: printable ASCII as-is except its separators, everything else as %XX.
  const quote = (text: string, special: string): string =>
    [...text].map((char) => (char < ' ' || char > '~' || special.includes(char) ? encodeURIComponent(char).replace(/%../g, (hex) => hex.toUpperCase()) : char)).join('');
  const quoteBytes = (bytes: Uint8Array): string =>
    [...bytes].map((byte) => (byte < 0x20 || byte > 0x7e || ',"%'.includes(String.fromCharCode(byte)) ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(byte))).join('');
  const mtime = (date: Date): string => new Date(Math.max(0, date.getTime())).toISOString().slice(0, 19).replace('T', ' ');
  const hex = (value: number | bigint, width: number): string => `0x${value.toString(16).toUpperCase().padStart(width, '0')}`;

  function data(value: RegistryValue): string {
    const decoded = value.data;
    if (typeof decoded === 'string') return quote(decoded, ',"%');
    if (typeof decoded === 'number') return hex(decoded, 8);
    if (typeof decoded === 'bigint') return hex(decoded, 16);
    if (decoded instanceof Uint8Array) return value.type === 0 && decoded.length === 0 ? '(null)' : quoteBytes(decoded);
    return decoded.map((part) => quote(part, ',"%|')).join('|');
  }

  function lines(key: RegistryKey, out: string[] = []): string[] {
    const at = key.path === '' ? '/' : `/${key.path.split('\\').map((part) => quote(part, '/,"%')).join('/')}`;
    out.push(`${at},KEY,,${mtime(key.lastWritten)}`);
    for (const value of key.values()) {
      out.push(`${at}/${quote(value.name, '/,"%')},${TYPE_NAMES[value.type] ?? hex(value.type, 8)},${data(value)},`);
    }
    for (const subkey of key.subkeys()) lines(subkey, out);
    return out;
  }

  // Non-ASCII names are left out: reglookup prints their raw UTF-16 bytes, which says nothing about our decoding.
  const comparable = (line: string): boolean => !(line.split(',')[0] ?? '').includes('%');
  // Long lines (the big values) are compared by digest, so a mismatch prints a readable diff.
  const shorten = (line: string): string => (line.length > 200 ? `${line.slice(0, 120)}… sha256:${createHash('sha256').update(line).digest('hex')}` : line);

  it.each(['happy/system.hiv', 'happy/software.hiv', 'happy/crafted.hiv'])('on %s', (name) => {
    const result = spawnSync('reglookup', ['-H', path.join(FIXTURES, name)], { encoding: 'latin1', maxBuffer: 64 * 1024 * 1024 });
    expect(result.status).toBe(0);
    const theirs = result.stdout.split('\n').filter((line) => line !== '' && comparable(line)).map(shorten);
    const ours = lines(open(name).root()).filter(comparable).map(shorten);
    expect(ours.length).toBeGreaterThan(10);
    expect(ours.sort()).toEqual(theirs.sort());
  });
});
