import type { GlobalModule } from '../../formats/iis-config/iis-config.js';
import { auditRule } from './check-rule.js';
import { notEvaluated, PASS, type CheckContext, type CheckFailure, type CheckResult, type ConfigCheck } from './config-check.js';
import {
  classifyNativeModule,
  isDotNetFolder,
  isInetsrvFolder,
  isMicrosoftProductFolder,
  isWindowsFolder,
  isWritableFolder,
  MICROSOFT_TOKENS,
  normalizeWindowsPath,
} from './known-modules.js';
import { readSection, sameText } from './read-setting.js';
import { commandFix } from './setting-fix.js';

const ATTACK_NATIVE_MODULE = 'attack.t1505.004';
const ESET_REFERENCE = 'https://www.welivesecurity.com/2021/08/06/anatomy-native-iis-malware/';

async function fileNote(context: CheckContext, windowsPath: string): Promise<string | undefined> {
  const info = await context.host.describeFile(windowsPath);
  return info === undefined ? undefined : `sha256 ${info.sha256}, ${info.size} bytes`;
}

function joinNotes(...notes: readonly (string | undefined)[]): string {
  return notes.filter((note): note is string => note !== undefined && note !== '').join('; ');
}

const rogueGlobalModule: ConfigCheck = {
  meta: auditRule('pers', {
    slug: 'native-module-unknown',
    title: 'Unknown native module loaded into every IIS worker process',
    description:
      'A native module in <globalModules> runs inside w3wp.exe for every request. Images outside the IIS, .NET and Microsoft product folders, unknown DLLs dropped into inetsrv, and names imitating stock modules are how native IIS backdoors persist.',
    severity: 'high',
    category: 'persistence',
    tags: [ATTACK_NATIVE_MODULE],
    references: [ESET_REFERENCE],
    remediation: commandFix(
      'Confirm what the DLL is (signature, hash, who installed it); if it is not wanted, remove the module from <modules> and <globalModules>, delete the DLL and investigate the server as compromised.',
      '%windir%\\system32\\inetsrv\\appcmd.exe uninstall module "MODULE"',
      "Remove-WebGlobalModule -Name 'MODULE' (IISAdministration: Remove-IISConfigCollectionElement for system.webServer/globalModules)",
    ),
  }),
  scope: 'server',
  async evaluate(context) {
    const modules = context.config.globalModules();
    if (modules.length === 0) return [notEvaluated('no <globalModules> in applicationHost.config')];
    const results: CheckResult[] = [];
    for (const module of modules) {
      const verdict = classifyNativeModule(module.name, module.image);
      if (verdict.known) {
        results.push(PASS);
        continue;
      }
      results.push({
        status: 'fail',
        location: `system.webServer/globalModules/add[@name='${module.name}']`,
        attribute: 'image',
        found: module.image,
        expected: 'a stock IIS module or a Microsoft add-on',
        file: module.file,
        line: module.line,
        severity: verdict.severity,
        note: joinNotes(verdict.why, await fileNote(context, module.image)),
      });
    }
    return results;
  },
};

/** The global modules the rogue-module check would flag, by lower-cased name. */
function suspiciousModules(modules: readonly GlobalModule[]): Map<string, GlobalModule> {
  const result = new Map<string, GlobalModule>();
  for (const module of modules) if (!classifyNativeModule(module.name, module.image).known) result.set(module.name.toLowerCase(), module);
  return result;
}

const enabledRogueModule: ConfigCheck = {
  meta: auditRule('pers', {
    slug: 'native-module-enabled',
    title: 'Unknown native module enabled in the request pipeline',
    description: 'A <modules> entry switches a suspicious native module on for the server, a site or an application, so it sees (and can answer) their requests.',
    severity: 'high',
    category: 'persistence',
    tags: [ATTACK_NATIVE_MODULE],
    references: [ESET_REFERENCE],
    remediation: commandFix(
      'Remove the module from <modules> where it is enabled (and from <globalModules>), then investigate.',
      '%windir%\\system32\\inetsrv\\appcmd.exe delete module "MODULE" /app.name:"SITE/"',
      "Remove-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location 'SITE' -Filter 'system.webServer/modules' -Name '.' -AtElement @{name='MODULE'}",
    ),
  }),
  scope: 'application',
  evaluate(context) {
    const suspicious = suspiciousModules(context.config.globalModules());
    const read = readSection(context, 'system.webServer/modules');
    if ('reason' in read) return [notEvaluated(read.reason)];
    const results: CheckResult[] = [];
    for (const item of read.section.items) {
      const name = item.attributes.get('name')?.value ?? '';
      const type = item.attributes.get('type')?.value;
      if (type !== undefined && type.trim() !== '') continue;
      const module = suspicious.get(name.toLowerCase());
      if (module === undefined) continue;
      results.push({
        status: 'fail',
        location: `system.webServer/modules/add[@name='${name}']`,
        attribute: 'name',
        found: name,
        expected: 'only stock modules and Microsoft add-ons enabled',
        file: item.file,
        line: item.line,
        note: `native image ${module.image}`,
      });
    }
    return results.length === 0 ? [PASS] : results;
  },
};

