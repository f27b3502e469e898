import { NeedleAutomaton } from '../../engines/needle/needle-automaton.js';
import type { FieldLayout } from '../../formats/web-log/field-layout.js';
import type { WebRecord } from '../../formats/web-log/web-record.js';
import type { BurstDetector } from './burst-detector.js';
import { baseField, needsExtraFields, type WebDetector } from './web-detector.js';

// Needle groups, one bit each (the order of the lists given to the automaton below): a line is only given
// to the rules and burst detectors whose needles it holds.
const RULE_GROUP = 1;
const WEB_BURST_GROUP = 2;
const BURST_ALSO_GROUP = 4;
const HTTPERR_BURST_GROUP = 8;
/** Rules that need a field IIS does not log by default (`cs(Cookie)`, custom headers): live only where the log has it. */
const EXTRA_FIELD_RULE_GROUP = 16;
/**
 * The first needle set of burst detectors that need two sets together. A bit of its own: on the web-burst
 * bit, a POST alone would satisfy every other web detector's single-set mask and every POST would be parsed.
 */
const PAIRED_BURST_GROUP = 32;
const ANY_BURST = WEB_BURST_GROUP | HTTPERR_BURST_GROUP | PAIRED_BURST_GROUP;
/**
 * The two needle sets of rules that need both in one line (`/WebResource.axd` *and* `/api/`). Shared by
 * every such rule, so a line holding one rule's first set and another's second is read too: still sound.
 */
const RULE_PAIR_GROUP = 64;
const RULE_ALSO_GROUP = 128;
const RULE_PAIR = RULE_PAIR_GROUP | RULE_ALSO_GROUP;

/** Whether some alternative of the detector needs two needle sets together. */
const paired = (detector: WebDetector): boolean => (detector.needleTerms ?? []).some((term) => term.length > 1);

/** Needle lists standing for detectors in the automaton's groups. */
type NeedleList = { readonly needles?: readonly string[] };

/** The rule needles of the byte pass: single-set alternatives in the rule group, pairs in the two pair groups. */
function ruleNeedleGroups(detectors: readonly WebDetector[]): [NeedleList[], NeedleList[], NeedleList[]] {
  const single: NeedleList[] = [];
  const first: NeedleList[] = [];
  const second: NeedleList[] = [];
  for (const detector of detectors) {
    if (!paired(detector)) {
      single.push(detector);
      continue;
    }
    for (const [a, b] of detector.needleTerms ?? []) {
      if (b === undefined) single.push({ needles: a });
      else {
        first.push({ needles: a });
        second.push({ needles: b });
      }
    }
  }
  return [single, first, second];
}

const hasNeedles = (detector: WebDetector): boolean => (detector.needles?.length ?? 0) > 0;

/** True when a log with these columns (lower-case names) can hold every field the detector needs. */
export function runnableIn(detector: WebDetector, columns: ReadonlySet<string> | ReadonlyMap<string, number>): boolean {
  const has = (name: string): boolean => {
    const base = baseField(name);
    return base === 'uri' ? columns.has('cs-uri-stem') || columns.has('cs-uri-query') : columns.has(base);
  };
  return (detector.requires ?? []).every((names) => names.some(has));
}

/** The group bits a burst detector needs together in a line. */
const burstGroups = (burst: BurstDetector): number =>
  burst.alsoNeedles !== undefined ? PAIRED_BURST_GROUP | BURST_ALSO_GROUP : burst.logs === 'httperr' ? HTTPERR_BURST_GROUP : WEB_BURST_GROUP;

/** How a hunt tells, from the needles found in a line, which of its detectors the line can concern. */
export interface HuntPrefilter {
  /** The byte automaton the reader runs; undefined when some rule has no needles and every line must be read. */
  readonly prefilter: NeedleAutomaton | undefined;
  /** For the reader: which group combinations make a line of this layout worth a record. */
  wantedGroups(layout: FieldLayout, httpErr: boolean): Uint8Array;
  /** True when the line's groups concern some burst detector. */
  anyBurst(groups: number): boolean;
  /** True when the line holds every needle set this burst detector needs. */
  burstWants(burst: BurstDetector, groups: number): boolean;
  /** True when the line can concern a rule. */
  rulesWant(record: WebRecord, groups: number): boolean;
}

/**
 * Builds the prefilter of a hunt. Rules that need a field IIS does not log by default may have no needles:
 * they cost nothing where the field is not logged, and are given every line where it is.
 */
export function huntPrefilter(detectors: readonly WebDetector[], bursts: readonly BurstDetector[]): HuntPrefilter {
  const extraRules = detectors.filter(needsExtraFields);
  const needleLess = extraRules.filter((rule) => !hasNeedles(rule));
  const [single, first, second] = ruleNeedleGroups(detectors.filter((detector) => !needsExtraFields(detector)));
  const prefilter = NeedleAutomaton.forDetectorGroups<NeedleList>([
    single,
    bursts.filter((burst) => burst.logs === 'web' && burst.alsoNeedles === undefined),
    bursts.flatMap((burst) => (burst.alsoNeedles === undefined ? [] : [{ needles: burst.alsoNeedles }])),
    bursts.filter((burst) => burst.logs === 'httperr' && burst.alsoNeedles === undefined),
    extraRules.filter(hasNeedles),
    bursts.filter((burst) => burst.alsoNeedles !== undefined),
    first,
    second,
  ]);
  // Whether a needle-less rule can run on a record's columns, asked once per layout.
  const needleLessLive = new Map<readonly string[], boolean>();
  const anyNeedleLessLive = (record: WebRecord): boolean => {
    if (needleLess.length === 0) return false;
    const names = record.fields();
    let live = needleLessLive.get(names);
    if (live === undefined) {
      const columns = new Set(names);
      needleLessLive.set(names, (live = needleLess.some((rule) => runnableIn(rule, columns))));
    }
    return live;
  };
  return {
    prefilter,
    wantedGroups(layout, httpErr) {
      const live = extraRules.filter((rule) => runnableIn(rule, layout.index));
      // A header-authenticated backdoor is seen by a logged header being there at all: every line.
      if (!live.every(hasNeedles)) return new Uint8Array(256).fill(1);
      const masks = bursts.filter((burst) => (burst.logs === 'httperr') === httpErr).map(burstGroups);
      const rules = RULE_GROUP | (live.length > 0 ? EXTRA_FIELD_RULE_GROUP : 0);
      return Uint8Array.from({ length: 256 }, (_, groups) => ((groups & rules) !== 0 || (groups & RULE_PAIR) === RULE_PAIR || masks.some((mask) => (groups & mask) === mask) ? 1 : 0));
    },
    anyBurst: (groups) => (groups & ANY_BURST) !== 0,
    burstWants(burst, groups) {
      const mask = burstGroups(burst);
      return (groups & mask) === mask;
    },
    rulesWant: (record, groups) => (groups & (RULE_GROUP | EXTRA_FIELD_RULE_GROUP)) !== 0 || (groups & RULE_PAIR) === RULE_PAIR || anyNeedleLessLive(record),
  };
}
