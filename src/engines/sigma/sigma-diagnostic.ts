/** Stable codes of every problem the Sigma engine reports; tools and tests key on these, never on messages. */
export const SIGMA_DIAGNOSTIC_CODES = [
  'sigma.file-read',
  'sigma.file-too-large',
  'sigma.yaml-syntax',
  'sigma.rule-shape',
  'sigma.field-type',
  'sigma.level-unknown',
  'sigma.status-unknown',
  'sigma.id-invalid',
  'sigma.id-duplicate',
  'sigma.collection-unsupported',
  'sigma.correlation-unsupported',
  'sigma.correlation-shape',
  'sigma.correlation-type-unknown',
  'sigma.correlation-timespan',
  'sigma.correlation-condition',
  'sigma.correlation-rule-unknown',
  'sigma.filter-unsupported',
  'sigma.detection-shape',
  'sigma.timeframe-unsupported',
  'sigma.condition-syntax',
  'sigma.condition-unknown-selection',
  'sigma.aggregation-unsupported',
  'sigma.modifier-unknown',
  'sigma.modifier-invalid',
  'sigma.value-invalid',
  'sigma.regex-invalid',
  'sigma.cidr-invalid',
  'sigma.placeholder-unknown',
] as const;

/** One stable diagnostic code. */
export type SigmaDiagnosticCode = (typeof SIGMA_DIAGNOSTIC_CODES)[number];

/** A problem in a Sigma rule or rule file, located at the offending YAML node. */
export interface SigmaDiagnostic {
  readonly code: SigmaDiagnosticCode;
  readonly message: string;
  /** The rule file as given by the caller. */
  readonly file: string;
  /** 1-based line of the offending YAML node. */
  readonly line: number;
  readonly ruleId?: string;
  /** `error`: the rule is not used; `warning`: the rule is used, but something was ignored or defaulted. */
  readonly severity: 'error' | 'warning';
}

/** True when some diagnostic is an error, meaning the rule it concerns must not run. */
export function hasSigmaError(diagnostics: readonly SigmaDiagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
