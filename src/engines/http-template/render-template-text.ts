import { DslEvalError, evaluateDsl, toText, type DslScope } from './evaluate-dsl.js';
import { DslSyntaxError, parseDsl, type DslNode } from './parse-dsl.js';

const parsed = new Map<string, DslNode | null>();

/** Parses an expression once; null when it is not valid DSL. */
export function cachedDsl(source: string): DslNode | null {
  let node = parsed.get(source);
  if (node === undefined) {
    try {
      node = parseDsl(source);
    } catch (error) {
      if (!(error instanceof DslSyntaxError)) throw error;
      node = null;
    }
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(source, node);
  }
  return node;
}

const MARKER = /\{\{((?:(?!\{\{|\}\}).){1,2000})\}\}/gs;

/**
 * Fills `§name§` with payload values and `{{expression}}` with its value, innermost first (`{{base64('{{Host}}')}}`).
 * A marker whose expression reads an unknown name, or fails, is left as written, as Nuclei does.
 */
export function renderTemplateText(text: string, scope: DslScope, payloads: ReadonlyMap<string, string> = new Map(), dataNames: ReadonlySet<string> = new Set()): string {
  // Values taken from responses (extractors) are data: markers inside them are never evaluated.
  const held: string[] = [];
  const hold = (value: string): string => {
    if (!value.includes('{{') && !value.includes('§')) return value;
    held.push(value);
    return `\uE000${held.length - 1}\uE001`;
  };
  let out = text.replace(/§([^§\s]{1,100})§/g, (whole, name: string) => payloads.get(name) ?? whole);
  for (let pass = 0; pass < 5; pass += 1) {
    let changed = false;
    out = out.replace(MARKER, (whole, inner: string) => {
      const source = inner.trim();
      const direct = scope.get(source);
      if (direct !== undefined && direct !== null) {
        changed = true;
        return dataNames.has(source) ? hold(toText(direct)) : toText(direct);
      }
      const node = cachedDsl(source);
      if (node === null || node.kind === 'name') return whole;
      try {
        const value = evaluateDsl(node, scope);
        if (value === null) return whole;
        changed = true;
        return node.kind === 'call' || !dataNames.has(source) ? toText(value) : hold(toText(value));
      } catch (error) {
        if (error instanceof DslEvalError) return whole;
        throw error;
      }
    });
    if (!changed) break;
  }
  return held.length === 0 ? out : out.replace(/\uE000(\d+)\uE001/g, (whole, index: string) => held[Number(index)] ?? whole);
}
