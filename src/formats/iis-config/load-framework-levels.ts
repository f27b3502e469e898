import type { ScanIssue } from '../../core/scan-issue.js';
import type { ConfigContribution } from './config-contribution.js';
import { fileContributions } from './file-contributions.js';
import { readConfigFile } from './read-config-file.js';
import { resolveUnder } from './resolve-host-path.js';

/** The .NET Framework folder a worker process loads: 32-bit (`Framework`) or 64-bit (`Framework64`). */
export type FrameworkFolder = 'Framework' | 'Framework64';

/** The CLR versions IIS 7 and later can host; 3.5 runs on the 2.0 CLR. */
export type FrameworkVersion = 'v2.0.50727' | 'v4.0.30319';

/** The configuration levels of one .NET Framework installation, above applicationHost.config. */
export interface FrameworkLevel {
  readonly folder: FrameworkFolder;
  readonly version: FrameworkVersion;
  /** machine.config as reached from the host root, when it was read. */
  readonly machineConfig?: string;
  /** The root web.config beside it, when it was read. */
  readonly rootWebConfig?: string;
  /** machine.config first, then the root web.config, each with its `<location>` blocks. */
  readonly contributions: readonly ConfigContribution[];
}

/** Every .NET configuration level found under a host root. */
export interface FrameworkLevels {
  /** Levels with at least one readable file, Framework64 before Framework, v4 before v2. */
  readonly levels: readonly FrameworkLevel[];
  /** Whether `Windows/Microsoft.NET/Framework64` exists: without it the host is 32-bit and every pool uses `Framework`. */
  readonly has64Bit: boolean;
}

const FOLDERS: readonly FrameworkFolder[] = ['Framework64', 'Framework'];
const VERSIONS: readonly FrameworkVersion[] = ['v4.0.30319', 'v2.0.50727'];
// Below applicationHost.config (-1), so that at one target path machine.config applies first, then the root web.config.
const MACHINE_DEPTH = -3;
const ROOT_WEB_DEPTH = -2;

/**
 * Reads machine.config and the root web.config of each .NET Framework (32/64-bit, v2/v4) under `hostRoot`,
 * matched case-insensitively. A missing file is normal; a broken one becomes a ScanIssue and is skipped.
 */
export async function loadFrameworkLevels(hostRoot: string, maxBytes: number): Promise<{ frameworks: FrameworkLevels; issues: ScanIssue[] }> {
  const issues: ScanIssue[] = [];
  const levels: FrameworkLevel[] = [];
  for (const folder of FOLDERS) {
    for (const version of VERSIONS) {
      const configFolder = ['Windows', 'Microsoft.NET', folder, version, 'Config'];
      const machine = await readLevelFile(hostRoot, [...configFolder, 'machine.config'], maxBytes, MACHINE_DEPTH, issues);
      const rootWeb = await readLevelFile(hostRoot, [...configFolder, 'web.config'], maxBytes, ROOT_WEB_DEPTH, issues);
      if (machine === undefined && rootWeb === undefined) continue;
      levels.push({
        folder,
        version,
        ...(machine === undefined ? {} : { machineConfig: machine.file }),
        ...(rootWeb === undefined ? {} : { rootWebConfig: rootWeb.file }),
        contributions: [...(machine?.contributions ?? []), ...(rootWeb?.contributions ?? [])],
      });
    }
  }
  const has64Bit = (await resolveUnder(hostRoot, ['Windows', 'Microsoft.NET', 'Framework64'])) !== undefined;
  return { frameworks: { levels, has64Bit }, issues };
}

async function readLevelFile(
  hostRoot: string,
  segments: readonly string[],
  maxBytes: number,
  depth: number,
  issues: ScanIssue[],
): Promise<{ file: string; contributions: ConfigContribution[] } | undefined> {
  const file = await resolveUnder(hostRoot, segments);
  if (file === undefined) return undefined;
  const read = await readConfigFile(file, maxBytes);
  if ('issue' in read) {
    issues.push(read.issue);
    return undefined;
  }
  if (read.root.name !== 'configuration') {
    issues.push({ code: 'config.malformed', message: `root element is <${read.root.name}>, not <configuration>`, path: file, line: read.root.line });
    return undefined;
  }
  return { file, contributions: fileContributions(read.root, file, [], false, depth) };
}
