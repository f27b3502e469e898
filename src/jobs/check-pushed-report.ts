import type { Coverage } from '../core/coverage.js';
import type { Evidence } from '../core/evidence.js';
import type { Finding } from '../core/finding.js';
import type { Incident } from '../core/incident.js';
import { SEVERITIES } from '../core/severity.js';

/** A pushed report, checked: what the store records. */
export interface PushedReport {
  readonly command: string;
  readonly toolVersion: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly findings: readonly Finding[];
  /** Sent by `host --push` beside the report: what the run looked at, so the store can close what it no longer found. */
  readonly coverage: readonly Coverage[];
  /** The report's incidents (members by fingerprint), announced once each. */
  readonly incidents: readonly Incident[];
}

/** The first problem of a pushed report, as one sentence naming where it is. */
export class ReportShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportShapeError';
  }
}

const CONFIDENCES = ['tentative', 'firm', 'certain'];
const LABELS = ['incident', '3d-forensic', '3d', '14d', '60d', 'next-upgrade'];
/** What one report may hold: far above any real host, low enough that one push cannot exhaust the server. */
const MAX_FINDINGS = 200_000;
const MAX_COVERAGE = 2_000_000;
const MAX_TEXT = 100_000;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

type Obj = Record<string, unknown>;

function fail(where: string, what: string): never {
  throw new ReportShapeError(`${where} ${what}.`);
}

function object(value: unknown, where: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'must be an object');
  return value as Obj;
}

function text(value: unknown, where: string, options: { readonly optional?: boolean; readonly nonEmpty?: boolean } = {}): string | undefined {
  if (value === undefined && options.optional === true) return undefined;
  if (typeof value !== 'string') fail(where, 'must be a string');
  if (value.length > MAX_TEXT) fail(where, `must be at most ${MAX_TEXT} characters`);
  if (options.nonEmpty === true && value.trim() === '') fail(where, 'must not be empty');
  return value;
}

function dateTime(value: unknown, where: string, optional = false): string | undefined {
  const given = text(value, where, { optional });
  if (given !== undefined && (!DATE_TIME.test(given) || Number.isNaN(Date.parse(given)))) fail(where, 'must be an ISO 8601 date-time such as 2026-11-30T04:00:00Z');
  return given;
}

function array(value: unknown, where: string, max: number, optional = false): unknown[] | undefined {
  if (value === undefined && optional) return undefined;
  if (!Array.isArray(value)) fail(where, 'must be an array');
  if (value.length > max) fail(where, `must hold at most ${max} items`);
  return value;
}

function strings(value: unknown, where: string): string[] {
  return (array(value, where, 10_000, true) ?? []).map((item, i) => text(item, `${where}[${i}]`) as string);
}

function integer(value: unknown, where: string, min: number, optional = false): number | undefined {
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) fail(where, `must be an integer of at least ${min}`);
  return value;
}

function evidence(value: unknown, where: string): Evidence {
  const e = object(value, where);
  const kind = text(e['kind'], `${where}.kind`, { nonEmpty: true }) as string;
  const file = text(e['file'], `${where}.file`, { optional: true });
  const line = integer(e['line'], `${where}.line`, 1, true);
  const path = text(e['path'], `${where}.path`, { optional: true });
  const url = text(e['url'], `${where}.url`, { optional: true });
  const recordId = integer(e['recordId'], `${where}.recordId`, 0, true);
  const body = text(e['text'], `${where}.text`, { optional: true });
  return { kind, ...(file === undefined ? {} : { file }), ...(line === undefined ? {} : { line }), ...(path === undefined ? {} : { path }), ...(url === undefined ? {} : { url }), ...(recordId === undefined ? {} : { recordId }), ...(body === undefined ? {} : { text: body }) };
}

