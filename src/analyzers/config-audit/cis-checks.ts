import { attributeCheck } from './attribute-check.js';
import { cisRule } from './check-rule.js';
import { notEvaluated, PASS, type CheckContext, type CheckResult, type ConfigCheck } from './config-check.js';
import { attributeOf, childAt, flagsOf, readSection, sameText } from './read-setting.js';
import { commandFix, settingFix } from './setting-fix.js';

const FILTERING = 'system.webServer/security/requestFiltering';

function is(expected: string): (value: string) => boolean {
  return (value) => sameText(value, expected);
}

function isNot(forbidden: string): (value: string) => boolean {
  return (value) => !sameText(value, forbidden);
}

function atMost(limit: number): (value: string) => boolean {
  return (value) => /^\s*\d+\s*$/.test(value) && Number(value) <= limit;
}

/** Forms settings only matter where forms authentication is on. */
function formsNotUsed(context: CheckContext): string | undefined {
  const read = readSection(context, 'system.web/authentication');
  if ('reason' in read) return read.reason;
  const mode = attributeOf(read.section, 'mode', 'Windows').value;
  return sameText(mode, 'Forms') ? undefined : `forms authentication is not used (mode ${mode})`;
}

const directoryBrowse = attributeCheck({
  meta: cisRule('1.3', 1, {
    slug: 'directory-browsing-off',
    title: 'Directory browsing is enabled',
    technicalImpact: 'partial',
    automatable: true,
    description: 'IIS lists the files of folders without a default document, showing attackers backups, uploads and scripts they could not otherwise name.',
    severity: 'medium',
    remediation: settingFix('Turn directory browsing off.', { section: 'system.webServer/directoryBrowse', attribute: 'enabled', value: 'False' }),
  }),
  scope: 'application',
  section: 'system.webServer/directoryBrowse',
  attribute: 'enabled',
  schemaDefault: 'false',
  expected: 'false',
  passes: is('false'),
});

const anonymousIdentity = attributeCheck({
  meta: cisRule('1.6', 1, {
    slug: 'anonymous-identity-app-pool',
    title: 'Anonymous requests do not run as the application pool identity',
    description: 'Anonymous authentication impersonates a fixed account (IUSR or a named user) instead of the pool identity, so sites share one account and its file rights.',
    severity: 'low',
    remediation: settingFix('Clear the anonymous user name so anonymous requests run as the application pool identity.', {
      section: 'system.webServer/security/authentication/anonymousAuthentication',
      attribute: 'userName',
      value: '',
    }),
  }),
  scope: 'application',
  section: 'system.webServer/security/authentication/anonymousAuthentication',
  attribute: 'userName',
  schemaDefault: 'IUSR',
  expected: '"" (the application pool identity)',
  passes: (value) => value.trim() === '',
  skip: (context) => {
    const read = readSection(context, 'system.webServer/security/authentication/anonymousAuthentication');
    if ('reason' in read) return read.reason;
    return sameText(attributeOf(read.section, 'enabled', 'false').value, 'true') ? undefined : 'anonymous authentication is off';
  },
});

const webDav: ConfigCheck = {
  meta: cisRule('1.7', 1, {
    slug: 'webdav-off',
    title: 'WebDAV authoring is enabled',
    description: 'WebDAV lets clients upload, change and delete files over HTTP; with write rules open to everyone it is a direct way to plant a web shell.',
    severity: 'low',
    remediation: settingFix('Turn WebDAV authoring off (and remove the WebDAV feature when nothing needs it).', {
      section: 'system.webServer/webdav/authoring',
      attribute: 'enabled',
      value: 'False',
    }),
  }),
  scope: 'application',
  evaluate(context) {
    const read = readSection(context, 'system.webServer/webdav');
    if ('reason' in read) return [notEvaluated(read.reason)];
    const authoring = read.section.children.get('authoring');
    const enabled = attributeOf(authoring, 'enabled', 'false');
    if (!sameText(enabled.value, 'true')) return [PASS];
    const rules = read.section.children.get('authoringRules')?.items ?? [];
    const open = rules.filter((rule) => {
      const users = (rule.attributes.get('users')?.value ?? '').trim();
      const roles = (rule.attributes.get('roles')?.value ?? '').trim();
      const access = flagsOf(rule.attributes.get('access')?.value ?? '');
      return (users === '*' || users === '?' || roles === '*') && access.has('write');
    });
    const file = enabled.file ?? context.target.file;
    return [
      {
        status: 'fail',
        location: 'system.webServer/webdav/authoring/@enabled',
        attribute: 'enabled',
        found: enabled.value,
        expected: 'false',
        file,
        ...(enabled.line === undefined ? {} : { line: enabled.line }),
        ...(open.length > 0 ? { severity: 'medium' as const, note: `write access for all users (${open.map((rule) => rule.attributes.get('access')?.value ?? '').join('; ')})` } : {}),
        alsoLines: open.filter((rule) => rule.file === file).map((rule) => rule.line),
      },
    ];
  },
};

