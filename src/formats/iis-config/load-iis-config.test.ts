import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIisConfig } from './load-iis-config.js';
import type { IisConfig } from './iis-config.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const happy = path.join(here, 'fixtures', 'happy', 'two-sites');
const sad = path.join(here, 'fixtures', 'sad');
const devConfigs = path.resolve(here, '..', '..', '..', '..', 'shared', 'eval', 'dev', 'configs');

/** The 1-based line of the first line of `file` containing `needle`, so expectations follow the fixture. */
function lineOf(file: string, needle: string, after = 0): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const index = lines.findIndex((line, i) => i >= after && line.includes(needle));
  if (index === -1) throw new Error(`${needle} not in ${file}`);
  return index + 1;
}

function values(config: IisConfig, sitePath: string, sectionPath: string, attribute: string, child?: string): string[] {
  const section = config.effective(sitePath, sectionPath);
  const holder = child === undefined ? section : section.children.get(child);
  return (holder?.items ?? []).map((item) => item.attributes.get(attribute)?.value ?? '');
}

describe('loadIisConfig on a two-site host', () => {
  let config: IisConfig;
  let issues: Awaited<ReturnType<typeof loadIisConfig>>['issues'];
  const appHost = path.join(happy, 'Windows', 'System32', 'inetsrv', 'Config', 'applicationHost.config');
  const siteAConfig = path.join(happy, 'inetpub', 'wwwroot', 'site-a', 'web.config');

  beforeAll(async () => {
    ({ config, issues } = await loadIisConfig(happy));
  });

  it('finds applicationHost.config and web.config files case-insensitively', () => {
    expect(config.applicationHostFile).toBe(appHost);
    expect(config.webConfigs().map((entry) => entry.sitePath).sort()).toEqual(['Site A', 'Site A/app', 'Site B/secure']);
  });

  it('lists sites with bindings, applications, pools, physical paths and logging', () => {
    const [siteA, siteB] = config.sites();
    expect(siteA?.name).toBe('Site A');
    expect(siteA?.id).toBe('1');
    expect(siteA?.bindings.map((binding) => `${binding.protocol} ${binding.bindingInformation} ${binding.sslFlags ?? ''}`)).toEqual(['http *:80:a.contoso.example ', 'https *:443:a.contoso.example 1']);
    expect(siteA?.applications.map((application) => [application.path, application.applicationPool.value])).toEqual([
      ['/', 'SiteAPool'],
      ['/app', 'AppPool'],
    ]);
    expect(siteA?.applications[1]?.hostPath).toBe(path.join(happy, 'inetpub', 'wwwroot', 'site-a', 'app'));
    expect(siteA?.logDirectory).toEqual({ value: 'D:\\Logs', file: appHost, line: lineOf(appHost, 'D:\\Logs') });
    expect(siteA?.logFormat.value).toBe('IIS');
    expect(siteB?.logDirectory.value).toBe('%SystemDrive%\\inetpub\\logs\\LogFiles');
    expect(siteB?.applications[0]?.applicationPool).toEqual({ value: 'DefaultAppPool', file: appHost, line: lineOf(appHost, '<applicationDefaults') });
    const directories = siteB?.applications[0]?.virtualDirectories ?? [];
    expect(directories[0]?.hostPath).toBe(path.join(happy, 'inetpub', 'wwwroot', 'site-b'));
    expect(directories[1]?.physicalPath).toBe('D:\\data');
    expect(directories[1]?.hostPath).toBeUndefined();
  });

  it('applies applicationPoolDefaults and schema defaults to pools', () => {
    const pools = new Map(config.appPools().map((pool) => [pool.name, pool]));
    expect(pools.get('DefaultAppPool')?.identityType).toEqual({ value: 'ApplicationPoolIdentity', file: appHost, line: lineOf(appHost, 'identityType="ApplicationPoolIdentity"') });
    expect(pools.get('DefaultAppPool')?.managedRuntimeVersion.value).toBe('v4.0');
    expect(pools.get('DefaultAppPool')?.enable32BitAppOnWin64).toEqual({ value: 'false' });
    expect(pools.get('SiteAPool')?.managedRuntimeVersion.value).toBe('');
    expect(pools.get('SiteAPool')?.enable32BitAppOnWin64.value).toBe('true');
    const app = pools.get('AppPool');
    expect([app?.identityType.value, app?.userName?.value, app?.loadUserProfile.value, app?.managedPipelineMode.value]).toEqual(['SpecificUser', 'CONTOSO\\svc_app', 'false', 'Classic']);
  });

  it('lists global modules with their lines', () => {
    expect(config.globalModules().map((module) => [module.name, module.line])).toEqual([
      ['StaticFileModule', lineOf(appHost, 'name="StaticFileModule" image')],
      ['DefaultDocumentModule', lineOf(appHost, 'name="DefaultDocumentModule" image')],
    ]);
  });

  it('keeps the server value where nothing overrides it, with its file and line', () => {
    const browse = config.effective('Site B', 'system.webServer/directoryBrowse');
    expect(browse.attributes.get('enabled')).toEqual({ value: 'false', file: appHost, line: lineOf(appHost, '<directoryBrowse') });
    expect(browse.defined).toBe(true);
    expect(config.effective('Site B', 'system.webServer/caching').defined).toBe(false);
  });

  it('applies location blocks, a sub-folder web.config and a web.config location', () => {
    const secureConfig = path.join(happy, 'inetpub', 'wwwroot', 'site-b', 'secure', 'web.config');
    expect(config.effective('Site B/secure', 'system.webServer/security/authentication/anonymousAuthentication').attributes.get('enabled')?.value).toBe('false');
    expect(config.effective('site b/SECURE/', 'system.webServer/directoryBrowse').attributes.get('enabled')).toEqual({ value: 'true', file: secureConfig, line: 4 });
    expect(config.effective('Site A/uploads', 'system.webServer/directoryBrowse').attributes.get('enabled')).toEqual({
      value: 'true',
      file: siteAConfig,
      line: lineOf(siteAConfig, '<directoryBrowse'),
    });
    expect(config.effective('Site A', 'system.webServer/directoryBrowse').attributes.get('enabled')?.file).toBe(appHost);
  });

  it('resolves <remove> and <clear/> through the levels', () => {
    expect(values(config, '', 'system.webServer/defaultDocument', 'value', 'files')).toEqual(['Default.htm', 'index.html']);
    expect(values(config, 'Site A', 'system.webServer/defaultDocument', 'value', 'files')).toEqual(['index.html', 'home.aspx']);
    expect(values(config, 'Site A/app', 'system.webServer/defaultDocument', 'value', 'files')).toEqual(['app.aspx']);
    expect(values(config, 'Site A', 'system.webServer/httpProtocol', 'name', 'customHeaders')).toEqual(['X-Frame-Options']);
    expect(config.effective('Site A', 'system.webServer/httpProtocol').children.get('customHeaders')?.cleared).toEqual({ file: siteAConfig, line: lineOf(siteAConfig, '<clear />') });
    expect(values(config, 'Site B', 'system.webServer/httpProtocol', 'name', 'customHeaders')).toEqual(['X-Powered-By']);
  });

  it('stops inheritInChildApplications="false" at the child application, not at sub-folders', () => {
    expect(config.effective('Site A', 'system.webServer/httpErrors').attributes.get('errorMode')?.value).toBe('Detailed');
    expect(config.effective('Site A/uploads', 'system.webServer/httpErrors').attributes.get('errorMode')?.value).toBe('Detailed');
    expect(config.effective('Site A/app', 'system.webServer/httpErrors').attributes.get('errorMode')?.value).toBe('DetailedLocalOnly');
    expect(values(config, 'Site A/app', 'system.webServer/httpErrors', 'statusCode')).toEqual(['404']);
  });

  it('reports a web.config that overrides a locked section or removes a locked item, and keeps the lock', () => {
    const codes = issues.map((issue) => `${issue.code}@${issue.line ?? 0}`).sort();
    expect(codes).toEqual([`config.locked-item@${lineOf(siteAConfig, '<remove name="StaticFileModule"')}`, `config.locked-section@${lineOf(siteAConfig, '<httpRedirect')}`].sort());
    expect(issues.every((issue) => issue.path === siteAConfig)).toBe(true);
    const redirect = config.effective('Site A', 'system.webServer/httpRedirect');
    expect(redirect.attributes.get('enabled')?.value).toBe('false');
    expect(redirect.overrideMode).toBe('Deny');
    expect(values(config, 'Site A', 'system.webServer/modules', 'name')).toEqual(['StaticFileModule', 'DefaultDocumentModule', 'ShellModule']);
    expect(config.effective('Site A', 'system.webServer/modules').items[0]?.lockItem).toBe(true);
  });

  it('reports encrypted sections as encrypted instead of reading them', () => {
    const connections = config.effective('Site A', 'connectionStrings');
    expect(connections.encrypted).toEqual({ provider: 'RsaProtectedConfigurationProvider', file: siteAConfig, line: 3 });
    expect(connections.items).toEqual([]);
    expect(connections.attributes.size).toBe(0);
  });
});

