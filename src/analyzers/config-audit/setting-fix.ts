/** One attribute to set, and where. */
export interface SettingFixSpec {
  /** Section path, for example `system.webServer/security/requestFiltering`. */
  readonly section: string;
  /** Element below the section, for example `requestLimits`. */
  readonly element?: string;
  readonly attribute: string;
  readonly value: string;
  /** Whether the setting is usually made for one site (`SITE` in the commands) rather than server-wide. */
  readonly perSite?: boolean;
}

/**
 * A remediation text carrying both an `appcmd.exe` command and a PowerShell (WebAdministration) command
 * that set the attribute; `SITE` stands for the site or `site/app` path to fix.
 */
export function settingFix(lead: string, spec: SettingFixSpec): string {
  const target = spec.perSite === false ? '' : ' "SITE"';
  const appcmdName = spec.element === undefined ? spec.attribute : `${spec.element}.${spec.attribute}`;
  const filter = spec.element === undefined ? spec.section : `${spec.section}/${spec.element}`;
  const location = spec.perSite === false ? '' : " -Location 'SITE'";
  return [
    lead,
    `appcmd: %windir%\\system32\\inetsrv\\appcmd.exe set config${target} -section:${spec.section} /${appcmdName}:"${spec.value}" /commit:apphost`,
    `PowerShell: Set-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST'${location} -Filter '${filter}' -Name '${spec.attribute}' -Value '${spec.value}'`,
  ].join(' | ');
}

/** A remediation text from a lead sentence and the two commands, written out by hand. */
export function commandFix(lead: string, appcmd: string, powershell: string): string {
  return [lead, `appcmd: ${appcmd}`, `PowerShell: ${powershell}`].join(' | ');
}
