import { describe, expect, it } from 'vitest';
import { PackageFileError, parseCycloneDx, parseDepsJson, parsePackagesConfig, parsePackagesLock } from './parse-package-files.js';

describe('package lists', () => {
  it('reads packages of a deps.json, skipping the project itself', () => {
    const text = '\uFEFF{"runtimeTarget":{"name":".NETCoreApp,Version=v6.0"},"libraries":{"Portal/1.0.0":{"type":"project"},"Telerik.UI.for.AspNet.Ajax/2019.3.1023":{"type":"package"},"Newtonsoft.Json/13.0.1":{"type":"package"}}}';
    expect(parseDepsJson(text, 'Portal.deps.json').map((c) => `${c.packageName}@${c.version}`)).toEqual(['Telerik.UI.for.AspNet.Ajax@2019.3.1023', 'Newtonsoft.Json@13.0.1']);
  });

  it('reads packages.config', () => {
    const text = '<?xml version="1.0" encoding="utf-8"?>\n<packages>\n  <package id="Telerik.UI.for.AspNet.Ajax" version="2017.2.621" targetFramework="net45" />\n</packages>';
    expect(parsePackagesConfig(text, 'packages.config')).toEqual([{ name: 'Telerik.UI.for.AspNet.Ajax', version: '2017.2.621', source: 'packages-config', location: 'packages.config', ecosystem: 'nuget', packageName: 'Telerik.UI.for.AspNet.Ajax', purl: 'pkg:nuget/Telerik.UI.for.AspNet.Ajax@2017.2.621' }]);
  });

  it('reads packages.lock.json once per package across frameworks', () => {
    const text = JSON.stringify({ version: 1, dependencies: { 'net6.0': { 'Serilog': { type: 'Direct', resolved: '2.10.0' }, App: { type: 'Project' } }, 'net8.0': { 'Serilog': { type: 'Direct', resolved: '2.10.0' } } } });
    expect(parsePackagesLock(text, 'packages.lock.json').map((c) => `${c.name}@${c.version}`)).toEqual(['Serilog@2.10.0']);
  });

  it('reads CycloneDX components, nested ones too, with ecosystems from package URLs', () => {
    const text = JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      components: [
        { type: 'library', group: 'org.apache.logging.log4j', name: 'log4j-core', version: '2.14.1', purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', components: [{ type: 'library', name: 'Telerik.Web.UI', version: '2019.3.1023', purl: 'pkg:nuget/Telerik.Web.UI@2019.3.1023' }] },
        { type: 'application', name: 'thing' },
      ],
    });
    expect(parseCycloneDx(text, 'bom.json').map((c) => [c.ecosystem, c.packageName, c.version])).toEqual([
      ['maven', 'org.apache.logging.log4j:log4j-core', '2.14.1'],
      ['nuget', 'Telerik.Web.UI', '2019.3.1023'],
      [undefined, undefined, undefined],
    ]);
  });

  it('refuses files that are not what their name says', () => {
    expect(() => parseDepsJson('{"x":1}', 'a')).toThrow(PackageFileError);
    expect(() => parsePackagesConfig('<configuration/>', 'a')).toThrow(/not <packages>/);
    expect(() => parsePackagesConfig('<!DOCTYPE x [<!ENTITY a "b">]><packages/>', 'a')).toThrow(PackageFileError);
    expect(() => parsePackagesLock('[]', 'a')).toThrow(PackageFileError);
    expect(() => parseCycloneDx('{"bomFormat":"SPDX"}', 'a')).toThrow(/CycloneDX/);
  });
});
