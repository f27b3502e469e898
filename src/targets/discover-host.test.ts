import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverHost } from './discover-host.js';
import { InputError } from './input-error.js';

const CONFIG = `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <applicationPools>
      <add name="ShopPool" />
      <add name="ApiPool" />
    </applicationPools>
    <sites>
      <site name="Shop" id="3">
        <application path="/" applicationPool="ShopPool">
          <virtualDirectory path="/" physicalPath="C:\\Sites\\Shop" />
          <virtualDirectory path="/media" physicalPath="\\\\files01\\media" />
        </application>
        <application path="/api/v2" applicationPool="ApiPool">
          <virtualDirectory path="/" physicalPath="%SystemDrive%\\Sites\\Api" />
        </application>
        <logFile directory="C:\\Logs\\IIS" />
      </site>
      <site name="Old" id="4">
        <application path="/">
          <virtualDirectory path="/" physicalPath="E:\\old" />
        </application>
      </site>
      <siteDefaults>
        <logFile logFormat="W3C" directory="%SystemDrive%\\inetpub\\logs\\LogFiles" />
      </siteDefaults>
    </sites>
  </system.applicationHost>
</configuration>
`;

let root: string;
beforeEach(() => {
  root = join(mkdtempSync(join(tmpdir(), 'discover-host-')), 'WEB07');
  mkdirSync(root);
});
afterEach(() => rmSync(join(root, '..'), { recursive: true, force: true }));

function put(relative: string, text = ''): string {
  const file = join(root, relative);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe('discoverHost', () => {
  it('builds the asset tree from applicationHost.config, matching paths whatever their case', async () => {
    put('Windows/system32/INETSRV/config/applicationHost.config', CONFIG);
    put('sites/shop/default.aspx');
    put('sites/Api/x.aspx');
    put('logs/iis/W3SVC3/u_ex240311.log');
    put('Windows/system32/LogFiles/HTTPERR/httperr1.log');
    put('Windows/system32/winevt/Logs/Security.evtx');
    const host = await discoverHost(root);
    const tree = host.assets;
    expect(host.config, JSON.stringify(host.issues)).toBeDefined();
    expect(tree.host.id).toBe('WEB07');
    expect(tree.assets.map((a) => [a.id, a.kind, a.parent ?? ''])).toEqual([
      ['WEB07', 'host', ''],
      ['WEB07/W3SVC3', 'site', 'WEB07'],
      ['WEB07/W3SVC3/api/v2', 'application', 'WEB07/W3SVC3'],
      ['WEB07/W3SVC4', 'site', 'WEB07'],
      ['WEB07/apppool/ShopPool', 'app-pool', 'WEB07'],
      ['WEB07/apppool/ApiPool', 'app-pool', 'WEB07'],
      ['WEB07/HTTP.sys', 'http-sys', 'WEB07'],
    ]);
    expect(tree.byPath(join(root, 'sites', 'shop', 'default.aspx')).id).toBe('WEB07/W3SVC3');
    expect(tree.byPath(join(root, 'sites', 'Api', 'x.aspx')).id).toBe('WEB07/W3SVC3/api/v2');
    expect(tree.byPath(join(root, 'Windows', 'Temp', 'x.exe')).id).toBe('WEB07');
    expect(tree.applicationOf(tree.siteById('3') ?? tree.host, '/API/v2/orders').id).toBe('WEB07/W3SVC3/api/v2');
    expect(tree.applicationOf(tree.siteById('3') ?? tree.host, '/api').id).toBe('WEB07/W3SVC3');
    expect(host.logFolders.map((f) => [f.path, f.siteId ?? '', f.format])).toEqual([
      [join(root, 'logs', 'iis', 'W3SVC3'), '3', 'W3C'],
      [join(root, 'Windows', 'system32', 'LogFiles', 'HTTPERR'), '', 'httperr'],
    ]);
    expect(host.eventLogFolder).toBe(join(root, 'Windows', 'system32', 'winevt', 'Logs'));
    const codes = host.issues.map((i) => `${i.code} ${i.message}`);
    expect(codes.some((c) => c.startsWith('host.path-missing Shop/media') && c.includes('network share'))).toBe(true);
    expect(codes.some((c) => c.startsWith('host.path-missing Old') && c.includes('drive E:'))).toBe(true);
    expect(codes.some((c) => c.startsWith('host.path-missing Old logs to %SystemDrive%'))).toBe(true);
  });

  it('maps another drive when told where it is', async () => {
    put('Windows/System32/inetsrv/config/applicationHost.config', CONFIG);
    const drive = join(root, '..', 'e-drive');
    mkdirSync(join(drive, 'OLD'), { recursive: true });
    const host = await discoverHost(root, { drives: { E: drive }, hostName: 'web07-prod' });
    expect(host.assets.byPath(join(drive, 'OLD', 'a.aspx')).id).toBe('web07-prod/W3SVC4');
    expect(host.issues.some((i) => i.message.includes('drive E:'))).toBe(false);
  });

  it('takes the usual places on a root without IIS configuration', async () => {
    put('inetpub/logs/LogFiles/W3SVC1/u_ex240311.log');
    put('inetpub/wwwroot/index.html');
    const host = await discoverHost(root);
    expect(host.config).toBeUndefined();
    expect(host.assets.assets.map((a) => a.id)).toEqual(['WEB07', 'WEB07/HTTP.sys']);
    expect(host.logFolders.map((f) => f.path)).toEqual([join(root, 'inetpub', 'logs', 'LogFiles')]);
    expect(host.issues).toEqual([]);
  });

  it('names a site whose id is not a number by a tamed name, and reads no log folder for it', async () => {
    put('Windows/System32/inetsrv/config/applicationHost.config', CONFIG.replace('id="4"', 'id="../../../etc"').replace('name="Old"', 'name="Old/../x y"'));
    put('inetpub/logs/LogFiles/W3SVC4/u_ex240311.log');
    const host = await discoverHost(root);
    expect(host.assets.assets.filter((a) => a.kind === 'site').map((a) => a.id)).toEqual(['WEB07/W3SVC3', 'WEB07/site-Old_.._x_y']);
    expect(host.logFolders.some((f) => f.path.includes('etc'))).toBe(false);
  });

  it('refuses a root that is not a folder', async () => {
    await expect(discoverHost(join(root, 'nothing'))).rejects.toBeInstanceOf(InputError);
    await expect(discoverHost(put('file.txt'))).rejects.toBeInstanceOf(InputError);
  });
});
