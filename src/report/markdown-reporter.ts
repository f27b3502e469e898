import type { CheckSummary } from '../core/check-summary.js';
import type { Evidence } from '../core/evidence.js';
import type { Finding } from '../core/finding.js';
import type { ScanReport } from '../core/report.js';
import type { Reporter } from '../core/reporter.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import { escapeMarkdown as text, markdownCode as code } from './escape-markdown.js';
import { explainPriority } from './explain-priority.js';
import { isLineNumber } from './is-line-number.js';

/** Most severe first. */
const SEVERITY_ORDER: readonly Severity[] = [...SEVERITIES].reverse();
/** Longest evidence text shown, in characters. */
const EVIDENCE_CHARS = 400;
const CIS_TAG = /^cis\.iis10\.(\d+(?:\.\d+)*)$/;

/**
 * A report to read in a browser, a wiki or a ticket (CommonMark with GFM tables): a summary, the CIS results
 * table when checks ran, every finding with its evidence (file:line) and remediation commands, then the issues.
 * Text from rules goes through `escapeMarkdown`; text from scanned files (paths, evidence, values, assets,
 * issue messages, not-evaluated reasons) is shown as code spans, so nothing an attacker wrote can become HTML, a link or a broken table.
 */
export const markdownReporter: Reporter = {
  format: 'md',
  description: 'Markdown (CommonMark with GFM tables) for wikis, tickets and pull requests',
  render(report: ScanReport): string {
    const lines: string[] = [`# w3guard ${text(report.command)} report`, ''];
    lines.push(...summaryLines(report), '');
    if (report.checks !== undefined && report.checks.length > 0) lines.push(...checkLines(report.checks));
    lines.push(`## Findings (${report.findings.length})`, '');
    if (report.findings.length === 0) lines.push('No findings.', '');
    let index = 0;
    for (const severity of SEVERITY_ORDER) {
      for (const finding of report.findings.filter((candidate) => candidate.severity === severity)) {
        index += 1;
        lines.push(...findingLines(finding, index), '');
      }
    }
    if (report.issues.length > 0) {
      lines.push(`## Issues (${report.issues.length})`, '');
      for (const issue of report.issues) {
        const where = issue.path === undefined ? '' : ` in ${code(`${issue.path}${isLineNumber(issue.line) ? `:${issue.line}` : ''}`)}`;
        lines.push(`- ${code(issue.code)}${where}: ${code(issue.message)}`);
      }
      lines.push('');
    }
    return `${lines.join('\n').replace(/\n+$/, '')}\n`;
  },
};

function summaryLines(report: ScanReport): string[] {
  const perSeverity = SEVERITY_ORDER.map((severity) => `${report.findings.filter((finding) => finding.severity === severity).length} ${severity}`).join(', ');
  return [
    `- **Tool:** w3guard ${text(report.tool.version)}`,
    `- **Run:** ${text(report.startedAt)} to ${text(report.finishedAt)}`,
    `- **Findings:** ${report.findings.length} (${perSeverity})`,
    `- **Inputs read:** ${report.inputs.length}, ${report.inputs.reduce((sum, input) => sum + input.records, 0)} records, ${report.inputs.reduce((sum, input) => sum + input.skipped, 0)} skipped`,
    `- **Issues:** ${report.issues.length}`,
  ];
}

