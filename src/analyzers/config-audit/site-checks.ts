import type { AppPool } from '../../formats/iis-config/iis-config.js';
import { auditRule, cisRule } from './check-rule.js';
import { normalizeWindowsPath } from './known-modules.js';
import { notEvaluated, PASS, type CheckContext, type CheckResult, type ConfigCheck } from './config-check.js';
import { flagsOf, readSection, sameText } from './read-setting.js';
import { commandFix, settingFix } from './setting-fix.js';
import { DEFAULT_LOG_FIELDS, siteLogSettings } from './site-log-settings.js';

function siteOf(context: CheckContext) {
  return context.config.sites().find((site) => site.name === context.target.sitePath);
}

const hostHeaders: ConfigCheck = {
  meta: cisRule('1.2', 1, {
    slug: 'host-headers',
    title: 'A site answers requests for any host name',
    description: 'A binding without a host name answers every name that resolves to the server, including attackers scanning by IP address.',
    severity: 'low',
    remediation: commandFix(
      'Give every HTTP and HTTPS binding a host name.',
      '%windir%\\system32\\inetsrv\\appcmd.exe set site "SITE" /bindings.[protocol=\'http\',bindingInformation=\'*:80:\'].bindingInformation:"*:80:www.example.com"',
      "Set-WebBinding -Name 'SITE' -BindingInformation '*:80:' -PropertyName HostHeader -Value 'www.example.com'",
    ),
  }),
  scope: 'site',
  evaluate(context) {
    const site = siteOf(context);
    if (site === undefined) return [notEvaluated('site not found')];
    const open = site.bindings.filter((binding) => /^https?$/i.test(binding.protocol) && binding.bindingInformation.split(':').slice(2).join(':').trim() === '');
    if (site.bindings.every((binding) => !/^https?$/i.test(binding.protocol))) return [notEvaluated('no HTTP or HTTPS binding')];
    return open.length === 0
      ? [PASS]
      : open.map((binding) => ({
          status: 'fail',
          location: `system.applicationHost/sites/site[@name='${site.name}']/bindings/binding[@bindingInformation='${binding.bindingInformation}']`,
          attribute: 'bindingInformation',
          found: binding.bindingInformation,
          expected: 'a host name (*:80:www.example.com)',
          file: site.file,
          line: binding.line,
        }));
  },
};

const contentOffSystemDrive: ConfigCheck = {
  meta: cisRule('1.1', 1, {
    slug: 'web-content-off-system-drive',
    title: 'Web content is on the system drive',
    description:
      'Content on the system drive shares its free space and its permissions with Windows: a path traversal or a full upload folder reaches the operating system files.',
    severity: 'low',
    remediation: commandFix(
      'Move the site content to a data drive and point the virtual directory at it.',
      '%windir%\\system32\\inetsrv\\appcmd.exe set vdir "SITE/" -physicalPath:"D:\\inetpub\\SITE"',
      "Set-ItemProperty 'IIS:\\Sites\\SITE' -Name physicalPath -Value 'D:\\inetpub\\SITE'",
    ),
  }),
  scope: 'site',
  evaluate(context) {
    const site = siteOf(context);
    if (site === undefined) return [notEvaluated('site not found')];
    const directories = site.applications.flatMap((application) => application.virtualDirectories);
    if (directories.length === 0) return [notEvaluated('the site has no virtual directory')];
    // The system drive is C: on almost every server; %SystemDrive% says so explicitly.
    const onSystem = directories.filter((directory) => /^c:(\\|$)/.test(normalizeWindowsPath(directory.physicalPath)));
    const first = onSystem[0];
    if (first === undefined) return [PASS];
    return [
      {
        status: 'fail',
        location: `system.applicationHost/sites/site[@name='${site.name}']/application/virtualDirectory/@physicalPath`,
        attribute: 'physicalPath',
        found: first.physicalPath,
        expected: 'a folder on a drive other than the system drive',
        file: site.file,
        line: first.line,
        ...(onSystem.length > 1 ? { note: `${onSystem.length} virtual directories of the site are on the system drive` } : {}),
      },
    ];
  },
};

