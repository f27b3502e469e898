import { describe, expect, it } from 'vitest';
import { judgeAfterDeployment, judgePairs, judgePlacement, peKind, PLACEMENT_RULES, zoneOf, type PlacedFile } from './placement-rules.js';

/** A PE header: MZ, e_lfanew 0x40, "PE\0\0", characteristics with or without the DLL bit. */
function pe(kind: 'exe' | 'dll'): Uint8Array {
  const b = new Uint8Array(256);
  b.set([0x4d, 0x5a]);
  b[0x3c] = 0x40;
  b.set([0x50, 0x45, 0, 0], 0x40);
  b[0x40 + 22] = 0x02;
  b[0x40 + 23] = kind === 'dll' ? 0x20 : 0x01;
  return b;
}
const TEXT = new TextEncoder();
const T0 = Date.UTC(2024, 2, 11, 3, 0, 0);

function file(relative: string, head: Uint8Array = TEXT.encode('<%@ Page Language="C#" %>'), extra: Partial<PlacedFile> = {}): PlacedFile {
  const root = extra.path?.slice(0, -relative.length - 1) ?? 'site';
  return { path: `${root}/${relative}`, relative, size: head.length, mtimeMs: T0, birthtimeMs: T0, siblings: [relative.split('/').pop() ?? ''], head, ...extra };
}
const ids = (f: PlacedFile): string[] => judgePlacement(f).map((h) => h.rule.id);