function finding(value: unknown, where: string): Finding {
  const f = object(value, where);
  const severity = f['severity'];
  if (typeof severity !== 'string' || !(SEVERITIES as readonly string[]).includes(severity)) fail(`${where}.severity`, `must be one of ${SEVERITIES.join(', ')}`);
  const confidence = f['confidence'] ?? 'firm';
  if (typeof confidence !== 'string' || !CONFIDENCES.includes(confidence)) fail(`${where}.confidence`, `must be one of ${CONFIDENCES.join(', ')}`);
  const evidenceItems = array(f['evidence'], `${where}.evidence`, 1000) as unknown[];
  if (evidenceItems.length === 0) fail(`${where}.evidence`, 'must hold at least one item');
  const risk = f['risk'];
  if (risk !== undefined && (typeof risk !== 'number' || !(risk >= 0 && risk <= 100))) fail(`${where}.risk`, 'must be a number from 0 to 100');
  let priority: Finding['priority'];
  if (f['priority'] !== undefined) {
    const p = object(f['priority'], `${where}.priority`);
    if (typeof p['label'] !== 'string' || !LABELS.includes(p['label'])) fail(`${where}.priority.label`, `must be one of ${LABELS.join(', ')}`);
    const inputs = array(p['inputs'], `${where}.priority.inputs`, 100) as unknown[];
    inputs.forEach((input, i) => {
      const entry = object(input, `${where}.priority.inputs[${i}]`);
      text(entry['name'], `${where}.priority.inputs[${i}].name`);
      text(entry['source'], `${where}.priority.inputs[${i}].source`);
    });
    dateTime(p['dueAt'], `${where}.priority.dueAt`, true);
    priority = p as unknown as Finding['priority'];
  }
  const remediation = text(f['remediation'], `${where}.remediation`, { optional: true });
  const firstSeen = dateTime(f['firstSeen'], `${where}.firstSeen`, true);
  const lastSeen = dateTime(f['lastSeen'], `${where}.lastSeen`, true);
  const locationKey = text(f['locationKey'], `${where}.locationKey`, { optional: true });
  const fingerprint = text(f['fingerprint'], `${where}.fingerprint`, { nonEmpty: true }) as string;
  return {
    fingerprint,
    ruleId: text(f['ruleId'], `${where}.ruleId`, { nonEmpty: true }) as string,
    engine: text(f['engine'], `${where}.engine`, { optional: true }) ?? 'import',
    title: text(f['title'], `${where}.title`) as string,
    description: text(f['description'], `${where}.description`, { optional: true }) ?? '',
    severity: severity as Finding['severity'],
    confidence: confidence as Finding['confidence'],
    category: text(f['category'], `${where}.category`, { optional: true }) ?? 'other',
    asset: text(f['asset'], `${where}.asset`, { nonEmpty: true }) as string,
    locationKey: locationKey ?? fingerprint,
    tags: strings(f['tags'], `${where}.tags`),
    references: strings(f['references'], `${where}.references`),
    ...(remediation === undefined ? {} : { remediation }),
    occurrences: integer(f['occurrences'], `${where}.occurrences`, 1) as number,
    ...(firstSeen === undefined ? {} : { firstSeen }),
    ...(lastSeen === undefined ? {} : { lastSeen }),
    evidence: evidenceItems.map((item, i) => evidence(item, `${where}.evidence[${i}]`)),
    ...(typeof risk === 'number' ? { risk } : {}),
    ...(priority === undefined ? {} : { priority }),
  };
}

/**
 * Checks a pushed `--format json` report against the shape of `finding-report.schema.json` (what the store
 * needs of it) and returns what to record; throws `ReportShapeError` naming the first problem.
 */
export function checkPushedReport(body: unknown): PushedReport {
  const r = object(body, 'the report');
  const tool = object(r['tool'], 'tool');
  if (tool['name'] !== 'w3guard') fail('tool.name', 'must be "w3guard"');
  const toolVersion = text(tool['version'], 'tool.version', { nonEmpty: true }) as string;
  const command = text(r['command'], 'command', { nonEmpty: true }) as string;
  const startedAt = dateTime(r['startedAt'], 'startedAt') as string;
  const finishedAt = dateTime(r['finishedAt'], 'finishedAt') as string;
  (array(r['inputs'], 'inputs', 1_000_000) as unknown[]).forEach((input, i) => text(object(input, `inputs[${i}]`)['kind'], `inputs[${i}].kind`));
  (array(r['issues'], 'issues', 1_000_000) as unknown[]).forEach((issue, i) => {
    const entry = object(issue, `issues[${i}]`);
    text(entry['code'], `issues[${i}].code`);
    text(entry['message'], `issues[${i}].message`);
  });
  const findings = (array(r['findings'], 'findings', MAX_FINDINGS) as unknown[]).map((item, i) => finding(item, `findings[${i}]`));
  const coverage = (array(r['coverage'], 'coverage', MAX_COVERAGE, true) ?? []).map((item, i) => {
    const entry = object(item, `coverage[${i}]`);
    return { ruleId: text(entry['ruleId'], `coverage[${i}].ruleId`, { nonEmpty: true }) as string, asset: text(entry['asset'], `coverage[${i}].asset`, { nonEmpty: true }) as string };
  });
  const incidents = (array(r['incidents'], 'incidents', MAX_FINDINGS, true) ?? []).map((item, i): Incident => {
    const entry = object(item, `incidents[${i}]`);
    const field = (name: string): string => text(entry[name], `incidents[${i}].${name}`, { nonEmpty: true }) as string;
    const members = (array(entry['members'], `incidents[${i}].members`, MAX_FINDINGS) as unknown[]).map((m, j) => text(m, `incidents[${i}].members[${j}]`, { nonEmpty: true }) as string);
    // The timeline is for people reading the report; the server announces the incident and links its members.
    return { id: field('id'), asset: field('asset'), title: field('title'), kind: field('kind'), members, timeline: [] };
  });
  return { command, toolVersion, startedAt, finishedAt, findings, coverage, incidents };
}
