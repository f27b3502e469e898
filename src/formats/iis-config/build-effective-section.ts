import type { ScanIssue } from '../../core/scan-issue.js';
import type { XmlElement } from '../xml/xml-element.js';
import { collectionKey, isCollectionAdd } from './collection-key.js';
import type { ConfigContribution } from './config-contribution.js';
import type { ConfigValue, SourceRef } from './config-value.js';
import type { CollectionItem, EffectiveSection } from './effective-section.js';

interface MutableElement {
  name: string;
  attributes: Map<string, ConfigValue>;
  children: Map<string, MutableElement>;
  items: CollectionItem[];
  cleared?: SourceRef;
  lockedAttributes: Set<string>;
}

interface MergeContext {
  readonly file: string;
  readonly fromWebConfig: boolean;
  readonly issues: ScanIssue[];
}

// Locking metadata is recorded, not treated as a setting of the element.
const LOCK_ATTRIBUTES = new Set(['lockAttributes', 'lockAllAttributesExcept', 'lockElements', 'lockAllElementsExcept', 'lockItem']);

/**
 * Applies `contributions` (already filtered to those reaching the path and sorted from the server level down)
 * to the section `sectionPath`, honouring `<clear/>`, `<remove>`, locks and override modes.
 */
export function buildEffectiveSection(
  sitePath: string,
  sectionPath: string,
  contributions: readonly ConfigContribution[],
  overrideModeDefault: 'Allow' | 'Deny',
): EffectiveSection {
  const segments = sectionPath.split('/').filter((segment) => segment !== '');
  const root = emptyElement(segments[segments.length - 1] ?? '');
  const sources: SourceRef[] = [];
  const issues: ScanIssue[] = [];
  let overrideMode = overrideModeDefault;
  let encrypted: EffectiveSection['encrypted'];
  for (const contribution of contributions) {
    const found = findSections(contribution.container, segments);
    if (found.length === 0) continue;
    for (const element of found) {
      if (contribution.fromWebConfig && overrideMode === 'Deny') {
        issues.push({
          code: 'config.locked-section',
          message: `web.config sets ${sectionPath}, which a parent level locks (overrideMode Deny); IIS refuses the request with error 500.19`,
          path: contribution.file,
          line: element.line,
        });
        continue;
      }
      sources.push({ file: contribution.file, line: element.line });
      const provider = element.attributes.find((attribute) => attribute.name === 'configProtectionProvider')?.value;
      if (provider !== undefined || element.children.some((child) => child.name === 'EncryptedData')) {
        // An encrypted level hides its values; applying its outer attributes would report settings it may override.
        encrypted = { provider: provider ?? 'unknown', file: contribution.file, line: element.line };
        continue;
      }
      merge(root, element, { file: contribution.file, fromWebConfig: contribution.fromWebConfig, issues });
    }
    if (contribution.overrideMode !== undefined) overrideMode = contribution.overrideMode;
  }
  return { ...root, sitePath, sectionPath, defined: sources.length > 0, sources, overrideMode, issues, ...(encrypted === undefined ? {} : { encrypted }) };
}

function findSections(container: XmlElement, segments: readonly string[]): XmlElement[] {
  let level: XmlElement[] = [container];
  for (const segment of segments) level = level.flatMap((element) => element.children.filter((child) => child.name === segment));
  return level;
}

function emptyElement(name: string): MutableElement {
  return { name, attributes: new Map(), children: new Map(), items: [], lockedAttributes: new Set() };
}

function merge(target: MutableElement, element: XmlElement, context: MergeContext): void {
  for (const attribute of element.attributes) {
    if (attribute.name === 'lockAttributes') {
      for (const name of attribute.value.split(',')) if (name.trim() !== '') target.lockedAttributes.add(name.trim());
      continue;
    }
    if (LOCK_ATTRIBUTES.has(attribute.name)) continue;
    if (context.fromWebConfig && target.lockedAttributes.has(attribute.name)) {
      context.issues.push({ code: 'config.locked-attribute', message: `web.config sets the locked attribute ${attribute.name} of <${element.name}>`, path: context.file, line: attribute.line });
      continue;
    }
    target.attributes.set(attribute.name, { value: attribute.value, file: context.file, line: attribute.line });
  }
  for (const child of element.children) {
    if (child.name === 'clear') clearItems(target, child, context);
    else if (child.name === 'remove') removeItem(target, child, context);
    else if (isCollectionAdd(element.name, child.name)) addItem(target, child, context);
    else {
      let nested = target.children.get(child.name);
      if (nested === undefined) {
        nested = emptyElement(child.name);
        target.children.set(child.name, nested);
      }
      merge(nested, child, context);
    }
  }
}

function clearItems(target: MutableElement, clear: XmlElement, context: MergeContext): void {
  const locked = target.items.filter((item) => item.lockItem);
  if (context.fromWebConfig && locked.length > 0) {
    context.issues.push({ code: 'config.locked-item', message: `<clear/> in <${target.name}> would drop ${locked.length} locked item(s); IIS refuses it`, path: context.file, line: clear.line });
    target.items = locked;
  } else {
    target.items = [];
  }
  target.cleared = { file: context.file, line: clear.line };
}

function removeItem(target: MutableElement, remove: XmlElement, context: MergeContext): void {
  const key = collectionKey(target.name, remove);
  const index = target.items.findIndex((item) => item.key !== undefined && item.key === key);
  const existing = target.items[index];
  if (existing === undefined) return;
  if (context.fromWebConfig && existing.lockItem) {
    context.issues.push({ code: 'config.locked-item', message: `<remove> of the locked item ${key ?? ''} in <${target.name}>`, path: context.file, line: remove.line });
    return;
  }
  target.items.splice(index, 1);
}

function addItem(target: MutableElement, add: XmlElement, context: MergeContext): void {
  const key = collectionKey(target.name, add);
  const attributes = new Map<string, ConfigValue>();
  for (const attribute of add.attributes) {
    if (!LOCK_ATTRIBUTES.has(attribute.name)) attributes.set(attribute.name, { value: attribute.value, file: context.file, line: attribute.line });
  }
  const lockItem = add.attributes.some((attribute) => attribute.name === 'lockItem' && attribute.value.toLowerCase() === 'true');
  const index = key === undefined ? -1 : target.items.findIndex((item) => item.key === key);
  const existing = target.items[index];
  // IIS rejects a duplicate key; the later entry is kept here so the audit sees what the file asks for.
  const item: CollectionItem = { tag: add.name, ...(key === undefined ? {} : { key }), attributes, element: add, file: context.file, line: add.line, lockItem: lockItem || (existing?.lockItem ?? false) };
  if (existing === undefined) {
    target.items.push(item);
    return;
  }
  if (context.fromWebConfig && existing.lockItem) {
    context.issues.push({ code: 'config.locked-item', message: `redefinition of the locked item ${key ?? ''} in <${target.name}>`, path: context.file, line: add.line });
    return;
  }
  // A lockItem-only entry (`<add name="X" lockItem="true"/>`) locks the existing item without replacing its settings.
  if (attributes.size <= 1 && lockItem && !context.fromWebConfig) {
    target.items[index] = { ...existing, lockItem: true };
    return;
  }
  target.items[index] = item;
}
