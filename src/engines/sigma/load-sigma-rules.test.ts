import { cp, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileSigmaCorrelations } from './compile-sigma-correlations.js';
import { compileSigmaRules } from './compile-sigma-rules.js';
import { loadSigmaRules } from './load-sigma-rules.js';
import { objectSigmaRecord } from './object-sigma-record.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const rel = (file: string): string => path.relative(fixtures, file).split(path.sep).join('/');

describe('loadSigmaRules', () => {
  it('reuses the parses kept in its cache folder, and parses a file again once it changes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'w3g-sigma-cache-'));
    try {
      const rulesDir = path.join(dir, 'rules');
      const cacheDir = path.join(dir, 'cache');
      await cp(path.join(fixtures, 'happy'), rulesDir, { recursive: true });
      const plain = await loadSigmaRules([rulesDir]);
      const cold = await loadSigmaRules([rulesDir], { cacheDir });
      expect(await readdir(cacheDir)).toHaveLength(1);
      const warm = await loadSigmaRules([rulesDir], { cacheDir });
      expect(cold).toEqual(plain);
      expect(warm).toEqual(plain);
      // A changed file is read again; the cache keeps the new parse.
      await writeFile(path.join(rulesDir, 'nested', 'two-rules.yaml'), 'title: Changed\nlogsource: {product: windows}\ndetection: {sel: {EventID: 1}, condition: sel}\n');
      const changed = await loadSigmaRules([rulesDir], { cacheDir });
      expect(changed.rules.map((r) => r.title)).toContain('Changed');
      expect(changed.rules.map((r) => r.title)).not.toContain('First Of Two');
      expect(await loadSigmaRules([rulesDir], { cacheDir })).toEqual(changed);
      // A file named in two spellings keeps each spelling, as a fresh parse would.
      const named = path.join(rulesDir, 'iis-webshell-cmd.yml');
      const spelled = `${rulesDir}/nested/../iis-webshell-cmd.yml`;
      expect((await loadSigmaRules([named], { cacheDir })).rules.map((r) => r.file)).toEqual([named]);
      expect((await loadSigmaRules([spelled], { cacheDir })).rules.map((r) => r.file)).toEqual([spelled]);
      expect((await loadSigmaRules([spelled], { cacheDir })).rules.map((r) => r.file)).toEqual([spelled]);
      // A broken cache file is ignored.
      for (const cacheFile of await readdir(cacheDir)) await writeFile(path.join(cacheDir, cacheFile), 'not a cache');
      expect(await loadSigmaRules([rulesDir], { cacheDir })).toEqual(changed);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('with a named screen, remembers the files it left out and does not read them again while unchanged', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'w3g-sigma-cache-'));
    try {
      const rulesDir = path.join(dir, 'rules');
      const cacheDir = path.join(dir, 'cache');
      await cp(path.join(fixtures, 'happy'), rulesDir, { recursive: true });
      const screened: string[] = [];
      const screen = (text: string): boolean => {
        screened.push(text);
        return text.includes('Web Shell Command');
      };
      const plain = await loadSigmaRules([rulesDir], { screen });
      expect(plain.screenedOut).toBe(2);
      // Without a name for the screen nothing is cached.
      expect(await loadSigmaRules([rulesDir], { screen, cacheDir })).toEqual(plain);
      await expect(readdir(cacheDir)).rejects.toThrow();
      const cold = await loadSigmaRules([rulesDir], { screen, cacheDir, screenKey: 'shell' });
      expect(cold).toEqual(plain);
      screened.length = 0;
      const warm = await loadSigmaRules([rulesDir], { screen, cacheDir, screenKey: 'shell' });
      expect(warm).toEqual(plain);
      expect(screened).toEqual([]);
      // Another screen has its own cache file; a changed file is screened again.
      await loadSigmaRules([rulesDir], { screen: () => true, cacheDir, screenKey: 'all' });
      expect(await readdir(cacheDir)).toHaveLength(2);
      await writeFile(path.join(rulesDir, 'nested', 'two-rules.yaml'), 'title: Web Shell Command Too\nlogsource: {product: windows}\ndetection: {sel: {EventID: 1}, condition: sel}\n');
      const changed = await loadSigmaRules([rulesDir], { screen, cacheDir, screenKey: 'shell' });
      expect(screened).toHaveLength(1);
      expect(changed.screenedOut).toBe(1);
      expect(changed.rules.map((r) => r.title)).toContain('Web Shell Command Too');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('counts, without parsing, the files a screen rules out, but always parses files with a correlation', async () => {
    const loaded = await loadSigmaRules([path.join(fixtures, 'happy')], { screen: (text) => text.includes('Web Shell Command') });
    expect(loaded.rules.map((r) => r.title)).toEqual(['Web Shell Command in Query', 'Not Found']);
    expect(loaded.correlations.map((c) => c.title)).toEqual(['Scanner Burst', 'Many Paths']);
    expect(loaded.screenedOut).toBe(2);
    expect((await loadSigmaRules([path.join(fixtures, 'happy')])).screenedOut).toBe(0);
  });

  it('loads folders recursively in sorted order, single- and multi-document files', async () => {
    const loaded = await loadSigmaRules([path.join(fixtures, 'happy')]);
    expect(loaded.files.map(rel)).toEqual(['happy/collection.yml', 'happy/iis-webshell-cmd.yml', 'happy/nested/two-rules.yaml', 'happy/scanner-burst.yml']);
    expect(loaded.rules.map((r) => [r.title, r.level, r.line])).toEqual([
      ['Suspicious Request', 'medium', 10],
      ['Suspicious Request', 'high', 14],
      ['Without Global', 'low', 23],
      ['Web Shell Command in Query', 'high', 1],
      ['First Of Two', 'info', 1],
      ['Second Of Two', 'critical', 11],
      ['Not Found', 'low', 1],
    ]);
    expect(loaded.diagnostics).toEqual([]);
    // Correlations in a multi-document file come beside the rules, referencing them by name or id.
    expect(loaded.correlations.map((c) => [c.title, c.type, c.line, c.timespanMs, c.rules.map((r) => r.ref)])).toEqual([
      ['Scanner Burst', 'event_count', 12, 60_000, ['iis_not_found']],
      ['Many Paths', 'value_count', 26, 3_600_000, ['0a3c5b2e-7d41-4f39-9c1e-2b6f8e4d1a50']],
    ]);
    const set = compileSigmaRules(loaded.rules);
    expect(set.diagnostics).toEqual([]);
    const correlations = compileSigmaCorrelations(loaded.correlations, set.compiled);
    expect(correlations.diagnostics).toEqual([]);
    expect(correlations.compiled.map((c) => [c.meta.id, c.meta.severity, c.ruleIds])).toEqual([
      ['iis_scanner_burst', 'high', ['iis_not_found']],
      ['0a3c5b2e-7d41-4f39-9c1e-2b6f8e4d1a52', 'medium', ['iis_not_found']],
    ]);
    const [put, del, windows, webshell] = set.compiled;
    // A collection: the global part merges into each rule, `repeat` re-uses the previous rule, `reset` clears.
    expect(put?.meta.id).toBe('0a3c5b2e-7d41-4f39-9c1e-2b6f8e4d1a40');
    expect(put?.test(objectSigmaRecord({ 'cs-method': 'PUT' }))).toBe(true);
    expect(del?.meta.id).toBe('0a3c5b2e-7d41-4f39-9c1e-2b6f8e4d1a41');
    expect(del?.test(objectSigmaRecord({ 'cs-method': 'delete' }))).toBe(true);
    expect(del?.test(objectSigmaRecord({ 'cs-method': 'PUT' }))).toBe(false);
    expect(del?.rule.detection.conditions).toEqual([{ text: 'sel', line: 8 }]);
    expect(windows?.logsource).toEqual({ product: 'windows' });
    expect(webshell?.needles).toEqual(['cmd.exe', 'powershell']);
    expect(webshell?.test(objectSigmaRecord({ 'cs-uri-stem': '/up/x.aspx', 'cs-uri-query': 'c=cmd.exe+/c+dir' }))).toBe(true);
    expect(webshell?.test(objectSigmaRecord({ 'cs-uri-stem': '/up/x.aspx', 'cs-uri-query': 'c=cmd.exe', 'cs-user-agent': 'QualysGuard' }))).toBe(false);
  });

  it('reports every broken rule with file:line and keeps the good ones', async () => {
    const loaded = await loadSigmaRules([path.join(fixtures, 'sad')]);
    const set = compileSigmaRules(loaded.rules);
    // The correlation is well-formed, but the rule it counts (missing-selection.yml) does not compile.
    const correlations = compileSigmaCorrelations(loaded.correlations, set.compiled);
    const found = [...loaded.diagnostics, ...set.diagnostics, ...correlations.diagnostics].map((d) => `${rel(d.file)}:${d.line} ${d.code} ${d.severity}`);
    expect(found).toEqual([
      'sad/bad-level-and-shape.yml:2 sigma.id-invalid warning',
      'sad/bad-level-and-shape.yml:4 sigma.level-unknown warning',
      'sad/bad-level-and-shape.yml:3 sigma.status-unknown warning',
      'sad/bad-level-and-shape.yml:11 sigma.value-invalid error',
      'sad/bad-level-and-shape.yml:5 sigma.field-type warning',
      'sad/collection.yml:1 sigma.collection-unsupported error',
      'sad/missing-title.yml:1 sigma.rule-shape error',
      'sad/yaml-syntax.yml:7 sigma.yaml-syntax error',
      'sad/bad-regex.yml:7 sigma.regex-invalid error',
      'sad/missing-selection.yml:8 sigma.condition-unknown-selection error',
      'sad/mixed-good-and-bad.yml:18 sigma.value-invalid error',
      'sad/unknown-modifier.yml:8 sigma.modifier-unknown error',
      'sad/correlation.yml:6 sigma.correlation-rule-unknown error',
    ]);
    expect(loaded.correlations.map((c) => c.title)).toEqual(['Many Errors']);
    expect(correlations.compiled).toEqual([]);
    expect(set.compiled.map((c) => c.meta.title)).toEqual(['Good One In A Multi-Document File']);
    const regex = set.diagnostics.find((d) => d.code === 'sigma.regex-invalid');
    expect(regex?.ruleId).toBe('0a3c5b2e-7d41-4f39-9c1e-2b6f8e4d1a12');
    expect(regex?.message).toContain('Look-Ahead Regex');
  });

  it('reports a missing path, and duplicate ids, without stopping', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'w3g-sigma-'));
    try {
      const text = 'title: T\nid: 0a3c5b2e-7d41-4f39-9c1e-2b6f8e4d1a20\nlevel: low\nlogsource: {category: webserver}\ndetection:\n  sel: {a: b}\n  condition: sel\n';
      await writeFile(path.join(dir, 'a.yml'), text);
      await writeFile(path.join(dir, 'b.yml'), text);
      await writeFile(path.join(dir, 'notes.txt'), 'not a rule');
      await symlink(path.join(fixtures, 'happy'), path.join(dir, 'link'));
      const loaded = await loadSigmaRules([path.join(dir, 'missing'), dir]);
      expect(loaded.files.map((f) => path.basename(f))).toEqual(['a.yml', 'b.yml']);
      expect(loaded.rules).toHaveLength(2);
      expect(loaded.diagnostics.map((d) => [path.basename(d.file), d.line, d.code, d.severity])).toEqual([
        ['missing', 1, 'sigma.file-read', 'error'],
        ['b.yml', 1, 'sigma.id-duplicate', 'warning'],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
