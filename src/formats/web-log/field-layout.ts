/** The columns of a log line: lower-case W3C names in order, and where each sits. */
export interface FieldLayout {
  readonly names: readonly string[];
  readonly index: ReadonlyMap<string, number>;
}

/** Builds a layout from field names (any case). */
export function fieldLayout(names: readonly string[]): FieldLayout {
  const lower = names.map((n) => n.toLowerCase());
  const index = new Map<string, number>();
  lower.forEach((name, i) => {
    if (!index.has(name)) index.set(name, i);
  });
  return { names: lower, index };
}
