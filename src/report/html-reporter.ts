import { createHash } from 'node:crypto';
import type { CheckSummary } from '../core/check-summary.js';
import type { Evidence } from '../core/evidence.js';
import { compareFindings } from '../core/finding-aggregator.js';
import type { Finding } from '../core/finding.js';
import { FINDING_STATUSES } from '../core/finding-status.js';
import type { Incident } from '../core/incident.js';
import { PRIORITY_LABELS, type Priority, type PriorityLabel } from '../core/priority.js';
import type { ScanReport } from '../core/report.js';
import type { Reporter } from '../core/reporter.js';
import { SEVERITIES, severityRank, type Severity } from '../core/severity.js';
import { escapeHtml, htmlText as text } from './escape-html.js';
import { HTML_PAGE_SCRIPT } from './html-page-script.js';
import { HTML_PAGE_STYLE } from './html-page-style.js';
import { isLineNumber } from './is-line-number.js';

/** Longest evidence excerpt shown, in characters; the rest is counted, not shown. */
const EVIDENCE_CHARS = 4000;
/** Most severe first. */
const SEVERITY_ORDER: readonly Severity[] = [...SEVERITIES].reverse();
const UNRATED = 'unrated';
const UNRECORDED = 'unrecorded';

const LABEL_NAMES: Readonly<Record<PriorityLabel | typeof UNRATED, string>> = {
  incident: 'Incident',
  '3d-forensic': '3 days + forensics',
  '3d': '3 days',
  '14d': '14 days',
  '60d': '60 days',
  'next-upgrade': 'Next upgrade',
  [UNRATED]: 'Not rated',
};

