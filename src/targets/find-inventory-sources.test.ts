import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findInventorySources, inventoryFileKind } from './find-inventory-sources.js';

const temp = await mkdtemp(path.join(tmpdir(), 'w3g-find-inv-'));
afterAll(() => rm(temp, { recursive: true, force: true }));

describe('findInventorySources', () => {
  it('reads every assembly of a web bin folder but only advisory-named binaries under Program Files, and never follows links out', async () => {
    const root = path.join(temp, 'host');
    const outside = path.join(temp, 'outside');
    await mkdir(path.join(root, 'inetpub', 'wwwroot', 'app', 'bin'), { recursive: true });
    await mkdir(path.join(root, 'Program Files', 'Vendor'), { recursive: true });
    await mkdir(outside, { recursive: true });
    await writeFile(path.join(root, 'inetpub', 'wwwroot', 'app', 'bin', 'App.dll'), 'x');
    await writeFile(path.join(root, 'inetpub', 'wwwroot', 'app', 'helper.exe'), 'x');
    await writeFile(path.join(root, 'Program Files', 'Vendor', 'ExSetup.exe'), 'x');
    await writeFile(path.join(root, 'Program Files', 'Vendor', 'other.dll'), 'x');
    await writeFile(path.join(root, 'Program Files', 'Vendor', 'lib.jar'), 'x');
    await writeFile(path.join(outside, 'secret.jar'), 'x');
    await symlink(outside, path.join(root, 'Program Files', 'Vendor', 'escape'));
    const sources = await findInventorySources([], [root], { fileNames: new Set(['exsetup.exe']) });
    expect(sources.files.map((f) => [path.relative(root, f.path), f.kind])).toEqual([
      [path.join('inetpub', 'wwwroot', 'app', 'bin', 'App.dll'), 'pe'],
      [path.join('Program Files', 'Vendor', 'ExSetup.exe'), 'pe'],
      [path.join('Program Files', 'Vendor', 'lib.jar'), 'jar'],
    ]);
  });

  it('classifies package lists and SBOMs by name', () => {
    expect(['Portal.deps.json', 'packages.config', 'PACKAGES.LOCK.JSON', 'bom.json', 'app.cdx.json', 'a.war', 'x.sys', 'readme.txt'].map(inventoryFileKind)).toEqual(['deps-json', 'packages-config', 'packages-lock', 'cyclonedx', 'cyclonedx', 'jar', 'pe', undefined]);
  });
});
