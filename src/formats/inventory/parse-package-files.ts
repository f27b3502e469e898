import type { InventoryComponent } from '../../core/inventory-component.js';
import { parseXml } from '../xml/parse-xml.js';
import type { XmlElement } from '../xml/xml-element.js';
import { attributeValue } from '../xml/xml-element.js';

/** A package list that cannot be read. */
export class PackageFileError extends Error {
  override readonly name = 'PackageFileError';
  readonly code: 'package.format';
  constructor(message: string) {
    super(message);
    this.code = 'package.format';
  }
}

/** NuGet packages of a .NET application from its `*.deps.json` (`libraries` of type `package`). */
export function parseDepsJson(text: string, location: string): InventoryComponent[] {
  const data = parseJson(text);
  const libraries = isRecord(data) ? data['libraries'] : undefined;
  if (!isRecord(libraries)) throw new PackageFileError('no "libraries" object: not a deps.json file');
  const components: InventoryComponent[] = [];
  for (const [key, value] of Object.entries(libraries)) {
    if (isRecord(value) && value['type'] !== 'package') continue;
    const slash = key.lastIndexOf('/');
    if (slash <= 0) continue;
    components.push(nuget(key.slice(0, slash), key.slice(slash + 1), 'deps-json', location));
  }
  return components;
}

/** NuGet packages of a classic ASP.NET application from `packages.config`. */
export function parsePackagesConfig(text: string, location: string): InventoryComponent[] {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (error) {
    throw new PackageFileError(`not well-formed XML (${error instanceof Error ? error.message : String(error)})`);
  }
  if (root.name !== 'packages') throw new PackageFileError(`the root element is <${root.name}>, not <packages>`);
  return root.children
    .filter((child) => child.name === 'package')
    .flatMap((child) => {
      const id = attributeValue(child, 'id');
      const version = attributeValue(child, 'version');
      return id === undefined || version === undefined ? [] : [nuget(id, version, 'packages-config', location)];
    });
}

/** NuGet packages resolved in a `packages.lock.json`, once per package and version across target frameworks. */
export function parsePackagesLock(text: string, location: string): InventoryComponent[] {
  const data = parseJson(text);
  const frameworks = isRecord(data) ? data['dependencies'] : undefined;
  if (!isRecord(frameworks)) throw new PackageFileError('no "dependencies" object: not a packages.lock.json file');
  const seen = new Set<string>();
  const components: InventoryComponent[] = [];
  for (const packages of Object.values(frameworks)) {
    if (!isRecord(packages)) continue;
    for (const [id, entry] of Object.entries(packages)) {
      const resolved = isRecord(entry) ? entry['resolved'] : undefined;
      if (typeof resolved !== 'string' || (isRecord(entry) && entry['type'] === 'Project')) continue;
      const key = `${id.toLowerCase()}@${resolved}`;
      if (seen.has(key)) continue;
      seen.add(key);
      components.push(nuget(id, resolved, 'packages-lock', location));
    }
  }
  return components;
}

/** Nesting of components within components followed in an SBOM. */
const MAX_SBOM_DEPTH = 16;
const MAX_SBOM_COMPONENTS = 200_000;

/** Components of a CycloneDX JSON SBOM (nested ones included), with their package URL read into ecosystem and name. */
export function parseCycloneDx(text: string, location: string): InventoryComponent[] {
  const data = parseJson(text);
  if (!isRecord(data) || data['bomFormat'] !== 'CycloneDX') throw new PackageFileError('bomFormat is not "CycloneDX"');
  const components: InventoryComponent[] = [];
  const visit = (list: unknown, depth: number): void => {
    if (!Array.isArray(list) || depth > MAX_SBOM_DEPTH) return;
    for (const item of list) {
      if (components.length >= MAX_SBOM_COMPONENTS) return;
      if (!isRecord(item)) continue;
      const name = typeof item['name'] === 'string' ? item['name'] : undefined;
      const version = typeof item['version'] === 'string' ? item['version'] : undefined;
      const purl = typeof item['purl'] === 'string' ? item['purl'] : undefined;
      const group = typeof item['group'] === 'string' ? item['group'] : undefined;
      if (name !== undefined) {
        const fromPurl = purl === undefined ? undefined : readPurl(purl);
        components.push({
          name,
          ...(version === undefined ? {} : { version }),
          source: 'cyclonedx',
          location,
          ...(fromPurl ?? (group === undefined ? {} : { ecosystem: 'maven', packageName: `${group}:${name}` })),
          ...(purl === undefined ? {} : { purl }),
        });
      }
      visit(item['components'], depth + 1);
    }
  };
  visit(data['components'], 0);
  return components;
}

function readPurl(purl: string): { ecosystem: string; packageName: string } | undefined {
  const m = /^pkg:([a-z]+)\/([^@?#]+)/i.exec(purl);
  if (m === null) return undefined;
  const type = (m[1] ?? '').toLowerCase();
  const parts = (m[2] ?? '').split('/').map((part) => decodeURIComponent(part));
  if (type === 'maven' && parts.length >= 2) return { ecosystem: 'maven', packageName: `${parts[0]}:${parts[1]}` };
  if (type === 'nuget' || type === 'npm') return { ecosystem: type, packageName: parts.join('/') };
  return undefined;
}

function nuget(id: string, version: string, source: InventoryComponent['source'], location: string): InventoryComponent {
  return { name: id, version, source, location, ecosystem: 'nuget', packageName: id, purl: `pkg:nuget/${id}@${version}` };
}

function parseJson(text: string): unknown {
  try {
    // Files written by Visual Studio often start with a byte-order mark.
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new PackageFileError(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
