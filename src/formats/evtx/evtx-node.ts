import type { EvtxValue } from './evtx-value.js';

/** A BinXML element; attribute values and content may hold substitutions filled per record. */
export interface EvtxElement {
  readonly kind: 'element';
  readonly name: string;
  readonly attributes: readonly EvtxAttribute[];
  readonly children: readonly EvtxNode[];
  /**
   * Free for a reader of the records to keep what it works out from the element once: a chunk's records
   * share their templates' elements, so such work is done per chunk instead of per record (a WeakMap per
   * element costs the garbage collector more than the work). Undefined as parsed.
   */
  memo: unknown;
}

/** An attribute, whose value is one or more value, substitution or reference nodes. */
export interface EvtxAttribute {
  readonly name: string;
  readonly value: readonly EvtxNode[];
}

/** A literal value in the XML (text, usually). */
export interface EvtxValueNode {
  readonly kind: 'value';
  readonly value: EvtxValue;
}

/** A place in a template definition filled with the instance's value number `index`. */
export interface EvtxSubstitution {
  readonly kind: 'substitution';
  readonly index: number;
  /** Optional substitutions are left out when their value is empty. */
  readonly optional: boolean;
}

/** A template definition with the values of one instance; templates are shared by the records of a chunk. */
export interface EvtxTemplateInstance {
  readonly kind: 'template';
  readonly template: EvtxTemplate;
  readonly values: readonly EvtxValue[];
}

/** `&name;` in the XML. */
export interface EvtxEntityRef {
  readonly kind: 'entity';
  readonly name: string;
}

/** `&#N;` in the XML. */
export interface EvtxCharRef {
  readonly kind: 'charref';
  readonly code: number;
}

/** A CDATA section. */
export interface EvtxCData {
  readonly kind: 'cdata';
  readonly text: string;
}

/** A processing instruction (`<?target data?>`), kept for the XML rendering only. */
export interface EvtxPi {
  readonly kind: 'pi';
  readonly target: string;
  readonly data: string;
}

export type EvtxNode = EvtxElement | EvtxValueNode | EvtxSubstitution | EvtxTemplateInstance | EvtxEntityRef | EvtxCharRef | EvtxCData | EvtxPi;

/** A template definition as cached per chunk by its offset. */
export interface EvtxTemplate {
  readonly offset: number;
  readonly guid: string;
  readonly nodes: readonly EvtxNode[];
}
