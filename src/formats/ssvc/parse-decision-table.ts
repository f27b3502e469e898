/**
 * A decision table as CERTCC/SSVC publishes it under `data/csv/`: a header `row,<decision point>…,<outcome>`
 * and one line per combination of the decision points' values.
 */
export interface DecisionTable {
  /** The decision points' column titles, in order (`In KEV v1.0.0 (cisa)`, …). */
  readonly inputs: readonly string[];
  /** The outcome column title. */
  readonly outcome: string;
  readonly rows: readonly DecisionRow[];
}

/** One line of a decision table. */
export interface DecisionRow {
  readonly row: number;
  /** The decision points' values in the order of `inputs` (`yes`, `partial`, `public poc`, …). */
  readonly values: readonly string[];
  readonly outcome: string;
}

/** A decision-table file that is not in the shape CERTCC/SSVC publishes. */
export class DecisionTableError extends Error {
  override readonly name = 'DecisionTableError';
  readonly code = 'ssvc.table-format';
}

/**
 * Parses the CSV text of one decision table (`# comment` lines and blank lines ignored); throws
 * `DecisionTableError` naming the line when a row is malformed, out of order, or repeats a combination.
 */
export function parseDecisionTable(text: string): DecisionTable {
  const lines = text
    .split(/\r?\n/)
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'));
  const header = lines[0];
  if (header === undefined) throw new DecisionTableError('the table is empty');
  const columns = header.line.split(',').map((c) => c.trim());
  if (columns[0] !== 'row' || columns.length < 3) throw new DecisionTableError(`line ${header.number}: the header must be row,<input>…,<outcome>`);
  const inputs = columns.slice(1, -1);
  const outcome = columns[columns.length - 1] ?? '';
  const rows: DecisionRow[] = [];
  const seen = new Set<string>();
  for (const { line, number } of lines.slice(1)) {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== columns.length) throw new DecisionTableError(`line ${number}: ${cells.length} cells, the header has ${columns.length}`);
    const row = Number(cells[0]);
    if (!Number.isInteger(row) || row !== rows.length) throw new DecisionTableError(`line ${number}: row ${cells[0] ?? ''} where row ${rows.length} was expected`);
    const values = cells.slice(1, -1);
    if (values.some((v) => v === '') || cells[cells.length - 1] === '') throw new DecisionTableError(`line ${number}: an empty cell`);
    const key = values.join('\u0000');
    if (seen.has(key)) throw new DecisionTableError(`line ${number}: the combination ${values.join(', ')} is already decided`);
    seen.add(key);
    rows.push({ row, values, outcome: cells[cells.length - 1] ?? '' });
  }
  return { inputs, outcome, rows };
}