/** A managed module's assembly and public key token, from `Namespace.Type, Assembly, Version=…, PublicKeyToken=…`. */
function assemblyOf(type: string): { readonly assembly?: string; readonly token?: string } {
  const comma = type.indexOf(',');
  if (comma === -1) return {};
  const rest = type.slice(comma + 1);
  const assembly = rest.split(',')[0]?.trim() ?? '';
  const token = /publickeytoken\s*=\s*([0-9a-z]+)/i.exec(rest)?.[1]?.toLowerCase();
  return { assembly, ...(token === undefined ? {} : { token }) };
}

const unsignedManagedModule: ConfigCheck = {
  meta: auditRule('pers', {
    slug: 'managed-module-unverified',
    title: 'Managed module from an assembly Microsoft did not sign',
    description:
      'An HTTP module in <modules> sees every request of the application. Backdoors register a module from an unsigned or foreign assembly, or from a bare type compiled in App_Code or dropped in bin, often under a Microsoft-looking namespace; a third-party signature proves little, since anyone can strong-name an assembly.',
    severity: 'medium',
    category: 'persistence',
    tags: ['attack.t1505.004'],
    remediation: commandFix(
      'Check who installed the assembly and whether the application needs it; remove the module if not.',
      '%windir%\\system32\\inetsrv\\appcmd.exe delete module "MODULE" /app.name:"SITE/"',
      "Remove-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location 'SITE' -Filter 'system.webServer/modules' -Name '.' -AtElement @{name='MODULE'}",
    ),
  }),
  scope: 'application',
  evaluate(context) {
    const read = readSection(context, 'system.webServer/modules');
    if ('reason' in read) return [notEvaluated(read.reason)];
    const results: CheckResult[] = [];
    for (const item of read.section.items) {
      const type = item.attributes.get('type')?.value?.trim();
      if (type === undefined || type === '') continue;
      const { assembly, token } = assemblyOf(type);
      const posing = /^(system|microsoft)\./i.test(type);
      // A bare System.* type resolves from the framework's own assemblies (the stock modules are written so).
      if (assembly === undefined && posing) continue;
      if (token !== undefined && MICROSOFT_TOKENS.has(token)) continue;
      const unsigned = assembly !== undefined && (token === undefined || token === 'null');
      results.push({
        status: 'fail',
        location: `system.webServer/modules/add[@name='${item.attributes.get('name')?.value ?? ''}']`,
        attribute: 'type',
        found: type,
        expected: 'an assembly signed with a Microsoft public key token',
        file: item.file,
        line: item.line,
        // Unsigned or foreign code under a Microsoft namespace is how backdoors hide; anyone can strong-name an
        // assembly, so a foreign signature earns a look, not a pass.
        // A bare vendor type (Telerik documents RadCompression so) is common and says nothing about who wrote it: low.
        severity: unsigned || posing ? 'high' : assembly === undefined ? 'low' : 'medium',
        note:
          assembly === undefined
            ? 'type without an assembly: loaded from the application\'s bin or App_Code folder'
            : unsigned
              ? `unsigned assembly ${assembly}${posing ? ' under a Microsoft namespace' : ''}`
              : `assembly ${assembly} signed with token ${token ?? ''}, not Microsoft's${posing ? ', under a Microsoft namespace' : ''}`,
      });
    }
    return results.length === 0 ? [PASS] : results;
  },
};