function sha256(source: string): string {
  return `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
}

/**
 * The report's Content-Security-Policy: nothing may load from anywhere, and only our own inline script and
 * stylesheet (by hash) may run or apply, so markup that slipped into the page could neither execute nor fetch.
 */
export const HTML_REPORT_CSP = [
  "default-src 'none'",
  `script-src ${sha256(HTML_PAGE_SCRIPT)}`,
  `style-src ${sha256(HTML_PAGE_STYLE)}`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * One self-contained HTML file to open in any browser, mail or archive: the summary, the incidents with their
 * timelines, the findings by risk with their evidence and why they rank where they do, filters, scan issues and
 * the inputs read. Everything is rendered here as escaped text (control characters as visible badges), so the
 * page is complete with scripts off; the one inline script only filters. A strict CSP forbids any fetch.
 */
export const htmlReporter: Reporter = {
  format: 'html',
  description: 'one self-contained HTML page with filters (no external fetch, strict CSP)',
  render(report: ScanReport): string {
    const findings = [...report.findings].sort(byRisk);
    const anchors = new Map<string, number>();
    findings.forEach((finding, index) => {
      if (!anchors.has(finding.fingerprint)) anchors.set(finding.fingerprint, index);
    });
    const page = new Page(findings, anchors, report.incidents ?? []);
    const title = `w3guard ${report.command} report`;
    return [
      '<!DOCTYPE html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      `<meta http-equiv="Content-Security-Policy" content="${HTML_REPORT_CSP}">`,
      '<meta name="referrer" content="no-referrer">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      '<meta name="color-scheme" content="light dark">',
      `<title>${text(title)}</title>`,
      `<style>${HTML_PAGE_STYLE}</style>`,
      '</head>',
      '<body>',
      '<header>',
      `<h1>${text(title)}</h1>`,
      `<p class="meta">w3guard ${text(report.tool.version)} · run ${time(report.startedAt)} to ${time(report.finishedAt)}${duration(report)} · times in UTC</p>`,
      '</header>',
      '<main>',
      page.summary(report),
      page.incidents(report.incidents ?? []),
      page.findings(),
      checksSection(report.checks ?? []),
      issuesSection(report),
      inputsSection(report),
      '</main>',
      `<footer>Made by w3guard ${text(report.tool.version)} (${text(report.command)}), ${time(report.finishedAt)}. Text from scanned files, logs and responses is shown as text; control characters appear as badges such as <span class="cc">\\x1b</span>.</footer>`,
      `<script>${HTML_PAGE_SCRIPT}</script>`,
      '</body>',
      '</html>',
      '',
    ].join('\n');
  },
};

/** Highest risk first; findings without a risk after those with one, in the usual severity order. */
function byRisk(a: Finding, b: Finding): number {
  return (b.risk ?? -1) - (a.risk ?? -1) || compareFindings(a, b);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function labelOf(finding: Finding): PriorityLabel | typeof UNRATED {
  return finding.priority?.label ?? UNRATED;
}

function statusOf(finding: Finding): string {
  return finding.status ?? UNRECORDED;
}

/** The rendering of the parts that link to findings or filter them; indexes built once, so a large report stays linear. */
class Page {
  readonly #findings: readonly Finding[];
  readonly #anchors: ReadonlyMap<string, number>;
  /** Assets in name order, each with its findings (in risk order) and its filter token (its position). */
  readonly #assets: ReadonlyMap<string, { readonly token: number; readonly findings: readonly Finding[] }>;
  /** The incidents (by their 1-based anchor) each finding is a member of. */
  readonly #incidentsOf = new Map<string, { readonly anchor: number; readonly title: string }[]>();

  constructor(findings: readonly Finding[], anchors: ReadonlyMap<string, number>, incidents: readonly Incident[]) {
    this.#findings = findings;
    this.#anchors = anchors;
    const byAsset = new Map<string, Finding[]>();
    for (const finding of findings) {
      const mine = byAsset.get(finding.asset);
      if (mine === undefined) byAsset.set(finding.asset, [finding]);
      else mine.push(finding);
    }
    this.#assets = new Map([...byAsset.keys()].sort(compareText).map((asset, token) => [asset, { token, findings: byAsset.get(asset) ?? [] }]));
    incidents.forEach((incident, index) => {
      for (const member of new Set(incident.members)) {
        const list = this.#incidentsOf.get(member) ?? [];
        list.push({ anchor: index + 1, title: incident.title });
        this.#incidentsOf.set(member, list);
      }
    });
  }

  summary(report: ScanReport): string {
    const findings = this.#findings;
    const labels = [...PRIORITY_LABELS, UNRATED] as const;
    const statuses = [...FINDING_STATUSES, UNRECORDED];
    const records = report.inputs.reduce((sum, input) => sum + input.records, 0);
    const bytes = report.inputs.reduce((sum, input) => sum + input.bytes, 0);
    const suppressed = findings.filter((finding) => finding.suppression !== undefined).length;
    const facts = [
      ['Findings', `${findings.length}${suppressed > 0 ? ` (${suppressed} suppressed)` : ''}`],
      ['Incidents', String(report.incidents?.length ?? 0)],
      ['Inputs read', `${report.inputs.length} (${records} records, ${bytes} bytes)`],
      ['Scan issues', String(report.issues.length)],
    ];
    const countTable = (heading: string, rows: readonly [string, string, number][]): string =>
      `<div><h3>${heading}</h3><table><tbody>${rows
        .map(([cls, name, count]) => `<tr><td><span class="badge ${cls}">${name}</span></td><td class="num">${count}</td></tr>`)
        .join('')}</tbody></table></div>`;
    const byLabel = labels
      .map((label): [string, string, number] => [`label-${label}`, LABEL_NAMES[label], findings.filter((f) => labelOf(f) === label).length])
      .filter(([, , count], index) => count > 0 || index < PRIORITY_LABELS.length);
    const bySeverity = SEVERITY_ORDER.map((severity): [string, string, number] => [`severity-${severity}`, severity, findings.filter((f) => f.severity === severity).length]);
    const byStatus = statuses
      .map((status): [string, string, number] => [`status-${status}`, status === UNRECORDED ? 'not recorded (no --db)' : status, findings.filter((f) => statusOf(f) === status).length])
      .filter(([, , count]) => count > 0);
    return [
      '<section id="summary">',
      '<h2>Summary</h2>',
      `<dl class="facts">${facts.map(([name, value]) => `<dt>${name}</dt><dd>${value}</dd>`).join('')}</dl>`,
      '<div class="cards">',
      countTable('By priority', byLabel),
      countTable('By severity', bySeverity),
      byStatus.length > 0 ? countTable('By status', byStatus) : '',
      '</div>',
      this.#assetTable(),
      '</section>',
    ].join('\n');
  }

  #assetTable(): string {
    if (this.#assets.size === 0) return '';
    const rows = [...this.#assets].map(([asset, { findings: mine }]) => {
      const top = mine[0];
      const risk = mine.reduce<number | undefined>((max, finding) => (finding.risk === undefined ? max : Math.max(max ?? finding.risk, finding.risk)), undefined);
      const highest = mine.reduce((best, finding) => (severityRank(finding.severity) > severityRank(best) ? finding.severity : best), 'info' as Severity);
      const counts = SEVERITY_ORDER.map((severity) => `<td class="num">${mine.filter((finding) => finding.severity === severity).length}</td>`).join('');
      const label = top === undefined ? '' : labelBadge(labelOf(top));
      return `<tr><td><code>${text(asset)}</code></td><td class="num">${mine.length}</td><td>${label}</td><td class="num">${risk === undefined ? '' : formatRisk(risk)}</td><td><span class="badge severity-${highest}">${highest}</span></td>${counts}</tr>`;
    });
    return [
      '<h3>Per asset</h3>',
      '<table class="wide"><thead><tr><th>Asset</th><th class="num">Findings</th><th>Top priority</th><th class="num">Top risk</th><th>Top severity</th>',
      SEVERITY_ORDER.map((severity) => `<th class="num">${severity}</th>`).join(''),
      '</tr></thead><tbody>',
      ...rows,
      '</tbody></table>',
    ].join('\n');
  }

  incidents(incidents: readonly Incident[]): string {
    if (incidents.length === 0) return '';
    const parts = [`<section id="incidents">`, `<h2>Incidents (${incidents.length})</h2>`];
    incidents.forEach((incident, index) => {
      const seen = incident.firstSeen === undefined ? '' : ` · ${time(incident.firstSeen)}${incident.lastSeen === undefined || incident.lastSeen === incident.firstSeen ? '' : ` to ${time(incident.lastSeen)}`}`;
      parts.push(
        `<article class="incident" id="incident-${index + 1}">`,
        `<h3>${text(incident.title)}</h3>`,
        `<p class="meta">${text(incident.kind)} · asset <code>${text(incident.asset)}</code>${seen} · ${incident.members.length} findings joined · id <code>${text(incident.id)}</code></p>`,
        '<table class="wide timeline"><thead><tr><th>Time (UTC)</th><th>Source</th><th>What happened</th><th>Finding</th></tr></thead><tbody>',
        ...incident.timeline.map(
          (moment) =>
            `<tr><td>${moment.at === undefined ? '<span class="muted">no time</span>' : time(moment.at)}</td><td>${text(moment.source)}</td><td>${text(moment.summary)}</td><td>${this.#link(moment.fingerprint)}</td></tr>`,
        ),
        '</tbody></table>',
        '</article>',
      );
    });
    parts.push('</section>');
    return parts.join('\n');
  }

  findings(): string {
    const findings = this.#findings;
    const parts = ['<section id="findings">', `<h2>Findings (${findings.length})</h2>`];
    if (findings.length === 0) {
      parts.push('<p>No findings.</p>', '</section>');
      return parts.join('\n');
    }
    parts.push(this.#filters());
    findings.forEach((finding, index) => parts.push(this.#finding(finding, index)));
    parts.push('</section>');
    return parts.join('\n');
  }

  #filters(): string {
    const findings = this.#findings;
    const options = (values: readonly string[], name: (value: string) => string, pick: (finding: Finding) => string): string =>
      values
        .map((value) => [value, findings.filter((finding) => pick(finding) === value).length] as const)
        .filter(([, count]) => count > 0)
        .map(([value, count]) => `<option value="${escapeHtml(value)}">${name(value)} (${count})</option>`)
        .join('');
    const select = (key: string, heading: string, body: string): string =>
      `<label>${heading} <select id="filter-${key}"><option value="">all</option>${body}</select></label>`;
    const assetOptions = [...this.#assets].map(([asset, { token, findings: mine }]) => `<option value="${token}">${text(asset)} (${mine.length})</option>`).join('');
    return [
      // Shown by the script; without scripts there is nothing to filter with, and everything is listed.
      '<div id="filters" class="filters" hidden>',
      select('label', 'Priority', options([...PRIORITY_LABELS, UNRATED], (value) => LABEL_NAMES[value as PriorityLabel] ?? text(value), labelOf)),
      select('severity', 'Severity', options(SEVERITY_ORDER, text, (finding) => finding.severity)),
      select('status', 'Status', options([...FINDING_STATUSES, UNRECORDED], (value) => (value === UNRECORDED ? 'not recorded' : text(value)), statusOf)),
      select('asset', 'Asset', assetOptions),
      '<label>Text <input id="filter-text" type="search" placeholder="rule, path, IP…" autocomplete="off"></label>',
      '<button id="filter-clear" type="button">Clear</button>',
      '<output id="filter-shown" aria-live="polite"></output>',
      '</div>',
    ].join('\n');
  }

  #finding(finding: Finding, index: number): string {
    const label = labelOf(finding);
    const attributes = [
      `class="finding severity-${escapeHtml(finding.severity)}"`,
      `id="finding-${index + 1}"`,
      `data-label="${escapeHtml(label)}"`,
      `data-severity="${escapeHtml(finding.severity)}"`,
      `data-status="${escapeHtml(statusOf(finding))}"`,
      `data-asset="${this.#assets.get(finding.asset)?.token ?? ''}"`,
    ].join(' ');
    const badges = [
      labelBadge(label),
      finding.risk === undefined ? '' : `<span class="risk" title="risk, 0 to 100">risk ${formatRisk(finding.risk)}</span>`,
      `<span class="badge severity-${escapeHtml(finding.severity)}">${text(finding.severity)}</span>`,
      finding.status === undefined ? '' : `<span class="badge status-${escapeHtml(finding.status)}">${text(finding.status)}</span>`,
      finding.suppression === undefined ? '' : '<span class="badge label-unrated">suppressed</span>',
    ].filter((badge) => badge !== '');
    const facts: [string, string][] = [
      ['Asset', `<code>${text(finding.asset)}</code>`],
      ['Rule', `<code>${text(finding.ruleId)}</code> <span class="muted">(${text(finding.engine)}, ${text(finding.category)}, confidence ${text(finding.confidence)})</span>`],
      ['Location', `<code>${text(finding.locationKey)}</code>`],
      ['Occurrences', `${finding.occurrences}${seen(finding)}`],
    ];
    if (finding.priority?.dueAt !== undefined) facts.push(['Due', time(finding.priority.dueAt)]);
    const incidents = this.#incidentsOf.get(finding.fingerprint) ?? [];
    if (incidents.length > 0) facts.push(['Incident', incidents.map(({ anchor, title }) => `<a href="#incident-${anchor}">${text(title)}</a>`).join('<br>')]);
    if (finding.suppression !== undefined) {
      const { reason, until, by } = finding.suppression;
      facts.push(['Suppressed', `${text(reason)}${by === undefined ? '' : ` · by ${text(by)}`}${until === undefined ? '' : ` · until ${time(until)}`}`]);
    }
    const tags = finding.tags.filter((tag) => tag !== '');
    if (tags.length > 0) facts.push(['Tags', tags.map((tag) => `<code>${text(tag)}</code>`).join(' ')]);
    // References are shown, not linked: a report must never make its reader's browser fetch anything.
    if (finding.references.length > 0) facts.push(['References', finding.references.map((reference) => `<span class="mono">${text(reference)}</span>`).join('<br>')]);
    facts.push(['Fingerprint', `<code>${text(finding.fingerprint)}</code>`]);
    const parts = [
      `<article ${attributes}>`,
      `<header>${badges.join(' ')}<h3>${text(finding.title)}</h3></header>`,
      `<dl class="facts">${facts.map(([name, value]) => `<dt>${name}</dt><dd>${value}</dd>`).join('')}</dl>`,
      `<p>${text(finding.description)}</p>`,
      `<h4>Evidence (${finding.evidence.length} of ${finding.occurrences})</h4>`,
      '<ol class="evidence">',
      ...finding.evidence.map(evidenceItem),
      '</ol>',
    ];
    const hidden = finding.occurrences - finding.evidence.length;
    if (hidden > 0) parts.push(`<p class="muted">${hidden} more not shown.</p>`);
    if (finding.remediation !== undefined) parts.push('<h4>Fix</h4>', `<p>${text(finding.remediation)}</p>`);
    const related = (finding.related ?? []).filter((fingerprint) => fingerprint !== finding.fingerprint);
    if (related.length > 0) parts.push('<h4>Related findings</h4>', `<ul>${related.map((fingerprint) => `<li>${this.#link(fingerprint)}</li>`).join('')}</ul>`);
    parts.push(whyThisPriority(finding.priority), '</article>');
    return parts.join('\n');
  }

  /** A link to a finding in this report by its fingerprint, through our own numbered anchor, never the fingerprint itself. */
  #link(fingerprint: string): string {
    const index = this.#anchors.get(fingerprint);
    const finding = index === undefined ? undefined : this.#findings[index];
    if (index === undefined || finding === undefined) return `<code>${text(fingerprint)}</code> <span class="muted">(not in this report)</span>`;
    return `<a href="#finding-${index + 1}">#${index + 1} ${text(finding.title)}</a> <span class="muted">on</span> <code>${text(finding.asset)}</code>`;
  }
}

function labelBadge(label: PriorityLabel | typeof UNRATED): string {
  return `<span class="badge label-${escapeHtml(label)}">${LABEL_NAMES[label] ?? text(label)}</span>`;
}

function formatRisk(risk: number): string {
  return Number.isFinite(risk) ? risk.toFixed(1) : '?';
}

/** An ISO time as given (UTC), escaped: it may have come from a stored or imported report. */
function time(iso: string): string {
  return `<time>${text(iso.replace('T', ' ').replace(/\.000Z$|Z$/, ''))}</time>`;
}

function duration(report: ScanReport): string {
  const ms = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ` (${(ms / 1000).toFixed(1)} s)` : '';
}

function seen(finding: Finding): string {
  const { firstSeen, lastSeen } = finding;
  if (firstSeen === undefined && lastSeen === undefined) return '';
  if (firstSeen !== undefined && (lastSeen === undefined || lastSeen === firstSeen)) return ` · seen ${time(firstSeen)}`;
  return ` · seen ${firstSeen === undefined ? '?' : time(firstSeen)} to ${lastSeen === undefined ? '?' : time(lastSeen)}`;
}

/** Where an evidence item was found: `file:line`, `file#recordId`, `path` or `url`. */
function where(evidence: Evidence): string {
  if (evidence.file !== undefined) {
    if (isLineNumber(evidence.line)) return `${evidence.file}:${evidence.line}`;
    if (evidence.recordId !== undefined) return `${evidence.file}#${evidence.recordId}`;
    return evidence.file;
  }
  return evidence.path ?? evidence.url ?? '';
}

function evidenceItem(evidence: Evidence): string {
  const at = evidence.time !== undefined && Number.isFinite(evidence.time) && Math.abs(evidence.time) <= 8.64e15 ? ` · ${time(new Date(evidence.time).toISOString())}` : '';
  const place = where(evidence);
  const head = `<div>${place === '' ? '' : `<code>${text(place)}</code> `}<span class="muted">${text(evidence.kind)}${at}</span></div>`;
  if (evidence.text === undefined) return `<li>${head}</li>`;
  const points = Array.from(evidence.text);
  const cut = points.length > EVIDENCE_CHARS;
  const shown = cut ? points.slice(0, EVIDENCE_CHARS).join('') : evidence.text;
  const more = cut ? `<p class="muted">${points.length - EVIDENCE_CHARS} more characters not shown.</p>` : '';
  return `<li>${head}<pre>${text(shown, { keepLayout: true })}</pre>${more}</li>`;
}

function inputValue(value: string | number | boolean | null): string {
  if (value === null) return '<span class="muted">unknown</span>';
  return text(String(value));
}

/** The explanation object as tables: the decision row, the modifiers that moved it, and every input with its source. */
function whyThisPriority(priority: Priority | undefined): string {
  if (priority === undefined) {
    return '<details class="why"><summary>Why this priority</summary><p class="muted">This run computed no priority for the finding; it is ordered by severity.</p></details>';
  }
  const head = [
    `${labelBadge(priority.label)} score <strong>${formatRisk(priority.score)}</strong>`,
    priority.dueAt === undefined ? '' : `due ${time(priority.dueAt)}`,
    `confidence ${Number.isFinite(priority.confidence) ? Math.round(priority.confidence * 100) : '?'}% (share of the base inputs observed, not assumed)`,
    priority.ssvcCisa === undefined ? '' : `CISA SSVC: ${text(priority.ssvcCisa)}`,
  ].filter((part) => part !== '');
  const parts = ['<details class="why"><summary>Why this priority</summary>', `<p>${head.join(' · ')}</p>`];
  if (priority.decision !== undefined) {
    const { table, row, inputs } = priority.decision;
    parts.push(
      '<h4>Decision</h4>',
      `<table><thead><tr><th>Table</th><th class="num">Row</th>${Object.keys(inputs).map((name) => `<th>${text(name)}</th>`).join('')}</tr></thead>`,
      `<tbody><tr><td><code>${text(table)}</code></td><td class="num">${text(String(row))}</td>${Object.values(inputs).map((value) => `<td>${text(String(value))}</td>`).join('')}</tr></tbody></table>`,
    );
  }
  if (priority.modifiers.length > 0) {
    parts.push(
      '<h4>Modifiers</h4>',
      '<table><thead><tr><th>Rule</th><th>Effect</th><th>Evidence</th></tr></thead><tbody>',
      ...priority.modifiers.map(
        (modifier) =>
          `<tr><td><code>${text(modifier.rule)}</code></td><td>${text(modifier.effect)}</td><td>${(modifier.evidence ?? []).map((item) => `<code>${text(item)}</code>`).join('<br>')}</td></tr>`,
      ),
      '</tbody></table>',
    );
  }
  parts.push(
    '<h4>Inputs</h4>',
    '<table class="wide"><thead><tr><th>Input</th><th>Value</th><th>Source</th><th>As of</th><th>Assumed</th><th>Detail</th></tr></thead><tbody>',
    ...priority.inputs.map(
      (input) =>
        `<tr><td><code>${text(input.name)}</code></td><td>${inputValue(input.value)}</td><td>${text(input.source)}</td><td>${input.asOf === undefined ? '' : text(input.asOf)}</td><td>${input.assumed === true ? '<strong>assumed</strong>' : 'observed'}</td><td>${input.detail === undefined ? '' : text(input.detail)}</td></tr>`,
    ),
    '</tbody></table>',
    '</details>',
  );
  return parts.join('\n');
}

function checksSection(checks: readonly CheckSummary[]): string {
  if (checks.length === 0) return '';
  const shown = checks.filter((check) => check.fail > 0 || check.notEvaluated > 0);
  const passed = checks.length - shown.length;
  return [
    '<section id="checks">',
    `<h2>Configuration checks (${checks.length})</h2>`,
    `<p>${checks.filter((check) => check.fail > 0).length} fail, ${passed} pass everywhere, ${checks.filter((check) => check.fail === 0 && check.notEvaluated > 0).length} not fully evaluated.</p>`,
    shown.length === 0
      ? ''
      : [
          '<table class="wide"><thead><tr><th>Check</th><th>What fails it</th><th class="num">Pass</th><th class="num">Fail</th><th class="num">Not evaluated</th><th>Why not evaluated</th></tr></thead><tbody>',
          ...shown.map(
            (check) =>
              `<tr><td><code>${text(check.id)}</code></td><td>${text(check.title)}</td><td class="num">${check.pass}</td><td class="num">${check.fail}</td><td class="num">${check.notEvaluated}</td><td>${check.notEvaluatedReasons.map((reason) => text(reason)).join('<br>')}</td></tr>`,
          ),
          '</tbody></table>',
        ].join('\n'),
    '</section>',
  ].join('\n');
}

function issuesSection(report: ScanReport): string {
  if (report.issues.length === 0) return '';
  return [
    '<section id="issues">',
    `<h2>Scan issues (${report.issues.length})</h2>`,
    '<table class="wide"><thead><tr><th>Code</th><th>Where</th><th>What</th></tr></thead><tbody>',
    ...report.issues.map((issue) => {
      const place = issue.path === undefined ? '' : `${issue.path}${isLineNumber(issue.line) ? `:${issue.line}` : ''}`;
      return `<tr><td><code>${text(issue.code)}</code></td><td>${place === '' ? '' : `<code>${text(place)}</code>`}</td><td>${text(issue.message)}</td></tr>`;
    }),
    '</tbody></table>',
    '</section>',
  ].join('\n');
}

function inputsSection(report: ScanReport): string {
  if (report.inputs.length === 0) return '';
  return [
    '<section id="inputs">',
    `<h2>Inputs read (${report.inputs.length})</h2>`,
    '<table class="wide"><thead><tr><th>Kind</th><th>Path</th><th class="num">Records</th><th class="num">Skipped</th><th class="num">Bytes</th></tr></thead><tbody>',
    ...report.inputs.map(
      (input) =>
        `<tr><td>${text(input.kind)}</td><td><code>${text(input.path)}</code></td><td class="num">${input.records}</td><td class="num">${input.skipped}</td><td class="num">${input.bytes}</td></tr>`,
    ),
    '</tbody></table>',
    '</section>',
  ].join('\n');
}
