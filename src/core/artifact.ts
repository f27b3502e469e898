/** What kind of input an artifact is; the names match the report contract's `inputs[].kind`. */
export type ArtifactKind = 'w3c-log' | 'httperr-log' | 'iis-log' | 'ncsa-log' | 'web-log' | 'iis-config' | 'web-file' | 'evtx' | 'binary' | 'sbom' | 'url';

/** One readable input, named the way the user named it. */
export interface Artifact {
  readonly kind: ArtifactKind;
  /** Path as given on the command line, or as reached from it (relative stays relative). For an entry inside an archive: `archive.zip!entry.log`. */
  readonly path: string;
}

/** What was read from one artifact, for the report's `inputs`. */
export interface InputSummary {
  kind: ArtifactKind;
  path: string;
  records: number;
  skipped: number;
  bytes: number;
}
