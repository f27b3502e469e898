import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readEvtxFile } from '../../formats/evtx/read-evtx-file.js';
import { eventRecordFields } from './event-record-fields.js';
import { compileEventRules, loadEventRules, readEventRules } from './load-event-rules.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const corpus = path.resolve(repoRoot, '..', 'shared', 'eval', 'sigma');
const regression = path.join(corpus, 'regression_data');
const samples = path.resolve(repoRoot, '..', 'shared', 'eval', 'evtx');

/** SigmaHQ rules whose regression EVTX gives exactly the expected match count; may only go up. */
const MIN_PASS_RATE = 0.95;

interface RegressionInfo {
  rule_metadata?: { id?: string; title?: string }[];
  regression_tests_info?: { type?: string; path?: string; match_count?: number }[];
}

describe.skipIf(!existsSync(regression))('SigmaHQ regression conformance on EVTX', () => {
  it('each rule matches its own regression EVTX the expected number of times', async () => {
    const rules = await loadEventRules({
      content: false,
      sigmaPaths: ['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((f) => path.join(corpus, f)).filter((f) => existsSync(f)),
    });
    const byId = new Set(rules.rules.map((r) => r.meta.id));
    let pass = 0;
    let total = 0;
    const failures: string[] = [];
    const infos = readdirSync(regression, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('info.yml'))
      .sort();
    for (const info of infos) {
      const doc = parse(readFileSync(path.join(regression, info), 'utf8')) as RegressionInfo;
      const id = doc.rule_metadata?.[0]?.id;
      for (const test of doc.regression_tests_info ?? []) {
        if (test.type !== 'evtx' || test.path === undefined || id === undefined) continue;
        total += 1;
        const expected = test.match_count ?? 1;
        if (!byId.has(id)) {
          failures.push(`${info}: rule ${id} not loaded`);
          continue;
        }
        let count = 0;
        for await (const batch of readEvtxFile(path.join(corpus, test.path))) {
          for (const record of batch.records) if (rules.match(eventRecordFields(record)).some((r) => r.meta.id === id)) count += 1;
        }
        if (count === expected) pass += 1;
        else failures.push(`${info}: ${count} matches, expected ${expected}`);
      }
    }
    console.log(`sigma regression conformance on EVTX: ${pass}/${total} rules give the expected match count (${((100 * pass) / Math.max(1, total)).toFixed(1)} %)`);
    for (const f of failures) console.log(`  ${f}`);
    expect(total).toBeGreaterThan(150);
    expect(pass / total).toBeGreaterThanOrEqual(MIN_PASS_RATE);
  }, 120_000);
});

describe.skipIf(!existsSync(regression))('SigmaHQ rules built from compile summaries', () => {
  it('match every regression record as the rules compiled in full, from summaries worked out or read back from the rule cache', async () => {
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'w3g-summaries-'));
    try {
      const sources = { content: true, sigmaPaths: ['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((f) => path.join(corpus, f)).filter((f) => existsSync(f)), cacheDir };
      const worked = await readEventRules(sources, { summarize: true });
      expect(readdirSync(cacheDir).filter((f) => f.startsWith('compile-'))).toHaveLength(1);
      const cached = await readEventRules(sources, { summarize: true });
      expect(cached.summaries).toEqual(worked.summaries);
      expect(cached.summaries?.size).toBeGreaterThan(cached.rules.length);
      const full = await compileEventRules({ rules: cached.rules, diagnostics: cached.diagnostics });
      const lazy = await compileEventRules(structuredClone(cached));
      expect(lazy.rules.map((r) => r.meta)).toEqual(full.rules.map((r) => r.meta));
      expect(lazy.diagnostics).toEqual(full.diagnostics);
      let records = 0;
      let matches = 0;
      // SigmaHQ's regression events and, where present, the attack samples (thousands of events of every kind).
      const files = [regression, samples]
        .filter((dir) => existsSync(dir))
        .flatMap((dir) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.evtx')).sort().map((f) => path.join(dir, f)));
      for (const file of files) {
        for await (const batch of readEvtxFile(file)) {
          for (const record of batch.records) {
            const fields = eventRecordFields(record);
            const expected = full.match(fields).map((r) => r.meta.id);
            expect(lazy.match(fields).map((r) => r.meta.id), `${file} record ${record.recordId}`).toEqual(expected);
            records += 1;
            matches += expected.length;
          }
        }
      }
      expect(records).toBeGreaterThan(200);
      expect(matches).toBeGreaterThan(100);
      console.log(`rules from compile summaries: ${records} records, ${matches} matches, the same as the rules compiled in full`);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe.skipIf(existsSync(regression))('SigmaHQ regression conformance on EVTX (corpus absent)', () => {
  it.skip(`needs SigmaHQ's regression data at ${regression}`, () => {});
});
