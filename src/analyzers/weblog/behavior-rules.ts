import type { RuleMeta } from '../../core/rule-meta.js';
import { BUILTIN_BURSTS } from './burst-detector.js';
import { ATTEMPT_THEN_SUCCESS_RULE } from './grade-by-outcome.js';

/** The rules of w3guard's behaviour detectors, judged over a whole hunt rather than line by line. */
export const WEB_BEHAVIOR_RULES: readonly RuleMeta[] = [...BUILTIN_BURSTS.map((burst) => burst.meta), ATTEMPT_THEN_SUCCESS_RULE];