/** Each rule: files it must fire on, and look-alikes it must not. */
const SAMPLES: Record<string, { match: PlacedFile[]; clean: PlacedFile[] }> = {
  [PLACEMENT_RULES.binaryInUpload.id]: {
    match: [file('Content/uploads/2024/03/update.exe', pe('exe')), file('board/data/file/update/mod_app.dll', pe('dll')), file('images/x.scr', TEXT.encode('no header'))],
    clean: [file('bin/Fabrikam.Web.dll', pe('dll')), file('bin/roslyn/csc.exe', pe('exe')), file('runtimes/win-x64/native/sni.dll', pe('dll')), file('downloads/Setup.exe', pe('exe'))],
  },
  [PLACEMENT_RULES.binaryInContent.id]: {
    match: [file('downloads/Setup.exe', pe('exe'))],
    clean: [file('Api.exe', pe('exe'), { siblings: ['Api.exe', 'Api.deps.json', 'Api.runtimeconfig.json', 'web.config'] }), file('bin/x64/msvcr100.dll', pe('dll'))],
  },
  [PLACEMENT_RULES.scriptInStatic.id]: {
    match: [file('aspnet_client/discover.aspx'), file('App_Themes/Default/error.aspx'), file('uploads/img/thumb.ashx'), file('images/banner/bg.asp'), file('logs/x.php'), file('UploadFiles/2024/x.aspx')],
    clean: [file('Admin/ExportReport.aspx'), file('Documents/Upload.aspx'), file('aspnet_client/system_web/4_0_30319/crv.js', TEXT.encode('var a=1;')), file('images/logo.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47]))],
  },
  [PLACEMENT_RULES.dllInTemp.id]: {
    match: [file('Windows/Temp/mscoree_helper.dll', pe('dll'), { path: 'host/Windows/Temp/mscoree_helper.dll' })],
    clean: [file('Windows/Temp/tmp2C29.tmp', new Uint8Array([0x19, 0xd2, 0xf1, 0x31]), { path: 'host/Windows/Temp/tmp2C29.tmp' }), file('Windows/Temp/1680000000.dll', pe('dll'), { path: 'host/Windows/Temp/1680000000.dll' })],
  },
  [PLACEMENT_RULES.epochDllInTemp.id]: {
    match: [file('Windows/Temp/1680000000.dll', pe('dll'), { path: 'host/Windows/Temp/1680000000.dll' }), file('inetpub/temp/1678912345123.dll', pe('dll'), { path: 'host/inetpub/temp/1678912345123.dll' })],
    clean: [file('Windows/Temp/ASPNETSetup_00001.log', TEXT.encode('Setup'), { path: 'host/Windows/Temp/ASPNETSetup_00001.log' }), file('bin/1680000000.dll', pe('dll'))],
  },
  [PLACEMENT_RULES.doubleExtension.id]: {
    match: [file('files/invoice.pdf.exe', TEXT.encode('x')), file('uploads/photo.jpg.aspx'), file('shell.asp;.jpg', TEXT.encode('x'))],
    clean: [file('bin/Newtonsoft.Json.dll', pe('dll')), file('Scripts/jquery.min.js', TEXT.encode('x')), file('Site.Mobile.Master')],
  },
  [PLACEMENT_RULES.contentMismatch.id]: {
    match: [file('images/logo.png', pe('exe')), file('images/banner/bg.asp', TEXT.encode('GIF89a<%Execute(x)%>'))],
    clean: [file('images/logo.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47])), file('Default.aspx')],
  },
  [PLACEMENT_RULES.archiveInContent.id]: {
    match: [file('backup/site.zip', new Uint8Array([0x50, 0x4b, 3, 4]))],
    clean: [file('downloads/catalog.pdf', TEXT.encode('%PDF-1.7'))],
  },
  [PLACEMENT_RULES.layoutScript.id]: {
    match: [file('Site.Master', TEXT.encode('x'), { scriptHosts: ['js.cdn-metrics-hub.example', 'www.googletagmanager.com'] })],
    clean: [file('Site.Master', TEXT.encode('x'), { scriptHosts: ['www.googletagmanager.com', 'ajax.aspnetcdn.com'] }), file('Site.Master')],
  },
};

describe('placement rules', () => {
  it.each(Object.entries(SAMPLES))('%s fires on its samples and not on the look-alikes', (id, { match, clean }) => {
    for (const f of match) expect(ids(f), f.path).toContain(id);
    for (const f of clean) expect(ids(f), f.path).not.toContain(id);
  });

  it('reads the PE header for EXE or DLL, and finds the zone from folder names', () => {
    expect(peKind(pe('exe'))).toBe('exe');
    expect(peKind(pe('dll'))).toBe('dll');
    expect(peKind(TEXT.encode('MZ'))).toBe('mz');
    expect(peKind(TEXT.encode('hello'))).toBeUndefined();
    expect(zoneOf('/mnt/web01/Windows/Temp/a.dll')).toBe('temp');
    expect(zoneOf('C:\\ProgramData\\Vendor\\a.exe')).toBe('programdata');
    expect(zoneOf('/srv/www/temp/a.dll')).toBe('content');
  });

  it('an EXE and a DLL written within minutes in ProgramData are a drop; one alone or hours apart is not', () => {
    const at = (name: string, head: Uint8Array, mtimeMs: number): PlacedFile => file(`ProgramData/Intel/${name}`, head, { path: `host/ProgramData/Intel/${name}`, mtimeMs, siblings: ['igfx.exe', 'igfx.dll', 'config.dat'] });
    const pair = judgePairs([at('igfx.exe', pe('exe'), T0), at('igfx.dll', pe('dll'), T0 + 40_000)]);
    expect(pair.map((p) => p.hit.rule.id)).toEqual([PLACEMENT_RULES.droppedPair.id, PLACEMENT_RULES.droppedPair.id]);
    expect(pair[0]?.hit.text).toMatch(/within 40 s of igfx\.dll, beside config\.dat/);
    expect(judgePairs([at('igfx.exe', pe('exe'), T0)])).toEqual([]);
    expect(judgePairs([at('igfx.exe', pe('exe'), T0), at('igfx.dll', pe('dll'), T0 + 5 * 3_600_000)])).toEqual([]);
  });

  it('files modified after the bin/ deployment are reported; a burst of creations raises them to medium', () => {
    const deployed = T0;
    const late = (name: string, minutes: number): PlacedFile => file(name, undefined, { mtimeMs: deployed + 86_400_000 + minutes * 60_000, birthtimeMs: deployed + 86_400_000 + minutes * 60_000 });
    const same = file('Default.aspx', undefined, { mtimeMs: deployed - 1000 });
    const single = judgeAfterDeployment([same, late('a.aspx', 0)], deployed);
    expect(single.map((h) => [h.file.relative, h.hit.rule.id])).toEqual([['a.aspx', PLACEMENT_RULES.modifiedAfterDeployment.id]]);
    const burst = judgeAfterDeployment([late('a.aspx', 0), late('b.aspx', 2), late('c.dll', 4), late('d.aspx', 600)], deployed);
    expect(burst.map((h) => h.hit.rule.severity)).toEqual(['medium', 'medium', 'medium', 'low']);
  });
});
