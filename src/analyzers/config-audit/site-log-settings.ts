import type { ConfigValue } from '../../formats/iis-config/config-value.js';
import type { EffectiveElement } from '../../formats/iis-config/effective-section.js';
import type { IisConfig } from '../../formats/iis-config/iis-config.js';
import { attributeOf, sameText } from './read-setting.js';

/** The W3C fields IIS logs when `logExtFileFlags` is not set. */
export const DEFAULT_LOG_FIELDS = 'Date, Time, ClientIP, UserName, ServerIP, Method, UriStem, UriQuery, HttpStatus, Win32Status, TimeTaken, ServerPort, UserAgent, Referer, HttpSubStatus';

/** How one site logs: its `logFile` settings (site, then site defaults), or the central W3C log when that is on. */
export interface SiteLogSettings {
  /** `system.applicationHost/sites/site[@name='…']/logFile` or `system.applicationHost/log/centralW3CLogFile`. */
  readonly location: string;
  readonly central: boolean;
  get(attribute: string, schemaDefault: string): ConfigValue;
  /** Custom fields (`<customFields>`), by their source name. */
  readonly customFields: readonly string[];
}

/** The logging settings that apply to `siteName`. */
export function siteLogSettings(config: IisConfig, siteName: string): SiteLogSettings {
  const log = config.effective('', 'system.applicationHost/log');
  const central = sameText(attributeOf(log, 'centralLogFileMode', 'Site').value, 'CentralW3C');
  if (central) {
    const file = log.children.get('centralW3CLogFile');
    return { location: 'system.applicationHost/log/centralW3CLogFile', central, get: (attribute, schemaDefault) => attributeOf(file, attribute, schemaDefault), customFields: [] };
  }
  const sites = config.effective('', 'system.applicationHost/sites');
  const site = sites.items.find((item) => item.tag === 'site' && sameText(item.attributes.get('name')?.value ?? '', siteName));
  const own = site?.element.children.filter((child) => child.name === 'logFile').at(-1);
  const defaults = sites.children.get('siteDefaults')?.children.get('logFile');
  const file = site?.file ?? '';
  const get = (attribute: string, schemaDefault: string): ConfigValue => {
    const mine = own?.attributes.find((candidate) => candidate.name === attribute);
    if (mine !== undefined) return { value: mine.value, file, line: mine.line };
    return attributeOf(defaults, attribute, schemaDefault);
  };
  const customFields = [...customFieldNames(defaults), ...(own?.children.filter((child) => child.name === 'customFields').flatMap((group) => group.children.filter((child) => child.name === 'add').map((add) => add.attributes.find((a) => a.name === 'sourceName')?.value ?? '')) ?? [])];
  return { location: `system.applicationHost/sites/site[@name='${siteName}']/logFile`, central, get, customFields };
}

function customFieldNames(logFile: EffectiveElement | undefined): string[] {
  return (logFile?.children.get('customFields')?.items ?? []).map((item) => item.attributes.get('sourceName')?.value ?? '');
}
