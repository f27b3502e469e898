import { readFileSync } from 'node:fs';
import { CONTENT_ROOT } from '../analyzers/content-root.js';
import type { PriorityLabel } from '../core/priority.js';
import type { RuleMeta } from '../core/rule-meta.js';
import { DecisionTableError, parseDecisionTable, type DecisionTable } from '../formats/ssvc/parse-decision-table.js';

/** The labels the BOD 26-04 table gives (everything but `incident`, which only the compromise gate gives). */
export type BaseLabel = Exclude<PriorityLabel, 'incident'>;
export type TechnicalImpact = 'partial' | 'total';
export type Exploitation = 'none' | 'public poc' | 'active';
export type Mission = 'low' | 'medium' | 'high';
export type CisaLevel = 'track' | 'track*' | 'attend' | 'act';

/** What a rule's hit means for the decision when the rule does not say it itself. */
export interface RuleDefault {
  /** The line that matched: `category:misconfiguration`, `engine:yara`. */
  readonly selector: string;
  readonly technicalImpact: TechnicalImpact;
  readonly automatable: boolean;
  readonly compromise: boolean;
}

/** The two CERTCC/SSVC tables and w3guard's rule defaults, validated. */
export interface RiskTables {
  /** The identifiers reports name the tables by. */
  readonly bodTable: string;
  readonly coordinatorTable: string;
  bod(inKev: boolean, publiclyExposed: boolean, automatable: boolean, technicalImpact: TechnicalImpact): { readonly row: number; readonly label: BaseLabel };
  coordinator(exploitation: Exploitation, automatable: boolean, technicalImpact: TechnicalImpact, mission: Mission): { readonly row: number; readonly level: CisaLevel };
  ruleDefault(rule: Pick<RuleMeta, 'category' | 'engine'>): RuleDefault | undefined;
}

/** The outcomes of CISA BOD 26-04 as w3guard labels them. */
export const BOD_OUTCOMES: Readonly<Record<string, BaseLabel>> = {
  'fix on system upgrade': 'next-upgrade',
  '60 days': '60d',
  '14 days': '14d',
  '3 days': '3d',
  '3 days & forensic investigation': '3d-forensic',
};
const CISA_LEVELS: readonly CisaLevel[] = ['track', 'track*', 'attend', 'act'];
const YES_NO = ['yes', 'no'] as const;
const IMPACTS = ['partial', 'total'] as const;
const EXPLOITATION = ['none', 'public poc', 'active'] as const;
const MISSION = ['low', 'medium', 'high'] as const;

/** File names under `content/risk/`. */
export const RISK_FILES = { bod: 'cisa_bod_26_04_1_0_0.csv', coordinator: 'cisa_coordinator_2_0_3.csv', ruleDefaults: 'rule-defaults.csv' } as const;

/**
 * Builds the tables from their texts; throws `DecisionTableError` when a table does not decide every
 * combination of its inputs exactly once, names an unknown value or outcome, or a default line is malformed.
 */
export function buildRiskTables(texts: { readonly bod: string; readonly coordinator: string; readonly ruleDefaults: string }): RiskTables {
  const bod = indexTable(parseDecisionTable(texts.bod), RISK_FILES.bod, [YES_NO, YES_NO, YES_NO, IMPACTS], Object.keys(BOD_OUTCOMES));
  const coordinator = indexTable(parseDecisionTable(texts.coordinator), RISK_FILES.coordinator, [EXPLOITATION, YES_NO, IMPACTS, MISSION], CISA_LEVELS);
  const defaults = parseRuleDefaults(texts.ruleDefaults);
  const yn = (value: boolean): string => (value ? 'yes' : 'no');
  return {
    bodTable: 'cisa:DT_BOD2604:1.0.0',
    coordinatorTable: 'cisa:DT_CO:2.0.3',
    bod(inKev, publiclyExposed, automatable, technicalImpact) {
      const hit = lookup(bod, [yn(inKev), yn(publiclyExposed), yn(automatable), technicalImpact]);
      return { row: hit.row, label: BOD_OUTCOMES[hit.outcome] ?? 'next-upgrade' };
    },
    coordinator(exploitation, automatable, technicalImpact, mission) {
      const hit = lookup(coordinator, [exploitation, yn(automatable), technicalImpact, mission]);
      return { row: hit.row, level: hit.outcome as CisaLevel };
    },
    ruleDefault(rule) {
      return defaults.get(`category:${rule.category}`) ?? defaults.get(`engine:${rule.engine}`);
    },
  };
}

let shipped: RiskTables | undefined;

/** The tables shipped in `content/risk/`, read and validated once per process. */
export function shippedRiskTables(): RiskTables {
  if (shipped === undefined) {
    const read = (name: string): string => readFileSync(new URL(`risk/${name}`, CONTENT_ROOT), 'utf8');
    shipped = buildRiskTables({ bod: read(RISK_FILES.bod), coordinator: read(RISK_FILES.coordinator), ruleDefaults: read(RISK_FILES.ruleDefaults) });
  }
  return shipped;
}

function indexTable(table: DecisionTable, name: string, domains: readonly (readonly string[])[], outcomes: readonly string[]): Map<string, { row: number; outcome: string }> {
  if (table.inputs.length !== domains.length) throw new DecisionTableError(`${name}: ${table.inputs.length} inputs where ${domains.length} were expected`);
  const index = new Map<string, { row: number; outcome: string }>();
  for (const row of table.rows) {
    row.values.forEach((value, i) => {
      if (!(domains[i] ?? []).includes(value)) throw new DecisionTableError(`${name} row ${row.row}: "${value}" is not a value of ${table.inputs[i] ?? ''}`);
    });
    if (!outcomes.includes(row.outcome)) throw new DecisionTableError(`${name} row ${row.row}: unknown outcome "${row.outcome}"`);
    index.set(row.values.join('\u0000'), { row: row.row, outcome: row.outcome });
  }
  const combinations = domains.reduce((n, d) => n * d.length, 1);
  if (index.size !== combinations) throw new DecisionTableError(`${name}: ${index.size} combinations decided, ${combinations} exist`);
  return index;
}

function lookup(index: ReadonlyMap<string, { row: number; outcome: string }>, values: readonly string[]): { row: number; outcome: string } {
  const hit = index.get(values.join('\u0000'));
  // Unreachable: indexTable proved every combination is present.
  if (hit === undefined) throw new DecisionTableError(`no row for ${values.join(', ')}`);
  return hit;
}

function parseRuleDefaults(text: string): Map<string, RuleDefault> {
  const result = new Map<string, RuleDefault>();
  const lines = text.split(/\r?\n/).map((line, i) => ({ line: line.trim(), number: i + 1 })).filter(({ line }) => line !== '' && !line.startsWith('#'));
  for (const { line, number } of lines.slice(1)) {
    const [selector = '', impact = '', automatable = '', compromise = '', ...rest] = line.split(',').map((c) => c.trim());
    if (rest.length > 0 || !/^(category|engine):[\w.-]+$/.test(selector) || !(IMPACTS as readonly string[]).includes(impact) || !(YES_NO as readonly string[]).includes(automatable) || !(YES_NO as readonly string[]).includes(compromise)) {
      throw new DecisionTableError(`${RISK_FILES.ruleDefaults} line ${number}: expected selector,partial|total,yes|no,yes|no`);
    }
    if (result.has(selector)) throw new DecisionTableError(`${RISK_FILES.ruleDefaults} line ${number}: ${selector} is listed twice`);
    result.set(selector, { selector, technicalImpact: impact as TechnicalImpact, automatable: automatable === 'yes', compromise: compromise === 'yes' });
  }
  return result;
}
