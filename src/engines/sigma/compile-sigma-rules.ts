import { compileSigmaRule } from './compile-sigma-rule.js';
import type { CompiledSigmaRule, SigmaCompileOptions } from './compile-sigma-rule.js';
import type { SigmaDiagnostic } from './sigma-diagnostic.js';
import type { SigmaRule } from './sigma-rule.js';

/** The rules that compiled, and the diagnostics of all of them. */
export interface SigmaRuleSet {
  readonly compiled: readonly CompiledSigmaRule[];
  readonly diagnostics: readonly SigmaDiagnostic[];
}

/** Compiles many rules; a rule that fails is left out and its diagnostics kept. */
export function compileSigmaRules(rules: readonly SigmaRule[], options: SigmaCompileOptions = {}): SigmaRuleSet {
  const compiled: CompiledSigmaRule[] = [];
  const diagnostics: SigmaDiagnostic[] = [];
  for (const rule of rules) {
    const result = compileSigmaRule(rule, options);
    diagnostics.push(...result.diagnostics);
    if (result.compiled !== undefined) compiled.push(result.compiled);
  }
  return { compiled, diagnostics };
}
