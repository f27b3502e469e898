import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
      { kind: 'host-root', path: temp },
      { kind: 'web-config', path: path.join(temp, 'Web.config') },
      { kind: 'application-host', path: path.join(temp, 'applicationHost.config') },
    ]);
  });

  it('rejects a missing path with an input error', async () => {
    const missing = path.join(temp, 'nope');
    await expect(findAuditSources([missing])).rejects.toBeInstanceOf(InputError);
    await expect(findAuditSources([missing])).rejects.toThrow(`"${missing}" does not exist.`);
  });
});
