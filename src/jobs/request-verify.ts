import type { ScanReport } from '../core/report.js';
import type { ServerDeps } from '../server/server-context.js';
import { ApiError } from '../server/server-context.js';
import type { RunOutcome } from '../store/finding-store.js';
import { insertScanAndJob, targetKey, type ScanJobData } from '../store/scan-store.js';

/** A verify job: the scan row, and the one rule on the one asset to judge. */
export interface VerifyJobData extends ScanJobData {
  readonly fingerprint: string;
  readonly ruleId: string;
  readonly asset: string;
  /** Which engine produced the finding, so which one re-checks it. */
  readonly via: 'scan' | 'host';
}

/**
 * Re-checks one finding: the engine that produced it runs again on its asset's target only, and the run is
 * recorded with coverage of exactly (rule, asset), so the store closes the finding (`fixed`) when the rule no
 * longer fires there and leaves it `open` when it does. Scan findings carry their site's base URL as asset;
 * host findings are re-checked on the host root of the latest host scan that found them.
 */
export async function requestVerify(deps: Pick<ServerDeps, 'store' | 'queue' | 'now'>, fingerprint: string, by: string): Promise<number> {
  const db = deps.store.database;
  const finding = await db.selectFrom('findings').select(['rule_id', 'asset', 'status']).where('fingerprint', '=', fingerprint).executeTakeFirst();
  if (finding === undefined) throw new ApiError(404, 'finding.not-found', 'there is no finding with this fingerprint.');
  let via: 'scan' | 'host';
  let target: string;
  if (/^https?:\/\//i.test(finding.asset)) {
    via = 'scan';
    target = finding.asset;
  } else {
    const source = await db
      .selectFrom('scans as s')
      .innerJoin('occurrences as o', 'o.run_id', 's.run_id')
      .select(['s.targets'])
      .where('o.fingerprint', '=', fingerprint)
      .where('s.kind', '=', 'host')
      .orderBy('s.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const roots = source === undefined ? [] : (JSON.parse(source.targets) as string[]);
    if (roots.length !== 1) throw new ApiError(409, 'verify.no-source', 'this finding did not come from a host scan run by the server: run host on that server again (or push its report) to re-check it.');
    via = 'host';
    target = roots[0] as string;
  }
  return insertScanAndJob(deps, {
    kind: 'verify',
    // On the queue of the engine it re-runs: pg-boss keeps singleton keys per queue, so a verify and a scan of
    // one site share the queue to never run at once.
    jobKind: via,
    targets: [target],
    by,
    verifyFingerprint: fingerprint,
    singletonKey: targetKey(via, [target]),
    jobData: { fingerprint, ruleId: finding.rule_id, asset: finding.asset, via },
  });
}

/** The verify run: only the finding's rule on its asset, found or covered; and how to read its outcome. */
export function judgeVerify(report: ScanReport, data: VerifyJobData): { readonly report: ScanReport; readonly result: (outcome: RunOutcome) => string } {
  const mine = (entry: { readonly ruleId: string; readonly asset: string }): boolean => entry.ruleId === data.ruleId && entry.asset === data.asset;
  const covered = (report.coverage ?? []).some(mine);
  return {
    // Coverage of exactly (rule, asset) when the run got to evaluate it there; none (nothing closed) when it did not.
    report: { ...report, findings: report.findings.filter(mine), coverage: covered ? [{ ruleId: data.ruleId, asset: data.asset }] : [] },
    result: (outcome) => (outcome.fixed.some((finding) => finding.fingerprint === data.fingerprint) ? 'fixed' : 'open'),
  };
}
