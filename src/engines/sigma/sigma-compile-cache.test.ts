import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compileSigmaRule, summarizeSigmaCompile } from './compile-sigma-rule.js';
import { parseSigmaYaml } from './parse-sigma-yaml.js';
import { openSigmaCompileCache, sigmaRuleDigest } from './sigma-compile-cache.js';
import type { SigmaRule } from './sigma-rule.js';

const rule = (value: string): SigmaRule => {
  const parsed = parseSigmaYaml(`title: T\nid: 5f0c1e9a-1111-4a2b-9c3d-000000000002\nlevel: high\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  sel:\n    CommandLine|contains: '${value}'\n  condition: sel\n`, 'r.yml');
  const found = parsed.rules[0];
  if (found === undefined) throw new Error('no rule');
  return found;
};

describe('openSigmaCompileCache', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(path.join(tmpdir(), 'w3g-compile-cache-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps summaries between runs by the rule content and scope, and saves only the entries a run used', () => {
    const dir = tempDir();
    const a = rule('whoami');
    const b = rule('ipconfig');
    expect(sigmaRuleDigest(a)).toBe(sigmaRuleDigest(rule('whoami')));
    expect(sigmaRuleDigest(a)).not.toBe(sigmaRuleDigest(b));
    const summaryA = summarizeSigmaCompile(compileSigmaRule(a));
    const first = openSigmaCompileCache(dir, 'scope-1');
    expect(first.get(sigmaRuleDigest(a))).toBeUndefined();
    first.set(sigmaRuleDigest(a), summaryA);
    first.set(sigmaRuleDigest(b), summarizeSigmaCompile(compileSigmaRule(b)));
    first.save();
    const second = openSigmaCompileCache(dir, 'scope-1');
    expect(second.get(sigmaRuleDigest(a))).toEqual(summaryA);
    expect(summaryA).toMatchObject({ ok: true, fieldNeedles: ['\0commandline\0whoami'] });
    // Another scope (other rule paths or mappings) has a file of its own.
    expect(openSigmaCompileCache(dir, 'scope-2').get(sigmaRuleDigest(a))).toBeUndefined();
    // The second run used only `a`: the file is rewritten without `b`.
    second.save();
    const third = openSigmaCompileCache(dir, 'scope-1');
    expect(third.get(sigmaRuleDigest(b))).toBeUndefined();
    expect(third.get(sigmaRuleDigest(a))).toEqual(summaryA);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reads a damaged or foreign cache file as empty, and replaces it', () => {
    const dir = tempDir();
    const a = rule('whoami');
    const cache = openSigmaCompileCache(dir, 'scope');
    cache.set(sigmaRuleDigest(a), summarizeSigmaCompile(compileSigmaRule(a)));
    cache.save();
    const [file] = readdirSync(dir);
    writeFileSync(path.join(dir, file as string), 'not a cache');
    const reopened = openSigmaCompileCache(dir, 'scope');
    expect(reopened.get(sigmaRuleDigest(a))).toBeUndefined();
    reopened.set(sigmaRuleDigest(a), { ok: false, diagnostics: [] });
    reopened.save();
    expect(openSigmaCompileCache(dir, 'scope').get(sigmaRuleDigest(a))).toEqual({ ok: false, diagnostics: [] });
  });
});
