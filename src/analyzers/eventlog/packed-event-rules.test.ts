import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEventRules, type EventRuleSources } from './load-event-rules.js';
import { readPackedEventRules, unpackEventRules } from './packed-event-rules.js';

const ruleText = (id: string, value: string): string =>
  `title: T ${value}\nid: ${id}\nlevel: high\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  sel:\n    CommandLine|contains: '${value}'\n  condition: sel\n`;

describe('readPackedEventRules', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const setUp = (): { rules: string; cache: string; sources: EventRuleSources } => {
    const root = mkdtempSync(path.join(tmpdir(), 'w3g-packed-rules-'));
    dirs.push(root);
    const rules = path.join(root, 'rules');
    mkdirSync(rules);
    writeFileSync(path.join(rules, 'a.yml'), ruleText('5f0c1e9a-1111-4a2b-9c3d-00000000000a', 'whoami'));
    const cache = path.join(root, 'cache');
    return { rules, cache, sources: { content: false, sigmaPaths: [rules], cacheDir: cache } };
  };
  const blobFile = (cache: string): string => {
    const found = readdirSync(cache).filter((f) => f.startsWith('events-'));
    expect(found).toHaveLength(1);
    return path.join(cache, found[0] as string);
  };
  const values = async (sources: EventRuleSources): Promise<string[]> =>
    unpackEventRules(await readPackedEventRules(sources, { summarize: true })).rules.map((r) => r.title);

  it('packs what readEventRules reads, summaries included', async () => {
    const { sources } = setUp();
    const unpacked = unpackEventRules(await readPackedEventRules(sources, { summarize: true }));
    expect(unpacked).toEqual(await readEventRules(sources, { summarize: true }));
    // One compilation per field set the rule runs with (Sysmon's names, Security 4688's).
    expect(unpacked.summaries?.size).toBe(2);
    // Without a rule cache nothing is kept.
    const uncached = unpackEventRules(await readPackedEventRules({ ...sources, cacheDir: undefined }, { summarize: true }));
    expect(uncached).toEqual(unpacked);
  });

  it('keeps the blob while no rule file changes, and packs the rules again when one is changed, added or damaged', async () => {
    const { rules, cache, sources } = setUp();
    expect(await values(sources)).toEqual(['T whoami']);
    const file = blobFile(cache);
    const written = statSync(file, { bigint: true });
    // Unchanged files: the blob is read, not written again.
    expect(await values(sources)).toEqual(['T whoami']);
    expect(statSync(file, { bigint: true }).mtimeNs).toBe(written.mtimeNs);
    // A changed file (same size, so only its times tell) is read again.
    writeFileSync(path.join(rules, 'a.yml'), ruleText('5f0c1e9a-1111-4a2b-9c3d-00000000000a', 'whoam1'));
    expect(await values(sources)).toEqual(['T whoam1']);
    writeFileSync(path.join(rules, 'b.yml'), ruleText('5f0c1e9a-1111-4a2b-9c3d-00000000000b', 'ipconfig'));
    expect(await values(sources)).toEqual(['T whoam1', 'T ipconfig']);
    // A damaged blob (its hash no longer holds) is packed again, not unpacked.
    const bytes = readFileSync(blobFile(cache));
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    writeFileSync(blobFile(cache), bytes);
    expect(await values(sources)).toEqual(['T whoam1', 'T ipconfig']);
    expect(readFileSync(blobFile(cache)).equals(bytes)).toBe(false);
    expect(readdirSync(cache).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses bytes that are not packed rules', () => {
    expect(() => unpackEventRules(new Uint8Array([1, 2, 3]))).toThrow();
    expect(() => unpackEventRules(Buffer.from(JSON.stringify({})))).toThrow();
  });
});
