import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Severity } from '../../core/severity.js';
import { loadIisConfig } from '../../formats/iis-config/load-iis-config.js';
import type { AuditHost } from './config-check.js';
import { CONFIG_CHECKS } from './config-checks.js';
import { describeHostFile } from './describe-host-file.js';
import { runConfigChecks } from './run-config-checks.js';

/** Pieces of a small host: an applicationHost.config with one site (`Site`, pool `SitePool`) and its web.config. */
interface HostSpec {
  /** Inside `<system.webServer>` of applicationHost.config. */
  readonly server?: string;
  /** More top-level elements of applicationHost.config (`<location>`, `<system.web>`). */
  readonly top?: string;
  /** Replaces the pool list. */
  readonly pools?: string;
  /** More applications of `Site`. */
  readonly apps?: string;
  /** More elements inside `<site name="Site">` (`<logFile>`, `<hsts>`). */
  readonly siteExtra?: string;
  readonly bindings?: string;
  readonly extraSites?: string;
  /** Inside `<configuration>` of the site's web.config. */
  readonly web?: string;
  /** Files to create under the host root, by relative path. */
  readonly files?: Readonly<Record<string, string>>;
  /** Replaces the physical path of the site's root virtual directory (`C:\\inetpub\\site`). */
  readonly rootPath?: string;
}

interface CheckCase {
  readonly id: string;
  readonly fail: HostSpec;
  readonly pass: HostSpec;
  /** Text on the line the failure must point at (in applicationHost.config, or in web.config with `inWeb`). */
  readonly needle?: string;
  readonly inWeb?: boolean;
  readonly severity?: Severity;
}

function applicationHost(spec: HostSpec): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <applicationPools>
      ${spec.pools ?? '<add name="SitePool" />'}
    </applicationPools>
    <sites>
      <site name="Site" id="1">
        <application path="/" applicationPool="SitePool">
          <virtualDirectory path="/" physicalPath="${spec.rootPath ?? 'C:\\inetpub\\site'}" />
        </application>
        ${spec.apps ?? ''}
        <bindings>
          ${spec.bindings ?? '<binding protocol="http" bindingInformation="*:80:site.example" />'}
        </bindings>
        ${spec.siteExtra ?? ''}
      </site>
      ${spec.extraSites ?? ''}
    </sites>
  </system.applicationHost>
  <system.webServer>
    ${spec.server ?? ''}
  </system.webServer>
  ${spec.top ?? ''}
</configuration>
`;
}

const FORMS = (forms: string): string => `<system.web><authentication mode="Forms">${forms}</authentication></system.web>`;
const WS = (inner: string): string => `<system.webServer>${inner}</system.webServer>`;
const SW = (inner: string): string => `<system.web>${inner}</system.web>`;
/** administration.config with the stock Microsoft extensions plus `extra` module providers. */
const ADMIN = (extra: string, trusted = 'false'): string => `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.webServer>
    <management>
      <authentication defaultProvider="ConfigurationAuthenticationProvider">
        <providers>
          <add name="ConfigurationAuthenticationProvider" type="Microsoft.Web.Management.Server.ConfigurationAuthenticationProvider, Microsoft.Web.Management, Version=10.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35" />
        </providers>
      </authentication>
      <trustedProviders allowUntrustedProviders="${trusted}" />
    </management>
  </system.webServer>
  <moduleProviders>
    <add name="Modules" type="Microsoft.Web.Management.Iis.Modules.ModulesModuleProvider, Microsoft.Web.Management.Iis, Version=10.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35" />
    <add name="Rewrite" type="Microsoft.Web.Management.Iis.Rewrite.RewriteModuleProvider, Microsoft.Web.Management.Rewrite, Version=7.2.2.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35" />
    ${extra}
  </moduleProviders>
  <location path=".">
    <modules>
      <add name="Modules" />
    </modules>
  </location>
