/** Case-insensitive match of a pattern where `*` stands for any text; linear in practice, bounded by the caller's lengths. */
export function matchPattern(text: string, pattern: string): boolean {
  const value = text.toLowerCase();
  const parts = pattern.toLowerCase().split('*');
  if (parts.length === 1) return value === parts[0];
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (!value.startsWith(first) || value.length < first.length + last.length || !value.endsWith(last)) return false;
  // Greedy left-to-right search for the middle pieces is exact for `*`-only patterns.
  let at = first.length;
  const end = value.length - last.length;
  for (const piece of parts.slice(1, -1)) {
    const found = value.indexOf(piece, at);
    if (found === -1 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}
