import { readdir } from 'node:fs/promises';
import { resolveHostPath } from '../../formats/iis-config/resolve-host-path.js';
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

/** How many entries of a log folder are looked at; a few hundred thousand log files would still answer. */
const MAX_LOG_ENTRIES = 100_000;

const logFilesPresent: ConfigCheck = {
  meta: auditRule('log', {
    slug: 'site-log-files-missing',
    title: 'A site that should log has no log files on the host',
    description:
      'The site logs to files, its log folder exists on this host, but its W3SVC<id> folder is missing or holds no log file: the logs were deleted or moved (intruders clear them), logging is broken, or the site never served a request.',
    severity: 'low',
    tags: ['attack.t1070.004', 'w3guard.hunt-coverage'],
    remediation: commandFix(
      'Find out where the logs went (a log shipper, a cleanup task, or an intruder) and keep them; check that the site logs again.',
      '%windir%\\system32\\inetsrv\\appcmd.exe set site "SITE" /logFile.enabled:true',
      "Set-ItemProperty 'IIS:\\Sites\\SITE' -Name logFile.enabled -Value $true",
    ),
  }),
  scope: 'site',
  async evaluate(context) {
    const root = context.host.root;
    if (root === undefined) return [notEvaluated('a single file was named: there is no host root to look for log files in')];
    const site = context.config.sites().find((candidate) => candidate.name === context.target.sitePath);
    if (site === undefined) return [notEvaluated('site not found')];
    if (!site.bindings.some((binding) => /^https?$/i.test(binding.protocol))) return [notEvaluated('the site has no HTTP binding, so no W3SVC log folder')];
    if (sameText(site.serverAutoStart.value, 'false')) return [notEvaluated('the site does not start with IIS, so it may never have logged')];
    const settings = siteLogSettings(context.config, site.name);
    if (settings.central) return [notEvaluated('central W3C logging is on: sites share one log file')];
    if (sameText(settings.get('enabled', 'true').value, 'false') || !flagsOf(settings.get('logTargetW3C', 'File').value).has('file')) {
      return [notEvaluated('the site does not log to files')];
    }
    const directory = settings.get('directory', '%SystemDrive%\\inetpub\\logs\\LogFiles');
    const folder = await resolveHostPath(root, directory.value);
    if (folder === undefined) return [notEvaluated('the log folder is not in this copy of the host (another drive, a share, or not collected)')];
    const siteFolderName = `W3SVC${site.id}`;
    const siteFolder = await resolveHostPath(root, `${directory.value.replace(/[\\/]+$/, '')}\\${siteFolderName}`);
    let logs = 0;
    if (siteFolder !== undefined) {
      try {
        let seen = 0;
        for (const entry of await readdir(siteFolder, { withFileTypes: true })) {
          if ((seen += 1) > MAX_LOG_ENTRIES) break;
          if (entry.isFile() && /\.log$/i.test(entry.name)) logs += 1;
        }
      } catch {
        // Not a readable folder: counted as holding no logs.
      }
    }
    if (logs > 0) return [PASS];
    return [
      {
        status: 'fail',
        location: `${settings.location}/@directory`,
        attribute: 'directory',
        found: directory.value,
        expected: `log files in ${siteFolderName}`,
        file: directory.file ?? context.target.file,
        ...(directory.file === undefined ? (context.target.line === undefined ? {} : { line: context.target.line }) : directory.line === undefined ? {} : { line: directory.line }),
        note: siteFolder === undefined ? `no ${siteFolderName} folder in the log folder` : `${siteFolderName} holds no .log file`,
      },
    ];
  },
};

/** Checks that the logs `w3guard hunt` reads exist and say enough. */
export const LOGGING_CHECKS: readonly ConfigCheck[] = [dontLog, selectiveLogging, w3cFileLogging, logDirectory, logFilesPresent];
