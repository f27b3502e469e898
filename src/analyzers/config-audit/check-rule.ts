import type { Confidence } from '../../core/confidence.js';
import type { RuleMeta } from '../../core/rule-meta.js';
import type { Severity } from '../../core/severity.js';

const CIS_REFERENCE = 'https://www.cisecurity.org/benchmark/microsoft_iis';

/** What every check rule says about itself. */
export interface CheckRuleSpec {
  readonly slug: string;
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly remediation: string;
  readonly category?: string;
  readonly confidence?: Confidence;
  readonly tags?: readonly string[];
  readonly references?: readonly string[];
  /** For the risk step, when the category default (content/risk/rule-defaults.csv) does not fit this check. */
  readonly technicalImpact?: 'partial' | 'total';
  readonly automatable?: boolean;
}

/** Metadata of a check that implements a CIS Microsoft IIS 10 recommendation (`cis` is its number, `3.2`). */
export function cisRule(cis: string, level: 1 | 2, spec: CheckRuleSpec): RuleMeta {
  return {
    id: `w3g-cis-iis10-${cis}-${spec.slug}`,
    title: spec.title,
    description: spec.description,
    severity: spec.severity,
    confidence: spec.confidence ?? 'firm',
    engine: 'check',
    category: spec.category ?? 'misconfiguration',
    tags: [`cis.iis10.${cis}`, `cis.level${level}`, ...(spec.tags ?? [])],
    references: [CIS_REFERENCE, ...(spec.references ?? [])],
    remediation: spec.remediation,
    ...riskTraits(spec),
  };
}

/** Metadata of one of w3guard's own configuration checks (persistence, logging coverage, exposure). */
export function auditRule(family: 'cfg' | 'pers' | 'log', spec: CheckRuleSpec): RuleMeta {
  return {
    id: `w3g-${family}-${spec.slug}`,
    title: spec.title,
    description: spec.description,
    severity: spec.severity,
    confidence: spec.confidence ?? 'firm',
    engine: 'check',
    category: spec.category ?? (family === 'pers' ? 'persistence' : family === 'log' ? 'logging' : 'misconfiguration'),
    tags: [...(spec.tags ?? [])],
    references: [...(spec.references ?? [])],
    remediation: spec.remediation,
    ...riskTraits(spec),
  };
}

function riskTraits(spec: CheckRuleSpec): Pick<RuleMeta, 'technicalImpact' | 'automatable'> {
  return { ...(spec.technicalImpact === undefined ? {} : { technicalImpact: spec.technicalImpact }), ...(spec.automatable === undefined ? {} : { automatable: spec.automatable }) };
}
