import type { ConfigValue } from '../../formats/iis-config/config-value.js';
import type { EffectiveElement, EffectiveSection } from '../../formats/iis-config/effective-section.js';
import type { CheckContext } from './config-check.js';

/** A section's effective value, or why it cannot be read. */
export type SectionRead = { readonly section: EffectiveSection } | { readonly reason: string };

/** The section as it applies to the check's target, unless an encrypted level hides its values. */
export function readSection(context: CheckContext, sectionPath: string): SectionRead {
  const section = context.config.effective(context.target.sitePath, sectionPath);
  if (section.encrypted !== undefined) {
    return { reason: `${sectionPath} is encrypted (${section.encrypted.provider}) in ${section.encrypted.file}:${section.encrypted.line}` };
  }
  return { section };
}

/** The nested element at `path` below `element` (merged by name), or undefined. */
export function childAt(element: EffectiveElement, path: readonly string[]): EffectiveElement | undefined {
  let current: EffectiveElement | undefined = element;
  for (const name of path) current = current?.children.get(name);
  return current;
}

/** An attribute's effective value, falling back to the IIS schema default (a value without `file`). */
export function attributeOf(element: EffectiveElement | undefined, name: string, schemaDefault: string): ConfigValue {
  return element?.attributes.get(name) ?? { value: schemaDefault };
}

/** Case-insensitive equality, as IIS compares enumeration and boolean values. */
export function sameText(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** The flags of an IIS flags attribute (`Read, Script`), lower-cased. */
export function flagsOf(value: string): Set<string> {
  return new Set(
    value
      .split(',')
      .map((flag) => flag.trim().toLowerCase())
      .filter((flag) => flag !== ''),
  );
}