function poolLocation(pool: AppPool): string {
  return `system.applicationHost/applicationPools/add[@name='${pool.name}']/processModel/@identityType`;
}

const poolIdentity: ConfigCheck = {
  meta: cisRule('1.4', 1, {
    slug: 'app-pool-identity',
    title: 'Application pool does not run as its own virtual account',
    description: 'A pool running as LocalSystem gives a web shell full control of the server; NetworkService, LocalService and named accounts share rights across pools and hosts.',
    severity: 'medium',
    remediation: settingFix('Run the pool as ApplicationPoolIdentity.', {
      section: 'system.applicationHost/applicationPools',
      element: "[name='POOL'].processModel",
      attribute: 'identityType',
      value: 'ApplicationPoolIdentity',
      perSite: false,
    }),
  }),
  scope: 'app-pool',
  evaluate(context) {
    const pool = context.target.pool;
    if (pool === undefined) return [notEvaluated('no application pool')];
    const identity = pool.identityType;
    if (sameText(identity.value, 'ApplicationPoolIdentity')) return [PASS];
    const exchange = sameText(identity.value, 'LocalSystem') && servesExchange(context, pool);
    const severity = exchange ? 'low' : sameText(identity.value, 'LocalSystem') ? 'critical' : sameText(identity.value, 'NetworkService') ? 'medium' : 'low';
    const notes = [pool.userName === undefined ? undefined : `account ${pool.userName.value}`, exchange ? 'Exchange runs its own pools as LocalSystem by design' : undefined].filter((note) => note !== undefined);
    return [
      {
        status: 'fail',
        location: poolLocation(pool),
        attribute: 'identityType',
        found: identity.value,
        expected: 'ApplicationPoolIdentity',
        file: identity.file ?? pool.file,
        line: identity.line ?? pool.line,
        severity,
        ...(notes.length === 0 ? {} : { note: notes.join('; ') }),
      },
    ];
  },
};

/** A pool switch worth knowing when judging what a compromise of the pool gives (not a CIS item). */
function poolSwitchCheck(slug: string, title: string, description: string, element: string, attribute: 'loadUserProfile' | 'enable32BitAppOnWin64', note: string): ConfigCheck {
  return {
    meta: auditRule('cfg', {
      slug,
      title,
      description,
      severity: 'info',
      category: 'least-privilege',
      remediation: settingFix(`Set ${attribute} to false unless the application needs it.`, {
        section: 'system.applicationHost/applicationPools',
        element: `[name='POOL']${element}`,
        attribute,
        value: 'False',
        perSite: false,
      }),
    }),
    scope: 'app-pool',
    evaluate(context) {
      const pool = context.target.pool;
      if (pool === undefined) return [notEvaluated('no application pool')];
      const value = pool[attribute];
      if (!sameText(value.value, 'true')) return [PASS];
      return [
        {
          status: 'fail',
          location: `system.applicationHost/applicationPools/add[@name='${pool.name}']${element.replaceAll('.', '/')}/@${attribute}`,
          attribute,
          found: value.value,
          expected: 'false',
          file: value.file ?? pool.file,
          line: value.line ?? pool.line,
          note,
        },
      ];
    },
  };
}

const poolLoadsUserProfile = poolSwitchCheck(
  'pool-load-user-profile',
  'Application pool loads its account\'s user profile',
  'With loadUserProfile the worker process gets a full user profile: its own temp folder and registry hive, places where code dropped by a web shell runs and persists under the pool account.',
  '.processModel',
  'loadUserProfile',
  'the pool loads a user profile (its own %TEMP% and HKCU)',
);

