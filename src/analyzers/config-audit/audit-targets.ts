import type { IisConfig } from '../../formats/iis-config/iis-config.js';
import { splitSitePath } from '../../formats/iis-config/iis-config.js';
import type { CheckScope, CheckTarget } from './config-check.js';

/** What the checks of each scope are evaluated on. */
export type TargetsByScope = Readonly<Record<CheckScope, readonly CheckTarget[]>>;

/**
 * The host, its sites, applications, configured folders and pools. `application` checks run on every path
 * where settings may differ (the server level included), `site` checks once per site, `server` checks once.
 */
export function auditTargets(config: IisConfig, hostLabel: string): TargetsByScope {
  const host: CheckTarget = { sitePath: '', asset: { id: hostLabel, kind: 'host' }, file: config.applicationHostFile };
  const sites: CheckTarget[] = config.sites().map((site) => ({ sitePath: site.name, asset: { id: site.name, kind: 'site' }, file: site.file, line: site.line }));
  const applications: CheckTarget[] = config.sites().flatMap((site) =>
    site.applications
      .filter((application) => splitSitePath(application.path).length > 0)
      .map((application) => {
        const sitePath = `${site.name}/${splitSitePathKeepCase(application.path).join('/')}`;
        return { sitePath, asset: { id: sitePath, kind: 'application' as const }, file: site.file, line: application.line };
      }),
  );
  const known = new Set([host, ...sites, ...applications].map((target) => splitSitePath(target.sitePath).join('/')));
  const webConfigs = config.webConfigs();
  const folders: CheckTarget[] = [];
  for (const sitePath of config.targetPaths()) {
    const key = splitSitePath(sitePath).join('/');
    if (known.has(key)) continue;
    known.add(key);
    const file = webConfigs.find((entry) => splitSitePath(entry.sitePath).join('/') === key)?.file ?? config.applicationHostFile;
    folders.push({ sitePath, asset: { id: sitePath, kind: 'application' }, file });
  }
  const pools: CheckTarget[] = config.appPools().map((pool) => ({ sitePath: '', asset: { id: pool.name, kind: 'app-pool' }, file: pool.file, line: pool.line, pool }));
  return { server: [host], site: sites, application: [host, ...sites, ...applications, ...folders], 'app-pool': pools };
}

function splitSitePathKeepCase(urlPath: string): string[] {
  return urlPath.split(/[\\/]+/).filter((segment) => segment !== '' && segment !== '.');
}
