import type { SigmaString } from './sigma-string.js';

/**
 * Lower-case strings of which at least one occurs in the text of any record a rule part can match, or
 * undefined when no such set is known (every record must be tested).
 */
export type SigmaNeedles = readonly string[] | undefined;

/** Shorter needles hit too often to be worth a pre-filter. */
export const MIN_NEEDLE_LENGTH = 3;

/** Above this many needles a set costs more to search than it saves. */
const MAX_NEEDLES = 4096;

/**
 * The needle of one Sigma string: its longest literal run of ASCII characters, lower-cased. Only ASCII
 * is used because callers fold ASCII case only, and it is what case-insensitive matching guarantees.
 */
export function needleOfString(value: SigmaString): SigmaNeedles {
  let best = '';
  for (const part of value.parts) {
    if (typeof part !== 'string') continue;
    for (const run of part.split(/[^\x00-\x7f]+/)) if (run.length > best.length) best = run;
  }
  return best.length >= MIN_NEEDLE_LENGTH ? [best.toLowerCase()] : undefined;
}

/** Needles of an OR: every branch must have some, and the result is their union. */
export function needlesOfAny(sets: readonly SigmaNeedles[], tagged = false): SigmaNeedles {
  if (sets.length === 0) return undefined;
  const all = new Set<string>();
  for (const set of sets) {
    if (set === undefined || set.length === 0) return undefined;
    for (const needle of set) all.add(needle);
  }
  return minimize([...all], tagged);
}

/** Needles of an AND: any one branch's set is sound, so pick the most selective known one. */
export function needlesOfAll(sets: readonly SigmaNeedles[], tagged = false): SigmaNeedles {
  let best: SigmaNeedles;
  let bestCost = Infinity;
  for (const set of sets) {
    if (set === undefined || set.length === 0) continue;
    const c = cost(set, tagged);
    if (c < bestCost) {
      best = set;
      bestCost = c;
    }
  }
  return best;
}

/**
 * Needles tagged with the fields they were found in: `\0field\0needle` (field lower case; empty for a
 * keyword, which may occur in any field). A record whose values of `field` hold none of a rule's
 * tagged needles cannot match it, which is sharper than the needles over the whole record.
 */
export function fieldNeedles(fields: readonly string[] | undefined, needles: SigmaNeedles): SigmaNeedles {
  if (needles === undefined || fields?.some((f) => f.includes('\0')) === true) return undefined;
  const out: string[] = [];
  for (const field of fields ?? ['']) for (const needle of needles) out.push(`\0${field.toLowerCase()}\0${needle}`);
  return out.length > MAX_NEEDLES ? undefined : out;
}

/** A tagged needle's field ('' for any field) and needle. */
export function splitFieldNeedle(tagged: string): { field: string; needle: string } {
  const end = tagged.indexOf('\0', 1);
  return { field: tagged.slice(1, end), needle: tagged.slice(end + 1) };
}

/**
 * Tokens found in most log lines or events (HTTP methods, schemes, common file types): as a needle they
 * select nearly everything, so an AND should prefer any other branch.
 */
const COMMON_TOKENS = new Set([
  'get', 'post', 'head', 'put', 'http', 'https', 'http/1.1', 'mozilla', 'mozilla/5.0', '.aspx', '.asp', '.php', '.js', '.css', '.png', '.html', 'www', '.com',
  'windows', '.exe', 'c:\\windows\\',
  // Windows events: the vendor, signature and system folders of nearly every process and module.
  'microsoft', 'microsoft corporation', 'valid', 'true', 'false', 'system', '\\windows\\', 'c:\\windows\\system32\\', 'c:\\windows\\syswow64\\', '\\system32\\',
]);

/**
 * Expected hit rate, roughly: a needle hits about 16 times less often with each character (text is
 * far from random, so each character narrows less than 1/26), and a common token hits always.
 */
function cost(set: readonly string[], tagged: boolean): number {
  return set.reduce((sum, item) => {
    const needle = tagged ? splitFieldNeedle(item).needle : item;
    return sum + (COMMON_TOKENS.has(needle) ? 1 : 16 ** -Math.min(needle.length, 12));
  }, 0);
}

/** Drops needles that contain another needle of the set: where they occur, the shorter one does too. */
function minimize(needles: string[], tagged: boolean): SigmaNeedles {
  needles.sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  // The pairwise check is quadratic; past a few hundred needles all are kept, which is still sound.
  const check = needles.length <= 512;
  const kept: string[] = [];
  // A tagged needle is only implied by a shorter one of its own field: kept needles by field, untagged.
  const keptByField = new Map<string, string[]>();
  for (const needle of needles) {
    if (!tagged) {
      if (check && kept.some((k) => needle.includes(k))) continue;
      kept.push(needle);
      continue;
    }
    const { field, needle: text } = splitFieldNeedle(needle);
    let same = keptByField.get(field);
    if (check && same?.some((k) => text.includes(k)) === true) continue;
    kept.push(needle);
    if (same === undefined) {
      same = [];
      keptByField.set(field, same);
    }
    same.push(text);
  }
  return kept.length > MAX_NEEDLES ? undefined : kept;
}

/**
 * A finer view of a rule's needles: alternatives of which every matching record satisfies one, each one
 * or two needle sets that must all occur (`/WebResource.axd` *and* `/api/`). Undefined when unknown.
 * A byte pass can then pass over lines that hold only the first set.
 */
export type SigmaNeedleTerms = readonly (readonly (readonly string[])[])[] | undefined;

/** The most a second set may cost (see `cost`): about one needle of four characters or a few longer ones. */
const MAX_SECOND_COST = 1e-4;

/** Above this many alternatives they are merged into one set (their first sets' union), which is still sound. */
const MAX_TERMS = 32;

/** The terms of a plain needle set: one alternative of one set. */
export function termsOfNeedles(needles: SigmaNeedles): SigmaNeedleTerms {
  return needles === undefined || needles.length === 0 ? undefined : [[needles]];
}

/** Terms of an OR: every branch must have some, and the result is all their alternatives. */
export function termsOfAny(parts: readonly SigmaNeedleTerms[]): SigmaNeedleTerms {
  if (parts.length === 0) return undefined;
  const out: (readonly (readonly string[])[])[] = [];
  for (const part of parts) {
    if (part === undefined || part.length === 0) return undefined;
    out.push(...part);
  }
  return out.length <= MAX_TERMS ? out : termsOfNeedles(needlesOfAny(out.map((term) => term[0])));
}

/**
 * Terms of an AND: every set a part requires is required by the whole (a part with several alternatives
 * requires their first sets' union), so the two most selective sets are kept, to occur together.
 */
export function termsOfAll(parts: readonly SigmaNeedleTerms[]): SigmaNeedleTerms {
  const sets: (readonly string[])[] = [];
  for (const part of parts) {
    if (part === undefined || part.length === 0) continue;
    if (part.length === 1) sets.push(...(part[0] ?? []));
    else {
      const union = needlesOfAny(part.map((term) => term[0]));
      if (union !== undefined) sets.push(union);
    }
  }
  // Stable: among equally selective sets the first written wins, as in `needlesOfAll`.
  const ranked = sets.map((set, i) => ({ set, i, cost: cost(set, false) })).sort((a, b) => a.cost - b.cost || a.i - b.i);
  const [best, second] = ranked;
  if (best === undefined) return undefined;
  // A second set of common or very short tokens (`GET`, `id=`) occurs in nearly every line: no use.
  return second === undefined || second.cost > MAX_SECOND_COST ? [[best.set]] : [[best.set, second.set]];
}