const pool32Bit = poolSwitchCheck(
  'pool-32-bit',
  'Application pool runs 32-bit worker processes',
  'A 32-bit pool loads 32-bit native modules and DLLs from SysWOW64 and Framework (not Framework64): side-loaded or rogue modules for that pool live in those folders, which an audit of the 64-bit folders alone would miss.',
  '',
  'enable32BitAppOnWin64',
  'modules and DLLs of this pool come from the 32-bit folders',
);

/** Whether every application of the pool is an Exchange Server virtual directory (Exchange's own MSExchange* pools). */
function servesExchange(context: CheckContext, pool: AppPool): boolean {
  if (!/^MSExchange/i.test(pool.name)) return false;
  const applications = context.config.sites().flatMap((site) => site.applications).filter((application) => sameText(application.applicationPool.value, pool.name));
  return applications.length > 0 && applications.every((application) => /\\exchange server\\/i.test(normalizeWindowsPath(application.physicalPath ?? '')));
}

const uniquePools: ConfigCheck = {
  meta: cisRule('1.5', 1, {
    slug: 'unique-app-pool-per-site',
    title: 'Several sites share one application pool',
    description: 'Sites in one pool share a worker process and identity: a web shell in one can read and change the others.',
    severity: 'low',
    remediation: commandFix(
      'Give each site its own application pool.',
      '%windir%\\system32\\inetsrv\\appcmd.exe add apppool /name:"SITE-pool" && %windir%\\system32\\inetsrv\\appcmd.exe set app "SITE/" /applicationPool:"SITE-pool"',
      "New-WebAppPool -Name 'SITE-pool'; Set-ItemProperty 'IIS:\\Sites\\SITE' -Name applicationPool -Value 'SITE-pool'",
    ),
  }),
  scope: 'app-pool',
  evaluate(context) {
    const pool = context.target.pool;
    if (pool === undefined) return [notEvaluated('no application pool')];
    const sites = context.config.sites().filter((site) => site.applications.some((application) => sameText(application.applicationPool.value, pool.name)));
    if (sites.length === 0) return [notEvaluated('pool serves no site')];
    if (sites.length === 1) return [PASS];
    return [
      {
        status: 'fail',
        location: `system.applicationHost/applicationPools/add[@name='${pool.name}']`,
        attribute: 'name',
        found: pool.name,
        expected: 'one site per pool',
        file: pool.file,
        line: pool.line,
        note: `used by ${sites.map((site) => site.name).join(', ')}`,
      },
    ];
  },
};

const logLocation: ConfigCheck = {
  meta: cisRule('5.1', 1, {
    slug: 'log-location-moved',
    title: 'Web logs are kept on the system drive',
    description: 'Logs on the system drive can fill it and stop the server, and sit where an intruder with local rights expects them.',
    severity: 'low',
    remediation: settingFix('Move the log folder to a non-system drive.', { section: 'system.applicationHost/sites', element: 'siteDefaults.logFile', attribute: 'directory', value: 'D:\\Logs' }),
  }),
  scope: 'site',
  evaluate(context) {
    const site = siteOf(context);
    if (site === undefined) return [notEvaluated('site not found')];
    const directory = site.logDirectory;
    if (!/^\s*(%systemdrive%|c:)/i.test(directory.value)) return [PASS];
    return [
      {
        status: 'fail',
        location: `system.applicationHost/sites/site[@name='${site.name}']/logFile/@directory`,
        attribute: 'directory',
        found: directory.value,
        expected: 'a folder on another drive',
        file: directory.file ?? site.file,
        line: directory.line ?? site.line,
        ...(directory.file === undefined ? { fromDefault: true } : {}),
      },
    ];
  },
};

