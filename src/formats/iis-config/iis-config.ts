import { attributeValue, type XmlElement } from '../xml/xml-element.js';
import { buildEffectiveSection } from './build-effective-section.js';
import type { ConfigContribution } from './config-contribution.js';
import type { ConfigValue } from './config-value.js';
import type { EffectiveSection } from './effective-section.js';
import type { FrameworkFolder, FrameworkLevel, FrameworkLevels, FrameworkVersion } from './load-framework-levels.js';
import type { AdministrationConfig } from './read-administration-config.js';
import type { SharedConfiguration } from './read-shared-configuration.js';

/** A site binding as written in applicationHost.config. */
export interface SiteBinding {
  readonly protocol: string;
  readonly bindingInformation: string;
  readonly sslFlags?: string;
  readonly line: number;
}

/** A virtual directory; `hostPath` is its folder under the host root when it could be mapped there. */
export interface VirtualDirectory {
  /** Path within its application, `/` for the application root. */
  readonly path: string;
  readonly physicalPath: string;
  readonly hostPath?: string;
  readonly userName?: string;
  readonly allowSubDirConfig: boolean;
  readonly line: number;
}

/** An application of a site. */
export interface Application {
  /** Path within the site, `/` for the root application. */
  readonly path: string;
  readonly applicationPool: ConfigValue;
  /** Physical path of the application's root virtual directory. */
  readonly physicalPath?: string;
  readonly hostPath?: string;
  readonly virtualDirectories: readonly VirtualDirectory[];
  readonly line: number;
}

/** A site from `system.applicationHost/sites`. */
export interface Site {
  readonly id: string;
  readonly name: string;
  readonly bindings: readonly SiteBinding[];
  readonly applications: readonly Application[];
  /** Log folder as configured (`logFile directory`), without the `W3SVC<id>` subfolder IIS adds. */
  readonly logDirectory: ConfigValue;
  readonly logFormat: ConfigValue;
  readonly serverAutoStart: ConfigValue;
  readonly file: string;
  readonly line: number;
}

/** An application pool with `applicationPoolDefaults` and IIS schema defaults applied. */
export interface AppPool {
  readonly name: string;
  readonly identityType: ConfigValue;
  readonly userName?: ConfigValue;
  readonly enable32BitAppOnWin64: ConfigValue;
  readonly loadUserProfile: ConfigValue;
  readonly managedRuntimeVersion: ConfigValue;
  readonly managedPipelineMode: ConfigValue;
  readonly file: string;
  readonly line: number;
}

/** A native module registered in `system.webServer/globalModules`. */
export interface GlobalModule {
  readonly name: string;
  readonly image: string;
  readonly preCondition?: string;
  readonly file: string;
  readonly line: number;
}

/** What the loader found, ready to answer questions about the configuration hierarchy. */
export interface IisConfigParts {
  readonly applicationHostFile: string;
  readonly applicationHost: XmlElement | undefined;
  readonly sites: readonly Site[];
  readonly contributions: readonly ConfigContribution[];
  /** `overrideModeDefault` of each declared section, by section path. */
  readonly sectionDefaults: ReadonlyMap<string, 'Allow' | 'Deny'>;
  /** Every web.config read, with the site path of its folder. */
  readonly webConfigs: readonly { readonly file: string; readonly sitePath: string }[];
  /** machine.config and root web.config levels of each .NET Framework found; absent when none were looked for. */
  readonly frameworks?: FrameworkLevels;
  /** Set when redirection.config turns shared configuration on. */
  readonly sharedConfiguration?: SharedConfiguration;
  /** administration.config (IIS Manager extensions and delegation), when a host root has one. */
  readonly administration?: AdministrationConfig;
}

// The CLR folder each managedRuntimeVersion loads; '' (no managed code) and unknown values load none.
const RUNTIME_FOLDERS: ReadonlyMap<string, FrameworkVersion> = new Map([
  ['v4.0', 'v4.0.30319'],
  ['v2.0', 'v2.0.50727'],
]);

/** The configuration of one IIS host: sites, pools, native modules and effective section values. */
export class IisConfig {
  private poolsByName: ReadonlyMap<string, AppPool> | undefined;

  constructor(private readonly parts: IisConfigParts) {}

  /** The .NET configuration levels (machine.config, root web.config) that were read, Framework64 first. */
  frameworkLevels(): readonly FrameworkLevel[] {
    return this.parts.frameworks?.levels ?? [];
  }

  /** administration.config as read from the host root, or undefined when there is none or it was not looked for. */
  get administration(): AdministrationConfig | undefined {
    return this.parts.administration;
  }

