import { expandWindowsPath } from '../../formats/iis-config/resolve-host-path.js';

/** The native modules IIS 10 ships, by name, with their image in `%windir%\System32\inetsrv`. */
export const STOCK_NATIVE_MODULES: ReadonlyMap<string, string> = new Map([
  ['UriCacheModule', 'cachuri.dll'],
  ['FileCacheModule', 'cachfile.dll'],
  ['TokenCacheModule', 'cachtokn.dll'],
  ['HttpCacheModule', 'cachhttp.dll'],
  ['DynamicCompressionModule', 'compdyn.dll'],
  ['StaticCompressionModule', 'compstat.dll'],
  ['DefaultDocumentModule', 'defdoc.dll'],
  ['DirectoryListingModule', 'dirlist.dll'],
  ['ProtocolSupportModule', 'protsup.dll'],
  ['HttpRedirectionModule', 'redirect.dll'],
  ['ServerSideIncludeModule', 'iis_ssi.dll'],
  ['StaticFileModule', 'static.dll'],
  ['AnonymousAuthenticationModule', 'authanon.dll'],
  ['CertificateMappingAuthenticationModule', 'authcert.dll'],
  ['UrlAuthorizationModule', 'urlauthz.dll'],
  ['BasicAuthenticationModule', 'authbas.dll'],
  ['WindowsAuthenticationModule', 'authsspi.dll'],
  ['DigestAuthenticationModule', 'authmd5.dll'],
  ['IISCertificateMappingAuthenticationModule', 'authmap.dll'],
  ['IpRestrictionModule', 'iprestr.dll'],
  ['DynamicIpRestrictionModule', 'diprestr.dll'],
  ['RequestFilteringModule', 'modrqflt.dll'],
  ['CustomLoggingModule', 'logcust.dll'],
  ['CustomErrorModule', 'custerr.dll'],
  ['HttpLoggingModule', 'loghttp.dll'],
  ['TracingModule', 'iisetw.dll'],
  ['FailedRequestsTracingModule', 'iisfreb.dll'],
  ['RequestMonitorModule', 'iisreqs.dll'],
  ['IsapiModule', 'isapi.dll'],
  ['IsapiFilterModule', 'filter.dll'],
  ['CgiModule', 'cgi.dll'],
  ['FastCgiModule', 'iisfcgi.dll'],
  ['ConfigurationValidationModule', 'validcfg.dll'],
  ['ApplicationInitializationModule', 'warmup.dll'],
  ['WebSocketModule', 'iiswsock.dll'],
  ['WebDAVModule', 'webdav.dll'],
  ['CentralizedCertificateStoreModule', 'iiscentralcertprovider.dll'],
]);

/** Microsoft add-ons that install their module image into `inetsrv`, by name. */
export const INETSRV_ADDON_MODULES: ReadonlyMap<string, string> = new Map([
  ['RewriteModule', 'rewrite.dll'],
  ['AspNetCoreModule', 'aspnetcore.dll'],
  ['httpPlatformHandler', 'httpplatformhandler.dll'],
  ['AdvancedLoggingModule', 'advlog.dll'],
  ['CorsModule', 'iiscors.dll'],
  ['BitrateModule', 'bitrate.dll'],
  ['WebDeployAgentModule', 'msdeploy.dll'],
]);

/** Folders where Microsoft products (IIS add-ons, Exchange, SharePoint, .NET) keep native modules and ISAPI DLLs. */
const MICROSOFT_PRODUCT_FOLDERS: readonly RegExp[] = [
  /^c:\\program files( \(x86\))?\\iis\\/,
  /^c:\\program files( \(x86\))?\\iis express\\/,
  /^c:\\program files\\microsoft\\exchange server\\/,
  /^c:\\program files( \(x86\))?\\common files\\microsoft shared\\web server extensions\\/,
  /^c:\\program files\\microsoft office servers\\/,
  /^c:\\program files\\microsoft\\web platform installer\\/,
];

const DOTNET_FOLDER = /^c:\\windows\\microsoft\.net\\framework(64)?\\v[\d.]+\\/;
const INETSRV_FOLDER = /^c:\\windows\\(system32|syswow64|sysnative)\\inetsrv\\/;

/**
 * Folders any local user, service or web application can usually write to, or that have no business holding
 * server code: a module, filter or site loaded from here is how native IIS backdoors are planted.
 */
const WRITABLE_FOLDERS: readonly RegExp[] = [
  /^c:\\windows\\temp\\/,
  /^c:\\windows\\tasks\\/,
  /^c:\\windows\\tracing\\/,
  /^c:\\windows\\debug\\/,
  /^c:\\windows\\(system32|syswow64)\\tasks\\/,
  /^c:\\windows\\(system32|syswow64)\\spool\\/,
  /^c:\\windows\\(system32|syswow64)\\microsoft\\crypto\\/,
  /^c:\\windows\\registration\\/,
  /^c:\\windows\\fonts\\/,
  /^c:\\programdata\\/,
  /^c:\\users\\/,
  /^c:\\documents and settings\\/,
  /^c:\\perflogs\\/,
  /^c:\\\$recycle\.bin\\/,
  /^c:\\recycler\\/,
  /^c:\\temp\\/,
  /^c:\\tmp\\/,
  /^c:\\inetpub\\temp\\/,
  /\\appdata\\/,
  /^\\\\/,
];

