import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PendingRenames } from '../analyzers/inventory-vulns/inventory-vulns-analyzer.js';
import type { InventoryItem, VerificationResult } from '../core/inventory-item.js';
import { pendingTargetPath } from '../formats/registry-hive/read-pending-file-renames.js';

/** One vulnerable component of an earlier report, as far as verification needs it. */
export interface PreviousVulnerable {
  readonly asset: string;
  readonly location: string;
  readonly name: string;
  readonly version?: string;
  readonly ruleId: string;
  readonly cves: readonly string[];
}

/** An earlier report that cannot serve as the baseline. */
export class VerifyBaselineError extends Error {
  override readonly name = 'VerifyBaselineError';
}

const MAX_REPORT_BYTES = 256 * 1024 * 1024;

/** Reads the inventory of an earlier `inventory --format json` report; throws `VerifyBaselineError` when it has none. */
export async function readPreviousInventory(file: string): Promise<{ vulnerable: PreviousVulnerable[]; items: Map<string, string | undefined> }> {
  let data: unknown;
  try {
    if ((await stat(file)).size > MAX_REPORT_BYTES) throw new Error(`larger than ${MAX_REPORT_BYTES} bytes`);
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new VerifyBaselineError(`--verify cannot read ${JSON.stringify(file)} as a JSON report (${error instanceof Error ? error.message : String(error)}).`, { cause: error });
  }
  const inventory = isRecord(data) ? data['inventory'] : undefined;
  if (!Array.isArray(inventory)) throw new VerifyBaselineError(`--verify needs a report written by "w3guard inventory --format json", and ${JSON.stringify(file)} has no inventory.`);
  const vulnerable: PreviousVulnerable[] = [];
  const items = new Map<string, string | undefined>();
  for (const item of inventory) {
    if (!isRecord(item) || typeof item['asset'] !== 'string' || typeof item['location'] !== 'string') continue;
    const base = { asset: item['asset'], location: item['location'], name: typeof item['name'] === 'string' ? item['name'] : item['location'], ...(typeof item['version'] === 'string' ? { version: item['version'] } : {}) };
    items.set(itemKey(base.asset, base.location), base.version);
    for (const vulnerability of Array.isArray(item['vulnerabilities']) ? item['vulnerabilities'] : []) {
      if (!isRecord(vulnerability) || typeof vulnerability['ruleId'] !== 'string') continue;
      const cves = (Array.isArray(vulnerability['cves']) ? vulnerability['cves'] : []).flatMap((c: unknown) => (isRecord(c) && typeof c['id'] === 'string' ? [c['id']] : []));
      vulnerable.push({ ...base, ruleId: vulnerability['ruleId'], cves });
    }
  }
  return { vulnerable, items };
}

const STATUS_ORDER: readonly VerificationResult['status'][] = ['newly-vulnerable', 'still-vulnerable', 'fix-pending-reboot', 'fixed'];

/**
 * Compares an earlier inventory with the current one, per vulnerability and location, by the versions read now.
 * A still-vulnerable file that Windows will replace at the next boot is `fix-pending-reboot`: the fix is on disk
 * but not running. A fix judged by the Windows build while replacements are pending says so in its note.
 */
export function verifyInventory(previous: { vulnerable: readonly PreviousVulnerable[] }, current: readonly InventoryItem[], pending: readonly PendingRenames[]): VerificationResult[] {
  const currentByKey = new Map<string, InventoryItem>();
  for (const item of current) currentByKey.set(itemKey(item.asset, item.location), item);
  const pendingByAsset = new Map<string, Set<string>>();
  for (const host of pending) {
    const targets = pendingByAsset.get(host.asset.id) ?? new Set<string>();
    for (const rename of host.renames) {
      const target = pendingTargetPath(rename.target);
      if (target !== undefined) targets.add(target);
    }
    pendingByAsset.set(host.asset.id, targets);
  }
  const staged = (asset: string, location: string): boolean => {
    const relative = path.relative(asset, location).replace(/\\/g, '/').toLowerCase();
    return !relative.startsWith('..') && (pendingByAsset.get(asset)?.has(relative) ?? false);
  };
  const results: VerificationResult[] = [];
  const before = new Set<string>();
  for (const old of previous.vulnerable) {
    const key = itemKey(old.asset, old.location);
    before.add(`${key}\u0000${old.ruleId}`);
    const now = currentByKey.get(key);
    const still = now?.vulnerabilities.some((v) => v.ruleId === old.ruleId) ?? false;
    const versions = { ...(old.version === undefined ? {} : { previousVersion: old.version }), ...(now?.version === undefined ? {} : { currentVersion: now.version }) };
    const base = { ruleId: old.ruleId, cves: old.cves, asset: old.asset, location: old.location, name: old.name, ...versions };
    if (still) {
      results.push(
        staged(old.asset, old.location)
          ? { status: 'fix-pending-reboot', ...base, note: 'a replacement is staged for the next boot (PendingFileRenameOperations); until then the vulnerable file is the one that runs' }
          : { status: 'still-vulnerable', ...base },
      );
    } else {
      const pendingCount = pendingByAsset.get(old.asset)?.size ?? 0;
      const note =
        now === undefined
          ? 'the component is no longer present'
          : now.source === 'windows-build' && pendingCount > 0
            ? `the build is fixed, but ${pendingCount} file replacement(s) wait for a reboot: the running system files may still be old`
            : undefined;
      results.push({ status: 'fixed', ...base, ...(note === undefined ? {} : { note }) });
    }
  }
  for (const item of current) {
    for (const vulnerability of item.vulnerabilities) {
      if (before.has(`${itemKey(item.asset, item.location)}\u0000${vulnerability.ruleId}`)) continue;
      results.push({
        status: 'newly-vulnerable',
        ruleId: vulnerability.ruleId,
        cves: vulnerability.cves.map((c) => c.id),
        asset: item.asset,
        location: item.location,
        name: item.name,
        ...(item.version === undefined ? {} : { currentVersion: item.version }),
      });
    }
  }
  return results.sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || compare(a.asset, b.asset) || compare(a.location, b.location) || compare(a.ruleId, b.ruleId));
}

function itemKey(asset: string, location: string): string {
  return `${asset}\u0000${location}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
