import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAuditSources } from './find-audit-sources.js';
import { InputError } from './input-error.js';

describe('findAuditSources', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await mkdtemp(path.join(os.tmpdir(), 'w3guard-sources-'));
    await writeFile(path.join(temp, 'Web.config'), '<configuration/>');
    await writeFile(path.join(temp, 'applicationHost.config'), '<configuration/>');
  });
  afterAll(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  it('tells host roots, web.config files and applicationHost.config files apart, keeping paths as given', async () => {
    expect(await findAuditSources([temp, path.join(temp, 'Web.config'), path.join(temp, 'applicationHost.config')])).toEqual([
      { kind: 'host-root', path: temp, hives: {} },
      { kind: 'web-config', path: path.join(temp, 'Web.config') },
      { kind: 'application-host', path: path.join(temp, 'applicationHost.config') },
    ]);
  });

  it('attaches the registry hives a host root keeps, matched case-insensitively', async () => {
    const root = path.join(temp, 'host');
    const config = path.join(root, 'windows', 'SYSTEM32', 'Config');
    await mkdir(path.join(config, 'SOFTWARE'), { recursive: true });
    await writeFile(path.join(config, 'system'), 'regf');
    // A folder named like a hive is not one.
    expect(await findAuditSources([root])).toEqual([{ kind: 'host-root', path: root, hives: { system: path.join(config, 'system') } }]);
  });

  it('rejects a missing path with an input error', async () => {
    const missing = path.join(temp, 'nope');
    await expect(findAuditSources([missing])).rejects.toBeInstanceOf(InputError);
    await expect(findAuditSources([missing])).rejects.toThrow(`"${missing}" does not exist.`);
  });
});
