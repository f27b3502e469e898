/** Longest evidence excerpt kept from a log line. */
export const MAX_EVIDENCE_TEXT = 2048;

const SECRET_PARAM = /((?:^|[?&; ])(?:password|passwd|pwd|pass|token|access_token|apikey|api_key|secret|session|sessionid|auth)=)[^&;\s]*/gi;

/** A log line fit for evidence: secrets in query parameters masked, capped in length. Still hostile text. */
export function evidenceText(line: string): string {
  const masked = line.replace(SECRET_PARAM, '$1***');
  return masked.length > MAX_EVIDENCE_TEXT ? `${masked.slice(0, MAX_EVIDENCE_TEXT)}…` : masked;
}