describe('loadIisConfig on hostile or broken hosts', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await mkdtemp(path.join(os.tmpdir(), 'w3guard-iis-config-'));
  });
  afterAll(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  it('refuses a DOCTYPE with entities as config.doctype and never expands them', async () => {
    const { config, issues } = await loadIisConfig(path.join(sad, 'doctype-host'));
    expect(issues.map((issue) => [issue.code, issue.line])).toEqual([['config.doctype', 2]]);
    expect(config.sites()).toEqual([]);
  });

  it('turns a truncated web.config into config.malformed and keeps the rest', async () => {
    const root = path.join(sad, 'broken-web-config');
    const { config, issues } = await loadIisConfig(root);
    expect(issues.map((issue) => issue.code)).toEqual(['config.malformed']);
    expect(issues[0]?.path).toBe(path.join(root, 'inetpub', 'wwwroot', 'shop', 'web.config'));
    expect(config.sites().map((site) => site.name)).toEqual(['Shop']);
    expect(config.effective('Shop', 'system.webServer/directoryBrowse').attributes.get('enabled')?.value).toBe('false');
  });

  it('reports a missing applicationHost.config', async () => {
    const { config, issues } = await loadIisConfig(temp);
    expect(issues.map((issue) => issue.code)).toEqual(['config.not-found']);
    expect(config.globalModules()).toEqual([]);
  });

  it('refuses a 20 MB file as config.too-large and deep nesting without crashing', async () => {
    const big = path.join(temp, 'big');
    const configFolder = path.join(big, 'Windows', 'System32', 'inetsrv', 'config');
    await mkdir(configFolder, { recursive: true });
    const filler = `<add name="x" value="${'y'.repeat(200)}" />\n`;
    await writeFile(path.join(configFolder, 'applicationHost.config'), `<configuration><appSettings>\n${filler.repeat(Math.ceil((20 * 1024 * 1024) / filler.length))}</appSettings></configuration>`);
    const started = Date.now();
    expect((await loadIisConfig(big)).issues.map((issue) => issue.code)).toEqual(['config.too-large']);
    expect(Date.now() - started).toBeLessThan(5000);

    const deep = path.join(temp, 'deep');
    const deepFolder = path.join(deep, 'Windows', 'System32', 'inetsrv', 'config');
    await mkdir(deepFolder, { recursive: true });
    await writeFile(path.join(deepFolder, 'applicationHost.config'), `<configuration>${'<a>'.repeat(100_000)}`);
    expect((await loadIisConfig(deep)).issues.map((issue) => issue.code)).toEqual(['config.too-large']);
  });

  it('does not follow a symbolic link out of the host root', async () => {
    const outside = path.join(temp, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(path.join(outside, 'web.config'), '<configuration><system.webServer><directoryBrowse enabled="true" /></system.webServer></configuration>');
    const host = path.join(temp, 'linked');
    await cp(path.join(sad, 'broken-web-config'), host, { recursive: true });
    const shop = path.join(host, 'inetpub', 'wwwroot', 'shop');
    await rm(path.join(shop, 'web.config'));
    await symlink(outside, path.join(shop, 'escape'));
    const { config, issues } = await loadIisConfig(host);
    expect(issues).toEqual([]);
    expect(config.webConfigs()).toEqual([]);
    await rm(shop, { recursive: true });
    await symlink(outside, shop);
    const relinked = await loadIisConfig(host);
    expect(relinked.config.sites()[0]?.applications[0]?.hostPath).toBeUndefined();
    expect(relinked.config.webConfigs()).toEqual([]);
  });
});

