import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIisConfig } from './load-iis-config.js';
import { readAdministrationConfig } from './read-administration-config.js';

const PROVIDER = (name: string, type: string): string => `<add name="${name}" type="${type}" />`;
const MS = 'Version=10.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35';

let temp: string;
let counter = 0;

beforeAll(async () => {
  temp = await mkdtemp(path.join(os.tmpdir(), 'w3guard-administration-'));
});

afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

/** A host root whose administration.config (named in mixed case, as copies often are) holds `content`. */
async function host(content: string): Promise<{ root: string; file: string }> {
  const root = path.join(temp, `host-${(counter += 1)}`);
  const folder = path.join(root, 'WINDOWS', 'system32', 'inetsrv', 'Config');
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, 'Administration.config');
  await writeFile(file, content);
  return { root, file };
}

describe('readAdministrationConfig', () => {
  it('lists module providers after clear and remove, management providers and the untrusted-provider switch, with lines', async () => {
    const { root, file } = await host(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<configuration>',
        '  <system.webServer><management>',
        `    <authentication><providers>${PROVIDER('ConfigurationAuthenticationProvider', `Microsoft.Web.Management.Server.ConfigurationAuthenticationProvider, Microsoft.Web.Management, ${MS}`)}</providers></authentication>`,
        `    <authorization><providers>${PROVIDER('Steal', 'Acme.Auth, Acme.Auth')}</providers></authorization>`,
        '    <trustedProviders allowUntrustedProviders="true" />',
        '  </management></system.webServer>',
        '  <moduleProviders>',
        `    ${PROVIDER('Old', 'Old.Provider, Old')}`,
        '    <clear />',
        `    ${PROVIDER('Modules', `Microsoft.Web.Management.Iis.Modules.ModulesModuleProvider, Microsoft.Web.Management.Iis, ${MS}`)}`,
        `    ${PROVIDER('Gone', 'Gone.Provider, Gone')}`,
        '    <remove name="gone" />',
        '  </moduleProviders>',
        '</configuration>',
      ].join('\n'),
    );
    const { administration, issues } = await readAdministrationConfig(root, 1_000_000);
    expect(issues).toEqual([]);
    expect(administration?.file).toBe(file);
    expect(administration?.moduleProviders.map((provider) => [provider.name, provider.line])).toEqual([['Modules', 11]]);
    expect(administration?.managementProviders.map((provider) => [provider.name, provider.type, provider.line])).toEqual([
      ['ConfigurationAuthenticationProvider', `Microsoft.Web.Management.Server.ConfigurationAuthenticationProvider, Microsoft.Web.Management, ${MS}`, 4],
      ['Steal', 'Acme.Auth, Acme.Auth', 5],
    ]);
    expect(administration?.allowUntrustedProviders).toEqual({ value: 'true', file, line: 6 });
  });

  it('is absent without the file, and defaults allowUntrustedProviders to false', async () => {
    expect(await readAdministrationConfig(path.join(temp, 'nothing-here'), 1000)).toEqual({ issues: [] });
    const { root } = await host('<configuration><moduleProviders /></configuration>');
    expect((await readAdministrationConfig(root, 1000)).administration?.allowUntrustedProviders).toEqual({ value: 'false' });
  });

  it('turns a DTD, a huge file, a broken file or a wrong root into issues, never a crash', async () => {
    const cases: [string, string][] = [
      ['<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]><configuration>&x;</configuration>', 'config.doctype'],
      [`<configuration>${'<!-- padding -->'.repeat(200)}</configuration>`, 'config.too-large'],
      ['<configuration><moduleProviders>', 'config.malformed'],
      ['<settings />', 'config.malformed'],
    ];
    for (const [content, code] of cases) {
      const { root, file } = await host(content);
      const read = await readAdministrationConfig(root, 1000);
      expect(read.administration).toBeUndefined();
      expect(read.issues).toEqual([expect.objectContaining({ code, path: file })]);
    }
  });

  it('does not follow a link out of the host root', async () => {
    const outside = path.join(temp, 'outside.config');
    await writeFile(outside, `<configuration><moduleProviders>${PROVIDER('X', 'X, X')}</moduleProviders></configuration>`);
    const root = path.join(temp, 'linked');
    const folder = path.join(root, 'Windows', 'System32', 'inetsrv', 'config');
    await mkdir(folder, { recursive: true });
    await symlink(outside, path.join(folder, 'administration.config'));
    expect(await readAdministrationConfig(root, 1000)).toEqual({ issues: [] });
  });

  it('is read with the host levels by loadIisConfig and exposed on the configuration', async () => {
    const { root, file } = await host(`<configuration><moduleProviders>${PROVIDER('X', 'X, X')}</moduleProviders></configuration>`);
    await writeFile(path.join(path.dirname(file), 'applicationHost.config'), '<configuration />');
    const { config } = await loadIisConfig(root);
    expect(config.administration?.moduleProviders.map((provider) => provider.name)).toEqual(['X']);
    const single = await loadIisConfig(root, { readWebConfigs: false });
    expect(single.config.administration).toBeUndefined();
  });
});
