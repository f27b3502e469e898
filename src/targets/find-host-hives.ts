import { stat } from 'node:fs/promises';
import { resolveUnder } from '../formats/iis-config/resolve-host-path.js';

/** Where a host root keeps its registry hives, as reached from the host root given (relative stays relative). */
export interface HostHivePaths {
  readonly system?: string;
  readonly software?: string;
}

const CONFIG_FOLDER = ['Windows', 'System32', 'config'];

/** Finds `Windows/System32/config/SYSTEM` and `SOFTWARE` under a host root, case-insensitively, never outside it. */
export async function findHostHives(hostRoot: string): Promise<HostHivePaths> {
  const [system, software] = await Promise.all([findHive(hostRoot, 'SYSTEM'), findHive(hostRoot, 'SOFTWARE')]);
  return { ...(system === undefined ? {} : { system }), ...(software === undefined ? {} : { software }) };
}

async function findHive(hostRoot: string, name: string): Promise<string | undefined> {
  const found = await resolveUnder(hostRoot, [...CONFIG_FOLDER, name]);
  if (found === undefined) return undefined;
  try {
    return (await stat(found)).isFile() ? found : undefined;
  } catch {
    return undefined;
  }
}