const etwLogging: ConfigCheck = {
  meta: cisRule('5.3', 1, {
    slug: 'etw-logging',
    title: 'Logs are not also sent to ETW',
    description: 'Sending W3C logs to ETW as well as to files lets a collector keep a copy an intruder cannot edit on disk.',
    severity: 'info',
    remediation: settingFix('Log to both File and ETW.', { section: 'system.applicationHost/sites', element: 'siteDefaults.logFile', attribute: 'logTargetW3C', value: 'File,ETW' }),
  }),
  scope: 'site',
  evaluate(context) {
    const settings = siteLogSettings(context.config, context.target.sitePath);
    if (settings.central) return [notEvaluated('central W3C logging is on')];
    const target = settings.get('logTargetW3C', 'File');
    if (flagsOf(target.value).has('etw')) return [PASS];
    return [
      {
        status: 'fail',
        location: `${settings.location}/@logTargetW3C`,
        attribute: 'logTargetW3C',
        found: target.value,
        expected: 'File,ETW',
        file: target.file ?? context.target.file,
        ...(target.file === undefined ? { fromDefault: true, ...(context.target.line === undefined ? {} : { line: context.target.line }) } : target.line === undefined ? {} : { line: target.line }),
      },
    ];
  },
};

const hsts: ConfigCheck = {
  meta: cisRule('7.1', 2, {
    slug: 'hsts',
    title: 'An HTTPS site does not send HSTS',
    description: 'Without Strict-Transport-Security, browsers can be downgraded to plain HTTP on the first request, exposing cookies and credentials.',
    severity: 'low',
    remediation: commandFix(
      'Turn HSTS on for the site (IIS 10 1709 and later) with a long max-age.',
      '%windir%\\system32\\inetsrv\\appcmd.exe set config -section:system.applicationHost/sites "/[name=\'SITE\'].hsts.enabled:True" "/[name=\'SITE\'].hsts.max-age:31536000" /commit:apphost',
      "Set-IISConfigAttributeValue -ConfigElement (Get-IISConfigCollectionElement -ConfigCollection (Get-IISConfigSection -SectionPath 'system.applicationHost/sites' | Get-IISConfigCollection) -ConfigAttribute @{name='SITE'} | Get-IISConfigElement -ChildElementName 'hsts') -AttributeName 'enabled' -AttributeValue $true",
    ),
  }),
  scope: 'site',
  evaluate(context): CheckResult[] {
    const site = siteOf(context);
    if (site === undefined) return [notEvaluated('site not found')];
    if (!site.bindings.some((binding) => sameText(binding.protocol, 'https'))) return [notEvaluated('no HTTPS binding')];
    const item = context.config.effective('', 'system.applicationHost/sites').items.find((candidate) => candidate.tag === 'site' && candidate.attributes.get('name')?.value === site.name);
    const element = item?.element.children.find((child) => child.name === 'hsts');
    const enabled = element?.attributes.find((attribute) => attribute.name === 'enabled');
    if (enabled !== undefined && sameText(enabled.value, 'true')) return [PASS];
    const headers = readSection(context, 'system.webServer/httpProtocol');
    if ('section' in headers && headers.section.children.get('customHeaders')?.items.some((header) => sameText(header.attributes.get('name')?.value ?? '', 'Strict-Transport-Security'))) return [PASS];
    return [
      {
        status: 'fail',
        location: `system.applicationHost/sites/site[@name='${site.name}']/hsts/@enabled`,
        attribute: 'enabled',
        found: enabled?.value ?? 'false',
        expected: 'true (or a Strict-Transport-Security header)',
        file: site.file,
        line: enabled?.line ?? site.line,
      },
    ];
  },
};

/** The fields `w3guard hunt` needs: without them whole families of detections go blind. */
const HUNT_FIELDS: readonly { readonly flag: string; readonly field: string }[] = [
  { flag: 'uriquery', field: 'cs-uri-query' },
  { flag: 'useragent', field: 'cs(User-Agent)' },
  { flag: 'httpstatus', field: 'sc-status' },
  { flag: 'clientip', field: 'c-ip' },
];

