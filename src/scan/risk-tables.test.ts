import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTENT_ROOT } from '../analyzers/content-root.js';
import { parseDecisionTable } from '../formats/ssvc/parse-decision-table.js';
import { buildRiskTables, RISK_FILES, shippedRiskTables } from './risk-tables.js';

const read = (name: string): string => readFileSync(new URL(`risk/${name}`, CONTENT_ROOT), 'utf8');

// Written out independently of the data files, from CERTCC/SSVC data/csv/cisa/cisa_bod_26_04_1_0_0.csv:
// [In KEV, Publicly Exposed, Automatable, Technical Impact] → w3guard label.
const BOD: readonly (readonly [boolean, boolean, boolean, 'partial' | 'total', string])[] = [
  [false, false, false, 'partial', 'next-upgrade'],
  [true, false, false, 'partial', '14d'],
  [false, true, false, 'partial', '60d'],
  [false, false, true, 'partial', '60d'],
  [false, false, false, 'total', 'next-upgrade'],
  [true, true, false, 'partial', '14d'],
  [true, false, true, 'partial', '14d'],
  [false, true, true, 'partial', '14d'],
  [true, false, false, 'total', '14d'],
  [false, true, false, 'total', '14d'],
  [false, false, true, 'total', '60d'],
  [true, true, true, 'partial', '3d'],
  [true, true, false, 'total', '3d-forensic'],
  [true, false, true, 'total', '3d-forensic'],
  [false, true, true, 'total', '3d'],
  [true, true, true, 'total', '3d-forensic'],
];

// From cisa_coordinator_2_0_3.csv: every combination not listed here is `track`.
const NOT_TRACK: Readonly<Record<string, string>> = {
  'active/no/total/high': 'act',
  'active/yes/partial/high': 'act',
  'active/yes/total/medium': 'act',
  'active/yes/total/high': 'act',
  'none/yes/partial/high': 'attend',
  'none/yes/total/high': 'attend',
  'public poc/no/total/high': 'attend',
  'public poc/yes/partial/high': 'attend',
  'public poc/yes/total/high': 'attend',
  'active/no/partial/high': 'attend',
  'active/no/total/medium': 'attend',
  'active/yes/partial/low': 'attend',
  'active/yes/partial/medium': 'attend',
  'active/yes/total/low': 'attend',
  'none/no/total/high': 'track*',
  'public poc/no/partial/high': 'track*',
  'public poc/no/total/medium': 'track*',
  'public poc/yes/total/medium': 'track*',
};

describe('the CISA BOD 26-04 table', () => {
  const tables = shippedRiskTables();
  const file = parseDecisionTable(read(RISK_FILES.bod));

  it('holds the 16 rows of the CERTCC/SSVC file, in its order', () => {
    expect(file.inputs).toEqual(['In KEV v1.0.0 (cisa)', 'Asset Exposure v1.0.0 (cisa)', 'Automatable v2.0.0', 'Technical Impact v1.0.0']);
    expect(file.rows).toHaveLength(16);
    file.rows.forEach((row, i) => {
      const [kev, exposed, automatable, impact] = BOD[i] ?? [];
      expect(row.values).toEqual([kev ? 'yes' : 'no', exposed ? 'yes' : 'no', automatable ? 'yes' : 'no', impact]);
    });
  });

  it.each(BOD.map((row, i) => [i, ...row] as const))('row %i: KEV %s, exposed %s, automatable %s, %s → %s', (row, kev, exposed, automatable, impact, label) => {
    expect(tables.bod(kev, exposed, automatable, impact)).toEqual({ row, label });
  });
});

describe('the CISA coordinator tree', () => {
  const tables = shippedRiskTables();
  const file = parseDecisionTable(read(RISK_FILES.coordinator));
  const cases = (['none', 'public poc', 'active'] as const).flatMap((e) =>
    ([false, true] as const).flatMap((a) => (['partial', 'total'] as const).flatMap((t) => (['low', 'medium', 'high'] as const).map((m) => [e, a, t, m] as const))),
  );

  it('holds the 36 rows of the CERTCC/SSVC file, in its order', () => {
    expect(file.rows).toHaveLength(36);
    expect(file.rows.map((r) => r.values.join('/'))).toEqual(cases.map(([e, a, t, m]) => `${e}/${a ? 'yes' : 'no'}/${t}/${m}`));
  });

  it.each(cases.map((c, i) => [i, ...c] as const))('row %i: %s, automatable %s, %s, mission %s', (row, e, a, t, m) => {
    const expected = NOT_TRACK[`${e}/${a ? 'yes' : 'no'}/${t}/${m}`] ?? 'track';
    expect(tables.coordinator(e, a, t, m)).toEqual({ row, level: expected });
  });
});

describe('validation of the tables', () => {
  const texts = { bod: read(RISK_FILES.bod), coordinator: read(RISK_FILES.coordinator), ruleDefaults: read(RISK_FILES.ruleDefaults) };

  it('refuses a table that leaves a combination undecided, repeats one, or names an unknown outcome', () => {
    const lines = texts.bod.trimEnd().split('\n');
    expect(() => buildRiskTables({ ...texts, bod: lines.slice(0, -1).join('\n') })).toThrow(/15 combinations decided, 16 exist/);
    expect(() => buildRiskTables({ ...texts, bod: [...lines.slice(0, -1), '15,yes,yes,yes,partial,3 days'].join('\n') })).toThrow(/already decided/);
    expect(() => buildRiskTables({ ...texts, bod: [...lines.slice(0, -1), '15,yes,yes,yes,total,7 days'].join('\n') })).toThrow(/unknown outcome "7 days"/);
    expect(() => buildRiskTables({ ...texts, coordinator: texts.coordinator.replace('0,none,no,partial,low', '0,maybe,no,partial,low') })).toThrow(/"maybe" is not a value/);
    expect(() => buildRiskTables({ ...texts, bod: texts.bod.replace('\n3,', '\n4,') })).toThrow(/row 4 where row 3 was expected/);
  });

  it('refuses a malformed or repeated rule default', () => {
    expect(() => buildRiskTables({ ...texts, ruleDefaults: `${texts.ruleDefaults}category:x,huge,yes,no\n` })).toThrow(/expected selector/);
    expect(() => buildRiskTables({ ...texts, ruleDefaults: `${texts.ruleDefaults}engine:yara,total,yes,yes\n` })).toThrow(/listed twice/);
  });

  it('reads category defaults before engine defaults', () => {
    const tables = shippedRiskTables();
    expect(tables.ruleDefault({ category: 'incident', engine: 'behavior' })?.selector).toBe('category:incident');
    expect(tables.ruleDefault({ category: 'webroot', engine: 'yara' })).toMatchObject({ selector: 'engine:yara', compromise: true });
    expect(tables.ruleDefault({ category: 'unheard-of', engine: 'unheard-of' })).toBeUndefined();
  });
});
