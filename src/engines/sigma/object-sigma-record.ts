import type { SigmaRecord, SigmaValue } from './sigma-record.js';

/** A SigmaRecord over a plain object, for tests and for callers that already hold parsed fields. */
export function objectSigmaRecord(
  fields: Readonly<Record<string, SigmaValue | readonly SigmaValue[]>>,
  keywordTexts: readonly string[] = [],
): SigmaRecord {
  const map = new Map(Object.entries(fields));
  return {
    field: (name) => map.get(name),
    keywordTexts: () => keywordTexts,
  };
}