</configuration>
`;
const ROGUE_PROVIDER = '<add name="Diagnostics" type="Microsoft.Web.Management.Diag.Provider, WebMgmtDiag, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />';
const MACHINE64 = 'Windows/Microsoft.NET/Framework64/v4.0.30319/Config/machine.config';
const MACHINE32 = 'Windows/Microsoft.NET/Framework/v4.0.30319/Config/machine.config';
const REDIRECTION = 'Windows/System32/inetsrv/config/redirection.config';
const MACHINE = (inner: string): string => `<?xml version="1.0"?>\n<configuration>\n  <system.web>\n    ${inner}\n  </system.web>\n</configuration>\n`;
const FILTERING = (attributes: string, inner = ''): string => `<security><requestFiltering ${attributes}>${inner}</requestFiltering></security>`;

const CASES: readonly CheckCase[] = [
  {
    id: 'w3g-pers-native-module-unknown',
    fail: { server: '<globalModules><add name="CacheCompressModule" image="C:\\Windows\\Temp\\cachport.dll" /></globalModules>' },
    pass: {
      server:
        '<globalModules><add name="StaticFileModule" image="%windir%\\System32\\inetsrv\\static.dll" /><add name="RewriteModule" image="%SystemRoot%\\system32\\inetsrv\\rewrite.dll" /><add name="AspNetCoreModuleV2" image="%ProgramFiles%\\IIS\\Asp.Net Core Module\\V2\\aspnetcorev2.dll" /></globalModules>',
    },
    needle: 'cachport.dll',
    severity: 'critical',
  },
  {
    id: 'w3g-pers-native-module-enabled',
    fail: { server: '<globalModules><add name="IsapiCacheModule" image="%windir%\\System32\\inetsrv\\isapicache_.dll" /></globalModules>', web: WS('<modules><add name="IsapiCacheModule" /></modules>') },
    pass: { server: '<globalModules><add name="StaticFileModule" image="%windir%\\System32\\inetsrv\\static.dll" /></globalModules>', web: WS('<modules><add name="StaticFileModule" /></modules>') },
    needle: '<add name="IsapiCacheModule" />',
    inWeb: true,
  },
  {
    id: 'w3g-pers-managed-module-unverified',
    fail: { web: WS('<modules><add name="Helper" type="Microsoft.Exchange.Helper, OwaCore.Ext, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" /></modules>') },
    pass: {
      web: WS(
        '<modules><add name="ScriptModule" type="System.Web.Handlers.ScriptModule, System.Web.Extensions, Version=4.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35" /><add name="Session" type="System.Web.SessionState.SessionStateModule" /></modules>',
      ),
    },
    needle: 'OwaCore.Ext',
    inWeb: true,
    severity: 'high',
  },
  {
    id: 'w3g-pers-isapi-filter-unknown',
    fail: { server: '<isapiFilters><filter name="OwaAuth" path="C:\\ProgramData\\Microsoft\\Network\\owaauth.dll" /></isapiFilters>' },
    pass: { server: '<isapiFilters><filter name="ASP.Net_4.0_64bit" path="%windir%\\Microsoft.NET\\Framework64\\v4.0.30319\\aspnet_filter.dll" /></isapiFilters>' },
    needle: 'owaauth.dll',
    severity: 'critical',
  },
  {
    id: 'w3g-pers-content-in-system-folder',
    fail: { apps: '<application path="/zing" applicationPool="SitePool"><virtualDirectory path="/" physicalPath="C:\\ProgramData\\ZING" /></application>' },
    pass: { apps: '<application path="/media" applicationPool="SitePool"><virtualDirectory path="/" physicalPath="D:\\Media" /></application>' },
    needle: 'C:\\ProgramData\\ZING',
  },
  {
    id: 'w3g-pers-handler-unusual-script-mapping',
    fail: { web: WS('<handlers><add name="img" path="*.jpg" verb="*" modules="IsapiModule" scriptProcessor="%windir%\\system32\\inetsrv\\asp.dll" /></handlers>') },
    pass: { web: WS('<handlers><add name="ASPClassic" path="*.asp" verb="*" modules="IsapiModule" scriptProcessor="%windir%\\system32\\inetsrv\\asp.dll" /></handlers>') },
    needle: 'path="*.jpg"',
    inWeb: true,
    severity: 'high',
  },
  {
    id: 'w3g-cfg-protected-extension-allowed',
    fail: { web: WS(FILTERING('', '<fileExtensions><remove fileExtension=".config" /><add fileExtension=".config" allowed="true" /></fileExtensions>')) },
    pass: { web: WS(FILTERING('', '<fileExtensions><add fileExtension=".config" allowed="false" /></fileExtensions>')) },
    needle: 'allowed="true"',
    inWeb: true,
  },
  {
    id: 'w3g-cfg-machinekey-hardcoded',
    fail: { web: SW('<machineKey validationKey="492D9B0BF7FCA88CC6D2A771" decryptionKey="7DD0235C7ABC4036" validation="HMACSHA256" />') },
    pass: { web: SW('<machineKey validationKey="AutoGenerate,IsolateApps" decryptionKey="AutoGenerate,IsolateApps" validation="HMACSHA256" />') },
    needle: '492D9B0B',
    inWeb: true,
  },
  {
    id: 'w3g-pers-rewrite-rule-abuse',
    fail: {
      web: WS(
        '<rewrite><rules><rule name="bots"><match url=".*" /><conditions><add input="{HTTP_USER_AGENT}" pattern="Googlebot|Baiduspider" /></conditions><action type="Rewrite" url="http://seo.example.net/{R:0}" /></rule></rules></rewrite>',
      ),
    },
    pass: {
      web: WS(
        '<rewrite><rules><rule name="https"><match url="(.*)" /><conditions><add input="{HTTPS}" pattern="off" /></conditions><action type="Redirect" url="https://{HTTP_HOST}/{R:1}" /></rule></rules></rewrite>',
      ),
    },
    needle: 'rule name="bots"',
    inWeb: true,
    severity: 'high',
  },
  { id: 'w3g-log-selective-logging', fail: { web: WS('<httpLogging selectiveLogging="LogError" />') }, pass: { web: WS('<httpLogging selectiveLogging="LogAll" />') }, needle: 'LogError', inWeb: true },
  { id: 'w3g-log-log-directory-writable', fail: { siteExtra: '<logFile directory="C:\\Windows\\Temp\\logs" />' }, pass: { siteExtra: '<logFile directory="D:\\Logs" />' }, needle: 'Windows\\Temp' },
  { id: 'w3g-log-http-logging-off', fail: { web: WS('<httpLogging dontLog="true" />') }, pass: { web: WS('<httpLogging dontLog="false" />') }, needle: 'dontLog', inWeb: true, severity: 'high' },
  {
    id: 'w3g-log-w3c-file-logging-off',
    fail: { siteExtra: '<logFile logTargetW3C="ETW" />' },
    pass: { siteExtra: '<logFile logTargetW3C="File,ETW" />' },
    needle: 'logTargetW3C="ETW"',
  },
  {
    id: 'w3g-pers-iis-manager-extension-unverified',
    fail: { files: { 'Windows/System32/inetsrv/config/administration.config': ADMIN(ROGUE_PROVIDER) } },
    pass: { files: { 'Windows/System32/inetsrv/config/administration.config': ADMIN('') } },
    severity: 'high',
  },
  {
    id: 'w3g-log-site-log-files-missing',
    fail: { files: { 'inetpub/logs/LogFiles/W3SVC2/u_ex240101.log': '#Fields: date time\n' } },
    pass: { files: { 'inetpub/logs/LogFiles/W3SVC1/u_ex240101.log': '#Fields: date time\n' } },
  },
  { id: 'w3g-cis-iis10-1.1-web-content-off-system-drive', fail: {}, pass: { rootPath: 'D:\\web\\site' }, needle: 'physicalPath="C:' },
  { id: 'w3g-cis-iis10-1.2-host-headers', fail: { bindings: '<binding protocol="http" bindingInformation="*:80:" />' }, pass: {}, needle: 'bindingInformation="*:80:"' },
  {
    id: 'w3g-cis-iis10-1.4-app-pool-identity',
    fail: { pools: '<add name="SitePool">\n<processModel identityType="LocalSystem" />\n</add>' },
    pass: { pools: '<add name="SitePool"><processModel identityType="ApplicationPoolIdentity" /></add>' },
    needle: 'LocalSystem',
    severity: 'critical',
  },
  {
    id: 'w3g-cfg-pool-load-user-profile',
    fail: { pools: '<add name="SitePool">\n<processModel loadUserProfile="true" />\n</add>' },
    pass: { pools: '<add name="SitePool"><processModel loadUserProfile="false" /></add>' },
    needle: 'loadUserProfile="true"',
    severity: 'info',
  },
  {
    id: 'w3g-cfg-pool-32-bit',
    fail: { pools: '<add name="SitePool"\nenable32BitAppOnWin64="true" />' },
    pass: { pools: '<add name="SitePool" enable32BitAppOnWin64="false" />' },
    needle: 'enable32BitAppOnWin64="true"',
    severity: 'info',
  },
  {
    id: 'w3g-cis-iis10-1.5-unique-app-pool-per-site',
    fail: { extraSites: '<site name="Other" id="2"><application path="/" applicationPool="SitePool"><virtualDirectory path="/" physicalPath="D:\\other" /></application></site>' },
    pass: { pools: '<add name="SitePool" /><add name="OtherPool" />', extraSites: '<site name="Other" id="2"><application path="/" applicationPool="OtherPool"><virtualDirectory path="/" physicalPath="D:\\other" /></application></site>' },
    needle: '<add name="SitePool" />',
  },
  { id: 'w3g-cis-iis10-5.1-log-location-moved', fail: { siteExtra: '<logFile directory="C:\\logs" />' }, pass: { siteExtra: '<logFile directory="D:\\logs" />' }, needle: 'C:\\logs' },
  {
    id: 'w3g-cis-iis10-5.2-log-fields',
    fail: { siteExtra: '<logFile logExtFileFlags="Date, Time, UriStem, HttpStatus" />' },
    pass: { siteExtra: '<logFile logExtFileFlags="Date, Time, ClientIP, UriStem, UriQuery, HttpStatus, UserAgent" />' },
    needle: 'logExtFileFlags',
  },
  { id: 'w3g-cis-iis10-5.3-etw-logging', fail: {}, pass: { siteExtra: '<logFile logTargetW3C="File,ETW" />' } },
  {
    id: 'w3g-cis-iis10-7.1-hsts',
    fail: { bindings: '<binding protocol="https" bindingInformation="*:443:site.example" />' },
    pass: { bindings: '<binding protocol="https" bindingInformation="*:443:site.example" />', siteExtra: '<hsts enabled="true" max-age="31536000" />' },
  },
  { id: 'w3g-log-cookie-header-fields', fail: {}, pass: { siteExtra: '<logFile logExtFileFlags="Date, Time, ClientIP, UriStem, UriQuery, HttpStatus, UserAgent, Cookie" />' } },
  { id: 'w3g-cis-iis10-1.3-directory-browsing-off', fail: { web: WS('<directoryBrowse enabled="true" />') }, pass: { web: WS('<directoryBrowse enabled="false" />') }, needle: 'directoryBrowse', inWeb: true },
  {
    id: 'w3g-cis-iis10-1.6-anonymous-identity-app-pool',
    fail: { server: '<security><authentication><anonymousAuthentication enabled="true" userName="IUSR" /></authentication></security>' },
    pass: { server: '<security><authentication><anonymousAuthentication enabled="true" userName="" /></authentication></security>' },
    needle: 'IUSR',
  },
  {
    id: 'w3g-cis-iis10-1.7-webdav-off',
    fail: { top: '<location path="Site/data"><system.webServer><webdav><authoring enabled="true" /><authoringRules><add users="*" path="*" access="Read, Write" /></authoringRules></webdav></system.webServer></location>' },
    pass: { top: '<location path="Site/data"><system.webServer><webdav><authoring enabled="false" /></webdav></system.webServer></location>' },
    needle: 'authoring enabled="true"',
    severity: 'medium',
  },
  {
    id: 'w3g-cis-iis10-2.1-global-authorization-restricted',
    fail: { server: '<security><authorization><add accessType="Allow" users="*" /></authorization></security>' },
    pass: { server: '<security><authorization><add accessType="Allow" roles="WebUsers" /></authorization></security>' },
    needle: 'accessType="Allow" users="*"',
  },
  { id: 'w3g-cis-iis10-2.3-forms-require-ssl', fail: { web: FORMS('<forms loginUrl="login.aspx" />') }, pass: { web: FORMS('<forms loginUrl="login.aspx" requireSSL="true" />') } },
  { id: 'w3g-cis-iis10-2.4-forms-use-cookies', fail: { web: FORMS('<forms cookieless="UseUri" />') }, pass: { web: FORMS('<forms cookieless="UseCookies" />') }, needle: 'UseUri', inWeb: true },
  { id: 'w3g-cis-iis10-2.5-forms-protection-all', fail: { web: FORMS('<forms protection="None" />') }, pass: { web: FORMS('<forms protection="All" />') }, needle: 'protection', inWeb: true },
  {
    id: 'w3g-cis-iis10-2.6-basic-auth-requires-ssl',
    fail: { server: '<security><authentication><basicAuthentication enabled="true" /></authentication></security>' },
    pass: { server: '<security><access sslFlags="Ssl, SslRequireCert" /><authentication><basicAuthentication enabled="true" /></authentication></security>' },
    needle: 'basicAuthentication',
  },
  { id: 'w3g-cis-iis10-2.7-forms-password-not-clear', fail: { web: FORMS('<forms><credentials passwordFormat="Clear" /></forms>') }, pass: { web: FORMS('<forms><credentials passwordFormat="SHA1" /></forms>') }, needle: 'Clear', inWeb: true },
  {
    id: 'w3g-cis-iis10-2.8-no-credentials-in-config',
    fail: { web: FORMS('<forms><credentials passwordFormat="SHA1"><user name="admin" password="5BAA61E4C9B93F3F" /></credentials></forms>') },
    pass: { web: FORMS('<forms><credentials passwordFormat="SHA1" /></forms>') },
    needle: 'user name="admin"',
    inWeb: true,
  },
  { id: 'w3g-cis-iis10-3.1-deployment-retail', fail: { files: { [MACHINE64]: MACHINE('<deployment retail="false" />') } }, pass: { files: { [MACHINE64]: MACHINE('<deployment retail="true" />') } } },
  {
    id: 'w3g-cfg-shared-configuration',
    fail: { files: { [REDIRECTION]: '<configuration>\n<configurationRedirection enabled="true" path="\\\\fs01\\iis$" />\n</configuration>\n' } },
    pass: { files: { [REDIRECTION]: '<configuration>\n<configurationRedirection enabled="false" path="" />\n</configuration>\n' } },
    severity: 'info',
  },
  { id: 'w3g-cis-iis10-3.2-debug-off', fail: { web: SW('<compilation debug="true" />') }, pass: { web: SW('<compilation debug="false" />') }, needle: 'debug="true"', inWeb: true },
  { id: 'w3g-cis-iis10-3.3-custom-errors-not-off', fail: { web: SW('<customErrors mode="Off" />') }, pass: { web: SW('<customErrors mode="On" />') }, needle: 'mode="Off"', inWeb: true },
  { id: 'w3g-cis-iis10-3.4-detailed-errors-local-only', fail: { web: WS('<httpErrors errorMode="Detailed" />') }, pass: { web: WS('<httpErrors errorMode="Custom" />') }, needle: 'Detailed', inWeb: true },
  {
    id: 'w3g-cis-iis10-3.5-trace-off',
    fail: { web: SW('<trace enabled="true" localOnly="false" />') },
    pass: { web: SW('<trace enabled="false" localOnly="true" />') },
    needle: 'trace enabled="true"',
    inWeb: true,
    severity: 'medium',
  },
  { id: 'w3g-cis-iis10-3.6-session-state-use-cookies', fail: { web: SW('<sessionState cookieless="UseUri" />') }, pass: { web: SW('<sessionState cookieless="false" />') }, needle: 'UseUri', inWeb: true },
  { id: 'w3g-cis-iis10-3.7-http-only-cookies', fail: {}, pass: { top: SW('<httpCookies httpOnlyCookies="true" />') } },
  {
    id: 'w3g-cis-iis10-3.8-machinekey-validation-sha1-net35',
    fail: { pools: '<add name="SitePool" managedRuntimeVersion="v2.0" />', web: SW('<machineKey validation="MD5" />') },
    pass: { pools: '<add name="SitePool" managedRuntimeVersion="v2.0" />' },
    needle: 'MD5',
    inWeb: true,
  },
  { id: 'w3g-cis-iis10-3.9-machinekey-validation-hmacsha256', fail: { web: SW('<machineKey validation="SHA1" />') }, pass: { web: SW('<machineKey validation="HMACSHA256" />') }, needle: 'SHA1', inWeb: true },
  { id: 'w3g-cis-iis10-3.10-trust-level-medium', fail: {}, pass: { top: SW('<trust level="Medium" />') } },
  {
    id: 'w3g-cis-iis10-3.11-x-powered-by-removed',
    fail: { server: '<httpProtocol><customHeaders><add name="X-Powered-By" value="ASP.NET" /></customHeaders></httpProtocol>' },
    pass: { server: '<httpProtocol><customHeaders><clear /></customHeaders></httpProtocol>' },
    needle: 'X-Powered-By',
  },
  { id: 'w3g-cis-iis10-3.12-server-header-removed', fail: {}, pass: { server: FILTERING('removeServerHeader="true"') } },
  {
    id: 'w3g-cis-iis10-4.1-max-content-length',
    fail: { web: WS(FILTERING('', '<requestLimits maxAllowedContentLength="2147483647" />')) },
    pass: { web: WS(FILTERING('', '<requestLimits maxAllowedContentLength="30000000" />')) },
    needle: '2147483647',
    inWeb: true,
  },
  { id: 'w3g-cis-iis10-4.2-max-url', fail: { server: FILTERING('', '<requestLimits maxUrl="65536" />') }, pass: { server: FILTERING('', '<requestLimits maxUrl="4096" />') }, needle: 'maxUrl' },
  { id: 'w3g-cis-iis10-4.3-max-query-string', fail: { server: FILTERING('', '<requestLimits maxQueryString="8192" />') }, pass: {}, needle: 'maxQueryString' },
  { id: 'w3g-cis-iis10-4.4-high-bit-characters-off', fail: {}, pass: { server: FILTERING('allowHighBitCharacters="false"') } },
  { id: 'w3g-cis-iis10-4.5-double-escaping-off', fail: { web: WS(FILTERING('allowDoubleEscaping="true"')) }, pass: {}, needle: 'allowDoubleEscaping', inWeb: true },
  { id: 'w3g-cis-iis10-4.6-trace-verb-denied', fail: { server: FILTERING('', '<verbs><add verb="TRACE" allowed="true" /></verbs>') }, pass: { server: FILTERING('', '<verbs><add verb="TRACE" allowed="false" /></verbs>') }, needle: 'TRACE' },
  { id: 'w3g-cis-iis10-4.7-unlisted-extensions-denied', fail: {}, pass: { server: FILTERING('', '<fileExtensions allowUnlisted="false" />') } },
  {
    id: 'w3g-cis-iis10-4.8-handlers-no-write-and-execute',
    fail: { server: '<handlers accessPolicy="Read, Write, Script" />' },
    pass: { server: '<handlers accessPolicy="Read, Script" />' },
    needle: 'accessPolicy',
    severity: 'high',
  },
  {
    id: 'w3g-cis-iis10-4.9-isapi-not-listed-denied',
    fail: { server: '<security><isapiCgiRestriction notListedIsapisAllowed="true" /></security>' },
    pass: { server: '<security><isapiCgiRestriction notListedIsapisAllowed="false" /></security>' },
    needle: 'notListedIsapisAllowed',
  },
  {
    id: 'w3g-cis-iis10-4.10-cgi-not-listed-denied',
    fail: { server: '<security><isapiCgiRestriction notListedCgisAllowed="true" /></security>' },
    pass: {},
    needle: 'notListedCgisAllowed',
  },
  {
    id: 'w3g-cis-iis10-6.1-ftp-requires-ssl',
    fail: { bindings: '<binding protocol="ftp" bindingInformation="*:21:" />', siteExtra: '<ftpServer><security><ssl controlChannelPolicy="SslAllow" dataChannelPolicy="SslRequire" /></security></ftpServer>' },
    pass: { bindings: '<binding protocol="ftp" bindingInformation="*:21:" />', siteExtra: '<ftpServer><security><ssl controlChannelPolicy="SslRequire" dataChannelPolicy="SslRequire" /></security></ftpServer>' },
    needle: 'SslAllow',
  },
  {
    id: 'w3g-cis-iis10-6.2-ftp-logon-attempt-restrictions',
    fail: { bindings: '<binding protocol="ftp" bindingInformation="*:21:" />' },
    pass: { bindings: '<binding protocol="ftp" bindingInformation="*:21:" />', top: '<system.ftpServer><security><authentication><denyByFailure enabled="true" maxFailure="4" /></authentication></security></system.ftpServer>' },
  },
  { id: 'w3g-cis-iis10-4.11-dynamic-ip-restrictions-on', fail: {}, pass: { server: '<security><dynamicIpSecurity><denyByRequestRate enabled="true" /></dynamicIpSecurity></security>' } },
];

const noFiles: AuditHost = { describeFile: () => Promise.resolve(undefined) };
let temp: string;
let counter = 0;

beforeAll(async () => {
  temp = await mkdtemp(path.join(os.tmpdir(), 'w3guard-config-checks-'));
});

afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

/** Writes the host, runs one check on it, and returns its summary and drafts with the two file paths. */
async function run(id: string, spec: HostSpec) {
  const root = path.join(temp, `host-${(counter += 1)}`);
  const configFolder = path.join(root, 'Windows', 'System32', 'inetsrv', 'config');
  const siteFolder = path.join(root, 'inetpub', 'site');
  await mkdir(configFolder, { recursive: true });
  await mkdir(siteFolder, { recursive: true });
  const appHostFile = path.join(configFolder, 'applicationHost.config');
  const webFile = path.join(siteFolder, 'web.config');
  await writeFile(appHostFile, applicationHost(spec));
  if (spec.web !== undefined) await writeFile(webFile, `<?xml version="1.0"?>\n<configuration>\n${spec.web.replace(/></g, '>\n<')}\n</configuration>\n`);
  for (const [relative, content] of Object.entries(spec.files ?? {})) {
    await mkdir(path.dirname(path.join(root, relative)), { recursive: true });
    await writeFile(path.join(root, relative), content);
  }
  const { config } = await loadIisConfig(root);
  const check = CONFIG_CHECKS.find((candidate) => candidate.meta.id === id);
  if (check === undefined) throw new Error(`no check ${id}`);
  const host: AuditHost = spec.files === undefined ? noFiles : { root, describeFile: (windowsPath) => describeHostFile(root, windowsPath) };
  const outcome = await runConfigChecks(config, host, 'HOST', [check]);
  return { ...outcome, summary: outcome.summaries[0], appHostFile, webFile };
}

async function lineOf(file: string, needle: string): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const lines = (await readFile(file, 'utf8')).split('\n');
  const index = lines.findIndex((line) => line.includes(needle));
  if (index === -1) throw new Error(`${needle} not in ${file}`);
  return index + 1;
}

describe('CONFIG_CHECKS', () => {
  it('has a failing and a passing case for every check, and unique ids', () => {
    const ids = CONFIG_CHECKS.map((check) => check.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...new Set(CASES.map((entry) => entry.id))].sort()).toEqual([...ids].sort());
  });

  it('gives every CIS check its number and level as tags and both remediation commands', () => {
    for (const check of CONFIG_CHECKS) {
      expect(check.meta.engine).toBe('check');
      expect(check.meta.remediation).toMatch(/appcmd/);
      expect(check.meta.remediation).toMatch(/PowerShell: (\$\w+ = )?(Set-|Remove-|Add-|New-|Get-IISServerManager)/);
      const cis = /^w3g-cis-iis10-(\d+\.\d+)-/.exec(check.meta.id)?.[1];
      if (cis !== undefined) {
        expect(check.meta.tags).toContain(`cis.iis10.${cis}`);
        expect(check.meta.tags.some((tag) => /^cis\.level[12]$/.test(tag))).toBe(true);
      }
    }
  });

  describe.each(CASES)('$id', (entry) => {
    it('fails on the insecure configuration, pointing at the line that sets it', async () => {
      const outcome = await run(entry.id, entry.fail);
      expect(outcome.summary?.fail).toBeGreaterThan(0);
      const draft = outcome.drafts[0];
      expect(draft?.evidence.kind).toBe('config');
      expect(draft?.evidence.text).toMatch(/^[^:]+.*: [\w-]+="/);
      expect(draft?.locationKey).toMatch(/^(system\.|configurationRedirection\/|moduleProviders\/)/);
      if (entry.needle !== undefined) {
        const file = entry.inWeb === true ? outcome.webFile : outcome.appHostFile;
        expect(draft?.evidence.file).toBe(file);
        expect(draft?.evidence.line).toBe(await lineOf(file, entry.needle));
      }
      if (entry.severity !== undefined) expect(draft?.rule.severity).toBe(entry.severity);
    });

    it('passes on the secure configuration', async () => {
      const outcome = await run(entry.id, entry.pass);
      expect(outcome.drafts).toEqual([]);
      expect(outcome.summary?.fail).toBe(0);
      expect((outcome.summary?.pass ?? 0) + (outcome.summary?.notEvaluated ?? 0)).toBeGreaterThan(0);
    });
  });
});

describe('check details', () => {
  it('records the SHA-256 and size of a module DLL present under the host root', async () => {
    const outcome = await run('w3g-pers-native-module-unknown', {
      server: '<globalModules><add name="CacheCompressModule" image="C:\\Windows\\Temp\\cachport.dll" /></globalModules>',
      files: { 'Windows/TEMP/CachPort.dll': 'MZ fake module' },
    });
    expect(outcome.drafts[0]?.evidence.text).toContain('sha256 32989655f80e83ee');
    expect(outcome.drafts[0]?.evidence.text).toContain('14 bytes');
  });

  it('reports a forms check as not evaluated where forms authentication is off', async () => {
    const outcome = await run('w3g-cis-iis10-2.3-forms-require-ssl', { web: SW('<authentication mode="Windows" />') });
    expect(outcome.summary?.fail).toBe(0);
    expect(outcome.summary?.notEvaluatedReasons.join(' ')).toContain('forms authentication is not used');
  });

  it('says retail mode is not evaluated when the host has no machine.config, even if applicationHost.config names it', async () => {
    const outcome = await run('w3g-cis-iis10-3.1-deployment-retail', { top: SW('<deployment retail="true" />') });
    expect(outcome.summary?.notEvaluated).toBe(1);
    expect(outcome.summary?.notEvaluatedReasons.join(' ')).toContain('no machine.config');
  });

  it('checks retail mode in every machine.config, pointing at the value or at <system.web> when it is not set', async () => {
    const outcome = await run('w3g-cis-iis10-3.1-deployment-retail', {
      files: { [MACHINE64]: MACHINE('<deployment retail="false" />'), [MACHINE32]: MACHINE('<compilation debug="false" />') },
    });
    expect([outcome.summary?.pass, outcome.summary?.fail]).toEqual([0, 2]);
    const byFile = new Map(outcome.drafts.map((draft) => [path.relative(path.join(temp, `host-${counter}`), draft.evidence.file ?? ''), draft.evidence]));
    expect(byFile.get(path.normalize(MACHINE64))?.line).toBe(4);
    expect(byFile.get(path.normalize(MACHINE64))?.text).toContain('retail="false"');
    expect(byFile.get(path.normalize(MACHINE32))?.line).toBe(3);
    expect(byFile.get(path.normalize(MACHINE32))?.text).toContain('not set in the Framework v4.0.30319 machine.config; the default is false');
    const mixed = await run('w3g-cis-iis10-3.1-deployment-retail', {
      files: { [MACHINE64]: MACHINE('<deployment retail="true" />'), [MACHINE32]: MACHINE('<deployment retail="false" />') },
    });
    expect([mixed.summary?.pass, mixed.summary?.fail]).toEqual([1, 1]);
  });

  it('reports shared configuration with the share it points at, from redirection.config', async () => {
    const outcome = await run('w3g-cfg-shared-configuration', {
      files: { [REDIRECTION]: '<configuration>\n<configurationRedirection enabled="true" path="\\\\fs01\\iis$" />\n</configuration>\n' },
    });
    expect(outcome.drafts).toHaveLength(1);
    expect(outcome.drafts[0]?.asset).toEqual({ id: 'HOST', kind: 'host' });
    expect(outcome.drafts[0]?.evidence.line).toBe(2);
    expect(outcome.drafts[0]?.evidence.file?.endsWith('redirection.config')).toBe(true);
    expect(outcome.drafts[0]?.evidence.text).toContain('path="\\\\fs01\\iis$"');
  });

  it('reports a setting inherited by many paths once', async () => {
    const outcome = await run('w3g-cis-iis10-3.2-debug-off', {
      top: SW('<compilation debug="true" />'),
      apps: '<application path="/a" applicationPool="SitePool"><virtualDirectory path="/" physicalPath="D:\\a" /></application>',
    });
    expect(outcome.drafts).toHaveLength(1);
    expect(outcome.drafts[0]?.asset).toEqual({ id: 'HOST', kind: 'host' });
  });

  it('names the account of a pool that runs as a named user, at medium severity for NetworkService', async () => {
    const user = await run('w3g-cis-iis10-1.4-app-pool-identity', { pools: '<add name="SitePool"><processModel identityType="SpecificUser" userName="CONTOSO\\svc_web" /></add>' });
    expect(user.drafts[0]?.evidence.text).toContain('account CONTOSO\\svc_web');
    expect(user.drafts[0]?.asset).toEqual({ id: 'SitePool', kind: 'app-pool' });
    const network = await run('w3g-cis-iis10-1.4-app-pool-identity', { pools: '<add name="SitePool"><processModel identityType="NetworkService" /></add>' });
    expect(network.drafts[0]?.rule.severity).toBe('medium');
  });

  it('marks an application in ProgramData with both the application and its virtual directory line', async () => {
    const outcome = await run('w3g-pers-content-in-system-folder', {
      apps: '<application path="/zing" applicationPool="SitePool">\n<virtualDirectory path="/" physicalPath="C:\\ProgramData\\ZING" />\n</application>',
    });
    expect(outcome.drafts.map((draft) => draft.evidence.line)).toEqual([await lineOf(outcome.appHostFile, 'ZING"'), await lineOf(outcome.appHostFile, 'path="/zing"')]);
    expect(outcome.drafts[0]?.asset).toEqual({ id: 'Site/zing', kind: 'application' });
  });

  it('flags outbound rules that inject script and search-referer redirects', async () => {
    const outcome = await run('w3g-pers-rewrite-rule-abuse', {
      web: WS(
        '<rewrite><outboundRules><rule name="inject"><match filterByTags="None" pattern="&lt;/body&gt;" /><action type="Rewrite" value="&lt;script src=//x.example/a.js&gt;&lt;/script&gt;&lt;/body&gt;" /></rule></outboundRules><rules><rule name="ref"><match url=".*" /><conditions><add input="{HTTP_REFERER}" pattern="google|bing" /></conditions><action type="Redirect" url="https://casino.example/" /></rule></rules></rewrite>',
      ),
    });
    expect(outcome.drafts.map((draft) => draft.locationKey).sort()).toEqual([
      "system.webServer/rewrite/outboundRules/rule[@name='inject']/action",
      "system.webServer/rewrite/rules/rule[@name='ref']/action",
    ]);
  });

  it("keeps Exchange's own LocalSystem pools at low severity", async () => {
    const outcome = await run('w3g-cis-iis10-1.4-app-pool-identity', {
      pools: '<add name="SitePool" /><add name="MSExchangeOWAAppPool"><processModel identityType="LocalSystem" /></add>',
      apps: '<application path="/owa" applicationPool="MSExchangeOWAAppPool"><virtualDirectory path="/" physicalPath="C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa" /></application>',
    });
    expect(outcome.drafts[0]?.rule.severity).toBe('low');
    expect(outcome.drafts[0]?.evidence.text).toContain('Exchange');
  });

  it('does not put machineKey secrets into the evidence', async () => {
    const outcome = await run('w3g-cfg-machinekey-hardcoded', { web: SW('<machineKey validationKey="492D9B0BF7FCA88CC6D2A771" />') });
    expect(outcome.drafts[0]?.evidence.text).not.toContain('492D9B0B');
  });

  it('judges machineKey validation by the .NET version of each pool: 3.8 for .NET 3.5, 3.9 for .NET 4', async () => {
    const spec = {
      pools: '<add name="SitePool" managedRuntimeVersion="v2.0" /><add name="Modern" />',
      apps: '<application path="/new" applicationPool="Modern"><virtualDirectory path="/" physicalPath="D:\\new" /></application>',
      web: SW('<machineKey validation="SHA1" />'),
    };
    const clr2 = await run('w3g-cis-iis10-3.8-machinekey-validation-sha1-net35', spec);
    expect(clr2.summary).toMatchObject({ pass: 1, fail: 0 });
    expect(clr2.summary?.notEvaluatedReasons).toEqual(['judged per site and application, by the .NET version of its pool', 'the application pool does not run .NET 2.0/3.5']);
    // SHA1 reaches /new through inheritance, where the v4 pool makes it a 3.9 failure.
    const clr4 = await run('w3g-cis-iis10-3.9-machinekey-validation-hmacsha256', spec);
    expect(clr4.drafts.map((draft) => draft.asset.id)).toEqual(['Site/new']);
    expect(clr4.summary?.notEvaluatedReasons).toEqual(['the application pool runs .NET 2.0/3.5, judged by CIS 3.8']);
  });

  it('grades managed modules by who could have written them: unsigned or posing high, foreign-signed medium, bare vendor type low', async () => {
    const outcome = await run('w3g-pers-managed-module-unverified', {
      web: WS(
        [
          '<modules>',
          '<add name="Unsigned" type="Acme.Gate, Acme.Gate, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" />',
          '<add name="Posing" type="Microsoft.Owa.Gate, Microsoft.Owa.Gate, Version=1.0.0.0, Culture=neutral, PublicKeyToken=0123456789abcdef" />',
          '<add name="Vendor" type="Acme.Cache, Acme.Web, Version=2.0.0.0, Culture=neutral, PublicKeyToken=0123456789abcdef" />',
          '<add name="RadCompression" type="Telerik.Web.UI.RadCompression" />',
          '<add name="Stock" type="System.Web.Handlers.ScriptModule, System.Web.Extensions, Version=4.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35" />',
          '</modules>',
        ].join(''),
      ),
    });
    const graded = Object.fromEntries(outcome.drafts.map((draft) => [/@name='(\w+)'/.exec(draft.locationKey)?.[1], draft.rule.severity]));
    expect(graded).toEqual({ Unsigned: 'high', Posing: 'high', Vendor: 'medium', RadCompression: 'low' });
  });

  it('reads IIS Manager extensions from administration.config: foreign ones by line, removed ones not, untrusted providers allowed', async () => {
    const extra = `${ROGUE_PROVIDER}<add name="Vendor" type="Acme.Iis.Ui, Acme.Iis.Ui, Version=2.0.0.0, Culture=neutral, PublicKeyToken=0123456789abcdef" /><add name="Gone" type="Evil.Gone, Evil" /><remove name="Gone" />`;
    const outcome = await run('w3g-pers-iis-manager-extension-unverified', { files: { 'Windows/System32/inetsrv/config/administration.config': ADMIN(extra, 'true') } });
    const file = path.join(path.dirname(outcome.appHostFile), 'administration.config');
    expect(outcome.drafts.map((draft) => [draft.locationKey, draft.rule.severity, draft.evidence.file, draft.evidence.line])).toEqual([
      ["moduleProviders/add[@name='Diagnostics']", 'high', file, await lineOf(file, 'WebMgmtDiag')],
      ["moduleProviders/add[@name='Vendor']", 'medium', file, await lineOf(file, 'WebMgmtDiag')],
      ['system.webServer/management/trustedProviders/@allowUntrustedProviders', 'medium', file, await lineOf(file, 'allowUntrustedProviders')],
    ]);
    const none = await run('w3g-pers-iis-manager-extension-unverified', {});
    expect(none.summary?.notEvaluatedReasons[0]).toMatch(/^no administration\.config/);
  });

  it('sees system.web values set in machine.config as inherited, with their file and line, and retail mode as overriding them', async () => {
    const machine = 'Windows/Microsoft.NET/Framework64/v4.0.30319/Config/machine.config';
    const content = (retail: string): string =>
      `<?xml version="1.0"?>\n<configuration>\n<system.web>\n${retail}\n<compilation debug="true" />\n<customErrors mode="Off" />\n</system.web>\n</configuration>\n`;
    for (const id of ['w3g-cis-iis10-3.2-debug-off', 'w3g-cis-iis10-3.3-custom-errors-not-off']) {
      const plain = await run(id, { files: { [machine]: content('') } });
      const file = path.join(path.dirname(path.dirname(plain.appHostFile)), '..', '..', 'Microsoft.NET', 'Framework64', 'v4.0.30319', 'Config', 'machine.config');
      expect(plain.drafts[0]?.evidence.file).toBe(path.resolve(file));
      expect(plain.drafts[0]?.evidence.line).toBe(id.includes('debug') ? 5 : 6);
      expect(plain.drafts[0]?.rule.severity).toBe('medium');
      const retail = await run(id, { files: { [machine]: content('<deployment retail="true" />') } });
      expect(retail.drafts[0]?.rule.severity).toBe('info');
      expect(retail.drafts[0]?.evidence.text).toMatch(/ASP\.NET ignores it: deployment retail="true" in .*machine\.config:4/);
    }
  });

  it('looks for a site\'s log files only where the copy of the host holds its log folder', async () => {
    const empty = await run('w3g-log-site-log-files-missing', { files: { 'inetpub/logs/LogFiles/W3SVC1/readme.txt': 'not a log' } });
    expect(empty.drafts[0]?.evidence.text).toContain('W3SVC1 holds no .log file');
    expect(empty.drafts[0]?.evidence.line).toBe(await lineOf(empty.appHostFile, '<site name="Site"'));
    const notCollected = await run('w3g-log-site-log-files-missing', { files: { 'inetpub/site/index.htm': 'hi' } });
    expect(notCollected.summary).toMatchObject({ fail: 0, pass: 0, notEvaluated: 1 });
    expect(notCollected.summary?.notEvaluatedReasons).toEqual(['the log folder is not in this copy of the host (another drive, a share, or not collected)']);
    const elsewhere = await run('w3g-log-site-log-files-missing', {
      siteExtra: '<logFile directory="E:\\logs" />',
      files: { 'inetpub/logs/LogFiles/W3SVC2/u_ex1.log': 'x' },
    });
    expect(elsewhere.summary?.notEvaluated).toBe(1);
    const single = await run('w3g-log-site-log-files-missing', {});
    expect(single.summary?.notEvaluatedReasons[0]).toMatch(/^a single file was named/);
  });
});
