/** One CVE's EPSS score: the probability of exploitation activity in the next 30 days, and its percentile. */
export interface EpssScore {
  readonly epss: number;
  readonly percentile: number;
}

/** The EPSS scores of one day. */
export interface EpssScores {
  readonly modelVersion?: string;
  /** `YYYY-MM-DD`. */
  readonly scoreDate?: string;
  readonly scores: ReadonlyMap<string, EpssScore>;
}

/** An EPSS file that is not FIRST's CSV. */
export class EpssFormatError extends Error {
  override readonly name = 'EpssFormatError';
  readonly code = 'epss.format';
}

/**
 * Parses FIRST's EPSS CSV: an optional `#model_version:…,score_date:…` comment line, the header `cve,epss,percentile`,
 * then one row per CVE. Throws `EpssFormatError` on a missing header or any malformed row.
 */
export function parseEpss(text: string): EpssScores {
  const lines = text.split(/\r?\n/);
  let modelVersion: string | undefined;
  let scoreDate: string | undefined;
  let index = 0;
  const first = lines[0] ?? '';
  if (first.startsWith('#')) {
    for (const part of first.slice(1).split(',')) {
      const [key, ...rest] = part.split(':');
      const value = rest.join(':').trim();
      if (key?.trim() === 'model_version') modelVersion = value;
      // score_date is an ISO timestamp such as 2025-08-25T00:00:00+0000; the day is what matters.
      if (key?.trim() === 'score_date') scoreDate = value.slice(0, 10);
    }
    index = 1;
  }
  if ((lines[index] ?? '').trim().toLowerCase() !== 'cve,epss,percentile') throw new EpssFormatError(`line ${index + 1} is not the header cve,epss,percentile`);
  const scores = new Map<string, EpssScore>();
  for (let i = index + 1; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const [cve = '', epss = '', percentile = ''] = line.split(',');
    const score = Number(epss);
    const rank = Number(percentile);
    if (!/^CVE-\d{4}-\d{4,19}$/.test(cve) || epss === '' || percentile === '' || !(score >= 0 && score <= 1) || !(rank >= 0 && rank <= 1)) {
      throw new EpssFormatError(`line ${i + 1} is not a CVE with two numbers from 0 to 1`);
    }
    scores.set(cve, { epss: score, percentile: rank });
  }
  return { ...(modelVersion === undefined ? {} : { modelVersion }), ...(scoreDate === undefined ? {} : { scoreDate }), scores };
}
