import type { AnnouncedRun, RunAnnouncer, ServerDeps } from '../server/server-context.js';
import { loadAssetTags } from '../store/asset-registry.js';
import { brief, scanEvent, writeEvent, writeRunEvents } from './write-run-events.js';

/**
 * The server's announcer: what a run changed (created, reopened, fixed, label raised, incidents) and how its
 * scan ended go to the notification outbox in the run's transaction; the dispatcher sends them afterwards.
 * Each event carries its asset's tags from the asset registry (read in the same transaction) unless `assetTags`
 * says otherwise, so rules limited to tagged assets route them.
 */
export function runAnnouncer(deps: Pick<ServerDeps, 'store' | 'now'> & { readonly assetTags?: (asset: string) => readonly string[] }): RunAnnouncer {
  return {
    async recorded(trx, outcome, run: AnnouncedRun) {
      const now = deps.now();
      await writeRunEvents(trx, outcome, {
        command: run.command,
        ...(run.scan === undefined ? {} : { scanId: String(run.scan.id) }),
        ...(run.incidents === undefined ? {} : { incidents: run.incidents }),
        assetTags: deps.assetTags ?? (await loadAssetTags(trx)),
        now,
      });
      if (run.scan === undefined) return;
      const verified = run.verify === undefined ? undefined : [...outcome.findings, ...outcome.fixed].find((f) => f.fingerprint === run.verify?.fingerprint);
      await writeEvent(
        trx,
        scanEvent({
          type: run.verify === undefined ? 'scan.completed' : 'verify.completed',
          scanId: String(run.scan.id),
          kind: run.scan.kind,
          targets: run.scan.targets,
          findings: outcome.findings.length,
          runId: outcome.runId,
          ...(verified === undefined || run.verify === undefined ? {} : { finding: { ...brief(verified), status: run.verify.result } }),
          now,
        }),
      );
    },
    async failed(scan, error) {
      // There is no run to share a transaction with; the outbox's key (one scan.failed per scan) keeps a
      // repeated call from announcing twice.
      await writeEvent(deps.store.database, scanEvent({ type: 'scan.failed', scanId: String(scan.id), kind: scan.kind, error, now: deps.now() }));
    },
  };
}