describe('loadIisConfig on the realistic dev hosts', () => {
  const hosts = existsSync(devConfigs) ? readdirSync(devConfigs).filter((name) => !name.includes('.')) : [];
  if (hosts.length === 0) {
    it.skip(`needs ${devConfigs} (absent here)`, () => undefined);
    return;
  }
  const appHostOf = (host: string): string => path.join(devConfigs, host, 'Windows', 'System32', 'inetsrv', 'config', 'applicationHost.config');

  it.each(hosts)('%s loads without issues and lists sites, applications, pools and modules', async (host) => {
    const { config, issues } = await loadIisConfig(path.join(devConfigs, host));
    expect(issues).toEqual([]);
    expect(config.sites().length).toBeGreaterThan(0);
    expect(config.appPools().length).toBeGreaterThan(2);
    expect(config.globalModules().length).toBeGreaterThan(30);
    for (const site of config.sites()) {
      expect(site.applications.length).toBeGreaterThan(0);
      for (const application of site.applications) {
        expect(config.appPools().some((pool) => pool.name === application.applicationPool.value)).toBe(true);
      }
    }
  });

  it('FAB-WEB01: corp web.config edits custom headers, locations set authentication, the rogue module is listed', async (context) => {
    if (!hosts.includes('FAB-WEB01')) return context.skip();
    const root = path.join(devConfigs, 'FAB-WEB01');
    const { config } = await loadIisConfig(root);
    const corp = path.join(root, 'inetpub', 'wwwroot', 'corp', 'web.config');
    expect(values(config, 'Fabrikam Corp', 'system.webServer/httpProtocol', 'name', 'customHeaders')).toEqual(['X-Content-Type-Options', 'X-Frame-Options']);
    expect(values(config, 'Fabrikam Corp/partners', 'system.webServer/httpProtocol', 'name', 'customHeaders')).toEqual(['X-Content-Type-Options', 'X-Frame-Options']);
    expect(values(config, 'Default Web Site', 'system.webServer/httpProtocol', 'name', 'customHeaders')).toEqual(['X-Powered-By']);
    expect(config.effective('Fabrikam Corp', 'system.web/compilation').attributes.get('debug')).toEqual({ value: 'true', file: corp, line: lineOf(corp, '<compilation') });
    expect(config.effective('Fabrikam Corp/partners', 'system.web/compilation').attributes.get('debug')?.value).toBe('false');
    const anonymous = config.effective('Fabrikam Corp/Admin', 'system.webServer/security/authentication/anonymousAuthentication');
    expect(anonymous.attributes.get('enabled')).toEqual({ value: 'false', file: appHostOf('FAB-WEB01'), line: lineOf(appHostOf('FAB-WEB01'), '<anonymousAuthentication enabled="false"') });
    expect(config.effective('Fabrikam Corp', 'system.webServer/security/authentication/anonymousAuthentication').attributes.get('enabled')?.value).toBe('true');
    const admin = config.effective('Fabrikam Corp/Admin', 'system.web/authorization').items.map((item) => `${item.tag} ${item.attributes.get('roles')?.value ?? item.attributes.get('users')?.value ?? ''}`);
    expect(admin).toEqual(['allow FABRIKAM\\WebAdmins', 'deny *']);
    expect(config.effective('Fabrikam Corp', 'system.web/authorization').items).toEqual([]);
    const rogue = config.globalModules().find((module) => module.name === 'CacheCompressModule');
    expect(rogue).toMatchObject({ image: 'C:\\Windows\\Temp\\cachport.dll', line: lineOf(appHostOf('FAB-WEB01'), 'cachport.dll') });
    expect(config.appPools().find((pool) => pool.name === 'ReportsPool')?.identityType.value).toBe('LocalSystem');
    const handlers = values(config, 'Fabrikam Corp', 'system.webServer/handlers', 'name');
    expect(handlers).toContain('Telerik_Web_UI_WebResource_axd');
    expect(handlers).toContain('StaticFile');
    expect(values(config, 'Fabrikam Corp', 'system.webServer/modules', 'name')).toContain('RadUploadModule');
  });

  it('FAB-WEB02: community web.config clears default documents and a location enables browsing', async (context) => {
    if (!hosts.includes('FAB-WEB02')) return context.skip();
    const root = path.join(devConfigs, 'FAB-WEB02');
    const { config } = await loadIisConfig(root);
    const community = path.join(root, 'inetpub', 'wwwroot', 'community', 'web.config');
    expect(values(config, 'Fabrikam Community', 'system.webServer/defaultDocument', 'value', 'files')).toEqual(['default.asp', 'index.asp']);
    expect(config.effective('Fabrikam Community/board/data', 'system.webServer/directoryBrowse').attributes.get('enabled')).toEqual({
      value: 'true',
      file: community,
      line: lineOf(community, '<directoryBrowse'),
    });
    expect(config.effective('Fabrikam Community', 'system.webServer/directoryBrowse').attributes.get('enabled')?.value).toBe('false');
    const extensions = config.effective('Fabrikam Community', 'system.webServer/security/requestFiltering').children.get('fileExtensions');
    const dotConfig = extensions?.items.find((item) => item.key === '.config');
    expect(dotConfig?.attributes.get('allowed')).toEqual({ value: 'true', file: community, line: lineOf(community, '<add fileExtension=".config"') });
    const errors = config.effective('Fabrikam Community', 'system.webServer/httpErrors');
    expect(errors.items.find((item) => item.attributes.get('statusCode')?.value === '404')?.attributes.get('path')?.value).toBe('/error/404.asp');
    expect(config.effective('Fabrikam Community/board/data', 'system.webServer/webdav/authoring').attributes.get('enabled')?.value).toBe('true');
    expect(config.effective('Fabrikam Community Archive', 'system.webServer/httpLogging').attributes.get('dontLog')?.value).toBe('true');
    expect(config.effective('Fabrikam Community', 'system.webServer/httpLogging').attributes.get('dontLog')?.value).toBe('false');
  });

  it('FAB-APP01: the API web.config location "." (inheritInChildApplications false) applies to the site itself', async (context) => {
    if (!hosts.includes('FAB-APP01')) return context.skip();
    const { config } = await loadIisConfig(path.join(devConfigs, 'FAB-APP01'));
    expect(values(config, 'FabrikamApi', 'system.webServer/handlers', 'name')).toContain('aspNetCore');
    expect(config.effective('FabrikamApi', 'system.webServer/aspNetCore').attributes.get('processPath')?.value).toBe('.\\Fabrikam.Api.exe');
    expect(config.appPools().find((pool) => pool.name === 'FabrikamApiPool')?.managedRuntimeVersion.value).toBe('');
  });

  it('FAB-EXCH01: OWA gets its location module and web.config modules', async (context) => {
    if (!hosts.includes('FAB-EXCH01')) return context.skip();
    const { config } = await loadIisConfig(path.join(devConfigs, 'FAB-EXCH01'));
    const owaModules = values(config, 'Default Web Site/owa', 'system.webServer/modules', 'name');
    expect(owaModules).toEqual(expect.arrayContaining(['IsapiCacheModule', 'ProxyModule', 'FbaModule']));
    expect(values(config, 'Default Web Site/ecp', 'system.webServer/modules', 'name')).not.toContain('IsapiCacheModule');
    expect(config.sites().find((site) => site.name === 'Default Web Site')?.applications.map((application) => application.path)).toContain('/ZING');
    expect(config.appPools().filter((pool) => pool.identityType.value === 'LocalSystem').length).toBeGreaterThan(5);
  });

  it('FAB-SP01: pools run as domain accounts and the SharePoint web.config is read', async (context) => {
    if (!hosts.includes('FAB-SP01')) return context.skip();
    const { config } = await loadIisConfig(path.join(devConfigs, 'FAB-SP01'));
    expect(config.appPools().find((pool) => pool.name === 'SharePoint - 80')?.userName?.value).toBe('FABRIKAM\\svc_spapp');
    expect(config.webConfigs().map((entry) => entry.sitePath)).toEqual(['SharePoint - intranet.fabrikam.example80']);
    expect(config.sites().map((site) => site.id)).toEqual(['1612498311', '1795183022', '1720207907']);
  });
});
