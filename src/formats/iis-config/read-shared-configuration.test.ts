import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIisConfig } from './load-iis-config.js';
import { DEFAULT_MAX_CONFIG_BYTES } from './read-config-file.js';
import { readSharedConfiguration } from './read-shared-configuration.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const sharedHost = path.join(here, 'fixtures', 'happy', 'shared-config');
const redirection = path.join(sharedHost, 'Windows', 'System32', 'inetsrv', 'config', 'redirection.config');

let temp: string;

beforeAll(async () => {
  temp = await mkdtemp(path.join(os.tmpdir(), 'w3guard-redirection-'));
});

afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

async function hostWith(redirectionXml: string): Promise<string> {
  const root = await mkdtemp(path.join(temp, 'host-'));
  const folder = path.join(root, 'WINDOWS', 'system32', 'InetSrv', 'Config');
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'redirection.config'), redirectionXml);
  return root;
}

describe('readSharedConfiguration', () => {
  it('reports shared configuration with its path, never reaching for the share', async () => {
    const { shared, issues } = await readSharedConfiguration(sharedHost, DEFAULT_MAX_CONFIG_BYTES);
    expect(shared).toEqual({ path: '\\\\fileserver\\iisconfig$', file: redirection, line: 10 });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.code).toBe('config.shared-configuration');
    expect(issues[0]?.message).toContain('\\\\fileserver\\iisconfig$');
    expect(issues[0]?.message).toContain('stale');
    expect([issues[0]?.path, issues[0]?.line]).toEqual([redirection, 10]);
  });

  it('passes the issue on through loadIisConfig and keeps the local applicationHost.config', async () => {
    const { config, issues } = await loadIisConfig(sharedHost);
    expect(issues.map((issue) => issue.code)).toEqual(['config.shared-configuration']);
    expect(config.sharedConfiguration?.path).toBe('\\\\fileserver\\iisconfig$');
    expect(config.sites().map((site) => site.name)).toEqual(['Shop']);
  });

  it('says nothing when redirection is off, absent, or the file is missing', async () => {
    expect(await readSharedConfiguration(await hostWith('<configuration><configurationRedirection enabled="false" path="\\\\s\\c" /></configuration>'), 4096)).toEqual({ issues: [] });
    expect(await readSharedConfiguration(await hostWith('<configuration><configSections /></configuration>'), 4096)).toEqual({ issues: [] });
    expect(await readSharedConfiguration(temp, 4096)).toEqual({ issues: [] });
  });

  it('matches the folder case-insensitively and turns a broken file into a ScanIssue', async () => {
    const on = await readSharedConfiguration(await hostWith('<configuration>\n<configurationRedirection enabled="True" path="C:\\shared" />\n</configuration>'), 4096);
    expect(on.shared?.path).toBe('C:\\shared');
    const broken = await readSharedConfiguration(await hostWith('<configuration><configurationRedirection enabled="true"'), 4096);
    expect(broken.shared).toBeUndefined();
    expect(broken.issues.map((issue) => issue.code)).toEqual(['config.malformed']);
  });
});
