import { assetScopeProblem, parseAssetScope } from '../store/asset-scope.js';
import { UsageError } from './exit-code.js';

/** `--assets A,B`: asset prefixes, or a usage error naming what is wrong. */
export function scopeOption(text: string): string[] {
  const prefixes = parseAssetScope(text);
  const problem = assetScopeProblem(prefixes);
  if (problem !== undefined) throw new UsageError(`--assets: ${problem.charAt(0).toLowerCase()}${problem.slice(1)}`);
  return prefixes;
}
