import type { ScanIssue } from '../../core/scan-issue.js';
import type { XmlElement } from '../xml/xml-element.js';
import type { ConfigValue, SourceRef } from './config-value.js';

/** One item of a resolved collection (`<add>` or an alias such as `<error>`, `<mimeMap>`, `<rule>`). */
export interface CollectionItem {
  /** The element name as written: `add`, `error`, `mimeMap`, … */
  readonly tag: string;
  /** Case-folded identity used by `<remove>`; undefined in ordered lists. */
  readonly key?: string;
  readonly attributes: ReadonlyMap<string, ConfigValue>;
  /** The element itself, for nested content such as a rewrite rule's `<match>` or a pool's `<processModel>`. */
  readonly element: XmlElement;
  readonly file: string;
  readonly line: number;
  /** `lockItem="true"`: lower levels may not remove it. */
  readonly lockItem: boolean;
}

/** An element after every level of the hierarchy was applied. */
export interface EffectiveElement {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, ConfigValue>;
  /** Nested non-collection elements, merged by name. */
  readonly children: ReadonlyMap<string, EffectiveElement>;
  /** Collection items in effective order; empty when the element holds no collection. */
  readonly items: readonly CollectionItem[];
  /** The last `<clear/>` that emptied the collection. */
  readonly cleared?: SourceRef;
  /** Attribute names locked by `lockAttributes` at some level. */
  readonly lockedAttributes: ReadonlySet<string>;
}

/** A configuration section as it applies to one site or application path. */
export interface EffectiveSection extends EffectiveElement {
  readonly sitePath: string;
  readonly sectionPath: string;
  /** Whether any file sets the section for this path; when false only schema defaults apply. */
  readonly defined: boolean;
  /** Every element that contributed, in the order applied. */
  readonly sources: readonly SourceRef[];
  /** Set when a contributing level is encrypted; its values are not readable and were not applied. */
  readonly encrypted?: { readonly provider: string; readonly file: string; readonly line: number };
  /** Whether levels below this path may still set the section. */
  readonly overrideMode: 'Allow' | 'Deny';
  /** Locking violations met on the way (`config.locked-section`, `config.locked-item`, `config.locked-attribute`). */
  readonly issues: readonly ScanIssue[];
}
