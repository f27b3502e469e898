/** A scalar value as Sigma sees it, in a rule or in a record. */
export type SigmaValue = string | number | boolean | null;

/**
 * The generic record a compiled Sigma rule reads. Engines know nothing of the source format; an
 * adapter (web log line, event, …) answers field look-ups by name.
 */
export interface SigmaRecord {
  /** The value(s) of a field, or undefined when the record has no such field. A list matches when any element does. */
  field(name: string): SigmaValue | readonly SigmaValue[] | undefined;
  /**
   * `field` for a name already in lower case, for records that match names without regard to case (an
   * event's fields): the name is not folded again on every read. Absent where case matters.
   */
  fieldByKey?(key: string): SigmaValue | readonly SigmaValue[] | undefined;
  /** The texts field-less keyword selections search in (for a log line: the line, raw and decoded). */
  keywordTexts(): readonly string[];
}
