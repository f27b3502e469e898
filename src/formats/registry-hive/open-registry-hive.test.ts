import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HiveError } from './hive-error.js';
import { openRegistryHive } from './open-registry-hive.js';
import type { RegistryKey } from './registry-hive.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** Keys and values with their decoded data, timestamps left out (hivex stamps nothing, Windows stamps everything). */
function dump(key: RegistryKey, out: string[] = []): string[] {
  out.push(key.path);
  for (const value of key.values()) {
    const data = value.data instanceof Uint8Array ? Buffer.from(value.data).toString('hex') : String(value.data);
    out.push(`${key.path}:${value.name}:${value.typeName}:${data}`);
  }
  for (const subkey of key.subkeys()) dump(subkey, out);
  return out;
}

async function failure(run: () => Promise<unknown>): Promise<HiveError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof HiveError) return error;
    throw error;
  }
  throw new Error('expected a HiveError');
}

describe('openRegistryHive', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await mkdtemp(path.join(os.tmpdir(), 'w3guard-registry-hive-'));
  });
  afterAll(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  it('reads a hive from a path and from bytes alike, naming the path in issues', async () => {
    const file = path.join(FIXTURES, 'happy/system.hiv');
    const fromPath = await openRegistryHive(file);
    const fromBytes = await openRegistryHive(await readFile(file));
    expect(dump(fromPath.root())).toEqual(dump(fromBytes.root()));
    const dirty = await openRegistryHive(path.join(FIXTURES, 'sad/dirty.hiv'));
    expect(dirty.issues).toEqual([expect.objectContaining({ code: 'hive.dirty', path: path.join(FIXTURES, 'sad/dirty.hiv') })]);
  });

  it('reads the empty base hive as a lone root', async () => {
    const hive = await openRegistryHive(path.join(FIXTURES, 'happy/empty.hiv'));
    expect(hive.root().subkeys()).toEqual([]);
    expect(hive.root().values()).toEqual([]);
    expect(hive.key('')).toBe(hive.root());
    expect(hive.issues).toEqual([]);
  });

  it('turns missing, oversize and non-hive files into typed errors', async () => {
    expect((await failure(() => openRegistryHive(path.join(temp, 'missing.hiv')))).code).toBe('hive.read-failed');
    expect((await failure(() => openRegistryHive(temp))).code).toBe('hive.read-failed');
    const big = await failure(() => openRegistryHive(path.join(FIXTURES, 'happy/software.hiv'), { limits: { maxBytes: 10_000 } }));
    expect(big.code).toBe('hive.too-large');
    expect((await failure(() => openRegistryHive(path.join(FIXTURES, 'software.reg')))).code).toBe('hive.bad-signature');
  });

  const hivex = spawnSync('hivexregedit', ['--help'], { encoding: 'utf8' });
  const hasHivex = hivex.error === undefined;
  if (!hasHivex) {
    console.warn('hivexregedit is not installed (Debian package: libwin-hivex-perl); skipping the rebuild-from-.reg check.');
  }

  it.skipIf(!hasHivex).each([
    ['system', 'HKEY_LOCAL_MACHINE\\SYSTEM'],
    ['software', 'HKEY_LOCAL_MACHINE\\SOFTWARE'],
  ])('reads %s.hiv rebuilt by hivexregedit from its .reg source the same as the committed fixture', async (name, prefix) => {
    const rebuilt = path.join(temp, `${name}.hiv`);
    await copyFile(path.join(FIXTURES, 'happy/empty.hiv'), rebuilt);
    const merge = spawnSync('hivexregedit', ['--merge', '--prefix', prefix, rebuilt, path.join(FIXTURES, `${name}.reg`)], { encoding: 'utf8' });
    expect(merge.status, merge.stderr).toBe(0);
    const committed = await openRegistryHive(path.join(FIXTURES, `happy/${name}.hiv`));
    expect(dump((await openRegistryHive(rebuilt)).root())).toEqual(dump(committed.root()));
  });
});