const globalAuthorization: ConfigCheck = {
  meta: cisRule('2.1', 1, {
    slug: 'global-authorization-restricted',
    title: 'The server-wide URL authorization rule allows all users',
    description: 'An "allow all users" rule at the server level means every site is reachable by anyone unless it narrows access itself.',
    severity: 'low',
    remediation: commandFix(
      'Replace the server-wide allow-all rule with one for the roles that need access.',
      '%windir%\\system32\\inetsrv\\appcmd.exe set config -section:system.webServer/security/authorization /-"[users=\'*\',roles=\'\',verbs=\'\']" /commit:apphost',
      "Remove-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Filter 'system.webServer/security/authorization' -Name '.' -AtElement @{users='*';roles='';verbs=''}",
    ),
  }),
  scope: 'server',
  evaluate(context) {
    const read = readSection(context, 'system.webServer/security/authorization');
    if ('reason' in read) return [notEvaluated(read.reason)];
    const open = read.section.items.find((item) => sameText(item.attributes.get('accessType')?.value ?? '', 'Allow') && (item.attributes.get('users')?.value ?? '').trim() === '*');
    if (open === undefined) return [PASS];
    return [
      {
        status: 'fail',
        location: "system.webServer/security/authorization/add[@accessType='Allow'][@users='*']",
        attribute: 'users',
        found: '*',
        expected: 'specific users or roles',
        file: open.file,
        line: open.line,
      },
    ];
  },
};

const formsRequireSsl = attributeCheck({
  meta: cisRule('2.3', 1, {
    slug: 'forms-require-ssl',
    title: 'Forms authentication cookies may travel over plain HTTP',
    description: 'Without requireSSL the forms authentication ticket is sent on unencrypted requests, where anyone on the path can take over the session.',
    severity: 'medium',
    remediation: settingFix('Require SSL for the forms authentication cookie.', { section: 'system.web/authentication', element: 'forms', attribute: 'requireSSL', value: 'True' }),
  }),
  scope: 'application',
  section: 'system.web/authentication',
  element: ['forms'],
  attribute: 'requireSSL',
  schemaDefault: 'false',
  expected: 'true',
  passes: is('true'),
  skip: formsNotUsed,
});

const formsCookies = attributeCheck({
  meta: cisRule('2.4', 2, {
    slug: 'forms-use-cookies',
    title: 'Forms authentication may put the ticket in the URL',
    description: 'Cookieless forms authentication carries the ticket in URLs, where logs, proxies and Referer headers leak it.',
    severity: 'low',
    remediation: settingFix('Make forms authentication use cookies only.', { section: 'system.web/authentication', element: 'forms', attribute: 'cookieless', value: 'UseCookies' }),
  }),
  scope: 'application',
  section: 'system.web/authentication',
  element: ['forms'],
  attribute: 'cookieless',
  schemaDefault: 'UseDeviceProfile',
  expected: 'UseCookies',
  passes: is('UseCookies'),
  skip: formsNotUsed,
});

const formsProtection = attributeCheck({
  meta: cisRule('2.5', 1, {
    slug: 'forms-protection-all',
    title: 'Forms authentication cookie is not both encrypted and validated',
    description: 'A protection mode other than All leaves the forms ticket readable or forgeable.',
    severity: 'medium',
    remediation: settingFix('Set forms cookie protection to All.', { section: 'system.web/authentication', element: 'forms', attribute: 'protection', value: 'All' }),
  }),
  scope: 'application',
  section: 'system.web/authentication',
  element: ['forms'],
  attribute: 'protection',
  schemaDefault: 'All',
  expected: 'All',
  passes: is('All'),
  skip: formsNotUsed,
});

