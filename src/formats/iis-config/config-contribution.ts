import type { XmlElement } from '../xml/xml-element.js';

/** One block of settings aimed at a path: a file's top level or one of its `<location>` elements. */
export interface ConfigContribution {
  /** The file as reached from the host root. */
  readonly file: string;
  readonly fromWebConfig: boolean;
  /** Depth of the file's own URL (applicationHost.config is -1, a site's root web.config 1). */
  readonly fileDepth: number;
  /** Document order within the file. */
  readonly order: number;
  /** Segments of the target path, case-folded: `['fabrikam corp', 'partners']`; empty for the server level. */
  readonly target: readonly string[];
  /** `<configuration>` or `<location>`. */
  readonly container: XmlElement;
  readonly line: number;
  readonly inheritInChildApplications: boolean;
  /** From `overrideMode` or the legacy `allowOverride`; governs the sections inside for lower levels. */
  readonly overrideMode?: 'Allow' | 'Deny';
}
