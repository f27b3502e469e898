import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ScanIssue } from '../core/scan-issue.js';
import { loadIisConfig } from '../formats/iis-config/load-iis-config.js';
import { resolveUnder, type HostPathOptions } from '../formats/iis-config/resolve-host-path.js';
import type { SweepRoot } from '../analyzers/webroot-sweep/webroot-sweep-analyzer.js';
import { InputError } from './input-error.js';

/** Where droppers and side-loaded DLLs land on an IIS host, below its root. */
const DROP_FOLDERS: readonly (readonly string[])[] = [['Windows', 'Temp'], ['ProgramData'], ['inetpub', 'temp']];

/**
 * The folders to sweep: each named folder as it is (its own asset), and for each host root every site's
 * physical folders from applicationHost.config (the site is the asset; without a configuration,
 * inetpub/wwwroot) plus Windows/Temp, ProgramData and inetpub/temp; `options.drives` maps other drive letters.
 * A missing path throws `InputError`.
 */
export async function findSweepRoots(paths: readonly string[], hostRoots: readonly string[], options: HostPathOptions = {}): Promise<{ roots: SweepRoot[]; issues: ScanIssue[] }> {
  const roots: SweepRoot[] = [];
  const issues: ScanIssue[] = [];
  for (const given of [...paths, ...hostRoots]) {
    const info = await stat(given).catch(() => undefined);
    if (info === undefined) throw new InputError('input.not-found', given, `not found: ${given}`);
  }
  for (const given of paths) roots.push({ path: given, asset: { id: given, kind: 'site' } });
  for (const hostRoot of hostRoots) {
    const info = await stat(hostRoot);
    if (!info.isDirectory()) throw new InputError('input.not-a-file', hostRoot, `--host needs a folder laid out like C:\\, not a file: ${hostRoot}`);
    const { config, issues: configIssues } = await loadIisConfig(hostRoot, { readWebConfigs: false, readHostLevels: false, ...options });
    issues.push(...configIssues.filter((i) => i.code !== 'config.not-found'));
    const siteRoots: SweepRoot[] = [];
    for (const site of config.sites()) {
      for (const application of site.applications) {
        for (const directory of application.virtualDirectories) {
          if (directory.hostPath === undefined) continue;
          siteRoots.push({ path: directory.hostPath, asset: { id: site.name, kind: 'site' } });
        }
      }
    }
    if (siteRoots.length === 0) {
      const wwwroot = await resolveUnder(hostRoot, ['inetpub', 'wwwroot']);
      if (wwwroot !== undefined) siteRoots.push({ path: wwwroot, asset: { id: wwwroot, kind: 'site' } });
    }
    const hostAsset = { id: hostRoot, kind: 'host' as const };
    const drops: SweepRoot[] = [];
    for (const segments of DROP_FOLDERS) {
      const found = await resolveUnder(hostRoot, segments);
      if (found !== undefined) drops.push({ path: found, asset: hostAsset });
    }
    roots.push(...outermost([...siteRoots, ...drops]));
  }
  return { roots, issues };
}

/** Drops folders that sit inside another folder of the list (an application inside its site), so no file is swept twice. */
function outermost(roots: readonly SweepRoot[]): SweepRoot[] {
  const sorted = [...roots].sort((a, b) => a.path.length - b.path.length);
  const kept: SweepRoot[] = [];
  for (const root of sorted) {
    const inside = kept.some((k) => root.path === k.path || root.path.startsWith(k.path.endsWith(path.sep) ? k.path : k.path + path.sep));
    if (!inside) kept.push(root);
  }
  return roots.filter((r) => kept.includes(r));
}