const logFields: ConfigCheck = {
  meta: cisRule('5.2', 1, {
    slug: 'log-fields',
    title: 'W3C log fields leave attacks invisible',
    description: 'The site logs without the query string, user agent, status or client address, so exploitation and web-shell use cannot be seen or traced in its logs.',
    severity: 'medium',
    tags: ['w3guard.hunt-coverage'],
    category: 'logging',
    remediation: settingFix('Log at least the default W3C fields.', { section: 'system.applicationHost/sites', element: 'siteDefaults.logFile', attribute: 'logExtFileFlags', value: DEFAULT_LOG_FIELDS.replace(/ /g, '') }),
  }),
  scope: 'site',
  evaluate(context) {
    const settings = siteLogSettings(context.config, context.target.sitePath);
    const format = settings.central ? { value: 'W3C' } : settings.get('logFormat', 'W3C');
    if (!sameText(format.value, 'W3C')) return [notEvaluated(`log format is ${format.value}, which has fixed fields`)];
    const flagsValue = settings.get('logExtFileFlags', DEFAULT_LOG_FIELDS);
    const flags = flagsOf(flagsValue.value);
    const missing = HUNT_FIELDS.filter((entry) => !flags.has(entry.flag));
    if (missing.length === 0) return [PASS];
    return [
      {
        status: 'fail',
        location: `${settings.location}/@logExtFileFlags`,
        attribute: 'logExtFileFlags',
        found: flagsValue.value,
        expected: 'including UriQuery, UserAgent, HttpStatus, ClientIP',
        file: flagsValue.file ?? context.target.file,
        ...(flagsValue.line === undefined ? {} : { line: flagsValue.line }),
        note: `missing ${missing.map((entry) => entry.field).join(', ')}`,
      },
    ];
  },
};

const backdoorFields: ConfigCheck = {
  meta: auditRule('log', {
    slug: 'cookie-header-fields',
    title: 'Logs cannot show cookie- or header-driven backdoors',
    description:
      'Native IIS backdoors are often driven by a cookie or a custom request header; without cs(Cookie) or custom fields for those headers the logs show only innocent-looking requests.',
    severity: 'info',
    remediation: commandFix(
      'Log the Cookie field and, where a backdoor is suspected, the request headers it uses as custom fields.',
      '%windir%\\system32\\inetsrv\\appcmd.exe set config -section:system.applicationHost/sites /siteDefaults.logFile.logExtFileFlags:"Date,Time,ClientIP,UserName,ServerIP,Method,UriStem,UriQuery,HttpStatus,Win32Status,TimeTaken,ServerPort,UserAgent,Cookie,Referer,HttpSubStatus" /commit:apphost',
      "Add-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Filter 'system.applicationHost/sites/siteDefaults/logFile/customFields' -Name '.' -Value @{logFieldName='X-Forwarded-For';sourceName='X-Forwarded-For';sourceType='RequestHeader'}",
    ),
  }),
  scope: 'site',
  evaluate(context) {
    const settings = siteLogSettings(context.config, context.target.sitePath);
    const flagsValue = settings.get('logExtFileFlags', DEFAULT_LOG_FIELDS);
    if (flagsOf(flagsValue.value).has('cookie')) return [PASS];
    return [
      {
        status: 'fail',
        location: `${settings.location}/@logExtFileFlags`,
        attribute: 'logExtFileFlags',
        found: flagsValue.value,
        expected: 'including Cookie (and custom fields for suspect request headers)',
        file: flagsValue.file ?? context.target.file,
        ...(flagsValue.file === undefined ? { fromDefault: true, ...(context.target.line === undefined ? {} : { line: context.target.line }) } : flagsValue.line === undefined ? {} : { line: flagsValue.line }),
        note: `missing cs(Cookie)${settings.customFields.length === 0 ? '; no custom header fields' : `; custom fields ${settings.customFields.join(', ')}`}`,
      },
    ];
  },
};

/** Checks about sites' bindings and logging, and about application pools. */
export const SITE_CHECKS: readonly ConfigCheck[] = [contentOffSystemDrive, hostHeaders, poolIdentity, poolLoadsUserProfile, pool32Bit, uniquePools, logLocation, logFields, etwLogging, hsts, backdoorFields];
