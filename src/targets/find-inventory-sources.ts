import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ScanIssue } from '../core/scan-issue.js';
import { loadIisConfig } from '../formats/iis-config/load-iis-config.js';
import { resolveUnder } from '../formats/iis-config/resolve-host-path.js';
import { findHostHives, type HostHivePaths } from './find-host-hives.js';
import { InputError } from './input-error.js';
import { walkFiles } from './walk-files.js';

/** What kind of file an inventory input is. */
export type InventoryFileKind = 'pe' | 'jar' | 'deps-json' | 'packages-config' | 'packages-lock' | 'cyclonedx';

/** One file to read, and the asset it belongs to. */
export interface InventoryFile {
  readonly path: string;
  readonly kind: InventoryFileKind;
  readonly asset: string;
}

/** A shared .NET runtime found as a folder `dotnet/shared/<framework>/<version>`. */
export interface RuntimeFolder {
  readonly name: string;
  readonly version: string;
  readonly location: string;
  readonly asset: string;
}

/** Everything `inventory` reads. */
export interface InventorySources {
  readonly files: InventoryFile[];
  readonly hosts: { readonly root: string; readonly hives: HostHivePaths }[];
  readonly runtimes: RuntimeFolder[];
  readonly issues: ScanIssue[];
}

/** Product files worth reading anywhere under Program Files: the names advisories know. */
export interface DiscoveryHints {
  readonly fileNames: ReadonlySet<string>;
}

const PE = /\.(dll|exe|sys)$/i;
const JAR = /\.(jar|war|ear)$/i;
/** The binaries whose file versions show a host's real patch level. */
const KEY_BINARIES = [
  ['Windows', 'System32', 'drivers', 'http.sys'],
  ['Windows', 'System32', 'inetsrv', 'w3wp.exe'],
  ['Windows', 'System32', 'inetsrv', 'iiscore.dll'],
];
/** Folders of a host root walked for products and web applications. */
const HOST_FOLDERS = [['inetpub'], ['Program Files'], ['Program Files (x86)'], ['ProgramData'], ['Users']];
/** Folders that hold no products worth a look but many files. */
const SKIP = /^(\$recycle\.bin|windows|winsxs|node_modules|\.git|temp|tmp|cache|inetcache)$/i;

/** Classifies a file by name, or undefined when inventory does not read it. */
export function inventoryFileKind(name: string): InventoryFileKind | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.deps.json')) return 'deps-json';
  if (lower === 'packages.config') return 'packages-config';
  if (lower === 'packages.lock.json') return 'packages-lock';
  if (lower.endsWith('.cdx.json') || lower === 'bom.json' || lower.endsWith('.bom.json')) return 'cyclonedx';
  if (JAR.test(lower)) return 'jar';
  if (PE.test(lower)) return 'pe';
  return undefined;
}

/**
 * Finds what to inventory. A host root (`--host`) is searched where Windows keeps programs, web applications and
 * the hives; other paths are files (binaries, archives, package lists, SBOMs) or folders searched for them.
 * A missing path throws `InputError`.
 */
export async function findInventorySources(paths: readonly string[], hostRoots: readonly string[], hints: DiscoveryHints): Promise<InventorySources> {
  const sources: InventorySources = { files: [], hosts: [], runtimes: [], issues: [] };
  const onIssue = (issue: ScanIssue): void => void sources.issues.push(issue);
  for (const root of hostRoots) {
    const info = await statInput(root);
    if (!info.isDirectory()) throw new InputError('input.not-a-file', root, `--host takes a folder laid out like C:\\, and ${JSON.stringify(root)} is not a folder.`);
    sources.hosts.push({ root, hives: await findHostHives(root) });
    for (const parts of KEY_BINARIES) {
      const found = await resolveUnder(root, parts);
      if (found !== undefined && (await isFile(found))) sources.files.push({ path: found, kind: 'pe', asset: root });
    }
    await findRuntimes(root, sources);
    const folders: { folder: string; webRoot: boolean }[] = [];
    for (const parts of HOST_FOLDERS) {
      const folder = await resolveUnder(root, parts);
      if (folder !== undefined) folders.push({ folder, webRoot: parts[0] === 'inetpub' });
    }
    // Sites often live outside inetpub (C:\sites\shop, D:\web): applicationHost.config says where.
    const { config, issues } = await loadIisConfig(root, { readWebConfigs: false, readHostLevels: false });
    sources.issues.push(...issues.filter((issue) => issue.code !== 'config.not-found'));
    for (const site of config.sites()) {
      for (const application of site.applications) {
        const folder = application.hostPath;
        if (folder !== undefined && !folders.some((known) => isInside(known.folder, folder))) folders.push({ folder, webRoot: true });
      }
    }
    for (const { folder, webRoot } of folders) {
      for await (const file of walkFiles(folder, { skip: (_relative, name) => SKIP.test(name), onIssue })) {
        const name = path.basename(file.path);
        const kind = inventoryFileKind(name);
        if (kind === undefined) continue;
        // Program Files holds thousands of binaries: read those an advisory names, and every assembly of a web application.
        if (kind === 'pe' && !hints.fileNames.has(name.toLowerCase()) && !(webRoot && /(^|\/)bin\//i.test(file.relative))) continue;
        sources.files.push({ path: file.path, kind, asset: root });
      }
    }
  }
  for (const given of paths) {
    const info = await statInput(given);
    if (info.isDirectory()) {
      for await (const file of walkFiles(given, { onIssue })) {
        const kind = inventoryFileKind(path.basename(file.path));
        if (kind !== undefined) sources.files.push({ path: file.path, kind, asset: given });
      }
    } else if (info.isFile()) {
      // A file named on the command line is read even with an unusual name: JSON as an SBOM, anything else as a binary.
      const kind = inventoryFileKind(path.basename(given)) ?? (given.toLowerCase().endsWith('.json') ? 'cyclonedx' : 'pe');
      sources.files.push({ path: given, kind, asset: given });
    } else {
      throw new InputError('input.not-a-file', given, `${JSON.stringify(given)} is neither a folder nor a regular file.`);
    }
  }
  return sources;
}

function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

async function findRuntimes(root: string, sources: InventorySources): Promise<void> {
  for (const programFiles of ['Program Files', 'Program Files (x86)']) {
    const shared = await resolveUnder(root, [programFiles, 'dotnet', 'shared']);
    if (shared === undefined) continue;
    for (const framework of await listFolders(shared)) {
      for (const version of await listFolders(path.join(shared, framework))) {
        if (/^\d+\.\d+\.\d+/.test(version)) sources.runtimes.push({ name: framework, version, location: path.join(shared, framework, version), asset: root });
      }
    }
  }
}

async function listFolders(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

async function statInput(given: string): Promise<Stats> {
  try {
    return await stat(given);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new InputError('input.not-found', given, `${JSON.stringify(given)} does not exist.`, { cause: error });
    throw new InputError('input.unreadable', given, `${JSON.stringify(given)} cannot be read (${code || 'unknown error'}).`, { cause: error });
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
