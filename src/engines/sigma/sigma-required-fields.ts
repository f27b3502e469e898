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

/** An OR needs only what every branch needs. */
export function requiredOfAny(parts: readonly SigmaRequiredFields[]): SigmaRequiredFields {
  const [first, ...rest] = parts;
  if (first === undefined) return [];
  const keep = rest.map((part) => new Set(part.map(key)));
  return first.filter((names) => keep.every((set) => set.has(key(names))));
}