const basicOverTls: ConfigCheck = {
  meta: cisRule('2.6', 1, {
    slug: 'basic-auth-requires-ssl',
    title: 'Basic authentication is allowed without TLS',
    description: 'Basic authentication sends the password with every request; without SSL required it can be read on the wire.',
    severity: 'medium',
    remediation: settingFix('Require SSL wherever basic authentication is on.', { section: 'system.webServer/security/access', attribute: 'sslFlags', value: 'Ssl' }),
  }),
  scope: 'application',
  evaluate(context) {
    const basic = readSection(context, 'system.webServer/security/authentication/basicAuthentication');
    if ('reason' in basic) return [notEvaluated(basic.reason)];
    const enabled = attributeOf(basic.section, 'enabled', 'false');
    if (!sameText(enabled.value, 'true')) return [PASS];
    const access = readSection(context, 'system.webServer/security/access');
    if ('reason' in access) return [notEvaluated(access.reason)];
    const flags = attributeOf(access.section, 'sslFlags', 'None');
    if (flagsOf(flags.value).has('ssl')) return [PASS];
    return [
      {
        status: 'fail',
        location: 'system.webServer/security/access/@sslFlags',
        attribute: 'sslFlags',
        found: flags.value,
        expected: 'Ssl (basic authentication is on)',
        file: enabled.file ?? context.target.file,
        ...(enabled.line === undefined ? {} : { line: enabled.line }),
      },
    ];
  },
};

const passwordFormat = attributeCheck({
  meta: cisRule('2.7', 1, {
    slug: 'forms-password-not-clear',
    title: 'Forms credentials are stored in clear text',
    description: 'passwordFormat="Clear" keeps the passwords of configured users readable by anyone who can read the configuration file.',
    severity: 'high',
    remediation: settingFix('Remove the credentials, or at least store them hashed.', { section: 'system.web/authentication', element: 'forms/credentials', attribute: 'passwordFormat', value: 'SHA1' }),
  }),
  scope: 'application',
  section: 'system.web/authentication',
  element: ['forms', 'credentials'],
  attribute: 'passwordFormat',
  schemaDefault: 'SHA1',
  expected: 'not Clear',
  passes: isNot('Clear'),
  skip: formsNotUsed,
});

const storedCredentials: ConfigCheck = {
  meta: cisRule('2.8', 2, {
    slug: 'no-credentials-in-config',
    title: 'User credentials are stored in the configuration file',
    description: 'Forms users with passwords inside web.config are exposed to anyone who can read the file, a backup or a leaked copy.',
    severity: 'medium',
    remediation: commandFix(
      'Move the users to a membership store and delete the <credentials> users.',
      '%windir%\\system32\\inetsrv\\appcmd.exe set config "SITE" -section:system.web/authentication /-"forms.credentials.[name=\'USER\']"',
      "Remove-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location 'SITE' -Filter 'system.web/authentication/forms/credentials' -Name '.' -AtElement @{name='USER'}",
    ),
  }),
  scope: 'application',
  evaluate(context) {
    const skipped = formsNotUsed(context);
    if (skipped !== undefined) return [notEvaluated(skipped)];
    const read = readSection(context, 'system.web/authentication');
    if ('reason' in read) return [notEvaluated(read.reason)];
    const credentials = childAt(read.section, ['forms', 'credentials']);
    const user = credentials?.children.get('user');
    const name = user?.attributes.get('name');
    if (user === undefined || name === undefined) return [PASS];
    const format = attributeOf(credentials, 'passwordFormat', 'SHA1').value;
    return [
      {
        status: 'fail',
        location: 'system.web/authentication/forms/credentials/user/@name',
        attribute: 'name',
        found: name.value,
        expected: 'no users in configuration',
        file: name.file ?? context.target.file,
        ...(name.line === undefined ? {} : { line: name.line }),
        note: `passwordFormat ${format}`,
        ...(sameText(format, 'Clear') ? { severity: 'high' as const } : {}),
      },
    ];
  },
};