const isapiFilter: ConfigCheck = {
  meta: auditRule('pers', {
    slug: 'isapi-filter-unknown',
    title: 'ISAPI filter loaded from outside the .NET Framework folders',
    description: 'An ISAPI filter sees every request and response of the site or server. Stock IIS only loads ASP.NET filters from the .NET Framework folders.',
    severity: 'high',
    category: 'persistence',
    tags: ['attack.t1505.004'],
    references: [ESET_REFERENCE],
    remediation: commandFix(
      'Confirm the filter DLL; if unwanted, remove the filter and the DLL, then investigate.',
      '%windir%\\system32\\inetsrv\\appcmd.exe set config -section:system.webServer/isapiFilters /-"[name=\'FILTER\']" /commit:apphost',
      "Remove-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Filter 'system.webServer/isapiFilters' -Name '.' -AtElement @{name='FILTER'}",
    ),
  }),
  scope: 'application',
  async evaluate(context) {
    const read = readSection(context, 'system.webServer/isapiFilters');
    if ('reason' in read) return [notEvaluated(read.reason)];
    const results: CheckResult[] = [];
    for (const item of read.section.items) {
      const path = item.attributes.get('path')?.value ?? '';
      const normalized = normalizeWindowsPath(path);
      if (isDotNetFolder(normalized) && /\\aspnet_filter\.dll$/.test(normalized)) continue;
      if (isInetsrvFolder(normalized) && /\\urlscan\\urlscan\.dll$/.test(normalized)) continue;
      if (isMicrosoftProductFolder(normalized)) continue;
      const severity = isWritableFolder(normalized) || isWindowsFolder(normalized) ? 'critical' : /^c:\\program files( \(x86\))?\\/.test(normalized) ? 'medium' : 'high';
      results.push({
        status: 'fail',
        location: `system.webServer/isapiFilters/filter[@name='${item.attributes.get('name')?.value ?? ''}']`,
        attribute: 'path',
        found: path,
        expected: 'ASP.NET filters from the .NET Framework folders',
        file: item.file,
        line: item.line,
        severity,
        note: joinNotes(isWritableFolder(normalized) ? 'DLL in a temporary or user-writable folder' : undefined, await fileNote(context, path)),
      });
    }
    return results.length === 0 ? [PASS] : results;
  },
};

const writableContent: ConfigCheck = {
  meta: auditRule('pers', {
    slug: 'content-in-system-folder',
    title: 'Site or virtual directory serves a system, temporary or user-writable folder',
    description:
      'An application or virtual directory mapped to ProgramData, Windows\\Temp, a user profile or the Windows folder publishes (and may execute) whatever lands there: a way to plant a web shell outside the web roots people sweep.',
    severity: 'high',
    category: 'persistence',
    tags: ['attack.t1505.003'],
    remediation: commandFix(
      'Find out who created the application or virtual directory; remove it or point it at a dedicated content folder.',
      '%windir%\\system32\\inetsrv\\appcmd.exe delete app "SITE/APP"',
      "Remove-WebApplication -Site 'SITE' -Name 'APP' (or Remove-WebVirtualDirectory)",
    ),
  }),
  scope: 'site',
  evaluate(context) {
    const site = context.config.sites().find((candidate) => candidate.name === context.target.sitePath);
    if (site === undefined) return [notEvaluated('site not found')];
    const results: CheckResult[] = [];
    for (const application of site.applications) {
      for (const directory of application.virtualDirectories) {
        const normalized = normalizeWindowsPath(directory.physicalPath);
        const systemFolder = /^c:\\windows(\\(system32|syswow64))?\\?$/.test(normalized) || /^c:\\?$/.test(normalized);
        if (!isWritableFolder(normalized) && !systemFolder) continue;
        const isRoot = directory.path === '/' || directory.path === '';
        const appPath = application.path === '/' ? '' : application.path;
        const url = `${appPath}${isRoot ? '' : directory.path}` || '/';
        const failure: CheckFailure = {
          status: 'fail',
          location: `system.applicationHost/sites/site[@name='${site.name}']/application[@path='${application.path}']/virtualDirectory[@path='${directory.path}']/@physicalPath`,
          attribute: 'physicalPath',
          found: directory.physicalPath,
          expected: 'a dedicated content folder',
          file: site.file,
          line: directory.line,
          asset: { id: `${site.name}${url === '/' ? '' : url}`, kind: url === '/' ? 'site' : 'application' },
          ...(isRoot && application.path !== '/' ? { alsoLines: [application.line] } : {}),
        };
        results.push(failure);
      }
    }
    return results.length === 0 ? [PASS] : results;
  },
};

