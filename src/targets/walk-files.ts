import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Bounds for walking a hostile folder tree. */
export interface WalkLimits {
  readonly maxDepth: number;
  /** Directory entries looked at over the whole walk. */
  readonly maxEntries: number;
}

export const DEFAULT_WALK_LIMITS: WalkLimits = { maxDepth: 24, maxEntries: 2_000_000 };

/**
 * Lists regular files under a folder, depth first in name order, never following symbolic links (so the walk
 * cannot leave the tree it was given or loop). `skip` prunes folders by their relative path. Stops at the limits
 * and reports that it did through `onLimit`.
 */
export async function* walkFiles(root: string, options: { limits?: WalkLimits; skip?: (relative: string, name: string) => boolean; onLimit?: (message: string) => void } = {}): AsyncGenerator<{ path: string; relative: string }> {
  const limits = options.limits ?? DEFAULT_WALK_LIMITS;
  let entries = 0;
  const stack: { folder: string; relative: string; depth: number }[] = [{ folder: root, relative: '', depth: 0 }];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === undefined) break;
    let children: Dirent[];
    try {
      children = await readdir(current.folder, { withFileTypes: true });
    } catch {
      continue;
    }
    children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const folders: { folder: string; relative: string; depth: number }[] = [];
    for (const child of children) {
      entries += 1;
      if (entries > limits.maxEntries) {
        options.onLimit?.(`${root}: more than ${limits.maxEntries} entries; the rest of the tree was not looked at.`);
        return;
      }
      const relative = current.relative === '' ? child.name : `${current.relative}/${child.name}`;
      const full = path.join(current.folder, child.name);
      if (child.isDirectory()) {
        if (current.depth + 1 > limits.maxDepth) {
          options.onLimit?.(`${full}: deeper than ${limits.maxDepth} folders; not looked at.`);
          continue;
        }
        if (options.skip?.(relative, child.name) !== true) folders.push({ folder: full, relative, depth: current.depth + 1 });
      } else if (child.isFile()) {
        yield { path: full, relative };
      }
    }
    // Reverse so the stack pops folders in name order.
    for (const folder of folders.reverse()) stack.push(folder);
  }
}
