import type { Confidence } from '../core/confidence.js';
import type { Evidence } from '../core/evidence.js';
import type { Finding } from '../core/finding.js';
import type { ScanReport } from '../core/report.js';
import type { Reporter } from '../core/reporter.js';
import type { RuleMeta } from '../core/rule-meta.js';
import type { ScanIssue } from '../core/scan-issue.js';
import type { Severity } from '../core/severity.js';
import { isLineNumber } from './is-line-number.js';
import { stringifyJson } from './stringify-json.js';
import { toArtifactUri, toUrlArtifactUri } from './to-artifact-uri.js';
import { toJsonFinding, toJsonPriority } from './to-json-finding.js';

/** Where SARIF viewers send people who want to know what produced the log. */
export const W3GUARD_INFORMATION_URI = 'https://github.com/w3guard/w3guard';

/** The `$schema` the log names: the SchemaStore copy GitHub code scanning and editors resolve. */
export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** The partial fingerprint key; bump the version if the fingerprint's inputs ever change. */
export const SARIF_FINGERPRINT_KEY = 'w3guard/v1';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Readonly<Record<Severity, SarifLevel>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/**
 * GitHub code scanning reads `security-severity` (a CVSS-like score as a string) to rank alerts:
 * above 9.0 is critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
 */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

/** The `precision` property GitHub shows next to an alert. */
const PRECISION: Readonly<Record<Confidence, string>> = {
  certain: 'very-high',
  firm: 'high',
  tentative: 'medium',
};

interface SarifMessage {
  text: string;
}

interface SarifLocation {
  id?: number;
  physicalLocation: {
    artifactLocation: { uri: string };
    region?: { startLine: number; snippet?: SarifMessage };
  };
  message?: SarifMessage;
  properties?: { recordId: number };
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; precision: string; 'security-severity': string; category: string; engine: string };
}

/**
 * SARIF 2.1.0 for GitHub code scanning, Azure DevOps and IDE viewers: one run whose driver describes
 * every rule that ran or was reported, one result per finding with a stable partial fingerprint,
 * and the scan issues as tool execution notifications (they are problems with inputs, not results).
 */
export const sarifReporter: Reporter = {
  format: 'sarif',
  description: 'SARIF 2.1.0 (GitHub code scanning, IDEs)',
  render(report: ScanReport): string {
    const rules = collectRules(report);
    const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
    const log = {
      $schema: SARIF_SCHEMA_URI,
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: report.tool.name,
              version: report.tool.version,
              ...(SEMVER.test(report.tool.version) ? { semanticVersion: report.tool.version } : {}),
              informationUri: W3GUARD_INFORMATION_URI,
              rules: rules.map(toSarifRule),
            },
          },
          invocations: [
            {
              executionSuccessful: true,
              startTimeUtc: report.startedAt,
              endTimeUtc: report.finishedAt,
              toolExecutionNotifications: report.issues.map(toNotification),
            },
          ],
          results: report.findings.map((finding) => toResult(finding, ruleIndex.get(finding.ruleId) ?? -1)),
          properties: { command: report.command },
        },
      ],
    };
    return `${stringifyJson(log, 2)}\n`;
  },
};

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** The rules that ran, then any rule a finding names that was not among them, each id once. */
function collectRules(report: ScanReport): RuleMeta[] {
  const byId = new Map<string, RuleMeta>();
  for (const rule of report.rules) if (!byId.has(rule.id)) byId.set(rule.id, rule);
  for (const finding of report.findings) if (!byId.has(finding.ruleId)) byId.set(finding.ruleId, ruleFromFinding(finding));
  return [...byId.values()];
}

function ruleFromFinding(finding: Finding): RuleMeta {
  return {
    id: finding.ruleId,
    title: finding.title,
    description: finding.description,
    severity: finding.severity,
    confidence: finding.confidence,
    engine: finding.engine,
    category: finding.category,
    tags: finding.tags,
    references: finding.references,
    ...(finding.remediation === undefined ? {} : { remediation: finding.remediation }),
  };
}

function toSarifRule(rule: RuleMeta): SarifRule {
  const helpUri = rule.references.find(isWebUrl);
  const help = [
    rule.description || rule.title,
    ...(rule.remediation === undefined ? [] : [`Remediation: ${rule.remediation}`]),
    ...(rule.references.length === 0 ? [] : [`References:\n${rule.references.map((ref) => `- ${ref}`).join('\n')}`]),
  ].join('\n\n');
  return {
    id: rule.id,
    name: ruleName(rule),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description || rule.title },
    help: { text: help },
    ...(helpUri === undefined ? {} : { helpUri }),
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: [...new Set(['security', ...rule.tags])],
      precision: PRECISION[rule.confidence],
      'security-severity': SECURITY_SEVERITY[rule.severity],
      category: rule.category,
      engine: rule.engine,
    },
  };
}

