import type { RegistryHive } from './registry-hive.js';

/** Windows Server 2012 (Windows 8): TLS 1.2 on by default from here. */
export const BUILD_SERVER_2012 = 9200;
/** Windows Server 2012 R2 (Windows 8.1). */
export const BUILD_SERVER_2012_R2 = 9600;
/** Windows Server 2016 (Windows 10 1607): SSL 2.0 removed. */
export const BUILD_SERVER_2016 = 14393;
/** Windows 10 and Windows Server version 1709: RC4 cipher suites disabled by default from here. */
export const BUILD_WINDOWS_1709 = 16299;
/** Windows Server 2022: TLS 1.3 in Schannel from here, on by default. */
export const BUILD_SERVER_2022 = 20348;
/** Windows Server 2008 R2 (Windows 7): DES off by default from here. */
export const BUILD_SERVER_2008_R2 = 7600;
/** Windows Server 2008 (Vista): AES in Schannel from here. */
export const BUILD_SERVER_2008 = 6000;

/** The Windows build a SOFTWARE hive records (`CurrentBuild`, else `CurrentBuildNumber`), or undefined. */
export function windowsBuild(software: RegistryHive | undefined): number | undefined {
  const key = software?.key('Microsoft\\Windows NT\\CurrentVersion');
  for (const name of ['CurrentBuild', 'CurrentBuildNumber']) {
    const text = key?.string(name)?.trim();
    // Builds are 4 or 5 digits; anything else is damage or tampering, and a wrong build would mis-judge defaults.
    if (text !== undefined && /^\d{4,6}$/.test(text)) return Number(text);
  }
  return undefined;
}

/** Whether a Schannel feature is on when the registry does not say: known on, known off, or not known for this build. */
export type WindowsDefault = 'on' | 'off' | 'unknown';

/** A feature's default from the first threshold at or below the build, or `unknown` (also for an unknown build). */
export function defaultByBuild(build: number | undefined, thresholds: readonly (readonly [number, WindowsDefault])[]): WindowsDefault {
  if (build === undefined) return 'unknown';
  for (const [from, state] of thresholds) if (build >= from) return state;
  return 'unknown';
}

/** The Windows version a SOFTWARE hive records, as `major.minor.build.UBR` (`10.0.20348.469`), and the product name. */
export function windowsVersion(software: RegistryHive): { version: string; productName?: string } | undefined {
  const key = software.key('Microsoft\\Windows NT\\CurrentVersion');
  const build = windowsBuild(software);
  if (key === undefined || build === undefined) return undefined;
  // Windows 10 and later keep the major and minor numbers as DWORDs; earlier releases only as the text "6.3".
  const major = key.dword('CurrentMajorVersionNumber');
  const minor = key.dword('CurrentMinorVersionNumber');
  const legacy = /^(\d{1,2})\.(\d{1,2})$/.exec(key.string('CurrentVersion')?.trim() ?? '');
  const majorMinor = major !== undefined && minor !== undefined ? `${major}.${minor}` : legacy !== null ? `${legacy[1]}.${legacy[2]}` : undefined;
  if (majorMinor === undefined) return undefined;
  const ubr = key.dword('UBR');
  const productName = key.string('ProductName')?.trim();
  return { version: `${majorMinor}.${build}.${ubr ?? 0}`, ...(productName === undefined || productName === '' ? {} : { productName }) };
}
