/**
 * Record fields a rule part cannot match without: each entry lists record field names of which at least
 * one must be present. A caller that knows which fields its records can hold (a log's `#Fields` line)
 * can then skip a rule that can never match there, before reading any record.
 */
export type SigmaRequiredFields = readonly (readonly string[])[];

const key = (names: readonly string[]): string => [...names].sort().join('\n');

/** An AND needs what any of its parts needs. */
export function requiredOfAll(parts: readonly SigmaRequiredFields[]): SigmaRequiredFields {
  const out = new Map<string, readonly string[]>();
  for (const part of parts) for (const names of part) out.set(key(names), names);
  return [...out.values()];
}

/**
 * An OR needs what every branch needs; when the branches share nothing but each needs something, it
 * still needs one of the fields its branches need first (`a exists or b exists` needs a or b).
 */
export function requiredOfAny(parts: readonly SigmaRequiredFields[]): SigmaRequiredFields {
  const [first, ...rest] = parts;
  if (first === undefined) return [];
  const keep = rest.map((part) => new Set(part.map(key)));
  const common = first.filter((names) => keep.every((set) => set.has(key(names))));
  if (common.length > 0 || parts.some((part) => part.length === 0)) return common;
  return [[...new Set(parts.flatMap((part) => part[0] ?? []))]];
}