/** Extensions of static files: mapping one to a script processor makes an uploaded picture run as code. */
const STATIC_EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'gif', 'bmp', 'ico', 'svg', 'webp', 'txt', 'css', 'js', 'htm', 'html', 'xml', 'json', 'pdf', 'zip', 'log', 'woff', 'woff2', 'ttf', 'mp4', 'mp3', 'csv']);
/** Extensions the stock ASP, ASP.NET, SSI, CGI and ISAPI handler mappings and common script runtimes use. */
const SCRIPT_EXTENSIONS = new Set([
  'aspx', 'asmx', 'ashx', 'axd', 'svc', 'rem', 'soap', 'xoml', 'rules', 'cshtml', 'vbhtml', 'cshtm', 'vbhtm', 'aspq', 'xamlx', 'asp', 'cer', 'cdx', 'asa', 'stm', 'shtm', 'shtml',
  'exe', 'dll', 'php', 'pl', 'py', 'cgi', 'idc', 'ascx', 'master', 'skin', 'browser', 'sitemap', 'config', 'cs', 'vb', 'resx', 'resources', 'licx', 'webinfo', 'mdb', 'ldf', 'mdf', 'msgx', 'compiled', 'vjsproj', 'csproj', 'vbproj', 'java', 'jsl', 'refresh', 'exclude', 'ad', 'dd', 'ldb', 'sd', 'adprototype', 'lddprototype', 'sdm', 'sdmdocument', 'mdf', 'asax', 'asbx', 'ssinc', 'htr', 'printer', 'htw', 'ida', 'idq',
]);
const SCRIPT_MODULES = /isapimodule|cgimodule|fastcgimodule/i;
const PAGE_TYPES = /pagehandlerfactory|simplehandlerfactory|webservicehandlerfactory|httpremotinghandlerfactory/i;

const scriptHandler: ConfigCheck = {
  meta: auditRule('pers', {
    slug: 'handler-unusual-script-mapping',
    title: 'Handler maps an unusual extension to a script processor',
    description:
      'A handler that sends static-file extensions (.jpg, .txt…) or unknown ones to ASP, ASP.NET, CGI or FastCGI lets an uploaded file run as code; one whose processor lives in a writable folder is a planted backdoor.',
    severity: 'medium',
    category: 'persistence',
    tags: ['attack.t1505.003'],
    remediation: commandFix(
      'Remove the handler mapping unless an application needs it.',
      '%windir%\\system32\\inetsrv\\appcmd.exe set config "SITE" -section:system.webServer/handlers /-"[name=\'HANDLER\']"',
      "Remove-WebHandler -Name 'HANDLER' -PSPath 'IIS:\\Sites\\SITE'",
    ),
  }),
  scope: 'application',
  evaluate(context) {
    const read = readSection(context, 'system.webServer/handlers');
    if ('reason' in read) return [notEvaluated(read.reason)];
    const results: CheckResult[] = [];
    for (const item of read.section.items) {
      const path = (item.attributes.get('path')?.value ?? '').trim();
      const modules = item.attributes.get('modules')?.value ?? '';
      const processor = item.attributes.get('scriptProcessor')?.value ?? '';
      const type = item.attributes.get('type')?.value ?? '';
      const runsScript = SCRIPT_MODULES.test(modules) || PAGE_TYPES.test(type);
      if (!runsScript) continue;
      const normalized = normalizeWindowsPath(processor);
      const extension = /^\*\.([a-z0-9_-]+)$/i.exec(path)?.[1]?.toLowerCase();
      let severity: 'critical' | 'high' | 'medium' | undefined;
      let why = '';
      if (processor !== '' && isWritableFolder(normalized)) {
        severity = 'critical';
        why = 'script processor in a temporary or user-writable folder';
      } else if (extension !== undefined && STATIC_EXTENSIONS.has(extension)) {
        severity = 'high';
        why = `static-file extension .${extension} runs as script`;
      } else if (extension !== undefined && !SCRIPT_EXTENSIONS.has(extension)) {
        severity = 'medium';
        why = `unusual extension .${extension} mapped to a script processor`;
      } else if (processor !== '' && !isInetsrvFolder(normalized) && !isDotNetFolder(normalized) && !isMicrosoftProductFolder(normalized) && !/^c:\\program files( \(x86\))?\\/.test(normalized)) {
        severity = 'medium';
        why = 'script processor outside the IIS, .NET and Program Files folders';
      }
      if (severity === undefined) continue;
      results.push({
        status: 'fail',
        location: `system.webServer/handlers/add[@name='${item.attributes.get('name')?.value ?? ''}']`,
        attribute: processor === '' ? 'path' : 'scriptProcessor',
        found: processor === '' ? path : `${path} -> ${processor}`,
        expected: 'script extensions mapped to stock processors',
        file: item.file,
        line: item.line,
        severity,
        note: why,
      });
    }
    return results.length === 0 ? [PASS] : results;
  },
};

