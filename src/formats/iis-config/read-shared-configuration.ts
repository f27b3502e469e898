import type { ScanIssue } from '../../core/scan-issue.js';
import { readConfigFile } from './read-config-file.js';
import { resolveUnder } from './resolve-host-path.js';

/** Where IIS reads its configuration from when shared configuration (`redirection.config`) is on. */
export interface SharedConfiguration {
  /** The folder IIS reads applicationHost.config from, as written (often a UNC share); never accessed. */
  readonly path: string;
  /** redirection.config as reached from the host root, and the line of `<configurationRedirection>`. */
  readonly file: string;
  readonly line: number;
}

const REDIRECTION = ['Windows', 'System32', 'inetsrv', 'config', 'redirection.config'];
// The path comes from a file an attacker may have written; keep messages short.
const MAX_PATH_CHARS = 300;

/**
 * Reads redirection.config under `hostRoot`. When it turns shared configuration on, the applicationHost.config
 * IIS really uses is elsewhere, so the result carries a `config.shared-configuration` issue. A missing file is normal.
 */
export async function readSharedConfiguration(hostRoot: string, maxBytes: number): Promise<{ shared?: SharedConfiguration; issues: ScanIssue[] }> {
  const file = await resolveUnder(hostRoot, REDIRECTION);
  if (file === undefined) return { issues: [] };
  const read = await readConfigFile(file, maxBytes);
  if ('issue' in read) return { issues: [read.issue] };
  if (read.root.name !== 'configuration') {
    return { issues: [{ code: 'config.malformed', message: `root element is <${read.root.name}>, not <configuration>`, path: file, line: read.root.line }] };
  }
  const redirection = read.root.children.filter((child) => child.name === 'configurationRedirection').at(-1);
  if (redirection === undefined) return { issues: [] };
  const value = (name: string): string | undefined => redirection.attributes.find((attribute) => attribute.name === name)?.value;
  if ((value('enabled') ?? 'false').trim().toLowerCase() !== 'true') return { issues: [] };
  const sharedPath = Array.from(value('path') ?? '').slice(0, MAX_PATH_CHARS).join('');
  return {
    shared: { path: sharedPath, file, line: redirection.line },
    issues: [
      {
        code: 'config.shared-configuration',
        message: `shared configuration is on: IIS reads applicationHost.config from ${sharedPath === '' ? '(no path set)' : sharedPath}, not from this host; the audited files may be a stale local copy`,
        path: file,
        line: redirection.line,
      },
    ],
  };
}