/** The CIS number of a check (`3.2`), or undefined for w3guard's own checks. */
function cisNumber(check: CheckSummary): string | undefined {
  for (const tag of check.tags) {
    const match = CIS_TAG.exec(tag);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

function compareNumbers(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** A check's result over everything it was evaluated on: any failure fails it; a pass needs no open question. */
function verdict(check: CheckSummary): string {
  if (check.fail > 0) return '**fail**';
  if (check.pass > 0) return check.notEvaluated > 0 ? 'pass (partly not evaluated)' : 'pass';
  return 'not evaluated';
}

function checkRow(check: CheckSummary, first: readonly string[]): string {
  // Reasons quote file paths and values from the scanned files: code spans, like the evidence.
  const why = check.notEvaluatedReasons.map((reason) => code(reason, true)).join('; ');
  return `| ${[...first, text(check.title), verdict(check), String(check.pass), String(check.fail), String(check.notEvaluated), why].join(' | ')} |`;
}

function levelOf(check: CheckSummary): string {
  return check.tags.find((tag) => /^cis\.level\d$/.test(tag))?.slice('cis.level'.length) ?? '';
}

function checkLines(checks: readonly CheckSummary[]): string[] {
  const cis = checks
    .flatMap((check) => {
      const number = cisNumber(check);
      return number === undefined ? [] : [{ check, number }];
    })
    .sort((a, b) => compareNumbers(a.number, b.number) || (a.check.id < b.check.id ? -1 : a.check.id > b.check.id ? 1 : 0));
  const lines: string[] = [];
  if (cis.length > 0) {
    const count = (pick: (check: CheckSummary) => boolean): number => cis.filter(({ check }) => pick(check)).length;
    lines.push(
      '## CIS Microsoft IIS 10 results',
      '',
      `${cis.length} recommendations: ${count((c) => c.fail > 0)} fail, ${count((c) => c.fail === 0 && c.pass > 0)} pass, ${count((c) => c.fail === 0 && c.pass === 0)} not evaluated.`,
      '',
      '| CIS | Level | What fails the check | Result | Pass | Fail | Not evaluated | Why not evaluated |',
      '| --- | --- | --- | --- | ---: | ---: | ---: | --- |',
      ...cis.map(({ check, number }) => checkRow(check, [text(number), levelOf(check)])),
      '',
    );
  }
  const own = checks.filter((check) => cisNumber(check) === undefined && (check.fail > 0 || check.notEvaluated > 0));
  if (own.length > 0) {
    lines.push(
      '## Other checks that failed or were not evaluated',
      '',
      '| Check | What fails it | Result | Pass | Fail | Not evaluated | Why not evaluated |',
      '| --- | --- | --- | ---: | ---: | ---: | --- |',
      ...own.map((check) => checkRow(check, [code(check.id, true)])),
      '',
    );
  }
  return lines;
}

function findingLines(finding: Finding, index: number): string[] {
  const lines = [
    `### ${index}. ${finding.severity.toUpperCase()}: ${text(finding.title)}`,
    '',
    `- **Rule:** ${code(finding.ruleId)} (${text(finding.category)}, confidence ${text(finding.confidence)})`,
    `- **Asset:** ${code(finding.asset)}`,
    `- **Location:** ${code(finding.locationKey)}`,
    `- **Occurrences:** ${finding.occurrences}${seen(finding)}`,
  ];
  if (finding.status !== undefined) lines.push(`- **Status:** ${text(finding.status)}`);
  if (finding.priority !== undefined) {
    const due = finding.priority.dueAt === undefined ? 'no remediation clock' : `due ${text(finding.priority.dueAt)}`;
    lines.push(`- **Priority:** ${text(finding.priority.label)}, risk ${finding.priority.score.toFixed(1)}, ${due}`, `- **Why this priority:** ${code(explainPriority(finding.priority))}`);
  }
  if (finding.related !== undefined && finding.related.length > 0) lines.push(`- **Related:** ${finding.related.map((r) => code(r)).join(', ')}`);
  if (finding.suppression !== undefined) lines.push(`- **Suppressed:** ${code(finding.suppression.reason)}${finding.suppression.until === undefined ? '' : ` until ${code(finding.suppression.until)}`}`);
  const tags = finding.tags.filter((tag) => tag !== '');
  if (tags.length > 0) lines.push(`- **Tags:** ${tags.map((tag) => code(tag)).join(', ')}`);
  lines.push(`- **What it means:** ${text(finding.description)}`, '- **Evidence:**');
  for (const evidence of finding.evidence) {
    const excerpt = evidence.text === undefined ? '' : `: ${code(truncate(evidence.text, EVIDENCE_CHARS))}`;
    lines.push(`  - ${code(where(evidence))}${excerpt}`);
  }
  const hidden = finding.occurrences - finding.evidence.length;
  if (hidden > 0) lines.push(`  - (${hidden} more not shown)`);
  if (finding.remediation !== undefined) lines.push(...remediationLines(finding.remediation));
  return lines;
}

/** Where a remediation text starts its next command: ` | ` before a command label (commands may hold pipes themselves). */
const COMMAND_BREAK = / \| (?=(?:appcmd|PowerShell|reg\.exe): )/;

/** The remediation's lead sentence, then each command (`appcmd: …`, `PowerShell: …`, `reg.exe: …`) as its own item. */
function remediationLines(remediation: string): string[] {
  const [lead = '', ...commands] = remediation.split(COMMAND_BREAK);
  const lines = [`- **Fix:** ${text(lead)}`];
  for (const command of commands) {
    const colon = command.indexOf(': ');
    lines.push(`  - ${text(command.slice(0, colon))}: ${code(command.slice(colon + 2))}`);
  }
  return lines;
}

function seen(finding: Finding): string {
  const { firstSeen, lastSeen } = finding;
  if (firstSeen === undefined && lastSeen === undefined) return '';
  if (firstSeen !== undefined && (lastSeen === undefined || lastSeen === firstSeen)) return `, seen ${text(firstSeen)}`;
  return `, seen ${text(firstSeen ?? '?')} to ${text(lastSeen ?? '?')}`;
}

/** Where an evidence item was found: `file:line`, `file#recordId`, `path` or `url`. */
function where(evidence: Evidence): string {
  if (evidence.file !== undefined) {
    if (isLineNumber(evidence.line)) return `${evidence.file}:${evidence.line}`;
    if (evidence.recordId !== undefined) return `${evidence.file}#${evidence.recordId}`;
    return evidence.file;
  }
  return evidence.path ?? evidence.url ?? evidence.kind;
}

/** Cuts to `max` code points so a surrogate pair is never split, marking the cut. */
function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  const points = Array.from(value);
  return points.length <= max ? value : `${points.slice(0, max).join('')}…`;
}
