import type { Kysely, Selectable } from 'kysely';
import { assetAncestry } from '../core/asset-path.js';
import type { AssetContext } from '../scan/prioritize-findings.js';
import { mergeAssetSettings, type AssetSettings } from '../targets/read-host-config.js';
import { inAssetScope, type AssetScope } from './asset-scope.js';
import type { AssetsTable, StoreDatabase } from './store-schema.js';

type Db = Kysely<StoreDatabase>;

export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export const EXPOSURES = ['internet', 'internal'] as const;
export type Criticality = (typeof CRITICALITIES)[number];
export type Exposure = (typeof EXPOSURES)[number];

/** Bounds of what one asset may carry: enough for real inventories, small enough to route and show. */
export const ASSET_LIMITS = { tags: 50, tagLength: 64, owners: 20, ownerLength: 200, assetLength: 1000 } as const;

/** What the registry says about one asset, as people set it (not inherited). */
export interface RegisteredAsset {
  readonly asset: string;
  readonly criticality?: Criticality;
  readonly exposure?: Exposure;
  readonly tags: readonly string[];
  readonly owners: readonly string[];
  readonly updatedBy: string;
  readonly updatedAt: string;
}

/** A change: a field left out stays as it is; null clears criticality or exposure. */
export interface AssetChange {
  readonly criticality?: Criticality | null;
  readonly exposure?: Exposure | null;
  readonly tags?: readonly string[];
  readonly owners?: readonly string[];
}

/** Why a string cannot be an asset id in the registry, in one sentence, or undefined. */
export function assetIdProblem(asset: string): string | undefined {
  if (asset === '' || asset.trim() !== asset || asset.length > ASSET_LIMITS.assetLength || asset.endsWith('/') || /[\u0000-\u001f\u007f]/.test(asset)) {
    return 'An asset id is a host, host/site or URL without surrounding spaces, control characters or a trailing slash.';
  }
  return undefined;
}

/** The registry's entry for one asset, looked up as written. */
export async function getRegisteredAsset(db: Db, asset: string): Promise<RegisteredAsset | undefined> {
  const row = await db.selectFrom('assets').selectAll().where('asset', '=', asset).executeTakeFirst();
  return row === undefined ? undefined : toAsset(row);
}

/** Every registry entry within a scope, by asset id. The registry holds what people typed: it stays small. */
export async function listRegisteredAssets(db: Db, scope?: AssetScope): Promise<RegisteredAsset[]> {
  const rows = await db.selectFrom('assets').selectAll().orderBy('asset').execute();
  return rows.map(toAsset).filter((entry) => inAssetScope(entry.asset, scope));
}

/** Applies a change to one asset (creating its entry) and returns the entry as stored. */
export async function upsertAsset(db: Db, asset: string, change: AssetChange, by: string, now: Date): Promise<RegisteredAsset> {
  return db.transaction().execute(async (trx) => {
    const before = await getRegisteredAsset(trx, asset);
    const pick = <T>(given: T | null | undefined, old: T | undefined): T | undefined => (given === undefined ? old : given ?? undefined);
    const criticality = pick(change.criticality, before?.criticality);
    const exposure = pick(change.exposure, before?.exposure);
    const values = {
      criticality: criticality ?? null,
      exposure: exposure ?? null,
      tags: JSON.stringify(distinct(change.tags ?? before?.tags ?? [])),
      owners: JSON.stringify(distinct(change.owners ?? before?.owners ?? [])),
      updated_by: by,
      updated_at: now.toISOString(),
    };
    await trx
      .insertInto('assets')
      .values({ asset, ...values })
      .onConflict((oc) => oc.column('asset').doUpdateSet(values))
      .execute();
    return toAsset({ asset, ...values });
  });
}

/**
 * The registry as the risk step and notification routing read it: an asset's context inherited along its id
 * (host → site → application), the nearest criticality and exposure winning and tags and owners adding up, as
 * `w3guard.yaml` does on a host. Ids compare without regard to case, like Windows host names. Its source is
 * `asset-registry`, which the priority's inputs name.
 */
export async function loadAssetContext(db: Db): Promise<(asset: string) => AssetContext | undefined> {
  const own = new Map<string, AssetSettings>();
  for (const entry of await listRegisteredAssets(db)) own.set(entry.asset.toLowerCase(), settingsOf(entry));
  const cache = new Map<string, AssetContext | undefined>();
  return (asset) => {
    if (own.size === 0) return undefined;
    const key = asset.toLowerCase();
    if (cache.has(key)) return cache.get(key);
    let merged: AssetSettings | undefined;
    for (const id of assetAncestry(key)) {
      const settings = own.get(id);
      if (settings !== undefined) merged = mergeAssetSettings(merged, settings);
    }
    const context = merged === undefined ? undefined : { ...merged, source: 'asset-registry' };
    cache.set(key, context);
    return context;
  };
}

/** An asset's tags, its parents' included, as notification rules limited to tags match them. */
export async function loadAssetTags(db: Db): Promise<(asset: string) => readonly string[]> {
  const context = await loadAssetContext(db);
  return (asset) => context(asset)?.tags ?? [];
}

function settingsOf(entry: RegisteredAsset): AssetSettings {
  return {
    ...(entry.criticality === undefined ? {} : { criticality: entry.criticality }),
    ...(entry.exposure === undefined ? {} : { exposure: entry.exposure }),
    ...(entry.tags.length === 0 ? {} : { tags: entry.tags }),
    ...(entry.owners.length === 0 ? {} : { owners: entry.owners }),
  };
}

function toAsset(row: Selectable<AssetsTable>): RegisteredAsset {
  const criticality = (CRITICALITIES as readonly string[]).includes(row.criticality ?? '') ? (row.criticality as Criticality) : undefined;
  const exposure = (EXPOSURES as readonly string[]).includes(row.exposure ?? '') ? (row.exposure as Exposure) : undefined;
  return {
    asset: row.asset,
    ...(criticality === undefined ? {} : { criticality }),
    ...(exposure === undefined ? {} : { exposure }),
    tags: strings(row.tags),
    owners: strings(row.owners),
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
  };
}

/** A stored JSON list back; anything else reads as empty. */
function strings(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))];
}