  /** Where IIS really reads its configuration from when shared configuration is on. */
  get sharedConfiguration(): SharedConfiguration | undefined {
    return this.parts.sharedConfiguration;
  }

  /**
   * The .NET level whose machine.config and root web.config apply to `sitePath`: the one its application pool
   * loads (managedRuntimeVersion, enable32BitAppOnWin64), undefined for a pool without managed code. The server
   * level and paths outside any site use the default, 64-bit v4.0.
   */
  frameworkLevelFor(sitePath: string): FrameworkLevel | undefined {
    const frameworks = this.parts.frameworks;
    if (frameworks === undefined || frameworks.levels.length === 0) return undefined;
    const pool = this.poolOf(splitSitePath(sitePath));
    const version = RUNTIME_FOLDERS.get((pool?.managedRuntimeVersion.value ?? 'v4.0').trim().toLowerCase());
    if (version === undefined) return undefined;
    const wants32Bit = (pool?.enable32BitAppOnWin64.value ?? 'false').trim().toLowerCase() === 'true';
    // A 32-bit Windows has only the Framework folder, and runs every pool from it.
    const folder: FrameworkFolder = wants32Bit || !frameworks.has64Bit ? 'Framework' : 'Framework64';
    return frameworks.levels.find((level) => level.folder === folder && level.version === version);
  }

  /** The section `sectionPath` as one .NET level alone sets it (server level, no IIS files), for MachineOnly settings such as `deployment`. */
  frameworkEffective(level: FrameworkLevel, sectionPath: string): EffectiveSection {
    const normalizedSection = sectionPath.split('/').filter((segment) => segment !== '').join('/');
    return buildEffectiveSection('', normalizedSection, level.contributions.filter((contribution) => contribution.target.length === 0), 'Allow');
  }

  /** The applicationHost.config path as reached from the host root. */
  get applicationHostFile(): string {
    return this.parts.applicationHostFile;
  }

  /** Every web.config that was read, with the site path it applies to. */
  webConfigs(): readonly { readonly file: string; readonly sitePath: string }[] {
    return this.parts.webConfigs;
  }

  /**
   * Every path some file aims settings at (the folder of each web.config, each `<location path>`), spelled as
   * written, without duplicates (compared case-insensitively); `''` is the server level.
   */
  targetPaths(): string[] {
    const byFile = new Map(this.parts.webConfigs.map((entry) => [entry.file, entry.sitePath] as const));
    const result = new Map<string, string>();
    for (const contribution of this.parts.contributions) {
      const base = contribution.fromWebConfig ? (byFile.get(contribution.file) ?? contribution.target.join('/')) : '';
      const own = contribution.container.name === 'location' ? (attributeValue(contribution.container, 'path') ?? '') : '';
      const full = [base, own]
        .flatMap((part) => part.split(/[\\/]+/))
        .filter((segment) => segment !== '' && segment !== '.')
        .join('/');
      const key = splitSitePath(full).join('/');
      if (!result.has(key)) result.set(key, full);
    }
    return [...result.values()];
  }

  /** Sites in document order. */
  sites(): readonly Site[] {
    return this.parts.sites;
  }

  /** Application pools with defaults applied, in document order. */
  appPools(): AppPool[] {
    const section = this.effective('', 'system.applicationHost/applicationPools');
    const defaults = section.children.get('applicationPoolDefaults');
    const defaultModel = defaults?.children.get('processModel');
    return section.items.map((item) => {
      const model = item.element.children.find((child) => child.name === 'processModel');
      const file = item.file;
      const pick = (own: XmlElement | undefined, fallback: ReadonlyMap<string, ConfigValue> | undefined, name: string, schemaDefault: string): ConfigValue => {
        const attribute = own?.attributes.find((candidate) => candidate.name === name);
        if (attribute !== undefined) return { value: attribute.value, file, line: attribute.line };
        return fallback?.get(name) ?? { value: schemaDefault };
      };
      const userName = pick(model, defaultModel?.attributes, 'userName', '');
      return {
        name: item.attributes.get('name')?.value ?? '',
        identityType: pick(model, defaultModel?.attributes, 'identityType', 'ApplicationPoolIdentity'),
        ...(userName.value === '' ? {} : { userName }),
        enable32BitAppOnWin64: pick(item.element, defaults?.attributes, 'enable32BitAppOnWin64', 'false'),
        loadUserProfile: pick(model, defaultModel?.attributes, 'loadUserProfile', 'false'),
        managedRuntimeVersion: pick(item.element, defaults?.attributes, 'managedRuntimeVersion', 'v4.0'),
        managedPipelineMode: pick(item.element, defaults?.attributes, 'managedPipelineMode', 'Integrated'),
        file,
        line: item.line,
      };
    });
  }

