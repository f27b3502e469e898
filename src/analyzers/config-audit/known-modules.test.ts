import { describe, expect, it } from 'vitest';
import { classifyNativeModule, isWritableFolder, lookAlikeOf, normalizeWindowsPath } from './known-modules.js';

describe('classifyNativeModule', () => {
  it.each([
    ['StaticFileModule', '%windir%\\System32\\inetsrv\\static.dll'],
    ['ManagedEngineV4.0_64bit', '%windir%\\Microsoft.NET\\Framework64\\v4.0.30319\\webengine4.dll'],
    ['RewriteModule', '%SystemRoot%\\system32\\inetsrv\\rewrite.dll'],
    ['ApplicationRequestRouting', '%ProgramFiles%\\IIS\\Application Request Routing\\requestRouter.dll'],
    ['AspNetCoreModuleV2', '%ProgramFiles%\\IIS\\Asp.Net Core Module\\V2\\aspnetcorev2.dll'],
    ['exppw', 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\Owa\\auth\\exppw.dll'],
    ['SPNativeRequestModule', 'C:\\Program Files\\Common Files\\Microsoft Shared\\Web Server Extensions\\16\\isapi\\spnativerequestmodule.dll'],
  ])('knows %s', (name, image) => {
    expect(classifyNativeModule(name, image).known).toBe(true);
  });

  it.each([
    ['CacheCompressModule', 'C:\\Windows\\Temp\\cachport.dll', 'critical'],
    ['IsapiCacheModule', '%windir%\\System32\\inetsrv\\isapicache_.dll', 'critical'],
    ['StaticFileModule', '%windir%\\System32\\inetsrv\\static2.dll', 'critical'],
    ['StaticFileModules', 'D:\\modules\\sfm.dll', 'critical'],
    ['Helper', 'C:\\Users\\Public\\helper.dll', 'critical'],
    ['Helper', '\\\\evil\\share\\helper.dll', 'critical'],
    ['VendorAgent', 'C:\\Program Files\\Vendor\\agent.dll', 'medium'],
    ['Helper', 'D:\\tools\\helper.dll', 'high'],
  ])('flags %s at %s', (name, image, severity) => {
    const verdict = classifyNativeModule(name, image);
    expect(verdict.known).toBe(false);
    if (!verdict.known) expect(verdict.severity).toBe(severity);
  });
});

describe('module helpers', () => {
  it('finds look-alike names but not the stock ones', () => {
    expect(lookAlikeOf('StaticFileModul')).toBe('StaticFileModule');
    expect(lookAlikeOf('IsapiFilterModule2')).toBe('IsapiFilterModule');
    expect(lookAlikeOf('StaticFileModule')).toBeUndefined();
    expect(lookAlikeOf('SessionStateHelper')).toBeUndefined();
  });

  it('expands variables and recognises writable folders', () => {
    expect(normalizeWindowsPath('%ProgramData%\\x.dll')).toBe('c:\\programdata\\x.dll');
    expect(isWritableFolder(normalizeWindowsPath('C:/Windows/Temp/a.dll'))).toBe(true);
    expect(isWritableFolder(normalizeWindowsPath('%windir%\\System32\\inetsrv\\a.dll'))).toBe(false);
  });
});
