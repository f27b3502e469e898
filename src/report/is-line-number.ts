/** True for a usable 1-based line number; reporters drop anything else rather than print line 0 or NaN. */
export function isLineNumber(line: number | undefined): line is number {
  return line !== undefined && Number.isSafeInteger(line) && line >= 1;
}
