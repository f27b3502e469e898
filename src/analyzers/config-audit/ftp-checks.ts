import type { ConfigValue } from '../../formats/iis-config/config-value.js';
import type { IisConfig, Site } from '../../formats/iis-config/iis-config.js';
import type { XmlElement } from '../../formats/xml/xml-element.js';
import { cisRule } from './check-rule.js';
import { notEvaluated, PASS, type CheckContext, type ConfigCheck } from './config-check.js';
import { attributeOf, childAt, readSection, sameText } from './read-setting.js';
import { commandFix, settingFix } from './setting-fix.js';

function ftpSite(context: CheckContext): Site | undefined {
  const site = context.config.sites().find((candidate) => candidate.name === context.target.sitePath);
  return site?.bindings.some((binding) => sameText(binding.protocol, 'ftp')) === true ? site : undefined;
}

function element(parent: XmlElement | undefined, names: readonly string[]): XmlElement | undefined {
  let current = parent;
  for (const name of names) current = current?.children.filter((child) => child.name === name).at(-1);
  return current;
}

/** An FTP SSL policy of the site, falling back to `siteDefaults` and the schema default. */
function sslPolicy(config: IisConfig, site: Site, attribute: string): ConfigValue {
  const sites = config.effective('', 'system.applicationHost/sites');
  const item = sites.items.find((candidate) => candidate.tag === 'site' && candidate.attributes.get('name')?.value === site.name);
  const own = element(item?.element, ['ftpServer', 'security', 'ssl'])?.attributes.find((candidate) => candidate.name === attribute);
  if (own !== undefined) return { value: own.value, file: site.file, line: own.line };
  return attributeOf(childAt(sites, ['siteDefaults', 'ftpServer', 'security', 'ssl']), attribute, 'SslRequire');
}

const ftpSsl: ConfigCheck = {
  meta: cisRule('6.1', 1, {
    slug: 'ftp-requires-ssl',
    title: 'FTP accepts unencrypted connections',
    description: 'An FTP site that allows plain connections sends user names, passwords and files in the clear.',
    severity: 'medium',
    remediation: commandFix(
      'Require SSL on the FTP control and data channels.',
      '%windir%\\system32\\inetsrv\\appcmd.exe set config -section:system.applicationHost/sites "/[name=\'SITE\'].ftpServer.security.ssl.controlChannelPolicy:SslRequire" "/[name=\'SITE\'].ftpServer.security.ssl.dataChannelPolicy:SslRequire" /commit:apphost',
      "Set-ItemProperty 'IIS:\\Sites\\SITE' -Name ftpServer.security.ssl.controlChannelPolicy -Value 1; Set-ItemProperty 'IIS:\\Sites\\SITE' -Name ftpServer.security.ssl.dataChannelPolicy -Value 1",
    ),
  }),
  scope: 'site',
  evaluate(context) {
    const site = ftpSite(context);
    if (site === undefined) return [notEvaluated('no FTP binding')];
    const results = ['controlChannelPolicy', 'dataChannelPolicy'].flatMap((attribute) => {
      const policy = sslPolicy(context.config, site, attribute);
      if (!sameText(policy.value, 'SslAllow')) return [];
      return [
        {
          status: 'fail' as const,
          location: `system.applicationHost/sites/site[@name='${site.name}']/ftpServer/security/ssl/@${attribute}`,
          attribute,
          found: policy.value,
          expected: 'SslRequire',
          file: policy.file ?? site.file,
          line: policy.line ?? site.line,
        },
      ];
    });
    return results.length === 0 ? [PASS] : results;
  },
};

const ftpLogonRestrictions: ConfigCheck = {
  meta: cisRule('6.2', 1, {
    slug: 'ftp-logon-attempt-restrictions',
    title: 'FTP does not block repeated failed logons',
    description: 'Without logon attempt restrictions an FTP site can be brute-forced at line speed.',
    severity: 'low',
    remediation: settingFix('Deny clients after repeated failed logons.', {
      section: 'system.ftpServer/security/authentication',
      element: 'denyByFailure',
      attribute: 'enabled',
      value: 'True',
      perSite: false,
    }),
  }),
  scope: 'site',
  evaluate(context) {
    if (ftpSite(context) === undefined) return [notEvaluated('no FTP binding')];
    const read = readSection(context, 'system.ftpServer/security/authentication');
    if ('reason' in read) return [notEvaluated(read.reason)];
    const enabled = attributeOf(read.section.children.get('denyByFailure'), 'enabled', 'false');
    if (sameText(enabled.value, 'true')) return [PASS];
    return [
      {
        status: 'fail',
        location: 'system.ftpServer/security/authentication/denyByFailure/@enabled',
        attribute: 'enabled',
        found: enabled.value,
        expected: 'true',
        file: enabled.file ?? context.target.file,
        ...(enabled.file === undefined ? { fromDefault: true, ...(context.target.line === undefined ? {} : { line: context.target.line }) } : enabled.line === undefined ? {} : { line: enabled.line }),
      },
    ];
  },
};

/** CIS checks of FTP sites. */
export const FTP_CHECKS: readonly ConfigCheck[] = [ftpSsl, ftpLogonRestrictions];
