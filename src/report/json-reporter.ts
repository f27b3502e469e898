import type { ScanReport } from '../core/report.js';
import type { Reporter } from '../core/reporter.js';
import { LazyJsonArray, stringifyJsonParts } from './stringify-json.js';
import { toJsonFinding } from './to-json-finding.js';
import { isLineNumber } from './is-line-number.js';

/**
 * The whole report as one JSON document that validates against `contracts/finding-report.schema.json`,
 * plus the metadata of every rule that ran (so a consumer can tell "checked, nothing found" apart).
 */
export const jsonReporter: Reporter = {
  format: 'json',
  description: 'one JSON document (contracts/finding-report.schema.json)',
  render(report: ScanReport): string {
    return jsonParts(report).join('');
  },
  renderParts: jsonParts,
};

function jsonParts(report: ScanReport): string[] {
  return [...stringifyJsonParts(toJsonReport(report), 2), '\n'];
}

function toJsonReport(report: ScanReport): object {
  return {
    tool: { name: report.tool.name, version: report.tool.version },
    command: report.command,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    inputs: report.inputs.map((input) => ({
      kind: input.kind,
      path: input.path,
      records: input.records,
      skipped: input.skipped,
      bytes: input.bytes,
    })),
    issues: report.issues.map((issue) => ({
      code: issue.code,
      message: issue.message,
      ...(issue.path === undefined ? {} : { path: issue.path }),
      ...(isLineNumber(issue.line) ? { line: issue.line } : {}),
    })),
    // Printed one finding at a time: a hunt can report tens of thousands.
    findings: new LazyJsonArray(report.findings, toJsonFinding),
    ...(report.incidents === undefined
      ? {}
      : {
          incidents: report.incidents.map((incident) => ({
            id: incident.id,
            asset: incident.asset,
            kind: incident.kind,
            title: incident.title,
            ...(incident.firstSeen === undefined ? {} : { firstSeen: incident.firstSeen }),
            ...(incident.lastSeen === undefined ? {} : { lastSeen: incident.lastSeen }),
            members: [...incident.members],
            timeline: incident.timeline.map((moment) => ({ ...(moment.at === undefined ? {} : { at: moment.at }), fingerprint: moment.fingerprint, source: moment.source, summary: moment.summary })),
          })),
        }),
    ...(report.assets === undefined
      ? {}
      : {
          assets: report.assets.map((asset) => ({
            id: asset.id,
            kind: asset.kind,
            ...(asset.name === undefined ? {} : { name: asset.name }),
            ...(asset.parent === undefined ? {} : { parent: asset.parent }),
          })),
        }),
    rules: report.rules.map((rule) => ({
      id: rule.id,
      title: rule.title,
      description: rule.description,
      severity: rule.severity,
      confidence: rule.confidence,
      engine: rule.engine,
      category: rule.category,
      tags: [...rule.tags],
      references: [...rule.references],
      ...(rule.remediation === undefined ? {} : { remediation: rule.remediation }),
      ...(rule.technicalImpact === undefined ? {} : { technicalImpact: rule.technicalImpact }),
      ...(rule.automatable === undefined ? {} : { automatable: rule.automatable }),
      ...(rule.compromise === undefined ? {} : { compromise: rule.compromise }),
    })),
    ...(report.checks === undefined
      ? {}
      : {
          checks: report.checks.map((check) => ({
            id: check.id,
            title: check.title,
            tags: [...check.tags],
            pass: check.pass,
            fail: check.fail,
            notEvaluated: check.notEvaluated,
            notEvaluatedReasons: [...check.notEvaluatedReasons],
          })),
        }),
    // Inventory data is plain, already ordered and free of undefined values, so it is printed as built.
    ...(report.inventory === undefined ? {} : { inventory: report.inventory }),
    ...(report.verification === undefined ? {} : { verification: report.verification }),
    ...(report.feeds === undefined ? {} : { feeds: report.feeds }),
  };
}