/** A Windows path from configuration, environment variables expanded, lower-cased, with `\` separators. */
export function normalizeWindowsPath(windowsPath: string): string {
  return expandWindowsPath(windowsPath.trim().replace(/^"|"$/g, ''))
    .replace(/\//g, '\\')
    .replace(/\\{2,}/g, (match, offset: number) => (offset === 0 ? '\\\\' : '\\'))
    .toLowerCase();
}

/** Whether the path is in a user-writable or temporary folder (see `WRITABLE_FOLDERS`). */
export function isWritableFolder(normalized: string): boolean {
  return WRITABLE_FOLDERS.some((pattern) => pattern.test(normalized));
}

/** Whether the path is under a folder where Microsoft products keep their IIS components. */
export function isMicrosoftProductFolder(normalized: string): boolean {
  return MICROSOFT_PRODUCT_FOLDERS.some((pattern) => pattern.test(normalized));
}

/** Whether the path is inside a .NET Framework version folder. */
export function isDotNetFolder(normalized: string): boolean {
  return DOTNET_FOLDER.test(normalized);
}

/** Whether the path is inside `System32\inetsrv` (or its WOW64 twin). */
export function isInetsrvFolder(normalized: string): boolean {
  return INETSRV_FOLDER.test(normalized);
}

/** Whether the path is elsewhere in the Windows folder (System32, SysWOW64, the Windows root). */
export function isWindowsFolder(normalized: string): boolean {
  return /^c:\\windows\\/.test(normalized) || normalized === 'c:\\windows';
}

function fileName(normalized: string): string {
  return normalized.slice(normalized.lastIndexOf('\\') + 1);
}

/** How a native module registration compares with what Microsoft ships. */
export type ModuleVerdict =
  | { readonly known: true; readonly why: string }
  | { readonly known: false; readonly severity: 'critical' | 'high' | 'medium'; readonly why: string };

/** Classifies a `<globalModules>` entry by name and image. */
export function classifyNativeModule(name: string, image: string): ModuleVerdict {
  const normalized = normalizeWindowsPath(image);
  const dll = fileName(normalized);
  const stockImage = findIgnoringCase(STOCK_NATIVE_MODULES, name);
  const addonImage = findIgnoringCase(INETSRV_ADDON_MODULES, name);
  if (isWritableFolder(normalized)) return { known: false, severity: 'critical', why: 'image in a temporary or user-writable folder' };
  if (stockImage !== undefined) {
    return isInetsrvFolder(normalized) && dll === stockImage
      ? { known: true, why: 'stock IIS module' }
      : { known: false, severity: 'critical', why: `stock module name pointing at ${dll} instead of inetsrv\\${stockImage}` };
  }
  if (/^managedengine/i.test(name) && isDotNetFolder(normalized) && /^webengine4?\.dll$/.test(dll)) return { known: true, why: 'ASP.NET integrated pipeline' };
  if (addonImage !== undefined && isInetsrvFolder(normalized) && dll === addonImage) return { known: true, why: 'Microsoft IIS add-on' };
  if (isMicrosoftProductFolder(normalized)) return { known: true, why: 'Microsoft product folder (IIS add-on, Exchange, SharePoint)' };
  const lookAlike = lookAlikeOf(name);
  if (lookAlike !== undefined) return { known: false, severity: 'critical', why: `name imitates the stock ${lookAlike}` };
  if (isInetsrvFolder(normalized)) return { known: false, severity: 'critical', why: `${dll} is not an IIS or Microsoft add-on image, yet sits in inetsrv` };
  if (isWindowsFolder(normalized)) return { known: false, severity: 'critical', why: 'unknown image inside the Windows folder' };
  if (/^c:\\program files( \(x86\))?\\/.test(normalized)) return { known: false, severity: 'medium', why: 'third-party native module in Program Files' };
  return { known: false, severity: 'high', why: 'unknown native module outside the expected folders' };
}

/** The stock module name `name` imitates (one or two edits away, or a stock name with something added), if any. */
export function lookAlikeOf(name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const stock of [...STOCK_NATIVE_MODULES.keys(), ...INETSRV_ADDON_MODULES.keys()]) {
    const candidate = stock.toLowerCase();
    if (candidate === lower) return undefined;
    if (editDistance(lower, candidate, 2) <= 2) return stock;
    if (lower.length > candidate.length && (lower.startsWith(candidate) || lower.endsWith(candidate))) return stock;
  }
  return undefined;
}

function findIgnoringCase(map: ReadonlyMap<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of map) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** Levenshtein distance, giving up (returning `limit + 1`) as soon as it must exceed `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      best = Math.min(best, value);
    }
    if (best > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length] ?? limit + 1;
}

/** Public key tokens Microsoft signs .NET Framework, ASP.NET, Office, SharePoint and Exchange assemblies with. */
export const MICROSOFT_TOKENS: ReadonlySet<string> = new Set([
  '31bf3856ad364e35',
  'b03f5f7f11d50a3a',
  'b77a5c561934e089',
  '71e9bce111e9429c',
  'adb9793829ddae60',
  'cc7b13ffcd2ddd51',
  '7cec85d7bea7798e',
  '89845dcd8080cc91',
]);
