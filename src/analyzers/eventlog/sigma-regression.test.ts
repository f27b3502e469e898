import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readEvtxFile } from '../../formats/evtx/read-evtx-file.js';
import { eventRecordFields } from './event-record-fields.js';
import { loadEventRules } from './load-event-rules.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const corpus = path.resolve(repoRoot, '..', 'shared', 'eval', 'sigma');
const regression = path.join(corpus, 'regression_data');

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

describe.skipIf(existsSync(regression))('SigmaHQ regression conformance on EVTX (corpus absent)', () => {
  it.skip(`needs SigmaHQ's regression data at ${regression}`, () => {});
});
