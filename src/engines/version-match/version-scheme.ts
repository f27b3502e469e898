/**
 * How a product numbers its versions, which decides how two versions compare:
 * - `windows`: up to four dotted numbers (Windows and Microsoft file versions, `10.0.17763.2452`);
 * - `exchange`: an Exchange build (`15.2.858.5`), also read from `Version 15.2 (Build 858.5)` and zero-padded forms;
 * - `telerik`: Telerik's `2019.3.1023`, where a fourth number is the .NET target (`.45`), not a release;
 * - `semver`: `major.minor.patch` with pre-releases (`2.0-beta9`, `1.0.0-rc.1`), also Maven-style versions.
 */
export type VersionScheme = 'windows' | 'exchange' | 'telerik' | 'semver';

/** Every scheme, for validating advisory files. */
export const VERSION_SCHEMES: readonly VersionScheme[] = ['windows', 'exchange', 'telerik', 'semver'];

/** Whether a text names a version scheme. */
export function isVersionScheme(text: string): text is VersionScheme {
  return (VERSION_SCHEMES as readonly string[]).includes(text);
}
