import { auditRule } from './check-rule.js';
import { PASS, type ConfigCheck } from './config-check.js';
import { commandFix } from './setting-fix.js';

const sharedConfiguration: ConfigCheck = {
  meta: auditRule('cfg', {
    slug: 'shared-configuration',
    title: 'Shared configuration in use',
    description:
      'redirection.config sends IIS to an applicationHost.config on another machine or share; the local copy audited here may be stale, so audit the shared files too.',
    severity: 'info',
    category: 'coverage',
    remediation: commandFix(
      'Audit the applicationHost.config in the shared folder (copy it into the host root), or turn shared configuration off where it is not meant to be on.',
      '%windir%\\system32\\inetsrv\\appcmd.exe set config -section:configurationRedirection /enabled:"False" /commit:MACHINE/REDIRECTION',
      "Set-WebConfigurationProperty -PSPath 'MACHINE/REDIRECTION' -Filter 'configurationRedirection' -Name 'enabled' -Value 'False'",
    ),
  }),
  scope: 'server',
  evaluate(context) {
    const shared = context.config.sharedConfiguration;
    if (shared === undefined) return [PASS];
    return [
      {
        status: 'fail',
        location: 'configurationRedirection/@path',
        attribute: 'path',
        found: shared.path,
        expected: 'the audited applicationHost.config to be the one IIS reads',
        file: shared.file,
        line: shared.line,
        note: 'shared configuration is on; the local applicationHost.config may be a stale copy',
      },
    ];
  },
};

/** Checks about the host's configuration as a whole (where it really comes from). */
export const HOST_CHECKS: readonly ConfigCheck[] = [sharedConfiguration];
