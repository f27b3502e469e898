import { LineCounter, Pair, YAMLMap, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { parseSigmaCorrelation } from './parse-sigma-correlation.js';
import type { SigmaCorrelation } from './sigma-correlation.js';
import type { SigmaDiagnostic, SigmaDiagnosticCode } from './sigma-diagnostic.js';
import type { SigmaValue } from './sigma-record.js';
import type {
  SigmaConditionText,
  SigmaDetection,
  SigmaDetectionItem,
  SigmaLogsource,
  SigmaRule,
  SigmaSearch,
} from './sigma-rule.js';
import { entries, parseDocumentMeta, resolve, scalarText, scalarValue, textList } from './sigma-yaml-entries.js';
import type { Emit, Entry } from './sigma-yaml-entries.js';

/** What parsing one Sigma file produced: the rules and correlations that are well-formed and every problem met. */
export interface SigmaParseResult {
  readonly rules: readonly SigmaRule[];
  readonly diagnostics: readonly SigmaDiagnostic[];
  /** Correlation (meta-)rules, in file order; their rule references are resolved at compile time. */
  readonly correlations: readonly SigmaCorrelation[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Sigma detection rules are written by hand; anything deeper is hostile or broken. */
const MAX_SEARCHES = 1000;
const MAX_VALUES = 10_000;

/** Parses the text of a Sigma YAML file (one or more documents) into shape-checked rules and diagnostics. */
export function parseSigmaYaml(text: string, file: string): SigmaParseResult {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const diagnostics: SigmaDiagnostic[] = [];
  const rules: SigmaRule[] = [];
  const correlations: SigmaCorrelation[] = [];
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  if (!Array.isArray(documents)) return { rules, diagnostics, correlations };

  // In a collection (`action: global|reset|repeat`) documents build on each other, so after a broken
  // document the rest of the file cannot be read as meant.
  const collection = documents.some((doc) => isMap(doc.contents) && doc.contents.has('action'));
  let global: { map: YAMLMap; source: string } | undefined;
  let previous: { map: YAMLMap; source: string } | undefined;

  for (const doc of documents) {
    // A document's own range starts at its `---`; the rule starts at its first key.
    const docLine = lineAt(doc.contents?.range?.[0] ?? doc.range[0]);
    const local: SigmaDiagnostic[] = [];
    let ruleId: string | undefined;
    const lineOf = (node: YamlNode | null | undefined): number => (node?.range ? lineAt(node.range[0]) : docLine);
    const emit: Emit = Object.assign(
      (code: SigmaDiagnosticCode, node: YamlNode | null | undefined, message: string, severity: 'error' | 'warning' = 'error') => {
        local.push({ code, message, file, line: lineOf(node), severity, ...(ruleId !== undefined ? { ruleId } : {}) });
      },
      { lineOf },
    );
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        local.push({
          code: 'sigma.yaml-syntax',
          message: error.message.split('\n')[0] ?? error.message,
          file,
          line: lineAt(error.pos[0]),
          severity: 'error',
        });
      }
      diagnostics.push(...local);
      if (collection) break;
      continue;
    }
    if (doc.contents === null) continue;
    const source = text.slice(doc.range[0], doc.range[1]);
    let root = resolve(doc, doc.contents);
    let ruleSource = source;
    const actionPair = isMap(root) ? root.items.find((p) => isScalar(p.key) && p.key.value === 'action') : undefined;
    if (isMap(root) && actionPair !== undefined) {
      const action = scalarText(actionPair.value);
      const body = withoutKey(root, 'action');
      if (action === 'global') {
        global = { map: body, source };
        continue;
      }
      if (action === 'reset') {
        global = undefined;
        continue;
      }
      if (action !== 'repeat' || previous === undefined) {
        emit(
          'sigma.collection-unsupported',
          isScalar(actionPair.key) ? actionPair.key : root,
          action === 'repeat' ? 'action: repeat needs a rule before it' : `unknown collection action "${action ?? ''}"`,
        );
        diagnostics.push(...local);
        break;
      }
      root = mergeMaps(previous.map, body);
      ruleSource = `${previous.source}\n${source}`;
    } else if (isMap(root) && global !== undefined) {
      root = mergeMaps(global.map, root);
      ruleSource = `${global.source}\n${source}`;
    }
    if (isMap(root)) previous = { map: root, source: ruleSource };
    const rule = parseRuleDocument(doc, root, file, docLine, ruleSource, emit, (id) => {
      ruleId = id;
    });
    diagnostics.push(...local);
    if (rule === undefined || local.some((d) => d.severity === 'error')) continue;
    if ('correlationLine' in rule) correlations.push(rule);
    else rules.push(rule);
  }
  return { rules, diagnostics, correlations };
}

/** A copy of a mapping without one key; the remaining pairs (and their line ranges) are shared. */
function withoutKey(map: YAMLMap, key: string): YAMLMap {
  const out = new YAMLMap();
  out.range = map.range;
  out.items = map.items.filter((p) => !(isScalar(p.key) && p.key.value === key));
  return out;
}

/** Deep merge of collection documents: mappings merge key by key, anything else in `over` replaces. */
function mergeMaps(base: YAMLMap, over: YAMLMap): YAMLMap {
  const keyOf = (pair: Pair): unknown => (isScalar(pair.key) ? pair.key.value : pair.key);
  const overPairs = new Map(over.items.map((p) => [keyOf(p), p]));
  const out = new YAMLMap();
  out.range = over.range;
  for (const pair of base.items) {
    const replacement = overPairs.get(keyOf(pair));
    if (replacement === undefined) out.items.push(pair);
    else if (isMap(pair.value) && isMap(replacement.value)) out.items.push(new Pair(replacement.key, mergeMaps(pair.value, replacement.value)));
    else out.items.push(replacement);
  }
  const baseKeys = new Set(base.items.map(keyOf));
  for (const pair of over.items) if (!baseKeys.has(keyOf(pair))) out.items.push(pair);
  return out;
}

function parseRuleDocument(
  doc: Document.Parsed,
  root: YamlNode | null,
  file: string,
  docLine: number,
  source: string,
  emit: Emit,
  setRuleId: (id: string) => void,
): SigmaRule | SigmaCorrelation | undefined {
  if (!isMap(root)) {
    emit('sigma.rule-shape', root, 'a Sigma rule must be a YAML mapping');
    return undefined;
  }
  const top = entries(doc, root);
  const idNode = top.get('id');
  const id = idNode !== undefined && isScalar(idNode.value) ? scalarText(idNode.value) : undefined;
  if (id !== undefined) setRuleId(id);
  if (idNode !== undefined && (id === undefined || !UUID.test(id))) {
    emit('sigma.id-invalid', idNode.value, 'id should be a UUID', 'warning');
  }
  const correlation = top.get('correlation');
  if (correlation !== undefined) return parseSigmaCorrelation(doc, root, top, correlation, { file, docLine, source, id }, emit);
  if (top.has('filter') && !top.has('detection')) {
    emit('sigma.filter-unsupported', top.get('filter')?.key, 'filter rules are not supported');
    return undefined;
  }

  let logsource: SigmaLogsource | undefined;
  let detection: SigmaDetection | undefined;
  // Read every field before giving up, so one pass reports all of a rule's problems.
  const meta = parseDocumentMeta(doc, root, top, { file, docLine, source, id }, emit, () => {
    logsource = parseLogsource(doc, top.get('logsource'), root, emit);
    const detectionEntry = top.get('detection');
    detection = detectionEntry === undefined ? undefined : parseDetection(doc, detectionEntry, emit);
    if (detectionEntry === undefined) emit('sigma.rule-shape', root, 'detection is required');
  });
  const fields = textList(doc, top.get('fields'), emit);
  if (meta === undefined || detection === undefined || logsource === undefined) return undefined;
  return { ...meta, logsource, detection, fields };
}

function parseLogsource(doc: Document.Parsed, entry: Entry | undefined, root: YamlNode, emit: Emit): SigmaLogsource | undefined {
  if (entry === undefined || !isMap(entry.value)) {
    emit('sigma.rule-shape', entry?.value ?? root, 'logsource is required and must be a mapping');
    return undefined;
  }
  const fields = entries(doc, entry.value);
  const pick = (name: string): string | undefined => {
    const e = fields.get(name);
    if (e === undefined || e.value === null) return undefined;
    const text = scalarText(e.value);
    if (text === undefined) emit('sigma.field-type', e.value, `logsource.${name} should be text; ignored`, 'warning');
    return text;
  };
  const product = pick('product');
  const category = pick('category');
  const service = pick('service');
  return {
    ...(product !== undefined ? { product } : {}),
    ...(category !== undefined ? { category } : {}),
    ...(service !== undefined ? { service } : {}),
  };
}

function parseDetection(doc: Document.Parsed, entry: Entry, emit: Emit): SigmaDetection | undefined {
  const node = entry.value;
  if (!isMap(node)) {
    emit('sigma.detection-shape', node ?? entry.key, 'detection must be a mapping');
    return undefined;
  }
  const searches = new Map<string, SigmaSearch>();
  const conditions: SigmaConditionText[] = [];
  let ok = true;
  let sawCondition = false;
  for (const [name, { key, value }] of entries(doc, node)) {
    if (name === 'condition') {
      sawCondition = true;
      const list = isSeq(value) ? value.items.map((i) => resolve(doc, i as YamlNode)) : [value];
      for (const item of list) {
        const text = item === null ? undefined : scalarText(item);
        if (text === undefined || text.trim() === '') {
          emit('sigma.detection-shape', item ?? key, 'condition must be text or a list of text');
          ok = false;
        } else conditions.push({ text, line: emit.lineOf(item ?? key) });
      }
      continue;
    }
    if (name === 'timeframe') {
      emit('sigma.timeframe-unsupported', key, 'timeframe is only meaningful with aggregations, which are not supported; ignored', 'warning');
      continue;
    }
    if (searches.size >= MAX_SEARCHES) {
      emit('sigma.detection-shape', key, `more than ${MAX_SEARCHES} searches`);
      return undefined;
    }
    const search = parseSearch(doc, name, key, value, emit);
    if (search === undefined) ok = false;
    else searches.set(name, search);
  }
  if (!sawCondition) {
    emit('sigma.rule-shape', entry.key, 'detection.condition is required');
    return undefined;
  }
  if (!ok) return undefined;
  return { searches, conditions, line: emit.lineOf(entry.key) };
}

function parseSearch(doc: Document.Parsed, name: string, key: YamlNode, value: YamlNode | null, emit: Emit): SigmaSearch | undefined {
  const line = emit.lineOf(key);
  if (value === null || (isScalar(value) && value.value === null)) {
    emit('sigma.detection-shape', key, `search "${name}" is empty`);
    return undefined;
  }
  if (isMap(value)) {
    const items = parseSearchMap(doc, value, emit);
    return items === undefined ? undefined : { name, line, alternatives: [items] };
  }
  if (isSeq(value)) {
    const alternatives: SigmaDetectionItem[][] = [];
    const keywords: SigmaValue[] = [];
    let keywordLine = line;
    for (const raw of value.items) {
      const item = resolve(doc, raw as YamlNode);
      if (isMap(item)) {
        const items = parseSearchMap(doc, item, emit);
        if (items === undefined) return undefined;
        alternatives.push(items);
      } else if (item !== null && isScalar(item)) {
        const v = scalarValue(item);
        if (v === undefined) {
          emit('sigma.value-invalid', item, `search "${name}" holds a value of an unsupported type`);
          return undefined;
        }
        if (keywords.length === 0) keywordLine = emit.lineOf(item);
        keywords.push(v);
      } else {
        emit('sigma.detection-shape', item ?? key, `search "${name}" may list only mappings or values`);
        return undefined;
      }
    }
    if (keywords.length > 0) alternatives.push([{ field: undefined, modifiers: [], values: keywords, line: keywordLine }]);
    if (alternatives.length === 0) {
      emit('sigma.detection-shape', key, `search "${name}" is empty`);
      return undefined;
    }
    return { name, line, alternatives };
  }
  const single = scalarValue(value);
  if (single === undefined) {
    emit('sigma.detection-shape', value, `search "${name}" must be a mapping, a list or a value`);
    return undefined;
  }
  return { name, line, alternatives: [[{ field: undefined, modifiers: [], values: [single], line: emit.lineOf(value) }]] };
}

function parseSearchMap(doc: Document.Parsed, map: YAMLMap, emit: Emit): SigmaDetectionItem[] | undefined {
  const items: SigmaDetectionItem[] = [];
  for (const pair of map.items) {
    const keyNode = pair.key as YamlNode;
    const keyText = scalarText(keyNode);
    if (keyText === undefined) {
      emit('sigma.detection-shape', keyNode, 'a field name must be text');
      return undefined;
    }
    const [fieldPart, ...modifiers] = keyText.split('|');
    const field = fieldPart === undefined || fieldPart === '' ? undefined : fieldPart;
    const valueNode = pair.value === null ? null : resolve(doc, pair.value as YamlNode);
    const values: SigmaValue[] = [];
    if (valueNode === null) values.push(null);
    else if (isSeq(valueNode)) {
      if (valueNode.items.length === 0) {
        emit('sigma.value-invalid', valueNode, `"${keyText}" has an empty list of values`);
        return undefined;
      }
      if (valueNode.items.length > MAX_VALUES) {
        emit('sigma.value-invalid', valueNode, `"${keyText}" has more than ${MAX_VALUES} values`);
        return undefined;
      }
      for (const raw of valueNode.items) {
        const item = resolve(doc, raw as YamlNode);
        const v = item === null ? null : scalarValue(item);
        if (v === undefined) {
          emit('sigma.value-invalid', item ?? valueNode, `"${keyText}" values must be scalars`);
          return undefined;
        }
        values.push(v);
      }
    } else {
      const v = scalarValue(valueNode);
      if (v === undefined) {
        emit('sigma.value-invalid', valueNode, `"${keyText}" must be a value or a list of values`);
        return undefined;
      }
      values.push(v);
    }
    items.push({ field, modifiers, values, line: emit.lineOf(keyNode) });
  }
  if (items.length === 0) {
    emit('sigma.detection-shape', map, 'a selection mapping must not be empty');
    return undefined;
  }
  return items;
}
