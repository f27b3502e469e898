import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScanIssue } from '../../core/scan-issue.js';
import type { IisConfig } from './iis-config.js';
import { loadIisConfig } from './load-iis-config.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const host = path.join(here, 'fixtures', 'happy', 'dotnet-host');
const dotNet = path.join(host, 'Windows', 'Microsoft.NET');
const machine64 = path.join(dotNet, 'Framework64', 'v4.0.30319', 'Config', 'machine.config');
const rootWeb64 = path.join(dotNet, 'Framework64', 'v4.0.30319', 'Config', 'web.config');
const machine32 = path.join(dotNet, 'FRAMEWORK', 'v4.0.30319', 'config', 'MACHINE.CONFIG');
const machineV2 = path.join(dotNet, 'Framework64', 'v2.0.50727', 'CONFIG', 'Machine.config');
const appHost = path.join(host, 'Windows', 'System32', 'inetsrv', 'config', 'applicationHost.config');
const siteWeb = path.join(host, 'inetpub', 'site4', 'web.config');

function lineOf(file: string, needle: string): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(needle));
  if (index === -1) throw new Error(`${needle} not in ${file}`);
  return index + 1;
}

describe('loadIisConfig with .NET Framework levels', () => {
  let config: IisConfig;
  let issues: ScanIssue[];

  beforeAll(async () => {
    ({ config, issues } = await loadIisConfig(host));
  });

  it('finds machine.config and the root web.config of each Framework case-insensitively, a missing one being no issue', () => {
    expect(issues).toEqual([]);
    expect(config.frameworkLevels().map((level) => [level.folder, level.version, level.machineConfig, level.rootWebConfig])).toEqual([
      ['Framework64', 'v4.0.30319', machine64, rootWeb64],
      ['Framework64', 'v2.0.50727', machineV2, undefined],
      ['Framework', 'v4.0.30319', machine32, undefined],
    ]);
  });

  it('applies machine.config, then the root web.config, then applicationHost.config, then the site web.config to system.web', () => {
    const runtime = config.effective('Site4', 'system.web/httpRuntime');
    expect(runtime.attributes.get('maxRequestLength')).toEqual({ value: '8192', file: rootWeb64, line: lineOf(rootWeb64, 'maxRequestLength') });
    expect(runtime.attributes.get('enableVersionHeader')).toEqual({ value: 'false', file: siteWeb, line: lineOf(siteWeb, 'enableVersionHeader') });
    expect(runtime.sources.map((source) => source.file)).toEqual([machine64, rootWeb64, siteWeb]);
    expect(config.effective('Site4', 'system.web/customErrors').attributes.get('mode')).toEqual({ value: 'On', file: appHost, line: lineOf(appHost, 'customErrors') });
    expect(config.effective('', 'system.web/customErrors').attributes.get('mode')).toEqual({ value: 'RemoteOnly', file: machine64, line: lineOf(machine64, 'customErrors') });
    expect(config.effective('Site4/app/folder', 'system.web/trust').attributes.get('level')?.file).toBe(rootWeb64);
  });

  it('picks the Framework from the pool: v2.0, 32-bit, and none for a pool without managed code', () => {
    const maxRequest = (sitePath: string): string | undefined => config.effective(sitePath, 'system.web/httpRuntime').attributes.get('maxRequestLength')?.value;
    expect(maxRequest('Site2')).toBe('2222');
    expect(maxRequest('Site4/legacy')).toBe('2222');
    expect(maxRequest('Site4/legacy/sub')).toBe('2222');
    expect(maxRequest('Site32')).toBe('1111');
    expect(maxRequest('Static')).toBeUndefined();
    expect(config.effective('Static', 'system.web/httpRuntime').defined).toBe(false);
    expect(config.frameworkLevelFor('Static')).toBeUndefined();
    expect(config.frameworkLevelFor('')?.machineConfig).toBe(machine64);
    expect(config.frameworkLevelFor('Site32')?.machineConfig).toBe(machine32);
  });

  it('leaves IIS sections to the IIS files', () => {
    expect(config.effective('Site4', 'system.webServer/directoryBrowse').defined).toBe(false);
  });

  it('reads a MachineOnly section from one machine.config alone', () => {
    const [level64, levelV2, level32] = config.frameworkLevels();
    if (level64 === undefined || levelV2 === undefined || level32 === undefined) throw new Error('levels missing');
    expect(config.frameworkEffective(level64, 'system.web/deployment').attributes.get('retail')).toEqual({ value: 'true', file: machine64, line: lineOf(machine64, 'retail') });
    expect(config.frameworkEffective(level32, 'system.web/deployment').attributes.get('retail')?.value).toBe('false');
    expect(config.frameworkEffective(levelV2, 'system.web/deployment').defined).toBe(false);
  });

  it('skips the .NET levels when asked to read a single applicationHost.config', async () => {
    const { config: single } = await loadIisConfig(host, { applicationHostFile: appHost, readWebConfigs: false });
    expect(single.frameworkLevels()).toEqual([]);
    expect(single.effective('Site4', 'system.web/httpRuntime').attributes.get('maxRequestLength')).toBeUndefined();
  });
});

describe('loadIisConfig with a broken machine.config', () => {
  it('reports it as a ScanIssue and still reads the root web.config and applicationHost.config', async () => {
    const broken = path.join(here, 'fixtures', 'sad', 'broken-machine-config');
    const { config, issues } = await loadIisConfig(broken);
    const machine = path.join(broken, 'Windows', 'Microsoft.NET', 'Framework64', 'v4.0.30319', 'Config', 'machine.config');
    expect(issues.map((issue) => [issue.code, issue.path])).toEqual([['config.malformed', machine]]);
    expect(config.frameworkLevels().map((level) => [level.machineConfig, level.rootWebConfig !== undefined])).toEqual([[undefined, true]]);
    expect(config.effective('Shop', 'system.web/httpRuntime').attributes.get('maxRequestLength')?.value).toBe('4096');
    expect(config.effective('Shop', 'system.web/compilation').attributes.get('debug')?.value).toBe('false');
  });
});
