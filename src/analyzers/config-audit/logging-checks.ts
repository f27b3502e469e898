import { attributeCheck } from './attribute-check.js';
import { auditRule } from './check-rule.js';
import { notEvaluated, PASS, type ConfigCheck } from './config-check.js';
import { isWritableFolder, normalizeWindowsPath } from './known-modules.js';
import { flagsOf, sameText } from './read-setting.js';
import { commandFix, settingFix } from './setting-fix.js';
import { siteLogSettings } from './site-log-settings.js';

const dontLog = attributeCheck({
  meta: auditRule('log', {
    slug: 'http-logging-off',
    title: 'HTTP logging is turned off',
    description: 'httpLogging dontLog="true" stops IIS writing request logs, so attacks, web-shell use and data theft on this path leave no trace; intruders switch it off for exactly that.',
    severity: 'high',
    tags: ['attack.t1562.002', 'w3guard.hunt-coverage'],
    remediation: settingFix('Turn HTTP logging back on.', { section: 'system.webServer/httpLogging', attribute: 'dontLog', value: 'False' }),
  }),
  scope: 'application',
  section: 'system.webServer/httpLogging',
  attribute: 'dontLog',
  schemaDefault: 'false',
  expected: 'false',
  passes: (value) => sameText(value, 'false'),
});

const w3cFileLogging: ConfigCheck = {
  meta: auditRule('log', {
    slug: 'w3c-file-logging-off',
    title: 'The site writes no W3C log file',
    description: 'Logging is disabled for the site, or sent to ETW only, so there are no log files to hunt through after an incident unless an ETW collector kept them.',
    severity: 'medium',
    tags: ['attack.t1562.002', 'w3guard.hunt-coverage'],
    remediation: commandFix(
      'Log to a file (File, or File,ETW) and keep logging enabled.',
      '%windir%\\system32\\inetsrv\\appcmd.exe set site "SITE" /logFile.enabled:true /logFile.logTargetW3C:"File,ETW"',
      "Set-ItemProperty 'IIS:\\Sites\\SITE' -Name logFile.logTargetW3C -Value 'File,ETW'; Set-ItemProperty 'IIS:\\Sites\\SITE' -Name logFile.enabled -Value $true",
    ),
  }),
  scope: 'site',
  evaluate(context) {
    const settings = siteLogSettings(context.config, context.target.sitePath);
    if (settings.central) return [notEvaluated('central W3C logging is on; the central log file decides')];
    const enabled = settings.get('enabled', 'true');
    const where = (value: { file?: string; line?: number }) => ({ file: value.file ?? context.target.file, ...(value.line === undefined ? {} : { line: value.line }) });
    if (sameText(enabled.value, 'false')) {
      return [{ status: 'fail', location: `${settings.location}/@enabled`, attribute: 'enabled', found: enabled.value, expected: 'true', severity: 'high', ...where(enabled) }];
    }
    const format = settings.get('logFormat', 'W3C');
    if (sameText(format.value, 'Custom')) {
      return [{ status: 'fail', location: `${settings.location}/@logFormat`, attribute: 'logFormat', found: format.value, expected: 'W3C', note: 'only a custom logging module writes logs', ...where(format) }];
    }
    const target = settings.get('logTargetW3C', 'File');
    if (sameText(format.value, 'W3C') && !flagsOf(target.value).has('file')) {
      return [{ status: 'fail', location: `${settings.location}/@logTargetW3C`, attribute: 'logTargetW3C', found: target.value, expected: 'File or File,ETW', ...where(target) }];
    }
    return [PASS];
  },
};

const selectiveLogging = attributeCheck({
  meta: auditRule('log', {
    slug: 'selective-logging',
    title: 'Only some requests are logged',
    description: 'httpLogging selectiveLogging other than LogAll drops successful (or failed) requests from the logs: LogError hides every working web-shell call.',
    severity: 'medium',
    tags: ['attack.t1562.002', 'w3guard.hunt-coverage'],
    remediation: settingFix('Log all requests.', { section: 'system.webServer/httpLogging', attribute: 'selectiveLogging', value: 'LogAll' }),
  }),
  scope: 'application',
  section: 'system.webServer/httpLogging',
  attribute: 'selectiveLogging',
  schemaDefault: 'LogAll',
  expected: 'LogAll',
  passes: (value) => sameText(value, 'LogAll'),
});

const logDirectory: ConfigCheck = {
  meta: auditRule('log', {
    slug: 'log-directory-writable',
    title: 'Logs are written to a temporary or user-writable folder',
    description: 'A log folder in Temp, ProgramData or a user profile is where logs get cleaned up or tampered with, and where nobody collects them.',
    severity: 'medium',
    tags: ['attack.t1070', 'w3guard.hunt-coverage'],
    remediation: settingFix('Write logs to a dedicated folder, ideally on a non-system drive.', {
      section: 'system.applicationHost/sites',
      element: 'siteDefaults.logFile',
      attribute: 'directory',
      value: 'D:\\Logs',
      perSite: false,
    }),
  }),
  scope: 'site',
  evaluate(context) {
    const settings = siteLogSettings(context.config, context.target.sitePath);
    const directory = settings.get('directory', '%SystemDrive%\\inetpub\\logs\\LogFiles');
    const normalized = normalizeWindowsPath(directory.value);
    if (!isWritableFolder(`${normalized}\\`) && !/^nul:?$/.test(normalized)) return [PASS];
    return [
      {
        status: 'fail',
        location: `${settings.location}/@directory`,
        attribute: 'directory',
        found: directory.value,
        expected: 'a dedicated log folder',
        file: directory.file ?? context.target.file,
        ...(directory.line === undefined ? {} : { line: directory.line }),
      },
    ];
  },
};

/** Checks that the logs `w3guard hunt` reads exist and say enough. */
export const LOGGING_CHECKS: readonly ConfigCheck[] = [dontLog, selectiveLogging, w3cFileLogging, logDirectory];
