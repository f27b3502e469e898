import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Asset } from '../core/asset.js';
import type { ScanIssue } from '../core/scan-issue.js';
import type { IisConfig } from '../formats/iis-config/iis-config.js';
import { loadIisConfig } from '../formats/iis-config/load-iis-config.js';
import { expandWindowsPath, resolveHostPath, resolveUnder, type HostPathOptions } from '../formats/iis-config/resolve-host-path.js';
import { currentControlSet } from '../formats/registry-hive/current-control-set.js';
import { openRegistryHive } from '../formats/registry-hive/open-registry-hive.js';
import { HOST_EVENT_LOG_DIR } from './find-evtx-files.js';
import { findHostHives, type HostHivePaths } from './find-host-hives.js';
import { HostAssetTree, type ServedFolder } from './host-asset-tree.js';
import { InputError } from './input-error.js';

/** A folder of logs to hunt, and the site whose requests it holds (HTTPERR and unattributed folders have none). */
export interface HostLogFolder {
  readonly path: string;
  /** `W3SVC<id>`'s id, when the folder belongs to a configured site. */
  readonly siteId?: string;
  /** `W3C`, `IIS`, `NCSA` or `Custom` as configured; `httperr` for HTTP.sys. */
  readonly format: string;
}

/** What a host root holds, read from its configuration rather than guessed. */
export interface DiscoveredHost {
  readonly root: string;
  readonly assets: HostAssetTree;
  /** Undefined when the root has no applicationHost.config. */
  readonly config: IisConfig | undefined;
  readonly logFolders: readonly HostLogFolder[];
  readonly eventLogFolder?: string;
  readonly hives: HostHivePaths;
  /** Paths the configuration names but the root lacks (UNC shares, unmapped drives, missing folders), unreadable hives. */
  readonly issues: readonly ScanIssue[];
}

/** Options of `discoverHost`. */
export interface DiscoverHostOptions extends HostPathOptions {
  /** The host's name (w3guard.yaml `host:`); otherwise the computer name in the SYSTEM hive, otherwise the root's folder name. */
  readonly hostName?: string;
}

const LOG_FILES = ['inetpub', 'logs', 'LogFiles'];
const HTTPERR = ['Windows', 'System32', 'LogFiles', 'HTTPERR'];

/**
 * Reads a host root (a live `C:\`, a mounted image, a triage folder): its sites, applications, virtual
 * directories and app pools from applicationHost.config, each site's log folder (`logFile directory` +
 * `W3SVC<id>`), HTTPERR, the event log folder and the hives, and builds the asset tree with stable ids
 * (`HOST`, `HOST/W3SVC2`, `HOST/W3SVC2/partners`, `HOST/apppool/PartnersPool`, `HOST/HTTP.sys`). A root without
 * IIS configuration gets the usual locations. A missing or non-folder root throws `InputError`.
 */
