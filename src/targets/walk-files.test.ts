import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanIssue } from '../core/scan-issue.js';
import { walkFiles } from './walk-files.js';

const isRoot = process.getuid?.() === 0;
const base = mkdtempSync(path.join(tmpdir(), 'w3g-walk-'));
afterAll(() => {
  chmodSync(path.join(base, 'root', 'locked'), 0o755);
  rmSync(base, { recursive: true, force: true });
});

describe('walkFiles on a hostile tree', () => {
  const root = path.join(base, 'root');
  mkdirSync(path.join(root, 'a', 'b'), { recursive: true });
  writeFileSync(path.join(root, 'a', 'b', 'deep.txt'), 'deep');
  writeFileSync(path.join(base, 'outside.txt'), 'secret');
  symlinkSync('..', path.join(root, 'a', 'b', 'loop'));
  symlinkSync(path.join(base, 'outside.txt'), path.join(root, 'escape.txt'));
  symlinkSync(base, path.join(root, 'escape-dir'));
  symlinkSync('a/b/deep.txt', path.join(root, 'inside-link.txt'));
  mkdirSync(path.join(root, 'locked'));
  writeFileSync(path.join(root, 'locked', 'hidden.txt'), 'x');
  chmodSync(path.join(root, 'locked'), 0o000);
  writeFileSync(path.join(root, 'evil\nname\u001b[31m.aspx'), 'x');
  const fifo = spawnSync('mkfifo', [path.join(root, 'pipe')]).status === 0;

  it('yields each regular file once in a stable order, follows no link, reports links out of the root and unreadable folders', async () => {
    const issues: ScanIssue[] = [];
    const seen: string[] = [];
    for await (const f of walkFiles(root, { onIssue: (i) => issues.push(i) })) seen.push(f.relative);
    // A folder's files come before its subfolders, each in name order.
    const expected = ['evil\nname\u001b[31m.aspx', 'a/b/deep.txt', ...(isRoot ? ['locked/hidden.txt'] : [])];
    expect(seen).toEqual(expected);
    expect(issues.filter((i) => i.code === 'sweep.link-out-of-root').map((i) => path.basename(i.path ?? '')).sort()).toEqual(['escape-dir', 'escape.txt']);
    if (!isRoot) expect(issues.some((i) => i.code === 'sweep.unreadable' && i.path?.endsWith('locked'))).toBe(true);
    if (fifo) expect(seen).not.toContain('pipe');
  });

  it('keeps a relative root relative, and bounds the depth', async () => {
    const issues: ScanIssue[] = [];
    const seen: string[] = [];
    const relativeRoot = path.relative(process.cwd(), root);
    for await (const f of walkFiles(relativeRoot, { maxDepth: 1, onIssue: (i) => issues.push(i) })) seen.push(f.path);
    expect(seen.every((p) => !path.isAbsolute(p))).toBe(true);
    expect(issues.some((i) => i.code === 'sweep.too-deep')).toBe(true);
    expect(seen).not.toContain(path.join(relativeRoot, 'a', 'b', 'deep.txt'));
  });

  it('walks a folder of many files with bounded memory per folder', async () => {
    const wide = path.join(base, 'wide');
    mkdirSync(wide);
    for (let i = 0; i < 1200; i += 1) writeFileSync(path.join(wide, `f${i}.txt`), '');
    let count = 0;
    for await (const f of walkFiles(wide, { onIssue: () => undefined, maxEntriesPerFolder: 1000 })) count += f.size === 0 ? 1 : 0;
    expect(count).toBe(1000);
  });
});
