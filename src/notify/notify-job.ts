import type { JobHandler } from '../jobs/job-queue.js';
import { dispatchNotifications, type DispatchOptions, type DispatchSummary, type NotifyDeps } from './dispatch-notifications.js';
import { loadAssetTags } from '../store/asset-registry.js';
import { findOverdue } from './write-run-events.js';

/**
 * One round of notification work: announce findings that went past their due date, then route and send. The
 * `notify` job runs it periodically (every minute is enough: retries wait for their own time) and after runs.
 */
export async function runNotifications(deps: NotifyDeps, options: DispatchOptions & { readonly assetTags?: (asset: string) => readonly string[] } = {}): Promise<DispatchSummary & { readonly overdue: number }> {
  // Tags from the asset registry unless given: an overdue finding routes like its creation did.
  const overdue = await findOverdue(deps.store.database, deps.now(), { assetTags: options.assetTags ?? (await loadAssetTags(deps.store.database)) });
  return { overdue, ...(await dispatchNotifications(deps, options)) };
}

/** The `notify` job's handler. */
export function notifyJobHandler(deps: NotifyDeps, options: DispatchOptions = {}): JobHandler {
  return async () => {
    await runNotifications(deps, options);
  };
}
