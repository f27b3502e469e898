import type { RuleMeta } from '../../core/rule-meta.js';
import type { Severity } from '../../core/severity.js';
import { notEvaluated, PASS, type CheckContext, type CheckResult, type ConfigCheck } from './config-check.js';
import { attributeOf, childAt, readSection } from './read-setting.js';

/** A check of one attribute's effective value. */
export interface AttributeCheckSpec {
  readonly meta: RuleMeta;
  readonly scope: 'server' | 'site' | 'application';
  readonly section: string;
  /** Elements below the section that hold the attribute, for example `['requestLimits']`. */
  readonly element?: readonly string[];
  readonly attribute: string;
  /** The value IIS uses when no file sets the attribute. */
  readonly schemaDefault: string;
  /** The expected value, as shown to the user. */
  readonly expected: string;
  passes(value: string): boolean;
  /** A different severity for some failing values. */
  severityOf?(value: string): Severity | undefined;
  /** Why the check does not apply to this target (forms settings without forms authentication), if it does not. */
  skip?(context: CheckContext): string | undefined;
}

/** Builds a check that compares one attribute's effective value with what is expected. */
export function attributeCheck(spec: AttributeCheckSpec): ConfigCheck {
  const elementPath = spec.element ?? [];
  const location = [spec.section, ...elementPath, `@${spec.attribute}`].join('/');
  return {
    meta: spec.meta,
    scope: spec.scope,
    evaluate(context: CheckContext): CheckResult[] {
      const skipped = spec.skip?.(context);
      if (skipped !== undefined) return [notEvaluated(skipped)];
      const read = readSection(context, spec.section);
      if ('reason' in read) return [notEvaluated(read.reason)];
      const value = attributeOf(childAt(read.section, elementPath), spec.attribute, spec.schemaDefault);
      if (spec.passes(value.value)) return [PASS];
      const severity = spec.severityOf?.(value.value);
      return [
        {
          status: 'fail',
          location,
          attribute: spec.attribute,
          found: value.value,
          expected: spec.expected,
          file: value.file ?? context.target.file,
          ...(value.file === undefined ? (context.target.line === undefined ? {} : { line: context.target.line }) : value.line === undefined ? {} : { line: value.line }),
          ...(value.file === undefined ? { fromDefault: true, note: 'IIS default, not set in any file' } : {}),
          ...(severity === undefined ? {} : { severity }),
        },
      ];
    },
  };
}