const retail: ConfigCheck = {
  meta: cisRule('3.1', 1, {
    slug: 'deployment-retail',
    title: 'Deployment retail mode is not on',
    description: 'Retail mode forces debug, tracing and detailed errors off for every application on the server, whatever their web.config says.',
    severity: 'low',
    remediation: commandFix(
      'Set <deployment retail="true"/> in machine.config (Framework and Framework64).',
      'no appcmd equivalent: edit %windir%\\Microsoft.NET\\Framework64\\v4.0.30319\\Config\\machine.config',
      "Set-WebConfigurationProperty -PSPath 'MACHINE' -Filter 'system.web/deployment' -Name 'retail' -Value 'True'",
    ),
  }),
  scope: 'server',
  evaluate(context) {
    // deployment is a MachineOnly section: only machine.config can set it, once per installed Framework.
    const levels = context.config.frameworkLevels().flatMap((level) => (level.machineConfig === undefined ? [] : [{ level, file: level.machineConfig }]));
    if (levels.length === 0) return [notEvaluated('no machine.config under Windows/Microsoft.NET, where retail mode is set')];
    return levels.map(({ level, file }): CheckResult => {
      const section = context.config.frameworkEffective(level, 'system.web/deployment');
      if (section.encrypted !== undefined) return notEvaluated(`system.web/deployment is encrypted (${section.encrypted.provider}) in ${section.encrypted.file}:${section.encrypted.line}`);
      const retailValue = section.attributes.get('retail');
      if (retailValue !== undefined && sameText(retailValue.value, 'true')) return PASS;
      const framework = `${level.folder} ${level.version}`;
      // Not set: point at machine.config's <system.web>, where the setting belongs.
      const line = retailValue?.line ?? context.config.frameworkEffective(level, 'system.web').sources.find((source) => source.file === file)?.line;
      return {
        status: 'fail',
        location: 'system.web/deployment/@retail',
        attribute: 'retail',
        found: retailValue?.value ?? 'false',
        expected: 'true',
        file: retailValue?.file ?? file,
        ...(line === undefined ? {} : { line }),
        note: retailValue === undefined ? `not set in the ${framework} machine.config; the default is false` : `${framework} machine.config`,
      };
    });
  },
};

/**
 * Where `<deployment retail="true"/>` is set in the machine.config of the .NET the target's pool loads: ASP.NET
 * then forces debug compilation, tracing and remote error details off whatever web.config says.
 */
function retailMode(context: CheckContext): { readonly file: string; readonly line?: number } | undefined {
  const level = context.config.frameworkLevelFor(context.target.sitePath);
  if (level === undefined) return undefined;
  const retailValue = context.config.frameworkEffective(level, 'system.web/deployment').attributes.get('retail');
  if (retailValue?.file === undefined || !sameText(retailValue.value, 'true')) return undefined;
  return { file: retailValue.file, ...(retailValue.line === undefined ? {} : { line: retailValue.line }) };
}

/** Keeps a failure that retail mode neutralizes, as information that points at the machine.config line that does it. */
function underRetail(check: ConfigCheck): ConfigCheck {
  return {
    ...check,
    async evaluate(context) {
      const results = await check.evaluate(context);
      const retail = results.some((result) => result.status === 'fail') ? retailMode(context) : undefined;
      if (retail === undefined) return results;
      const where = `${retail.file}${retail.line === undefined ? '' : `:${retail.line}`}`;
      return results.map((result): CheckResult =>
        result.status === 'fail' ? { ...result, severity: 'info', note: [result.note, `ASP.NET ignores it: deployment retail="true" in ${where}`].filter((note) => note !== undefined).join('; ') } : result,
      );
    },
  };
}

const debugOff = attributeCheck({
  meta: cisRule('3.2', 1, {
    slug: 'debug-off',
    title: 'ASP.NET debug compilation is on',
    description: 'Debug builds disable timeouts and batching, keep debug symbols and give attackers more detail in errors; production must compile in release mode.',
    severity: 'medium',
    remediation: settingFix('Turn debug compilation off.', { section: 'system.web/compilation', attribute: 'debug', value: 'False' }),
  }),
  scope: 'application',
  section: 'system.web/compilation',
  attribute: 'debug',
  schemaDefault: 'false',
  expected: 'false',
  passes: is('false'),
});

const customErrors = attributeCheck({
  meta: cisRule('3.3', 1, {
    slug: 'custom-errors-not-off',
    title: 'ASP.NET custom errors are off',
    description: 'With customErrors Off, remote visitors get exception details and stack traces that map the application for an attacker.',
    severity: 'medium',
    remediation: settingFix('Set custom errors to RemoteOnly or On.', { section: 'system.web/customErrors', attribute: 'mode', value: 'RemoteOnly' }),
  }),
  scope: 'application',
  section: 'system.web/customErrors',
  attribute: 'mode',
  schemaDefault: 'RemoteOnly',
  expected: 'RemoteOnly or On',
  passes: isNot('Off'),
});

const detailedErrors = attributeCheck({
  meta: cisRule('3.4', 1, {
    slug: 'detailed-errors-local-only',
    title: 'IIS detailed errors are shown to remote clients',
    description: 'httpErrors errorMode="Detailed" sends physical paths, module names and configuration excerpts to every visitor.',
    severity: 'medium',
    remediation: settingFix('Show detailed errors to local requests only.', { section: 'system.webServer/httpErrors', attribute: 'errorMode', value: 'DetailedLocalOnly' }),
  }),
  scope: 'application',
  section: 'system.webServer/httpErrors',
  attribute: 'errorMode',
  schemaDefault: 'DetailedLocalOnly',
  expected: 'DetailedLocalOnly or Custom',
  passes: isNot('Detailed'),
});

