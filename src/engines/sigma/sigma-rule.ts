import type { Severity } from '../../core/severity.js';
import type { SigmaValue } from './sigma-record.js';

/** Where a rule says its events come from. */
export interface SigmaLogsource {
  readonly product?: string;
  readonly category?: string;
  readonly service?: string;
}

/** One `field|modifier|…: value(s)` entry of a selection; `field` is undefined for keywords. */
export interface SigmaDetectionItem {
  readonly field: string | undefined;
  readonly modifiers: readonly string[];
  /** The values, OR-ed unless the `all` modifier is present. */
  readonly values: readonly SigmaValue[];
  /** 1-based line of the entry. */
  readonly line: number;
}

/** A named search under `detection`: an OR of alternatives, each an AND of items. */
export interface SigmaSearch {
  readonly name: string;
  readonly line: number;
  readonly alternatives: readonly (readonly SigmaDetectionItem[])[];
}

/** A condition expression as written, with its line. */
export interface SigmaConditionText {
  readonly text: string;
  readonly line: number;
}

/** The parsed `detection` block. */
export interface SigmaDetection {
  readonly searches: ReadonlyMap<string, SigmaSearch>;
  /** Several conditions are OR-ed. */
  readonly conditions: readonly SigmaConditionText[];
  readonly line: number;
}

/** Sigma rule statuses. */
export type SigmaStatus = 'stable' | 'test' | 'experimental' | 'deprecated' | 'unsupported';

/** What every Sigma document (detection rule or correlation) says about itself, and where it came from. */
export interface SigmaDocumentMeta {
  /** The file the document came from, as given by the caller. */
  readonly file: string;
  /** 1-based line where the YAML document starts. */
  readonly line: number;
  readonly title: string;
  readonly id: string | undefined;
  /** The document's `name` (Sigma v2): a readable unique name, used as w3guard's rule id when present. */
  readonly name: string | undefined;
  /** A stable id derived from the document's text, for documents without one. */
  readonly fallbackId: string;
  readonly status: SigmaStatus | undefined;
  readonly description: string;
  readonly level: Severity;
  readonly tags: readonly string[];
  readonly references: readonly string[];
  readonly author: string | undefined;
  readonly date: string | undefined;
  readonly falsepositives: readonly string[];
}

/** A Sigma detection rule, shape-checked, not yet compiled. */
export interface SigmaRule extends SigmaDocumentMeta {
  readonly logsource: SigmaLogsource;
  readonly detection: SigmaDetection;
  readonly fields: readonly string[];
}