/** Extensions request filtering denies out of the box because they hold code, data or secrets. */
const PROTECTED_EXTENSIONS = new Set([
  '.asa', '.asax', '.ascx', '.master', '.skin', '.browser', '.sitemap', '.config', '.cs', '.csproj', '.vb', '.vbproj', '.webinfo', '.licx', '.resx', '.resources', '.mdb', '.vjsproj', '.java', '.jsl', '.ldb', '.dsdgm', '.ssdgm', '.lsad', '.ssmap', '.cd', '.dsprototype', '.lsaprototype', '.sdm', '.sdmdocument', '.mdf', '.ldf', '.ad', '.dd', '.ldd', '.sd', '.adprototype', '.lddprototype', '.exclude', '.refresh', '.compiled', '.msgx', '.vsdisco', '.rules',
]);

const protectedExtensionAllowed: ConfigCheck = {
  meta: auditRule('cfg', {
    slug: 'protected-extension-allowed',
    title: 'Request filtering serves files it normally protects',
    description: 'An extension IIS denies by default (.config, .cs, .mdb…) is explicitly allowed, so configuration files with connection strings and keys, source code or databases can be downloaded.',
    severity: 'medium',
    remediation: commandFix(
      'Remove the allow entry so the extension is denied again.',
      '%windir%\\system32\\inetsrv\\appcmd.exe set config "SITE" -section:system.webServer/security/requestFiltering /-"fileExtensions.[fileExtension=\'.config\']"',
      "Remove-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location 'SITE' -Filter 'system.webServer/security/requestFiltering/fileExtensions' -Name '.' -AtElement @{fileExtension='.config'}",
    ),
  }),
  scope: 'application',
  evaluate(context) {
    const read = readSection(context, 'system.webServer/security/requestFiltering');
    if ('reason' in read) return [notEvaluated(read.reason)];
    const results: CheckResult[] = [];
    for (const item of read.section.children.get('fileExtensions')?.items ?? []) {
      const extension = (item.attributes.get('fileExtension')?.value ?? '').trim().toLowerCase();
      const allowed = item.attributes.get('allowed')?.value ?? 'true';
      if (!PROTECTED_EXTENSIONS.has(extension) || !sameText(allowed, 'true')) continue;
      results.push({
        status: 'fail',
        location: `system.webServer/security/requestFiltering/fileExtensions/add[@fileExtension='${extension}']`,
        attribute: 'allowed',
        found: allowed,
        expected: 'false',
        file: item.file,
        line: item.line,
      });
    }
    return results.length === 0 ? [PASS] : results;
  },
};

const hardcodedMachineKey: ConfigCheck = {
  meta: auditRule('cfg', {
    slug: 'machinekey-hardcoded',
    title: 'machineKey keys are written into the configuration',
    // Whoever holds the keys forges view state into code execution, but must first read the file.
    technicalImpact: 'total',
    automatable: false,
    description:
      'Explicit validation and decryption keys let anyone who reads the file (a backup, a leak, a path traversal) forge view state and authentication tickets, which leads to code execution. Web farms need shared keys: keep them encrypted and rotate them after any exposure.',
    severity: 'low',
    remediation: commandFix(
      'Let ASP.NET generate the keys (AutoGenerate,IsolateApps) or encrypt the section and rotate the keys.',
      '%windir%\\system32\\inetsrv\\appcmd.exe set config "SITE" -section:system.web/machineKey /validationKey:"AutoGenerate,IsolateApps" /decryptionKey:"AutoGenerate,IsolateApps"',
      "Set-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location 'SITE' -Filter 'system.web/machineKey' -Name 'validationKey' -Value 'AutoGenerate,IsolateApps'",
    ),
  }),
  scope: 'application',
  evaluate(context) {
    const read = readSection(context, 'system.web/machineKey');
    if ('reason' in read) return [notEvaluated(read.reason)];
    for (const name of ['validationKey', 'decryptionKey']) {
      const value = read.section.attributes.get(name);
      if (value === undefined || value.file === undefined || /^autogenerate/i.test(value.value.trim())) continue;
      return [
        {
          status: 'fail',
          location: `system.web/machineKey/@${name}`,
          attribute: name,
          found: `(redacted, ${value.value.trim().length} characters)`,
          expected: 'AutoGenerate,IsolateApps, or an encrypted section',
          file: value.file,
          ...(value.line === undefined ? {} : { line: value.line }),
        },
      ];
    }
    return [PASS];
  },
};