const traceOff = attributeCheck({
  meta: cisRule('3.5', 1, {
    slug: 'trace-off',
    title: 'ASP.NET tracing is enabled',
    technicalImpact: 'partial',
    automatable: true,
    description: 'Trace output (trace.axd) records request headers, cookies, session and form values; with localOnly="false" anyone can read it.',
    severity: 'low',
    remediation: settingFix('Turn ASP.NET tracing off.', { section: 'system.web/trace', attribute: 'enabled', value: 'False' }),
  }),
  scope: 'application',
  section: 'system.web/trace',
  attribute: 'enabled',
  schemaDefault: 'false',
  expected: 'false',
  passes: is('false'),
  severityOf: () => undefined,
});

/** Trace is worse when remote clients can read it; the severity depends on a second attribute. */
const traceCheck: ConfigCheck = {
  ...traceOff,
  async evaluate(context) {
    const results = await traceOff.evaluate(context);
    const read = readSection(context, 'system.web/trace');
    if ('reason' in read) return results;
    const remote = !sameText(attributeOf(read.section, 'localOnly', 'true').value, 'true');
    return results.map((result): CheckResult => (result.status === 'fail' && remote ? { ...result, severity: 'medium', note: 'localOnly="false": remote clients can read trace.axd' } : result));
  },
};

const sessionCookies = attributeCheck({
  meta: cisRule('3.6', 2, {
    slug: 'session-state-use-cookies',
    title: 'Session state may be carried in the URL',
    description: 'Cookieless session state puts the session id in URLs, where it leaks through logs and Referer headers and invites session fixation.',
    severity: 'low',
    remediation: settingFix('Make session state use cookies.', { section: 'system.web/sessionState', attribute: 'cookieless', value: 'UseCookies' }),
  }),
  scope: 'application',
  section: 'system.web/sessionState',
  attribute: 'cookieless',
  schemaDefault: 'UseCookies',
  expected: 'UseCookies',
  passes: (value) => sameText(value, 'UseCookies') || sameText(value, 'false'),
});

const httpOnlyCookies = attributeCheck({
  meta: cisRule('3.7', 1, {
    slug: 'http-only-cookies',
    title: 'Cookies are not marked HttpOnly',
    description: 'Without httpOnlyCookies, a script injected into a page can read the session and authentication cookies.',
    severity: 'low',
    remediation: settingFix('Mark cookies HttpOnly.', { section: 'system.web/httpCookies', attribute: 'httpOnlyCookies', value: 'True' }),
  }),
  scope: 'application',
  section: 'system.web/httpCookies',
  attribute: 'httpOnlyCookies',
  schemaDefault: 'false',
  expected: 'true',
  passes: is('true'),
});

const STRONG_VALIDATION = ['HMACSHA256', 'HMACSHA384', 'HMACSHA512'];

/**
 * Whether the target's application pool loads the .NET 2.0 CLR (.NET 2.0 to 3.5), whose machineKey knows no HMAC
 * algorithms; CIS judges those pools by 3.8 and the others by 3.9. Undefined at the server level, which serves every pool.
 */
function runsClr2(context: CheckContext): boolean | undefined {
  if (context.target.sitePath === '') return undefined;
  const version = context.config.appPoolFor(context.target.sitePath)?.managedRuntimeVersion.value ?? 'v4.0';
  return sameText(version, 'v2.0');
}

const machineKeyValidationClr2 = attributeCheck({
  meta: cisRule('3.8', 1, {
    slug: 'machinekey-validation-sha1-net35',
    title: 'machineKey validation of a .NET 3.5 application is weaker than SHA1',
    description: 'Applications on the .NET 2.0 CLR (.NET 2.0 to 3.5) sign view state and forms tickets with the machineKey validation algorithm; MD5 or 3DES make forgery easier than SHA1, the strongest it offers.',
    severity: 'medium',
    remediation: settingFix('Use SHA1 for machineKey validation in .NET 3.5 applications (or move them to .NET 4.x and HMACSHA256).', { section: 'system.web/machineKey', attribute: 'validation', value: 'SHA1' }),
  }),
  scope: 'application',
  section: 'system.web/machineKey',
  attribute: 'validation',
  // The .NET 2.0 machine.config leaves validation at SHA1.
  schemaDefault: 'SHA1',
  expected: 'SHA1',
  passes: is('SHA1'),
  skip: (context) => {
    const clr2 = runsClr2(context);
    if (clr2 === undefined) return 'judged per site and application, by the .NET version of its pool';
    return clr2 ? undefined : 'the application pool does not run .NET 2.0/3.5';
  },
});

