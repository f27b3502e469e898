import type { EvtxNode } from './evtx-node.js';
import { NULL_VALUE, valueText, type EvtxValue } from './evtx-value.js';

/** An attribute with its substitutions filled in. */
export interface EvtxResolvedAttribute {
  readonly name: string;
  readonly value: EvtxValue;
}

/** What a renderer does at each step of a record's expanded XML. */
export interface EvtxVisitor {
  open(name: string, attributes: readonly EvtxResolvedAttribute[]): void;
  close(): void;
  text(value: EvtxValue): void;
}

const MAX_DEPTH = 64;
const NO_ATTRIBUTES: EvtxResolvedAttribute[] = [];

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The text an entity, character reference or CDATA node stands for; undefined for any other node. */
export function referenceText(node: EvtxNode): string | undefined {
  if (node.kind === 'entity') return ENTITIES[node.name] ?? `&${node.name};`;
  if (node.kind === 'charref') return String.fromCharCode(node.code);
  if (node.kind === 'cdata') return node.text;
  return undefined;
}

/** An attribute's value with its substitutions filled in (as the XML shows it). */
export function attributeValue(parts: readonly EvtxNode[], values: readonly EvtxValue[] | undefined): EvtxValue {
  if (parts.length === 1) {
    // The usual case: one substitution or one literal.
    const part = parts[0] as EvtxNode;
    if (part.kind === 'value') return part.value;
    if (part.kind === 'substitution') return values?.[part.index] ?? NULL_VALUE;
  }
  const resolved: EvtxValue[] = [];
  for (const part of parts) {
    if (part.kind === 'value') resolved.push(part.value);
    else if (part.kind === 'substitution') {
      const value = values?.[part.index] ?? NULL_VALUE;
      if (value.kind !== 'null') resolved.push(value);
    } else {
      const text = referenceText(part);
      if (text !== undefined) resolved.push({ kind: 'string', type: 1, text });
    }
  }
  if (resolved.length === 0) return NULL_VALUE;
  if (resolved.length === 1) return resolved[0] ?? NULL_VALUE;
  return { kind: 'string', type: 1, text: resolved.map(valueText).join('') };
}

/** Whether a substitution's value is absent or empty (an optional one then drops its element). */
export function isEmpty(value: EvtxValue | undefined): boolean {
  if (value === undefined || value.kind === 'null') return true;
  if (value.kind === 'string') return value.text === '';
  if (value.kind === 'binary') return value.bytes.length === 0;
  return false;
}

function emptyOptional(children: readonly EvtxNode[], values: readonly EvtxValue[] | undefined): boolean {
  for (const child of children) {
    if (child.kind === 'substitution' && child.optional && isEmpty(values?.[child.index])) return true;
  }
  return false;
}

function arraySubstitution(children: readonly EvtxNode[], values: readonly EvtxValue[] | undefined): [number, readonly EvtxValue[]] | undefined {
  if (values === undefined) return undefined;
  for (const child of children) {
    if (child.kind !== 'substitution') continue;
    const value = values[child.index];
    if (value !== undefined && value.kind === 'array') return [child.index, value.items];
  }
  return undefined;
}

/** Walks a record's XML with every template expanded and substitution filled, without building the tree. */
export function walkEvtx(nodes: readonly EvtxNode[], values: readonly EvtxValue[] | undefined, visitor: EvtxVisitor, depth = 0): void {
  if (depth > MAX_DEPTH) return;
  for (const node of nodes) {
    switch (node.kind) {
      case 'element': {
        const attributes: EvtxResolvedAttribute[] = node.attributes.length === 0 ? NO_ATTRIBUTES : [];
        for (const attribute of node.attributes) attributes.push({ name: attribute.name, value: attributeValue(attribute.value, values) });
        // An element filled by an optional substitution with no value is left out, as Windows renders it.
        if (emptyOptional(node.children, values)) break;
        const array = arraySubstitution(node.children, values);
        if (array === undefined) {
          visitor.open(node.name, attributes);
          walkEvtx(node.children, values, visitor, depth + 1);
          visitor.close();
          break;
        }
        // An array value repeats its element once per item, as Windows renders it.
        const [index, items] = array;
        for (const item of items) {
          const itemValues = values === undefined ? [] : [...values];
          itemValues[index] = item;
          visitor.open(node.name, attributes);
          walkEvtx(node.children, itemValues, visitor, depth + 1);
          visitor.close();
        }
        break;
      }
      case 'value':
        visitor.text(node.value);
        break;
      case 'substitution': {
        const value = values?.[node.index] ?? NULL_VALUE;
        if (value.kind === 'xml') walkEvtx(value.nodes, undefined, visitor, depth + 1);
        else if (value.kind !== 'null') visitor.text(value);
        break;
      }
      case 'template':
        walkEvtx(node.template.nodes, node.values, visitor, depth + 1);
        break;
      case 'pi':
        break;
      default: {
        const text = referenceText(node);
        if (text !== undefined) visitor.text({ kind: 'string', type: 1, text });
      }
    }
  }
}
