import type { ScanIssue } from '../../core/scan-issue.js';
import { attributeValue, type XmlElement } from '../xml/xml-element.js';
import type { ConfigValue } from './config-value.js';
import { readConfigFile } from './read-config-file.js';
import { resolveUnder } from './resolve-host-path.js';

/** An IIS Manager extension: a managed type IIS Manager and the Management Service (WMSVC) load. */
export interface ManagementProvider {
  readonly name: string;
  /** Assembly-qualified type name, as written. */
  readonly type: string;
  readonly file: string;
  readonly line: number;
}

/** What administration.config (IIS Manager delegation and extensions) says, with where each item was written. */
export interface AdministrationConfig {
  readonly file: string;
  /** `<moduleProviders>` after `<clear/>` and `<remove/>`, in document order. */
  readonly moduleProviders: readonly ManagementProvider[];
  /** Authentication and authorization providers of `system.webServer/management`. */
  readonly managementProviders: readonly ManagementProvider[];
  /** `trustedProviders/@allowUntrustedProviders`; without `file` when not set (the default is false). */
  readonly allowUntrustedProviders: ConfigValue;
}

const ADMINISTRATION = ['Windows', 'System32', 'inetsrv', 'config', 'administration.config'];

/**
 * Reads administration.config beside applicationHost.config under `hostRoot`. A missing file is normal (IIS
 * Manager not installed); a broken, huge or DTD-laden one becomes a ScanIssue, as for every configuration file.
 */
export async function readAdministrationConfig(hostRoot: string, maxBytes: number): Promise<{ administration?: AdministrationConfig; issues: ScanIssue[] }> {
  const file = await resolveUnder(hostRoot, ADMINISTRATION);
  if (file === undefined) return { issues: [] };
  const read = await readConfigFile(file, maxBytes);
  if ('issue' in read) return { issues: [read.issue] };
  if (read.root.name !== 'configuration') {
    return { issues: [{ code: 'config.malformed', message: `root element is <${read.root.name}>, not <configuration>`, path: file, line: read.root.line }] };
  }
  const management = childrenNamed(read.root, 'system.webServer').flatMap((element) => childrenNamed(element, 'management'));
  const managementProviders = management
    .flatMap((element) => [...childrenNamed(element, 'authentication'), ...childrenNamed(element, 'authorization')])
    .flatMap((element) => collection(childrenNamed(element, 'providers'), file));
  const trusted = management.flatMap((element) => childrenNamed(element, 'trustedProviders')).at(-1);
  const allow = trusted?.attributes.find((attribute) => attribute.name === 'allowUntrustedProviders');
  return {
    administration: {
      file,
      moduleProviders: collection(childrenNamed(read.root, 'moduleProviders'), file),
      managementProviders,
      allowUntrustedProviders: allow === undefined ? { value: 'false' } : { value: allow.value, file, line: allow.line },
    },
    issues: [],
  };
}

/** The `<add name type>` items of collection elements, honouring `<clear/>` and `<remove name>` as IIS does. */
function collection(elements: readonly XmlElement[], file: string): ManagementProvider[] {
  let items: ManagementProvider[] = [];
  for (const element of elements) {
    for (const child of element.children) {
      const name = attributeValue(child, 'name') ?? '';
      if (child.name === 'clear') items = [];
      else if (child.name === 'remove') items = items.filter((item) => item.name.toLowerCase() !== name.toLowerCase());
      else if (child.name === 'add') {
        items = items.filter((item) => item.name.toLowerCase() !== name.toLowerCase() || name === '');
        items.push({ name, type: attributeValue(child, 'type') ?? '', file, line: child.line });
      }
    }
  }
  return items;
}

function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}