const machineKeyValidation = attributeCheck({
  meta: cisRule('3.9', 1, {
    slug: 'machinekey-validation-hmacsha256',
    title: 'machineKey validation uses a weak algorithm',
    description: 'View state and forms tickets are signed with the machineKey validation algorithm; MD5, SHA1 or 3DES make forgery easier than HMACSHA256.',
    severity: 'medium',
    remediation: settingFix('Use HMACSHA256 (or stronger) for machineKey validation.', { section: 'system.web/machineKey', attribute: 'validation', value: 'HMACSHA256' }),
  }),
  scope: 'application',
  section: 'system.web/machineKey',
  attribute: 'validation',
  schemaDefault: 'HMACSHA256',
  expected: STRONG_VALIDATION.join(', '),
  passes: (value) => STRONG_VALIDATION.some((name) => sameText(value, name)),
  skip: (context) => (runsClr2(context) === true ? 'the application pool runs .NET 2.0/3.5, judged by CIS 3.8' : undefined),
});

const trustLevel = attributeCheck({
  meta: cisRule('3.10', 1, {
    slug: 'trust-level-medium',
    title: '.NET trust level is higher than Medium',
    description: 'Full or High trust lets application code, and a web shell in it, use every .NET permission of the pool identity.',
    severity: 'low',
    remediation: settingFix('Run applications at Medium trust or lower where they support it.', { section: 'system.web/trust', attribute: 'level', value: 'Medium' }),
  }),
  scope: 'application',
  section: 'system.web/trust',
  attribute: 'level',
  schemaDefault: 'Full',
  expected: 'Medium, Low or Minimal',
  passes: (value) => ['medium', 'low', 'minimal'].includes(value.trim().toLowerCase()),
});

const poweredBy: ConfigCheck = {
  meta: cisRule('3.11', 1, {
    slug: 'x-powered-by-removed',
    title: 'Responses carry an X-Powered-By header',
    description: 'X-Powered-By tells scanners which framework runs the site, so they can pick matching exploits.',
    severity: 'low',
    remediation: commandFix(
      'Remove the X-Powered-By custom header.',
      '%windir%\\system32\\inetsrv\\appcmd.exe set config -section:system.webServer/httpProtocol /-"customHeaders.[name=\'X-Powered-By\']" /commit:apphost',
      "Remove-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Filter 'system.webServer/httpProtocol/customHeaders' -Name '.' -AtElement @{name='X-Powered-By'}",
    ),
  }),
  scope: 'application',
  evaluate(context) {
    const read = readSection(context, 'system.webServer/httpProtocol');
    if ('reason' in read) return [notEvaluated(read.reason)];
    const header = read.section.children.get('customHeaders')?.items.find((item) => sameText(item.attributes.get('name')?.value ?? '', 'X-Powered-By'));
    if (header === undefined) return [PASS];
    return [
      {
        status: 'fail',
        location: "system.webServer/httpProtocol/customHeaders/add[@name='X-Powered-By']",
        attribute: 'value',
        found: header.attributes.get('value')?.value ?? '',
        expected: 'header removed',
        file: header.file,
        line: header.line,
      },
    ];
  },
};

const serverHeader = attributeCheck({
  meta: cisRule('3.12', 1, {
    slug: 'server-header-removed',
    title: 'Responses carry the Server header',
    description: 'The Server header names the IIS version, helping attackers choose exploits.',
    severity: 'low',
    remediation: settingFix('Have request filtering remove the Server header (IIS 10).', { section: FILTERING, attribute: 'removeServerHeader', value: 'True', perSite: false }),
  }),
  scope: 'server',
  section: FILTERING,
  attribute: 'removeServerHeader',
  schemaDefault: 'false',
  expected: 'true',
  passes: is('true'),
});

function requestLimit(cis: string, slug: string, attribute: string, limit: number, what: string): ConfigCheck {
  return attributeCheck({
    meta: cisRule(cis, 2, {
      slug,
      title: `Request filtering allows a ${what} above ${limit}`,
      description: `A larger ${what} than needed widens the room for buffer-based attacks and resource exhaustion; keep it at or below ${limit} unless an application needs more.`,
      severity: 'low',
      remediation: settingFix(`Lower the ${what} limit.`, { section: FILTERING, element: 'requestLimits', attribute, value: String(limit) }),
    }),
    scope: 'application',
    section: FILTERING,
    element: ['requestLimits'],
    attribute,
    schemaDefault: String(limit),
    expected: `<= ${limit}`,
    passes: atMost(limit),
  });
}