const managementExtension: ConfigCheck = {
  meta: auditRule('pers', {
    slug: 'iis-manager-extension-unverified',
    title: 'IIS Manager or the Management Service loads code Microsoft did not sign',
    description:
      'administration.config lists the managed extensions IIS Manager and the Management Service (WMSVC) load, and the providers that authenticate remote administrators. A foreign assembly there runs whenever an administrator opens IIS Manager or connects remotely, which makes it a quiet place for persistence or credential theft; allowUntrustedProviders lets any provider type load.',
    severity: 'medium',
    category: 'persistence',
    tags: ['attack.t1505', 'attack.t1556'],
    remediation: commandFix(
      'Check who installed the extension and whether it is still needed; remove it from administration.config (and its assembly) if not, and keep allowUntrustedProviders off.',
      'no appcmd equivalent (appcmd does not edit administration.config): edit %windir%\\system32\\inetsrv\\config\\administration.config',
      "$sm = Get-IISServerManager; $list = $sm.GetAdministrationConfiguration().GetSection('moduleProviders').GetCollection(); $list.Remove(($list | Where-Object { $_['name'] -eq 'PROVIDER' })); $sm.CommitChanges()",
    ),
  }),
  scope: 'server',
  evaluate(context) {
    const administration = context.config.administration;
    if (administration === undefined) return [notEvaluated('no administration.config under Windows/System32/inetsrv/config (IIS Manager not installed, or a single file was named)')];
    const results: CheckResult[] = [];
    const providers = [
      ...administration.moduleProviders.map((provider) => ({ provider, location: `moduleProviders/add[@name='${provider.name}']` })),
      ...administration.managementProviders.map((provider) => ({ provider, location: `system.webServer/management/providers/add[@name='${provider.name}']` })),
    ];
    for (const { provider, location } of providers) {
      const { assembly, token } = assemblyOf(provider.type);
      if (token !== undefined && MICROSOFT_TOKENS.has(token)) continue;
      // A bare type name resolves only from Microsoft.Web.Management assemblies IIS Manager already loads.
      if (assembly === undefined && /^microsoft\.web\.management\./i.test(provider.type.trim())) continue;
      const unsigned = token === undefined || token === 'null';
      results.push({
        status: 'fail',
        location,
        attribute: 'type',
        found: provider.type,
        expected: 'an assembly signed with a Microsoft public key token',
        file: provider.file,
        line: provider.line,
        severity: unsigned ? 'high' : 'medium',
        note: unsigned ? `unsigned assembly ${assembly ?? '(none named)'}` : `assembly ${assembly ?? ''} signed with token ${token}, not Microsoft's`,
      });
    }
    const allow = administration.allowUntrustedProviders;
    if (sameText(allow.value, 'true')) {
      results.push({
        status: 'fail',
        location: 'system.webServer/management/trustedProviders/@allowUntrustedProviders',
        attribute: 'allowUntrustedProviders',
        found: allow.value,
        expected: 'false',
        file: allow.file ?? administration.file,
        ...(allow.line === undefined ? {} : { line: allow.line }),
      });
    }
    return results.length === 0 ? [PASS] : results;
  },
};

/** Checks for backdoors and persistence hidden in the configuration. */
export const PERSISTENCE_CHECKS: readonly ConfigCheck[] = [
  rogueGlobalModule,
  enabledRogueModule,
  unsignedManagedModule,
  isapiFilter,
  writableContent,
  scriptHandler,
  protectedExtensionAllowed,
  hardcodedMachineKey,
  managementExtension,
];
