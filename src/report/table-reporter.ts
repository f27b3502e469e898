import type { CheckSummary } from '../core/check-summary.js';
import type { Evidence } from '../core/evidence.js';
import type { Finding } from '../core/finding.js';
import type { ScanReport } from '../core/report.js';
import type { RenderOptions, Reporter } from '../core/reporter.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import { escapeTerminal } from './escape-terminal.js';
import { isLineNumber } from './is-line-number.js';

/** How many evidence items each finding shows; the rest are counted. */
const EVIDENCE_SHOWN = 2;
/** Longest evidence text shown, in characters, before escaping. */
const EVIDENCE_CHARS = 200;
/** Longest remediation shown, in characters. */
const REMEDIATION_CHARS = 300;

/** Most severe first. */
const SEVERITY_ORDER: readonly Severity[] = [...SEVERITIES].reverse();

/** SGR codes per severity; the table prints no other escape sequences. */
const SEVERITY_STYLE: Readonly<Record<Severity, string>> = {
  critical: '1;97;41',
  high: '1;31',
  medium: '33',
  low: '36',
  info: '2',
};
const BOLD = '1';
const DIM = '2';

type Paint = (style: string, text: string) => string;

/**
 * A human-readable report: findings grouped by severity (critical first), a summary line, then the
 * issues met while reading. Every string from the report goes through `escapeTerminal`, so the only
 * escape sequences in the output are this reporter's own colours, and only when `options.color` is set.
 */
export const tableReporter: Reporter = {
  format: 'table',
  description: 'human-readable table grouped by severity',
  render(report: ScanReport, options: RenderOptions): string {
    const paint: Paint = options.color ? (style, text) => `\u001b[${style}m${text}\u001b[0m` : (_style, text) => text;
    const lines: string[] = [];
    for (const severity of SEVERITY_ORDER) {
      const group = report.findings.filter((finding) => finding.severity === severity);
      if (group.length === 0) continue;
      lines.push(paint(SEVERITY_STYLE[severity], `${severity.toUpperCase()} (${group.length})`));
      for (const finding of group) lines.push(...findingLines(finding, paint), '');
    }
    if (report.findings.length === 0) lines.push('No findings.', '');
    if (report.checks !== undefined) lines.push(...checkLines(report.checks, paint));
    lines.push(summaryLine(report, paint));
    if (report.issues.length > 0) {
      lines.push('', paint(BOLD, `Issues (${report.issues.length})`));
      for (const issue of report.issues) {
        const where = issue.path === undefined ? '' : `  ${show(issue.path)}${isLineNumber(issue.line) ? `:${issue.line}` : ''}`;
        lines.push(`  ${show(issue.code)}${where}  ${show(issue.message)}`);
      }
    }
    return `${lines.join('\n')}\n`;
  },
};

function findingLines(finding: Finding, paint: Paint): string[] {
  const label = paint(SEVERITY_STYLE[finding.severity], finding.severity.toUpperCase().padEnd(8));
  const lines = [
    `  ${label}  ${paint(BOLD, show(finding.title))}  ${paint(DIM, show(finding.ruleId))}`,
    `            asset ${show(finding.asset)}  location ${show(finding.locationKey)}  ${count(finding.occurrences, 'occurrence')}${finding.status === undefined ? '' : `  ${finding.status}`}`,
  ];
  if (finding.priority !== undefined) lines.push(`            ${priorityText(finding, paint)}`);
  if (finding.suppression !== undefined) lines.push(`            ${paint(DIM, `suppressed: ${show(finding.suppression.reason)}${finding.suppression.until === undefined ? '' : ` until ${show(finding.suppression.until)}`}`)}`);
  const { firstSeen, lastSeen } = finding;
  if (firstSeen !== undefined && (lastSeen === undefined || lastSeen === firstSeen)) lines.push(`            seen ${show(firstSeen)}`);
  else if (firstSeen !== undefined || lastSeen !== undefined) lines.push(`            seen ${show(firstSeen ?? '?')} .. ${show(lastSeen ?? '?')}`);
  for (const evidence of finding.evidence.slice(0, EVIDENCE_SHOWN)) {
    const text = evidence.text === undefined ? '' : `  ${show(truncate(evidence.text, EVIDENCE_CHARS))}`;
    lines.push(`            ${paint(DIM, evidenceWhere(evidence))}${text}`);
  }
  const hidden = finding.evidence.length - EVIDENCE_SHOWN;
  if (hidden > 0) lines.push(`            ${paint(DIM, `(+${count(hidden, 'more evidence item')})`)}`);
  if (finding.remediation !== undefined) lines.push(`            fix: ${show(truncate(finding.remediation, REMEDIATION_CHARS))}`);
  return lines;
}

