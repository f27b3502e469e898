import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandWindowsPath, resolveHostPath } from './resolve-host-path.js';

describe('resolveHostPath', () => {
  let root: string;
  let outside: string;
  beforeAll(async () => {
    const temp = await mkdtemp(path.join(os.tmpdir(), 'w3guard-host-path-'));
    root = path.join(temp, 'host');
    outside = path.join(temp, 'outside');
    await mkdir(path.join(root, 'Windows', 'System32', 'inetsrv'), { recursive: true });
    await mkdir(path.join(root, 'inetpub', 'wwwroot'), { recursive: true });
    await mkdir(outside, { recursive: true });
    await writeFile(path.join(root, 'Windows', 'System32', 'inetsrv', 'cachuri.dll'), 'MZ');
    await symlink(outside, path.join(root, 'inetpub', 'escape'));
  });
  afterAll(async () => {
    await rm(path.dirname(root), { recursive: true, force: true });
  });

  it('expands the usual variables case-insensitively and leaves unknown ones', () => {
    expect(expandWindowsPath('%windir%\\System32')).toBe('C:\\Windows\\System32');
    expect(expandWindowsPath('%SYSTEMDRIVE%\\inetpub')).toBe('C:\\inetpub');
    expect(expandWindowsPath('%ProgramFiles(x86)%\\x')).toBe('C:\\Program Files (x86)\\x');
    expect(expandWindowsPath('%Unknown%\\x')).toBe('%Unknown%\\x');
  });

  it('maps C: and the system variables onto the host root, matching case-insensitively', async () => {
    expect(await resolveHostPath(root, '%SystemRoot%\\system32\\INETSRV\\CachUri.dll')).toBe(path.join(root, 'Windows', 'System32', 'inetsrv', 'cachuri.dll'));
    expect(await resolveHostPath(root, 'c:/INETPUB/wwwroot/')).toBe(path.join(root, 'inetpub', 'wwwroot'));
    expect(await resolveHostPath(root, 'C:\\')).toBe(root);
  });

  it('refuses other drives, UNC paths, relative paths, missing paths, .. and links out of the root', async () => {
    expect(await resolveHostPath(root, 'D:\\Media')).toBeUndefined();
    expect(await resolveHostPath(root, '\\\\fileserver\\share')).toBeUndefined();
    expect(await resolveHostPath(root, 'inetpub\\wwwroot')).toBeUndefined();
    expect(await resolveHostPath(root, 'C:\\inetpub\\missing')).toBeUndefined();
    expect(await resolveHostPath(root, 'C:\\inetpub\\..\\..\\outside')).toBeUndefined();
    expect(await resolveHostPath(root, 'C:\\inetpub\\escape')).toBeUndefined();
  });

  it('maps extra drives when told to', async () => {
    expect(await resolveHostPath(root, 'D:\\', { drives: { D: outside } })).toBe(outside);
  });
});