  /** Native modules loaded into every worker process, in load order. */
  globalModules(): GlobalModule[] {
    return this.effective('', 'system.webServer/globalModules').items.map((item) => {
      const preCondition = item.attributes.get('preCondition')?.value;
      return {
        name: item.attributes.get('name')?.value ?? '',
        image: item.attributes.get('image')?.value ?? '',
        ...(preCondition === undefined ? {} : { preCondition }),
        file: item.file,
        line: item.line,
      };
    });
  }

  /**
   * The section `sectionPath` (for example `system.webServer/directoryBrowse`) as it applies to `sitePath`
   * (`''` for the server, `Site`, `Site/app/folder`), each value with the file and line that set it.
   */
  effective(sitePath: string, sectionPath: string): EffectiveSection {
    const target = splitSitePath(sitePath);
    const targetApp = this.applicationOf(target);
    const normalizedSection = sectionPath.split('/').filter((segment) => segment !== '').join('/');
    // IIS takes system.web from the .NET files below applicationHost.config; they hold nothing it reads for other sections here.
    const dotNet = normalizedSection.split('/')[0] === 'system.web' ? (this.frameworkLevelFor(sitePath)?.contributions ?? []) : [];
    const applicable = [...dotNet, ...this.parts.contributions].filter((contribution) => {
      if (contribution.target.length > target.length) return false;
      if (!contribution.target.every((segment, index) => segment === target[index])) return false;
      // inheritInChildApplications="false" stops at the next application boundary, not at sub-folders.
      return contribution.inheritInChildApplications || this.applicationOf(contribution.target) === targetApp;
    });
    applicable.sort((a, b) => a.target.length - b.target.length || a.fileDepth - b.fileDepth || a.order - b.order);
    return buildEffectiveSection(sitePath, normalizedSection, applicable, this.parts.sectionDefaults.get(normalizedSection) ?? 'Allow');
  }

  /** The application pool serving `sitePath` (`Site/app/folder`), or undefined at the server level or for an unknown pool. */
  appPoolFor(sitePath: string): AppPool | undefined {
    return this.poolOf(splitSitePath(sitePath));
  }

  /** The declared sections (`configSections`), with their default override mode. */
  declaredSections(): ReadonlyMap<string, 'Allow' | 'Deny'> {
    return this.parts.sectionDefaults;
  }

  /** The application pool of the application serving `segments`, or undefined outside any site or for an unknown pool. */
  private poolOf(segments: readonly string[]): AppPool | undefined {
    const [siteName, ...rest] = segments;
    if (siteName === undefined) return undefined;
    const site = this.parts.sites.find((candidate) => candidate.name.toLowerCase() === siteName);
    if (site === undefined) return undefined;
    let best: { application: Application; length: number } | undefined;
    for (const application of site.applications) {
      const appSegments = splitSitePath(application.path);
      if ((best !== undefined && appSegments.length <= best.length) || appSegments.length > rest.length) continue;
      if (appSegments.every((segment, index) => segment === rest[index])) best = { application, length: appSegments.length };
    }
    if (best === undefined) return undefined;
    this.poolsByName ??= new Map(this.appPools().map((pool) => [pool.name.toLowerCase(), pool] as const));
    return this.poolsByName.get(best.application.applicationPool.value.toLowerCase());
  }

  /** Case-folded `site/app` key of the application that serves `segments`, or the segments themselves outside any site. */
  private applicationOf(segments: readonly string[]): string {
    const [siteName, ...rest] = segments;
    if (siteName === undefined) return '';
    const site = this.parts.sites.find((candidate) => candidate.name.toLowerCase() === siteName);
    if (site === undefined) return siteName;
    let best: string[] = [];
    for (const application of site.applications) {
      const appSegments = splitSitePath(application.path);
      if (appSegments.length <= best.length || appSegments.length > rest.length) continue;
      if (appSegments.every((segment, index) => segment === rest[index])) best = appSegments;
    }
    return [siteName, ...best].join('/');
  }
}

/** Case-folded segments of a site path such as `Default Web Site/app/`; `.` segments are dropped. */
export function splitSitePath(sitePath: string): string[] {
  return sitePath
    .split(/[\\/]+/)
    .filter((segment) => segment !== '' && segment !== '.')
    .map((segment) => segment.toLowerCase());
}