const highBit = attributeCheck({
  meta: cisRule('4.4', 2, {
    slug: 'high-bit-characters-off',
    title: 'Non-ASCII characters are allowed in URLs',
    description: 'Allowing high-bit characters lets encoded payloads slip past filters that only think in ASCII.',
    severity: 'low',
    remediation: settingFix('Reject URLs with non-ASCII characters where the sites do not need them.', { section: FILTERING, attribute: 'allowHighBitCharacters', value: 'False' }),
  }),
  scope: 'application',
  section: FILTERING,
  attribute: 'allowHighBitCharacters',
  schemaDefault: 'true',
  expected: 'false',
  passes: is('false'),
});

const doubleEscaping = attributeCheck({
  meta: cisRule('4.5', 1, {
    slug: 'double-escaping-off',
    title: 'Double-encoded requests are allowed',
    description: 'allowDoubleEscaping lets a URL be decoded twice, a classic way around path and extension filters.',
    severity: 'low',
    remediation: settingFix('Reject double-encoded requests.', { section: FILTERING, attribute: 'allowDoubleEscaping', value: 'False' }),
  }),
  scope: 'application',
  section: FILTERING,
  attribute: 'allowDoubleEscaping',
  schemaDefault: 'false',
  expected: 'false',
  passes: is('false'),
});

const traceVerb: ConfigCheck = {
  meta: cisRule('4.6', 1, {
    slug: 'trace-verb-denied',
    title: 'The HTTP TRACE method is not denied',
    technicalImpact: 'partial',
    automatable: true,
    description: 'TRACE echoes requests back, including cookies and headers, which cross-site tracing abuses.',
    severity: 'low',
    remediation: commandFix(
      'Deny the TRACE verb in request filtering.',
      '%windir%\\system32\\inetsrv\\appcmd.exe set config -section:system.webServer/security/requestFiltering /+"verbs.[verb=\'TRACE\',allowed=\'false\']" /commit:apphost',
      "Add-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Filter 'system.webServer/security/requestFiltering/verbs' -Name '.' -Value @{verb='TRACE';allowed='False'}",
    ),
  }),
  scope: 'application',
  evaluate(context) {
    const read = readSection(context, FILTERING);
    if ('reason' in read) return [notEvaluated(read.reason)];
    const verbs = read.section.children.get('verbs');
    const trace = verbs?.items.find((item) => sameText(item.attributes.get('verb')?.value ?? '', 'TRACE'));
    if (trace !== undefined && sameText(trace.attributes.get('allowed')?.value ?? 'true', 'false')) return [PASS];
    if (trace === undefined && verbs !== undefined && sameText(attributeOf(verbs, 'allowUnlisted', 'true').value, 'false')) return [PASS];
    const allowed = trace?.attributes.get('allowed');
    return [
      {
        status: 'fail',
        location: "system.webServer/security/requestFiltering/verbs/add[@verb='TRACE']",
        attribute: 'allowed',
        found: trace === undefined ? '(not listed)' : (allowed?.value ?? 'true'),
        expected: 'false',
        file: trace?.file ?? context.target.file,
        ...(trace === undefined ? { fromDefault: true, ...(context.target.line === undefined ? {} : { line: context.target.line }) } : { line: trace.line }),
      },
    ];
  },
};

const unlistedExtensions = attributeCheck({
  meta: cisRule('4.7', 2, {
    slug: 'unlisted-extensions-denied',
    title: 'Request filtering serves unlisted file extensions',
    description: 'With allowUnlisted="true" every extension not explicitly denied is served, including forgotten backups and dropped files.',
    severity: 'low',
    remediation: settingFix('Allow only the extensions the sites use, and deny the rest.', { section: FILTERING, element: 'fileExtensions', attribute: 'allowUnlisted', value: 'False' }),
  }),
  scope: 'application',
  section: FILTERING,
  element: ['fileExtensions'],
  attribute: 'allowUnlisted',
  schemaDefault: 'true',
  expected: 'false',
  passes: is('false'),
});