export async function discoverHost(root: string, options: DiscoverHostOptions = {}): Promise<DiscoveredHost> {
  const info = await stat(root).catch((error: unknown) => {
    throw new InputError('input.not-found', root, `${JSON.stringify(root)} does not exist.`, { cause: error });
  });
  if (!info.isDirectory()) throw new InputError('input.not-a-file', root, `host takes a folder laid out like C:\\, and ${JSON.stringify(root)} is not a folder.`);
  const issues: ScanIssue[] = [];
  const hives = await findHostHives(root);
  const hostId = options.hostName ?? (await computerName(hives.system, issues)) ?? (path.basename(path.resolve(root)) || 'host');
  const host: Asset = { id: hostId, kind: 'host' };
  const loaded = await loadIisConfig(root, { readWebConfigs: false, readHostLevels: false, ...(options.drives === undefined ? {} : { drives: options.drives }) });
  const found = !loaded.issues.some((issue) => issue.code === 'config.not-found');
  issues.push(...loaded.issues.filter((issue) => issue.code !== 'config.not-found'));
  const config = found ? loaded.config : undefined;

  const sites: { asset: Asset; siteId: string; applications: { urlPath: string; asset: Asset }[] }[] = [];
  const folders: ServedFolder[] = [];
  const logFolders: HostLogFolder[] = [];
  const seenLogFolders = new Set<string>();
  const addLogFolder = (folder: HostLogFolder): void => {
    if (seenLogFolders.has(folder.path)) return;
    seenLogFolders.add(folder.path);
    logFolders.push(folder);
  };
  for (const site of config?.sites() ?? []) {
    // IIS numbers sites; an id that is not a number is damage or tampering and names no log folder.
    const numbered = /^\d{1,10}$/.test(site.id.trim());
    const siteId = numbered ? `W3SVC${site.id.trim()}` : `site-${site.name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64)}`;
    const siteAsset: Asset = { id: `${hostId}/${siteId}`, kind: 'site', name: site.name, parent: hostId, ...pathOf(site.applications.find((a) => segments(a.path).length === 0)?.hostPath) };
    const applications: { urlPath: string; asset: Asset }[] = [];
    for (const application of site.applications) {
      const appSegments = segments(application.path);
      const owner: Asset =
        appSegments.length === 0
          ? siteAsset
          : { id: `${siteAsset.id}/${appSegments.join('/')}`, kind: 'application', name: `${site.name}/${appSegments.join('/')}`, parent: siteAsset.id, ...pathOf(application.hostPath) };
      if (owner !== siteAsset) applications.push({ urlPath: application.path, asset: owner });
      for (const directory of application.virtualDirectories) {
        if (directory.hostPath !== undefined) folders.push({ hostPath: directory.hostPath, asset: owner.id });
        else if (directory.physicalPath.trim() !== '') {
          issues.push({
            code: 'host.path-missing',
            message: `${site.name}${application.path === '/' ? '' : application.path}${directory.path === '/' ? '' : directory.path} is served from ${directory.physicalPath}, ${whyMissing(directory.physicalPath, options)}; its files were not swept`,
            path: site.file,
            line: directory.line,
          });
        }
      }
    }
    sites.push({ asset: siteAsset, siteId: site.id.trim(), applications });
    const format = site.logFormat.value;
    const configured = site.logDirectory.value;
    const logRoot = await resolveHostPath(root, configured, options);
    if (logRoot === undefined) {
      issues.push({
        code: 'host.path-missing',
        message: `${site.name} logs to ${configured}, ${whyMissing(configured, options)}; its requests were not hunted`,
        ...(site.logDirectory.file === undefined ? { path: site.file } : { path: site.logDirectory.file }),
        ...(site.logDirectory.line === undefined ? {} : { line: site.logDirectory.line }),
      });
      continue;
    }
    const siteLogs = numbered ? await resolveUnder(logRoot, [siteId]) : undefined;
    if (siteLogs !== undefined) addLogFolder({ path: siteLogs, siteId: site.id.trim(), format });
    else issues.push({ code: 'host.logs-missing', message: `${site.name} has no ${siteId} folder under ${configured}: no requests of this site were hunted`, path: logRoot });
  }
  if (config === undefined) {
    // No configuration: the default log folder, every W3SVC<id> in it.
    const logs = await resolveUnder(root, LOG_FILES);
    if (logs !== undefined) addLogFolder({ path: logs, format: 'W3C' });
    const wwwroot = await resolveUnder(root, ['inetpub', 'wwwroot']);
    if (wwwroot !== undefined) folders.push({ hostPath: wwwroot, asset: hostId });
  }
  const httpErr = await resolveUnder(root, HTTPERR);
  if (httpErr !== undefined) addLogFolder({ path: httpErr, format: 'httperr' });
  const pools: Asset[] = (config?.appPools() ?? []).map((pool) => ({ id: `${hostId}/apppool/${pool.name}`, kind: 'app-pool', name: pool.name, parent: hostId }));
  const httpSys: Asset = { id: `${hostId}/HTTP.sys`, kind: 'http-sys', name: 'HTTP.sys', parent: hostId };
  const eventLogFolder = await resolveUnder(root, [...HOST_EVENT_LOG_DIR]);
  return {
    root,
    assets: new HostAssetTree({ host, sites, pools, others: [httpSys], folders }),
    config,
    logFolders,
    ...(eventLogFolder === undefined ? {} : { eventLogFolder }),
    hives,
    issues,
  };
}

/** The computer name recorded in the SYSTEM hive (`ControlSet00N\Control\ComputerName\ComputerName`). */
async function computerName(systemHive: string | undefined, issues: ScanIssue[]): Promise<string | undefined> {
  if (systemHive === undefined) return undefined;
  try {
    const hive = await openRegistryHive(systemHive);
    const name = currentControlSet(hive)?.key('Control\\ComputerName\\ComputerName')?.string('ComputerName')?.trim();
    // Only a name fit for an id: NetBIOS names are short and plain; anything else is damage or tampering.
    return name !== undefined && /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name) ? name : undefined;
  } catch (error) {
    issues.push({ code: 'host.hive-unreadable', message: `the SYSTEM hive could not be read for the computer name: ${error instanceof Error ? error.message : String(error)}`, path: systemHive });
    return undefined;
  }
}

function whyMissing(windowsPath: string, options: HostPathOptions): string {
  const expanded = expandWindowsPath(windowsPath.trim());
  if (/^[\\/]{2}/.test(expanded)) return 'a network share outside the root';
  const drive = /^([A-Za-z]):/.exec(expanded)?.[1]?.toUpperCase();
  if (drive === undefined) return 'not a path this tool can map';
  const mapped = drive === 'C' || Object.keys(options.drives ?? {}).some((letter) => letter.replace(/:$/, '').toUpperCase() === drive);
  return mapped ? 'which the root lacks' : `on drive ${drive}: which is not part of the root (map it with --drive ${drive}:=FOLDER)`;
}

function segments(urlPath: string): string[] {
  return urlPath.split(/[\\/]+/).filter((segment) => segment !== '' && segment !== '.');
}

function pathOf(hostPath: string | undefined): { path?: string } {
  return hostPath === undefined ? {} : { path: hostPath };
}
