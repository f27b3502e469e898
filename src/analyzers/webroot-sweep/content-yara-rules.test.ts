import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkYaraSources, compileYara, fileVariables } from '../../engines/yara/yara-engine.js';
import { CONTENT_ROOT } from '../content-root.js';

const RULES_DIR = fileURLToPath(new URL('yara/', CONTENT_ROOT));
const SAMPLES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'yara-samples');
const sources = readdirSync(RULES_DIR).filter((n) => n.endsWith('.yar')).map((n) => ({ path: path.join(RULES_DIR, n), text: readFileSync(path.join(RULES_DIR, n), 'utf8') }));
const ruleIds = sources.flatMap((s) => [...s.text.matchAll(/^\s*id = "([^"]+)"/gm)].map((m) => m[1] as string));
const hasYaraCli = spawnSync('yara', ['--version']).status === 0;

describe("w3guard's own YARA content", () => {
  const { accepted, diagnostics } = checkYaraSources(sources);
  const { scanner } = compileYara(accepted);
  const idsOf = (file: string): string[] => scanner.scan(readFileSync(file), fileVariables(file)).map((m) => String(m.meta['id']));

  it('compiles, and every rule has an id, a title, a severity and a description', () => {
    expect(diagnostics).toEqual([]);
    expect(ruleIds.length).toBeGreaterThanOrEqual(9);
    for (const source of sources) {
      const rules = source.text.split(/^rule /m).slice(1);
      for (const rule of rules) expect(rule, rule.split('\n')[0]).toMatch(/id = "w3g-yara-[a-z0-9-]+"[\s\S]*title = "[^"]+"[\s\S]*severity = "(low|medium|high|critical)"[\s\S]*description = "[^"]+"/);
    }
  });

  it.each(ruleIds)('%s matches its must-match sample and not its must-not-match sample', (id) => {
    const folder = path.join(SAMPLES, id);
    const files = readdirSync(folder);
    const match = files.filter((f) => f.startsWith('match'));
    const clean = files.filter((f) => f.startsWith('clean'));
    expect(match.length, `${id} needs a match.* sample`).toBeGreaterThan(0);
    expect(clean.length, `${id} needs a clean.* sample`).toBeGreaterThan(0);
    for (const f of match) expect(idsOf(path.join(folder, f)), f).toContain(id);
    for (const f of clean) expect(idsOf(path.join(folder, f)), f).not.toContain(id);
  });

  it.skipIf(!hasYaraCli)('the Debian yara CLI accepts the same rules and agrees on every sample (skipped: yara is not installed)', () => {
    for (const id of ruleIds) {
      const folder = path.join(SAMPLES, id);
      for (const f of readdirSync(folder)) {
        const run = spawnSync('yara', ['-m', ...sources.map((s) => s.path), path.join(folder, f)], { encoding: 'utf8' });
        expect(run.status, run.stderr).toBe(0);
        expect(run.stdout.includes(`id="${id}"`), `${id}/${f}`).toBe(f.startsWith('match'));
      }
    }
  });
});