/** `priority 3d-forensic  risk 86.4  due 2026-12-03` (or `no clock` for attack activity that is evidence, not a weakness). */
function priorityText(finding: Finding, paint: Paint): string {
  const priority = finding.priority;
  if (priority === undefined) return '';
  const label = priority.label === 'incident' || priority.label.startsWith('3d') ? paint(BOLD, priority.label) : priority.label;
  const due = priority.dueAt === undefined ? 'no clock' : `due ${priority.dueAt.slice(0, 10)}`;
  return `priority ${label}  risk ${priority.score.toFixed(1)}  ${due}`;
}

/** Where an evidence item was found, escaped: `file:line`, `path`, `url` or `file#recordId`. */
function evidenceWhere(evidence: Evidence): string {
  if (evidence.file !== undefined) {
    if (isLineNumber(evidence.line)) return `${show(evidence.file)}:${evidence.line}`;
    if (evidence.recordId !== undefined) return `${show(evidence.file)}#${evidence.recordId}`;
    return show(evidence.file);
  }
  return show(evidence.path ?? evidence.url ?? evidence.kind);
}

/** One line per check that failed or could not be decided, then the CIS totals. */
function checkLines(checks: readonly CheckSummary[], paint: Paint): string[] {
  const lines = [paint(BOLD, `Checks (${checks.length})`)];
  for (const check of checks) {
    if (check.fail === 0 && check.notEvaluated === 0) continue;
    const why = check.notEvaluatedReasons.length === 0 ? '' : `  (${show(truncate(check.notEvaluatedReasons.join('; '), EVIDENCE_CHARS))})`;
    lines.push(`  ${show(check.id)}  ${check.pass} pass · ${check.fail} fail · ${check.notEvaluated} not evaluated${why}`);
  }
  const cis = checks.filter((check) => check.tags.some((tag) => tag.startsWith('cis.iis10.')));
  const total = (pick: (check: CheckSummary) => number): number => cis.reduce((sum, check) => sum + pick(check), 0);
  const failing = cis.filter((check) => check.fail > 0).length;
  lines.push(
    `CIS IIS 10: ${count(cis.length, 'check')}, ${failing} failing · results ${total((c) => c.pass)} pass, ${total((c) => c.fail)} fail, ${total((c) => c.notEvaluated)} not evaluated`,
    '',
  );
  return lines;
}

function summaryLine(report: ScanReport, paint: Paint): string {
  const perSeverity = SEVERITY_ORDER.map((severity) => {
    const n = report.findings.filter((finding) => finding.severity === severity).length;
    const text = `${n} ${severity}`;
    return n > 0 ? paint(SEVERITY_STYLE[severity], text) : text;
  }).join(', ');
  const records = report.inputs.reduce((sum, input) => sum + input.records, 0);
  const skipped = report.inputs.reduce((sum, input) => sum + input.skipped, 0);
  return [
    `${paint(BOLD, count(report.findings.length, 'finding'))} (${perSeverity})`,
    `${count(report.inputs.length, 'input')} read`,
    count(records, 'record'),
    `${skipped} skipped`,
    count(report.issues.length, 'issue'),
  ].join(' · ');
}

function show(text: string): string {
  return escapeTerminal(text);
}

/** Cuts to `max` code points so a surrogate pair is never split, marking the cut. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max).join('')}…`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
