import type { CheckSummary } from '../../core/check-summary.js';
import type { Coverage } from '../../core/coverage.js';
import type { FindingDraft } from '../../core/finding-draft.js';
import type { ScanIssue } from '../../core/scan-issue.js';
import { currentControlSet } from '../../formats/registry-hive/current-control-set.js';
import { HiveError } from '../../formats/registry-hive/hive-error.js';
import { openRegistryHive } from '../../formats/registry-hive/open-registry-hive.js';
import type { RegistryHive } from '../../formats/registry-hive/registry-hive.js';
import type { HostHivePaths } from '../../targets/find-host-hives.js';
import type { RegistryCheck, RegistryContext, RegistryFailure, RegistryResult } from './registry-check.js';
import { EVIDENCE_TEXT_CHARS } from './run-config-checks.js';
import { windowsBuild } from '../../formats/registry-hive/windows-build.js';

/** Why registry checks were not evaluated on a host root without a SYSTEM hive. */
export const NO_SYSTEM_HIVE = 'no SYSTEM hive under the host root';

/** Why registry checks were not evaluated on a single configuration file. */
export const NOT_A_HOST_ROOT = 'a single configuration file was named, not a host root with registry hives';

/** What running the registry checks on one host produced. */
export interface RegistryChecksOutcome {
  readonly drafts: FindingDraft[];
  readonly summaries: CheckSummary[];
  readonly issues: ScanIssue[];
  /** Hives read, for the report's inputs. */
  readonly files: string[];
  /** Checks decided (pass or fail) on the host, for the findings store. */
  readonly coverage: Coverage[];
}

/**
 * Opens the host's SYSTEM (and SOFTWARE) hive and runs every registry check once for the host. Without a
 * readable SYSTEM hive every check is reported as not evaluated, with the reason; a broken hive is an issue.
 * `hives` is undefined for a single configuration file.
 */
export async function runRegistryChecks(hives: HostHivePaths | undefined, hostLabel: string, checks: readonly RegistryCheck[], signal?: AbortSignal): Promise<RegistryChecksOutcome> {
  const issues: ScanIssue[] = [];
  const files: string[] = [];
  const open = async (file: string | undefined): Promise<RegistryHive | undefined> => {
    if (file === undefined) return undefined;
    try {
      const hive = await openRegistryHive(file);
      files.push(file);
      return hive;
    } catch (error) {
      if (!(error instanceof HiveError)) throw error;
      issues.push({ code: error.code, message: error.message, path: file });
      return undefined;
    }
  };
  const system = await open(hives?.system);
  const software = await open(hives?.software);
  const controlSet = system === undefined ? undefined : currentControlSet(system);
  let missing: string | undefined;
  if (hives === undefined) missing = NOT_A_HOST_ROOT;
  else if (hives.system === undefined) missing = NO_SYSTEM_HIVE;
  else if (system === undefined) missing = 'the SYSTEM hive cannot be read; see issues';
  else if (controlSet === undefined) missing = 'the SYSTEM hive has no usable Select\\Current control set';
  const drafts: FindingDraft[] = [];
  const summaries: CheckSummary[] = [];
  const coverage: Coverage[] = [];
  const context: RegistryContext | undefined =
    system === undefined || controlSet === undefined || hives?.system === undefined
      ? undefined
      : {
          system,
          systemFile: hives.system,
          controlSet,
          ...(software === undefined || hives.software === undefined ? {} : { software, softwareFile: hives.software }),
          ...buildOf(software),
        };
  for (const check of checks) {
    signal?.throwIfAborted();
    const summary = { id: check.meta.id, title: check.meta.title, tags: check.meta.tags, pass: 0, fail: 0, notEvaluated: 0 };
    const reasons = new Set<string>();
    let results: readonly RegistryResult[];
    if (context === undefined) results = [{ status: 'not-evaluated', reason: missing ?? NO_SYSTEM_HIVE }];
    else {
      try {
        results = check.evaluate(context);
      } catch (error) {
        // A hive that spends its cell budget mid-check (hive.too-large) costs this check, not the run.
        if (!(error instanceof HiveError)) throw error;
        issues.push({ code: error.code, message: `check ${check.meta.id}: ${error.message}`, path: context.systemFile });
        results = [{ status: 'not-evaluated', reason: 'the hive could not be read to the end; see issues' }];
      }
    }
    const failures = results.filter((result): result is RegistryFailure => result.status === 'fail');
    for (const result of results) if (result.status === 'not-evaluated') reasons.add(result.reason);
    // One host, one verdict per check: any failure fails it, else any gap leaves it not evaluated.
    if (failures.length > 0) summary.fail = 1;
    else if (reasons.size > 0) summary.notEvaluated = 1;
    else summary.pass = 1;
    if (reasons.size === 0) coverage.push({ ruleId: check.meta.id, asset: hostLabel });
    for (const failure of failures) drafts.push(toDraft(check, hostLabel, failure));
    summaries.push({ ...summary, notEvaluatedReasons: [...reasons].sort() });
  }
  if (system !== undefined && hives?.system !== undefined) issues.push(...system.issues.map((issue) => ({ ...issue, path: issue.path ?? hives.system })));
  if (software !== undefined && hives?.software !== undefined) issues.push(...software.issues.map((issue) => ({ ...issue, path: issue.path ?? hives.software })));
  return { drafts, summaries, issues, files, coverage };
}

function buildOf(software: RegistryHive | undefined): { build?: number } {
  const build = windowsBuild(software);
  return build === undefined ? {} : { build };
}

function toDraft(check: RegistryCheck, hostLabel: string, failure: RegistryFailure): FindingDraft {
  const rule = failure.severity === undefined || failure.severity === check.meta.severity ? check.meta : { ...check.meta, severity: failure.severity };
  const full = `${failure.location}: ${failure.text}`;
  const text = full.length <= EVIDENCE_TEXT_CHARS ? full : `${Array.from(full).slice(0, EVIDENCE_TEXT_CHARS).join('')}…`;
  return { rule, asset: { id: hostLabel, kind: 'host' }, locationKey: failure.location, evidence: { kind: 'registry', file: failure.file, text } };
}
