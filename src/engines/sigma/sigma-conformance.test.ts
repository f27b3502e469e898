import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileSigmaCorrelations } from './compile-sigma-correlations.js';
import { compileSigmaRules } from './compile-sigma-rules.js';
import { asciiLower, randomSigmaRecord, seededRandom } from './fixtures/random-sigma-record.js';
import { loadSigmaRules } from './load-sigma-rules.js';
import type { SigmaRecord, SigmaValue } from './sigma-record.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const corpus = path.resolve(repoRoot, '..', 'shared', 'eval', 'sigma');
const folders = ['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((f) => path.join(corpus, f));

/** Measured on SigmaHQ 8eaafff1f; this floor may only go up. */
const MIN_CLEAN_RULES = 3063;
/** Regression events (SigmaHQ's own positive samples) the rule with that id must match; may only go up. */
const MIN_REGRESSION_MATCHES = 202;

/** Event JSON as SigmaHQ's regression data holds it, flattened the way Sigma names Windows event fields. */
function eventRecord(event: unknown): { record: SigmaRecord; text: string } {
  const fields = new Map<string, SigmaValue[]>();
  const texts: string[] = [];
  const add = (name: string, value: SigmaValue): void => {
    fields.set(name, [...(fields.get(name) ?? []), value]);
    if (value !== null) texts.push(String(value));
  };
  const walk = (node: unknown, name: string): void => {
    if (node === null || typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') {
      add(name, node);
    } else if (Array.isArray(node)) {
      for (const item of node) walk(item, name);
    } else if (typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '#attributes') {
          for (const [attribute, v] of Object.entries(value as object)) walk(v, name === '' ? attribute : `${name}_${attribute}`);
        } else {
          // Windows backends drop spaces from field names (`Process Name` is `ProcessName` in rules).
          walk(value, key.replaceAll(' ', ''));
        }
      }
    }
  };
  walk(event, '');
  return {
    record: { field: (name) => fields.get(name), keywordTexts: () => texts },
    text: texts.join('\n').toLowerCase(),
  };
}

/** A file of one JSON event, or of several written one after the other. */
function readEvents(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  try {
    return [JSON.parse(text)];
  } catch {
    return text.split(/\n(?=\{)/).map((chunk) => JSON.parse(chunk) as unknown);
  }
}

function listJson(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(dir, f));
}

describe.skipIf(!existsSync(corpus))('SigmaHQ conformance', () => {
  it('loads and compiles the public rule set without crashing', async () => {
    const started = Date.now();
    const loaded = await loadSigmaRules(folders.filter((f) => existsSync(f)));
    const set = compileSigmaRules(loaded.rules);
    const correlations = compileSigmaCorrelations(loaded.correlations, set.compiled);
    const diagnostics = [...loaded.diagnostics, ...set.diagnostics, ...correlations.diagnostics];
    const withError = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.ruleId ?? d.line}`));
    const withAny = new Set(diagnostics.map((d) => d.file));
    const clean = set.compiled.filter((c) => !withAny.has(c.rule.file)).length;
    const histogram = new Map<string, number>();
    for (const d of diagnostics) histogram.set(d.code, (histogram.get(d.code) ?? 0) + 1);
    const withNeedles = set.compiled.filter((c) => c.needles !== undefined).length;
    const web = set.compiled.filter((c) => c.logsource.category === 'webserver');
    console.log(
      [
        `sigma conformance: ${loaded.files.length} files, ${loaded.rules.length} rules parsed, ${set.compiled.length} compiled, ${clean} clean (no diagnostics), ${withNeedles} with needles, ${web.length} webserver rules (${web.filter((c) => c.needles !== undefined).length} with needles), ${withError.size} with errors, ${loaded.correlations.length} correlation rules (${correlations.compiled.length} compiled), ${Date.now() - started} ms`,
        ...[...histogram].sort((a, b) => b[1] - a[1]).map(([code, n]) => `  ${code}: ${n}`),
      ].join('\n'),
    );
    for (const d of diagnostics.filter((x) => x.severity === 'error').slice(0, 40)) console.log(`  ${d.file}:${d.line} ${d.code} ${d.message}`);
    expect(clean).toBeGreaterThanOrEqual(MIN_CLEAN_RULES);

    // SigmaHQ's regression data: events each rule must detect (file name = rule id).
    const byId = new Map(set.compiled.map((c) => [c.meta.id, c]));
    const regression = path.join(corpus, 'regression_data');
    let samples = 0;
    let matched = 0;
    const missed: string[] = [];
    const unsound: string[] = [];
    for (const file of existsSync(regression) ? listJson(regression) : []) {
      const rule = byId.get(path.basename(file, '.json'));
      if (rule === undefined) continue;
      samples += 1;
      let hit = false;
      for (const event of readEvents(file)) {
        const { record, text } = eventRecord(event);
        if (!rule.test(record)) continue;
        hit = true;
        if (rule.needles !== undefined && !rule.needles.some((n) => text.includes(n))) unsound.push(file);
      }
      if (hit) matched += 1;
      else missed.push(path.relative(corpus, file));
    }
    console.log(`sigma regression data: ${matched}/${samples} positive samples matched`);
    for (const m of missed) console.log(`  missed ${m}`);
    expect(unsound).toEqual([]);
    expect(matched).toBeGreaterThanOrEqual(MIN_REGRESSION_MATCHES);

    // Needle soundness over the whole corpus: random records built from each rule's own values.
    const random = seededRandom(20_231);
    let randomMatches = 0;
    const unsoundRandom: string[] = [];
    for (const rule of set.compiled) {
      for (let i = 0; i < 15; i += 1) {
        const { record, text } = randomSigmaRecord(rule.rule, random);
        if (!rule.test(record)) continue;
        randomMatches += 1;
        const lower = asciiLower(text);
        if (rule.needles !== undefined && !rule.needles.some((n) => lower.includes(n))) unsoundRandom.push(`${rule.rule.file}: ${text}`);
      }
    }
    console.log(`sigma needle soundness: ${randomMatches} random matching records checked`);
    expect(unsoundRandom.slice(0, 5)).toEqual([]);
    expect(randomMatches).toBeGreaterThan(1000);
  });
});

describe.skipIf(existsSync(corpus))('SigmaHQ conformance (corpus absent)', () => {
  it.skip(`needs the SigmaHQ rules at ${corpus}`, () => {});
});
