import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ScanIssue } from '../../core/scan-issue.js';
import { attributeValue as attribute, type XmlElement } from '../xml/xml-element.js';
import type { ConfigContribution } from './config-contribution.js';
import type { ConfigValue } from './config-value.js';
import { fileContributions } from './file-contributions.js';
import { IisConfig, type Application, type Site, type SiteBinding, type VirtualDirectory } from './iis-config.js';
import { loadFrameworkLevels, type FrameworkLevels } from './load-framework-levels.js';
import { DEFAULT_MAX_CONFIG_BYTES, readConfigFile } from './read-config-file.js';
import { readAdministrationConfig, type AdministrationConfig } from './read-administration-config.js';
import { readSharedConfiguration, type SharedConfiguration } from './read-shared-configuration.js';
import { resolveHostPath, resolveUnder, type HostPathOptions } from './resolve-host-path.js';

/** Bounds and mappings for reading a host's IIS configuration. */
export interface LoadIisConfigOptions extends HostPathOptions {
  /** Largest configuration file read (default 16 MiB); a larger one becomes `config.too-large`. */
  readonly maxFileBytes?: number;
  /** How deep below a virtual directory's folder web.config files are looked for (default 8). */
  readonly maxWebConfigDepth?: number;
  /** How many folders the web.config search visits on the whole host (default 20 000). */
  readonly maxDirectories?: number;
  /** Read this file as applicationHost.config instead of looking for it under the host root. */
  readonly applicationHostFile?: string;
  /** Whether to look for the sites' web.config files (default true); off when a single file was named. */
  readonly readWebConfigs?: boolean;
  /** Whether to read machine.config, the .NET root web.config and redirection.config under the host root (default: as `readWebConfigs`). */
  readonly readHostLevels?: boolean;
  readonly signal?: AbortSignal;
}

const APPLICATION_HOST = ['Windows', 'System32', 'inetsrv', 'config', 'applicationHost.config'];
const DEFAULT_LOG_DIRECTORY = '%SystemDrive%\\inetpub\\logs\\LogFiles';

interface MappedDirectory {
  readonly url: readonly string[];
  readonly hostPath: string;
  readonly allowSubDirConfig: boolean;
}

/**
 * Reads applicationHost.config under `hostRoot` (a folder laid out like a system drive), the host-level files
 * around it (redirection.config, administration.config, the .NET machine.config and root web.config), and every web.config
 * its sites reach, without following links out of the root. Problems become ScanIssues; this never throws
 * for bad input.
 */
