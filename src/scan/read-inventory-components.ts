import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FoundComponent, PendingRenames } from '../analyzers/inventory-vulns/inventory-vulns-analyzer.js';
import type { InputSummary } from '../core/artifact.js';
import type { Asset } from '../core/asset.js';
import type { InventoryComponent } from '../core/inventory-component.js';
import type { ScanIssue } from '../core/scan-issue.js';
import { parseCycloneDx, parseDepsJson, parsePackagesConfig, parsePackagesLock, PackageFileError } from '../formats/inventory/parse-package-files.js';
import { readJavaArchive } from '../formats/inventory/read-java-archive.js';
import { readPeFile } from '../formats/pe/read-pe-file.js';
import { HiveError } from '../formats/registry-hive/hive-error.js';
import { openRegistryHive } from '../formats/registry-hive/open-registry-hive.js';
import { readPendingFileRenames } from '../formats/registry-hive/read-pending-file-renames.js';
import { readUninstallEntries } from '../formats/registry-hive/read-uninstall-entries.js';
import { windowsVersion } from '../formats/registry-hive/windows-build.js';
import type { InventoryFile, InventorySources } from '../targets/find-inventory-sources.js';

/** Components read from every source, with what was read and what went wrong. */
export interface ReadComponents {
  readonly components: FoundComponent[];
  readonly pending: PendingRenames[];
  readonly inputs: InputSummary[];
  readonly issues: ScanIssue[];
}

const MAX_PACKAGE_FILE_BYTES = 64 * 1024 * 1024;

/** Reads the versions of everything found: PE files, archives, package lists, SBOMs, hives and runtime folders. */
export async function readInventoryComponents(sources: InventorySources, signal: AbortSignal): Promise<ReadComponents> {
  const out: ReadComponents = { components: [], pending: [], inputs: [], issues: [...sources.issues] };
  const assets = new Map<string, Asset>();
  const assetOf = (id: string, host: boolean): Asset => {
    const known = assets.get(id);
    if (known !== undefined) return known;
    const asset: Asset = { id, kind: host ? 'host' : 'application' };
    assets.set(id, asset);
    return asset;
  };
  const hostRoots = new Set(sources.hosts.map((h) => h.root));
  for (const host of sources.hosts) {
    const asset = assetOf(host.root, true);
    if (host.hives.software !== undefined) {
      const hivePath = host.hives.software;
      try {
        const hive = await openRegistryHive(hivePath);
        const windows = windowsVersion(hive);
        const found: InventoryComponent[] = [];
        if (windows !== undefined) found.push({ name: windows.productName ?? 'Microsoft Windows', version: windows.version, source: 'windows-build', location: 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion' });
        for (const entry of readUninstallEntries(hive)) {
          found.push({ name: entry.displayName, ...(entry.displayVersion === undefined ? {} : { version: entry.displayVersion }), source: 'uninstall', location: entry.key, ...(entry.publisher === undefined ? {} : { companyName: entry.publisher }) });
        }
        for (const component of found) out.components.push({ asset, component, hiveFile: hivePath });
        out.issues.push(...hive.issues);
        out.inputs.push({ kind: 'binary', path: hivePath, records: found.length, skipped: 0, bytes: await sizeOf(hivePath) });
      } catch (error) {
        out.issues.push(hiveIssue(error, hivePath));
      }
    }
    if (host.hives.system !== undefined) {
      const hivePath = host.hives.system;
      try {
        const hive = await openRegistryHive(hivePath);
        out.pending.push({ asset, systemHive: hivePath, renames: readPendingFileRenames(hive) });
        out.issues.push(...hive.issues);
      } catch (error) {
        out.issues.push(hiveIssue(error, hivePath));
      }
    }
  }
  for (const runtime of sources.runtimes) {
    out.components.push({ asset: assetOf(runtime.asset, hostRoots.has(runtime.asset)), component: { name: runtime.name, version: runtime.version, source: 'runtime-folder', location: runtime.location } });
  }
  for (const file of sources.files) {
    signal.throwIfAborted();
    const asset = assetOf(file.asset, hostRoots.has(file.asset));
    const { components, issues, bytes } = await readFileComponents(file);
    out.issues.push(...issues);
    out.inputs.push({ kind: file.kind === 'cyclonedx' ? 'sbom' : 'binary', path: file.path, records: components.length, skipped: issues.length > 0 && components.length === 0 ? 1 : 0, bytes });
    for (const component of components) out.components.push({ asset, component });
  }
  return out;
}

async function readFileComponents(file: InventoryFile): Promise<{ components: InventoryComponent[]; issues: ScanIssue[]; bytes: number }> {
  const bytes = await sizeOf(file.path);
  switch (file.kind) {
    case 'pe': {
      const { facts, issues } = await readPeFile(file.path, file.path);
      if (facts === undefined) return { components: [], issues, bytes };
      const strings = facts.version?.strings ?? {};
      const fileName = path.basename(file.path);
      const version = facts.version?.fileVersion ?? facts.assembly?.version ?? strings['FileVersion'];
      const productVersion = facts.version?.productVersion ?? strings['ProductVersion'];
      const productName = strings['ProductName'];
      const component: InventoryComponent = {
        name: productName !== undefined && productName !== '' ? productName : (facts.assembly?.name ?? fileName),
        ...(version === undefined ? {} : { version }),
        ...(productVersion === undefined || productVersion === version ? {} : { productVersion }),
        source: 'pe',
        location: file.path,
        fileName,
        ...(productName === undefined || productName === '' ? {} : { productName }),
        ...(strings['CompanyName'] === undefined ? {} : { companyName: strings['CompanyName'] }),
        ...(strings['OriginalFilename'] === undefined ? {} : { originalFilename: strings['OriginalFilename'] }),
        ...(facts.assembly === undefined ? {} : { assemblyName: facts.assembly.name }),
        ...(facts.assembly?.publicKeyToken === undefined ? {} : { publicKeyToken: facts.assembly.publicKeyToken }),
      };
      return { components: [component], issues, bytes };
    }
    case 'jar': {
      const { components, issues } = await readJavaArchive(file.path, file.path);
      return { components, issues, bytes };
    }
    default: {
      if (bytes > MAX_PACKAGE_FILE_BYTES) return { components: [], issues: [{ code: 'package.too-large', message: `${file.path} is ${bytes} bytes, over the ${MAX_PACKAGE_FILE_BYTES}-byte limit; not read.`, path: file.path }], bytes };
      try {
        const text = await readFile(file.path, 'utf8');
        const parse = file.kind === 'deps-json' ? parseDepsJson : file.kind === 'packages-config' ? parsePackagesConfig : file.kind === 'packages-lock' ? parsePackagesLock : parseCycloneDx;
        return { components: parse(text, file.path), issues: [], bytes };
      } catch (error) {
        if (error instanceof PackageFileError) return { components: [], issues: [{ code: error.code, message: `${file.path}: ${error.message}.`, path: file.path }], bytes };
        return { components: [], issues: [{ code: 'input.read-failed', message: `${file.path} cannot be read (${error instanceof Error ? error.message : String(error)}).`, path: file.path }], bytes };
      }
    }
  }
}

function hiveIssue(error: unknown, hivePath: string): ScanIssue {
  if (error instanceof HiveError) return { code: error.code, message: error.message, path: hivePath };
  return { code: 'hive.read-failed', message: `${hivePath} cannot be read (${error instanceof Error ? error.message : String(error)}).`, path: hivePath };
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}
