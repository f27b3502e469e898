import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { FindingsTable, StoreDatabase } from './store-schema.js';

/**
 * The assets a user or an API token may see: asset prefixes such as `WEB01` or `WEB01/W3SVC2`. A finding is
 * within the scope when its asset equals a prefix or lies under it (the prefix, then `/`); letter case does not
 * matter, as in Windows host names. Undefined: every asset.
 */
export type AssetScope = readonly string[];

/** Prefixes one user or token may carry, and how long each may be. */
export const MAX_SCOPE_PREFIXES = 100;
const MAX_PREFIX = 1000;

/** Why a list of prefixes is not a scope, in one sentence, or undefined. */
export function assetScopeProblem(prefixes: readonly string[]): string | undefined {
  if (prefixes.length === 0) return 'An asset scope needs at least one asset prefix.';
  if (prefixes.length > MAX_SCOPE_PREFIXES) return `An asset scope has at most ${MAX_SCOPE_PREFIXES} prefixes.`;
  for (const prefix of prefixes) {
    if (prefix.trim() !== prefix || prefix === '' || prefix.length > MAX_PREFIX || prefix.endsWith('/') || /[\u0000-\u001f]/.test(prefix)) {
      return `The asset prefix ${JSON.stringify(prefix.slice(0, 80))} is not one: give a host or host/site without a trailing slash.`;
    }
  }
  return undefined;
}

/** Splits `A,B` as the command line gives it. */
export function parseAssetScope(text: string): string[] {
  return text.split(',').map((part) => part.trim()).filter((part) => part !== '');
}

/** Whether an asset lies within a scope (the same rule as `scopeCondition`, for what is not yet stored). */
export function inAssetScope(asset: string, scope: AssetScope | undefined): boolean {
  if (scope === undefined) return true;
  const lower = asset.toLowerCase();
  return scope.some((prefix) => {
    const p = prefix.toLowerCase();
    return lower === p || lower.startsWith(`${p}/`);
  });
}

/** The condition a scope puts on findings `f`; the prefixes are parameters and their wildcards escaped. */
export function scopeCondition(eb: ExpressionBuilder<StoreDatabase & { f: FindingsTable }, 'f'>, scope: AssetScope): Expression<SqlBool> {
  if (scope.length === 0) return sql<SqlBool>`1 = 0`;
  return eb.or(
    scope.map((prefix) => {
      const p = prefix.toLowerCase();
      const under = `${p.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`;
      return eb.or([sql<SqlBool>`lower(f.asset) = ${p}`, sql<SqlBool>`lower(f.asset) like ${under} escape '\\'`]);
    }),
  );
}

/** A scope as stored: JSON text, or null for every asset. */
export function storedScope(scope: AssetScope | undefined): string | null {
  return scope === undefined ? null : JSON.stringify(scope);
}

/** A stored scope back; a column that cannot be read grants nothing rather than everything. */
export function readScope(text: string | null): AssetScope | undefined {
  if (text === null) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : [];
  } catch {
    return [];
  }
}