export async function loadIisConfig(hostRoot: string, options: LoadIisConfigOptions = {}): Promise<{ config: IisConfig; issues: ScanIssue[] }> {
  const issues: ScanIssue[] = [];
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_CONFIG_BYTES;
  const found = options.applicationHostFile ?? (await resolveUnder(hostRoot, APPLICATION_HOST));
  const applicationHostFile = found ?? path.join(hostRoot, ...APPLICATION_HOST);
  let frameworks: FrameworkLevels | undefined;
  let shared: SharedConfiguration | undefined;
  let administration: AdministrationConfig | undefined;
  if (options.readHostLevels ?? options.readWebConfigs !== false) {
    // Read before applicationHost.config: shared configuration explains a missing or stale local copy.
    const redirection = await readSharedConfiguration(hostRoot, maxBytes);
    shared = redirection.shared;
    issues.push(...redirection.issues);
    const loaded = await loadFrameworkLevels(hostRoot, maxBytes);
    frameworks = loaded.frameworks;
    issues.push(...loaded.issues);
    const admin = await readAdministrationConfig(hostRoot, maxBytes);
    administration = admin.administration;
    issues.push(...admin.issues);
  }
  const hostLevels = {
    ...(frameworks === undefined ? {} : { frameworks }),
    ...(shared === undefined ? {} : { sharedConfiguration: shared }),
    ...(administration === undefined ? {} : { administration }),
  };
  const empty = (): { config: IisConfig; issues: ScanIssue[] } => ({
    config: new IisConfig({ applicationHostFile, applicationHost: undefined, sites: [], contributions: [], sectionDefaults: new Map(), webConfigs: [], ...hostLevels }),
    issues,
  });
  if (found === undefined) {
    issues.push({ code: 'config.not-found', message: 'no applicationHost.config under Windows/System32/inetsrv/config', path: applicationHostFile });
    return empty();
  }
  const read = await readConfigFile(found, maxBytes);
  if ('issue' in read) {
    issues.push(read.issue);
    return empty();
  }
  const root = read.root;
  if (root.name !== 'configuration') {
    issues.push({ code: 'config.malformed', message: `root element is <${root.name}>, not <configuration>`, path: found, line: root.line });
    return empty();
  }
  const contributions: ConfigContribution[] = [...fileContributions(root, found, [], false, -1)];
  const sectionDefaults = new Map<string, 'Allow' | 'Deny'>();
  for (const configSections of root.children.filter((child) => child.name === 'configSections')) collectSections(configSections, '', sectionDefaults);

  const sites = await readSites(root, found, hostRoot, options);
  const webConfigs: { file: string; sitePath: string }[] = [];
  const mapped = options.readWebConfigs === false ? [] : sites.flatMap((site) =>
    site.applications.flatMap((application) =>
      application.virtualDirectories.flatMap((directory): MappedDirectory[] =>
        directory.hostPath === undefined
          ? []
          : [{ url: [site.name, ...segmentsOf(application.path), ...segmentsOf(directory.path)], hostPath: directory.hostPath, allowSubDirConfig: directory.allowSubDirConfig }],
      ),
    ),
  );
  const budget = { directories: options.maxDirectories ?? 20_000 };
  const seen = new Set<string>();
  for (const directory of mapped) {
    for (const candidate of await findWebConfigs(directory, options.maxWebConfigDepth ?? 8, budget, options.signal)) {
      // A folder reached through an enclosing directory but mapped by a longer virtual path is served by that one.
      if (servingDirectory(mapped, candidate.url) !== directory) continue;
      const key = `${candidate.file}\n${candidate.url.join('/').toLowerCase()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const webConfig = await readConfigFile(candidate.file, maxBytes);
      if ('issue' in webConfig) {
        issues.push(webConfig.issue);
        continue;
      }
      if (webConfig.root.name !== 'configuration') {
        issues.push({ code: 'config.malformed', message: `root element is <${webConfig.root.name}>, not <configuration>`, path: candidate.file, line: webConfig.root.line });
        continue;
      }
      const url = candidate.url.map((segment) => segment.toLowerCase());
      contributions.push(...fileContributions(webConfig.root, candidate.file, url, true, url.length));
      for (const configSections of webConfig.root.children.filter((child) => child.name === 'configSections')) {
        collectSections(configSections, '', sectionDefaults, false);
      }
      webConfigs.push({ file: candidate.file, sitePath: candidate.url.join('/') });
    }
  }
  if (budget.directories <= 0) {
    issues.push({ code: 'config.search-truncated', message: 'stopped looking for web.config files after the folder limit', path: hostRoot });
  }
  const config = new IisConfig({ applicationHostFile: found, applicationHost: root, sites, contributions, sectionDefaults, webConfigs, ...hostLevels });
  issues.push(...lockIssues(config, contributions));
  return { config, issues };
}

function collectSections(group: XmlElement, prefix: string, into: Map<string, 'Allow' | 'Deny'>, overwrite = true): void {
  for (const child of group.children) {
    const name = attribute(child, 'name');
    if (name === undefined || name === '') continue;
    const full = prefix === '' ? name : `${prefix}/${name}`;
    if (child.name === 'sectionGroup') collectSections(child, full, into, overwrite);
    else if (child.name === 'section' && (overwrite || !into.has(full))) {
      into.set(full, (attribute(child, 'overrideModeDefault') ?? 'Allow').toLowerCase() === 'deny' ? 'Deny' : 'Allow');
    }
  }
}

async function readSites(root: XmlElement, file: string, hostRoot: string, options: HostPathOptions): Promise<Site[]> {
  const sitesElements = childPath(root, ['system.applicationHost', 'sites']);
  const siteDefaults = sitesElements.flatMap((sites) => childrenNamed(sites, 'siteDefaults'));
  const defaultLog = siteDefaults.flatMap((defaults) => childrenNamed(defaults, 'logFile')).at(-1);
  const applicationDefaults = sitesElements.flatMap((sites) => childrenNamed(sites, 'applicationDefaults')).at(-1);
  const directoryDefaults = sitesElements.flatMap((sites) => childrenNamed(sites, 'virtualDirectoryDefaults')).at(-1);
  const result: Site[] = [];
  for (const site of sitesElements.flatMap((sites) => childrenNamed(sites, 'site'))) {
    const siteLog = childrenNamed(site, 'logFile').at(-1);
    const applications: Application[] = [];
    for (const application of childrenNamed(site, 'application')) {
      const directories: VirtualDirectory[] = [];
      for (const directory of childrenNamed(application, 'virtualDirectory')) {
        const physicalPath = attribute(directory, 'physicalPath') ?? '';
        const hostPath = physicalPath === '' ? undefined : await resolveHostPath(hostRoot, physicalPath, options);
        const userName = attribute(directory, 'userName');
        const subDirConfig = attribute(directory, 'allowSubDirConfig') ?? (directoryDefaults === undefined ? undefined : attribute(directoryDefaults, 'allowSubDirConfig'));
        directories.push({
          path: attribute(directory, 'path') ?? '/',
          physicalPath,
          ...(hostPath === undefined ? {} : { hostPath }),
          ...(userName === undefined || userName === '' ? {} : { userName }),
          allowSubDirConfig: (subDirConfig ?? 'true').toLowerCase() !== 'false',
          line: directory.line,
        });
      }
      const rootDirectory = directories.find((directory) => segmentsOf(directory.path).length === 0);
      applications.push({
        path: attribute(application, 'path') ?? '/',
        applicationPool: valueOf(application, 'applicationPool', file) ?? (applicationDefaults === undefined ? undefined : valueOf(applicationDefaults, 'applicationPool', file)) ?? { value: 'DefaultAppPool' },
        ...(rootDirectory === undefined ? {} : { physicalPath: rootDirectory.physicalPath }),
        ...(rootDirectory?.hostPath === undefined ? {} : { hostPath: rootDirectory.hostPath }),
        virtualDirectories: directories,
        line: application.line,
      });
    }
    const bindings: SiteBinding[] = childrenNamed(site, 'bindings').flatMap((group) =>
      childrenNamed(group, 'binding').map((binding) => {
        const sslFlags = attribute(binding, 'sslFlags');
        return {
          protocol: attribute(binding, 'protocol') ?? '',
          bindingInformation: attribute(binding, 'bindingInformation') ?? '',
          ...(sslFlags === undefined ? {} : { sslFlags }),
          line: binding.line,
        };
      }),
    );
    const fromLog = (name: string, fallback: string): ConfigValue =>
      (siteLog === undefined ? undefined : valueOf(siteLog, name, file)) ?? (defaultLog === undefined ? undefined : valueOf(defaultLog, name, file)) ?? { value: fallback };
    result.push({
      id: attribute(site, 'id') ?? '',
      name: attribute(site, 'name') ?? '',
      bindings,
      applications,
      logDirectory: fromLog('directory', DEFAULT_LOG_DIRECTORY),
      logFormat: fromLog('logFormat', 'W3C'),
      serverAutoStart: valueOf(site, 'serverAutoStart', file) ?? { value: 'true' },
      file,
      line: site.line,
    });
  }
  return result;
}

/** Finds web.config files in a virtual directory's folder and, when allowed, its sub-folders (links are not followed). */
async function findWebConfigs(
  directory: MappedDirectory,
  maxDepth: number,
  budget: { directories: number },
  signal: AbortSignal | undefined,
): Promise<{ file: string; url: string[] }[]> {
  const found: { file: string; url: string[] }[] = [];
  const queue: { folder: string; url: string[]; depth: number }[] = [{ folder: directory.hostPath, url: [...directory.url], depth: 0 }];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    signal?.throwIfAborted();
    if (budget.directories <= 0) break;
    budget.directories -= 1;
    let entries;
    try {
      entries = await readdir(next.folder, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.isFile() && entry.name.toLowerCase() === 'web.config') found.push({ file: path.join(next.folder, entry.name), url: next.url });
      else if (entry.isDirectory() && directory.allowSubDirConfig && next.depth < maxDepth) {
        queue.push({ folder: path.join(next.folder, entry.name), url: [...next.url, entry.name], depth: next.depth + 1 });
      }
    }
  }
  return found;
}

/** The mapped directory with the longest URL that is a prefix of `url` (case-insensitive), as IIS maps requests. */
function servingDirectory(mapped: readonly MappedDirectory[], url: readonly string[]): MappedDirectory | undefined {
  let best: MappedDirectory | undefined;
  for (const directory of mapped) {
    if (directory.url.length > url.length || (best !== undefined && directory.url.length <= best.url.length)) continue;
    if (directory.url.every((segment, index) => segment.toLowerCase() === url[index]?.toLowerCase())) best = directory;
  }
  return best;
}

/** Checks each web.config level against the locks above it, once per section it could touch. */
function lockIssues(config: IisConfig, contributions: readonly ConfigContribution[]): ScanIssue[] {
  const seen = new Set<string>();
  const issues: ScanIssue[] = [];
  const paths = new Set(contributions.filter((contribution) => contribution.fromWebConfig).map((contribution) => contribution.target.join('/')));
  for (const sitePath of paths) {
    for (const sectionPath of config.declaredSections().keys()) {
      for (const issue of config.effective(sitePath, sectionPath).issues) {
        const key = `${issue.code}|${issue.path ?? ''}|${issue.line ?? 0}`;
        if (seen.has(key)) continue;
        seen.add(key);
        issues.push(issue);
      }
    }
  }
  return issues;
}

function segmentsOf(urlPath: string): string[] {
  return urlPath.split(/[\\/]+/).filter((segment) => segment !== '' && segment !== '.');
}

function valueOf(element: XmlElement, name: string, file: string): ConfigValue | undefined {
  const found = element.attributes.find((candidate) => candidate.name === name);
  return found === undefined ? undefined : { value: found.value, file, line: found.line };
}

function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

function childPath(element: XmlElement, names: readonly string[]): XmlElement[] {
  let level = [element];
  for (const name of names) level = level.flatMap((candidate) => childrenNamed(candidate, name));
  return level;
}