const handlerWriteExecute = attributeCheck({
  meta: cisRule('4.8', 1, {
    slug: 'handlers-no-write-and-execute',
    title: 'Handlers may both write and execute',
    description: 'A handler access policy with Write together with Script or Execute lets an uploaded file run as code.',
    severity: 'high',
    remediation: settingFix('Remove Write from the handler access policy (or Script/Execute where writing is needed).', { section: 'system.webServer/handlers', attribute: 'accessPolicy', value: 'Read,Script' }),
  }),
  scope: 'application',
  section: 'system.webServer/handlers',
  attribute: 'accessPolicy',
  schemaDefault: 'Read',
  expected: 'no Write together with Script or Execute',
  passes: (value) => {
    const flags = flagsOf(value);
    return !(flags.has('write') && (flags.has('script') || flags.has('execute')));
  },
});

function notListed(cis: string, slug: string, attribute: string, kind: string): ConfigCheck {
  return attributeCheck({
    meta: cisRule(cis, 1, {
      slug,
      title: `Unlisted ${kind} are allowed to run`,
      description: `With ${attribute}="true" any ${kind === 'ISAPI extensions' ? 'ISAPI DLL' : 'CGI program'} on disk may run, not only the ones the ISAPI and CGI restrictions list.`,
      severity: 'medium',
      remediation: settingFix(`Allow only listed ${kind}.`, { section: 'system.webServer/security/isapiCgiRestriction', attribute, value: 'False', perSite: false }),
    }),
    scope: 'server',
    section: 'system.webServer/security/isapiCgiRestriction',
    attribute,
    schemaDefault: 'false',
    expected: 'false',
    passes: is('false'),
  });
}

const dynamicIp: ConfigCheck = {
  meta: cisRule('4.11', 2, {
    slug: 'dynamic-ip-restrictions-on',
    title: 'Dynamic IP address restrictions are off',
    description: 'Without dynamic IP restrictions a single client can hammer the server with requests (brute force, scraping, simple denial of service).',
    severity: 'low',
    remediation: settingFix('Deny clients over a request rate (and over a number of concurrent requests).', {
      section: 'system.webServer/security/dynamicIpSecurity',
      element: 'denyByRequestRate',
      attribute: 'enabled',
      value: 'True',
    }),
  }),
  scope: 'application',
  evaluate(context) {
    const read = readSection(context, 'system.webServer/security/dynamicIpSecurity');
    if ('reason' in read) return [notEvaluated(read.reason)];
    for (const element of ['denyByRequestRate', 'denyByConcurrentRequests']) {
      const enabled = attributeOf(read.section.children.get(element), 'enabled', 'false');
      if (sameText(enabled.value, 'true')) return [PASS];
    }
    const rate = attributeOf(read.section.children.get('denyByRequestRate'), 'enabled', 'false');
    return [
      {
        status: 'fail',
        location: 'system.webServer/security/dynamicIpSecurity/denyByRequestRate/@enabled',
        attribute: 'enabled',
        found: rate.value,
        expected: 'true (by request rate or by concurrent requests)',
        file: rate.file ?? context.target.file,
        ...(rate.file === undefined ? { fromDefault: true, ...(context.target.line === undefined ? {} : { line: context.target.line }) } : rate.line === undefined ? {} : { line: rate.line }),
      },
    ];
  },
};

/** The CIS Microsoft IIS 10 recommendations decidable from configuration files, except those about sites' logging and pools. */
export const CIS_CHECKS: readonly ConfigCheck[] = [
  directoryBrowse,
  anonymousIdentity,
  webDav,
  globalAuthorization,
  formsRequireSsl,
  formsCookies,
  formsProtection,
  basicOverTls,
  passwordFormat,
  storedCredentials,
  retail,
  underRetail(debugOff),
  underRetail(customErrors),
  detailedErrors,
  underRetail(traceCheck),
  sessionCookies,
  httpOnlyCookies,
  machineKeyValidationClr2,
  machineKeyValidation,
  trustLevel,
  poweredBy,
  serverHeader,
  requestLimit('4.1', 'max-content-length', 'maxAllowedContentLength', 30_000_000, 'request body size (maxAllowedContentLength)'),
  requestLimit('4.2', 'max-url', 'maxUrl', 4096, 'URL length (maxUrl)'),
  requestLimit('4.3', 'max-query-string', 'maxQueryString', 2048, 'query string length (maxQueryString)'),
  highBit,
  doubleEscaping,
  traceVerb,
  unlistedExtensions,
  handlerWriteExecute,
  notListed('4.9', 'isapi-not-listed-denied', 'notListedIsapisAllowed', 'ISAPI extensions'),
  notListed('4.10', 'cgi-not-listed-denied', 'notListedCgisAllowed', 'CGI programs'),
  dynamicIp,
];