/** SARIF wants `name` to be an identifier a person can read: the title in PascalCase, else the id. */
function ruleName(rule: RuleMeta): string {
  const words = rule.title.match(/[A-Za-z0-9]+/g) ?? [];
  const name = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
  return name === '' ? rule.id : name;
}

function isWebUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const { protocol } = new URL(text);
  return protocol === 'https:' || protocol === 'http:';
}

function toResult(finding: Finding, ruleIndex: number) {
  const [first, ...rest] = finding.evidence;
  const primary = first === undefined ? undefined : toLocation(first);
  const related = rest.flatMap((evidence, index) => {
    const location = toLocation(evidence);
    return location === undefined ? [] : [{ id: index + 1, ...location }];
  });
  return {
    ruleId: finding.ruleId,
    ...(ruleIndex >= 0 ? { ruleIndex } : {}),
    level: LEVEL[finding.severity],
    // SARIF's rank (0–100) is what w3guard's risk is: the priority order of results.
    ...(finding.risk === undefined ? {} : { rank: finding.risk }),
    message: { text: resultMessage(finding) },
    ...(primary === undefined ? {} : { locations: [primary] }),
    ...(related.length === 0 ? {} : { relatedLocations: related }),
    partialFingerprints: { [SARIF_FINGERPRINT_KEY]: finding.fingerprint },
    ...(finding.suppression === undefined ? {} : { suppressions: [{ kind: 'external', justification: finding.suppression.reason }] }),
    properties: {
      occurrences: finding.occurrences,
      ...(finding.firstSeen === undefined ? {} : { firstSeen: finding.firstSeen }),
      ...(finding.lastSeen === undefined ? {} : { lastSeen: finding.lastSeen }),
      asset: finding.asset,
      locationKey: finding.locationKey,
      confidence: finding.confidence,
      category: finding.category,
      ...(finding.status === undefined ? {} : { status: finding.status }),
      ...(finding.risk === undefined ? {} : { risk: finding.risk }),
      ...(finding.priority === undefined ? {} : { priority: toJsonPriority(finding.priority) }),
      ...(finding.related === undefined ? {} : { related: [...finding.related] }),
      ...(finding.suppression === undefined ? {} : { suppression: toJsonFinding(finding).suppression }),
    },
  };
}

function resultMessage(finding: Finding): string {
  const times = finding.occurrences === 1 ? '1 occurrence' : `${finding.occurrences} occurrences`;
  return `${finding.title} — asset ${finding.asset}, location ${finding.locationKey}, ${times}.`;
}

/**
 * Where one evidence item points. `file` (log, config, event file) wins over `path`, which wins over
 * `url`; the line becomes the region, and the capped text its snippet, or the location's message when
 * there is no line to attach it to.
 */
function toLocation(evidence: Evidence): SarifLocation | undefined {
  const where = evidence.file ?? evidence.path;
  const uri = where !== undefined ? toArtifactUri(where) : evidence.url !== undefined ? toUrlArtifactUri(evidence.url) : undefined;
  if (uri === undefined) return undefined;
  const text = evidence.text;
  const line = evidence.line;
  return {
    physicalLocation: {
      artifactLocation: { uri },
      ...(isLineNumber(line) ? { region: { startLine: line, ...(text === undefined ? {} : { snippet: { text } }) } } : {}),
    },
    ...(!isLineNumber(line) && text !== undefined ? { message: { text } } : {}),
    ...(evidence.recordId !== undefined && Number.isSafeInteger(evidence.recordId) ? { properties: { recordId: evidence.recordId } } : {}),
  };
}

function toNotification(issue: ScanIssue) {
  const location: SarifLocation | undefined =
    issue.path === undefined
      ? undefined
      : {
          physicalLocation: {
            artifactLocation: { uri: toArtifactUri(issue.path) },
            ...(isLineNumber(issue.line) ? { region: { startLine: issue.line } } : {}),
          },
        };
  return {
    level: 'warning',
    message: { text: issue.message },
    descriptor: { id: issue.code },
    ...(location === undefined ? {} : { locations: [location] }),
  };
}
