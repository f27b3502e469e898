import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../core/finding.js';
import type { Priority } from '../core/priority.js';
import type { ScanReport } from '../core/report.js';
import { emptyReport, HOSTILE, sampleReport } from '../../test/fixtures/report/sample-report.js';
import { HTML_PAGE_SCRIPT } from './html-page-script.js';
import { HTML_PAGE_STYLE } from './html-page-style.js';
import { HTML_REPORT_CSP, htmlReporter } from './html-reporter.js';

const render = (report: ScanReport): string => htmlReporter.render(report, { color: false });

const PRIORITY: Priority = {
  label: '3d-forensic',
  score: 86.4,
  dueAt: '2024-05-06T08:00:00.000Z',
  confidence: 0.75,
  ssvcCisa: 'act',
  decision: { table: 'cisa:DT_BOD2604:1.0.0', row: 15, inputs: { inKev: true, publiclyExposed: true, automatable: true, technicalImpact: 'total' } },
  modifiers: [{ rule: 'own-attempts', effect: '≥3DF', evidence: [`hunt:line 88 ${HOSTILE.script}`] }],
  inputs: [
    { name: 'inKev', value: true, source: 'cisa-kev', asOf: '2024-05-01', detail: 'dateAdded 2021-11-03' },
    { name: 'epss', value: null, source: 'first-epss', assumed: true },
    { name: 'publiclyExposed', value: `yes${HOSTILE.oscTitle}`, source: 'w3guard.yaml' },
  ],
};

/** The sample report as `host` makes it: priorities on some findings, statuses, a suppression, related links and one incident. */
function ratedReport(): ScanReport {
  const base = sampleReport();
  const [first, second, third, ...rest] = base.findings as [Finding, Finding, Finding, ...Finding[]];
  const findings: Finding[] = [
    ...rest,
    { ...third, risk: 95, status: 'new', priority: { ...PRIORITY, label: 'incident', score: 95 }, related: [first.fingerprint] },
    { ...first, risk: 86.4, status: 'reopened', priority: PRIORITY, related: [third.fingerprint, 'f'.repeat(32)] },
    { ...second, status: 'open', suppression: { reason: `vendor DLL ${HOSTILE.script}`, until: '2027-03-01T00:00:00.000Z', by: 'ops' } },
  ];
  return {
    ...base,
    findings,
    incidents: [
      {
        id: 'inc-1',
        asset: 'W3SVC1',
        title: 'Exploit request, dropped file, then its use',
        kind: 'exploit-drop-use',
        members: [first.fingerprint, third.fingerprint],
        firstSeen: '2024-05-01T10:00:00.000Z',
        lastSeen: '2024-05-01T10:05:00.000Z',
        timeline: [
          { at: '2024-05-01T10:00:00.000Z', fingerprint: first.fingerprint, source: 'hunt', summary: `GET /x?q=${HOSTILE.script}` },
          { fingerprint: third.fingerprint, source: 'sweep', summary: `file ${HOSTILE.bidi}` },
          { at: '2024-05-01T10:05:00.000Z', fingerprint: 'gone', source: 'events', summary: '"><img src=x onerror=alert(1)>' },
        ],
      },
    ],
  };
}

function inlineBlock(html: string, tag: 'script' | 'style'): string[] {
  return [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) => match[1] ?? '');
}

function hash(source: string): string {
  return `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
}

/** Every attribute of every tag in the document, as `name=value` pairs. */
function attributes(html: string): { name: string; value: string }[] {
  const tags = html.match(/<[a-z][^<>]*>/gi) ?? [];
  return tags.flatMap((tag) => [...tag.matchAll(/\s([a-z-]+)(?:="([^"]*)")?/gi)].map((match) => ({ name: (match[1] ?? '').toLowerCase(), value: match[2] ?? '' })));
}

describe('htmlReporter', () => {
  it('emits exactly one inline script and one stylesheet, and the CSP names their hashes and nothing else', () => {
    for (const report of [sampleReport(), ratedReport(), emptyReport()]) {
      const html = render(report);
      expect(html.match(/<script/gi)).toHaveLength(1);
      expect(html.match(/<style/gi)).toHaveLength(1);
      const [script] = inlineBlock(html, 'script');
      const [style] = inlineBlock(html, 'style');
      expect(script).toBe(HTML_PAGE_SCRIPT);
      expect(style).toBe(HTML_PAGE_STYLE);
      const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
      expect(csp).toBe(HTML_REPORT_CSP);
      expect(csp).toBe(
        `default-src 'none'; script-src ${hash(script ?? '')}; style-src ${hash(style ?? '')}; img-src data:; base-uri 'none'; form-action 'none'`,
      );
      // The policy comes before anything it governs.
      expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<style>'));
    }
    expect(HTML_REPORT_CSP).not.toMatch(/unsafe|"/);
  });

  it('loads nothing from anywhere: no src, no external href, no CSS url() or @import, no link, base or form', () => {
    const html = render(ratedReport());
    const attrs = attributes(html);
    expect(attrs.filter((attr) => ['src', 'srcset', 'action', 'formaction', 'poster', 'background', 'ping'].includes(attr.name))).toEqual([]);
    expect(attrs.filter((attr) => attr.name.startsWith('on'))).toEqual([]);
    expect(attrs.filter((attr) => attr.name === 'style')).toEqual([]);
    const hrefs = attrs.filter((attr) => attr.name === 'href').map((attr) => attr.value);
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href).toMatch(/^#(finding|incident)-\d+$/);
    // Every in-page link lands on an element of the page.
    for (const href of hrefs) expect(html).toContain(`id="${href.slice(1)}"`);
    expect(attrs.filter((attr) => attr.value.includes('://'))).toEqual([]);
    expect(html).not.toMatch(/<(link|base|form|img|iframe|object|embed|svg|frame|audio|video|source)\b/i);
    expect(HTML_PAGE_STYLE).not.toMatch(/url\(|@import|@font-face/i);
    expect(HTML_PAGE_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|Function\(|fetch\(|XMLHttpRequest|import\(/);
    expect(HTML_PAGE_SCRIPT + HTML_PAGE_STYLE).not.toMatch(/<\/(script|style)/i);
    // The references of rules are shown as text only.
    expect(html).toContain('https://nvd.nist.gov/vuln/detail/CVE-2019-18935');
  });

  it('shows hostile text escaped, with control, bidi and unpaired-surrogate characters as visible badges', () => {
    const html = render(ratedReport());
    expect(html).not.toContain(HOSTILE.script);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('cmd=whoami<span class="cc">\\x1b</span>]0;pwn<span class="cc">\\x07</span>');
    expect(html).toContain('invoice<span class="cc">\\u202e</span>fdp.exe');
    expect(html).toContain('u_ex<span class="cc">\\ud800</span>.log');
    expect(html).toContain('cmd=a,b,&quot;c&quot;<span class="cc">\\r</span>\nd 443');
    // Nothing invisible or reordering reaches the file; newlines and tabs only as layout.
    expect(html).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200d\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/);
    expect(html).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });

  it('orders findings by risk, those without a risk after them by severity, each tagged for the filters', () => {
    const report = ratedReport();
    const html = render(report);
    const rows = [...html.matchAll(/<article class="finding severity-(\w+)" id="finding-(\d+)" data-label="([^"]+)" data-severity="(\w+)" data-status="(\w+)" data-asset="(\d+)">/g)];
    expect(rows.map((row) => row[2])).toEqual(report.findings.map((_, index) => String(index + 1)));
    expect(rows.map((row) => row[3])).toEqual(['incident', '3d-forensic', 'unrated', 'unrated', 'unrated', 'unrated', 'unrated']);
    expect(rows.map((row) => row[4])).toEqual(['high', 'critical', 'critical', 'high', 'medium', 'low', 'info']);
    expect(rows.map((row) => row[5])).toEqual(['new', 'reopened', 'open', 'unrecorded', 'unrecorded', 'unrecorded', 'unrecorded']);
    expect(rows.every((row) => row[1] === row[4])).toBe(true);
    // Every asset filter value names one option.
    const options = [...html.matchAll(/<option value="(\d+)">([^<]*)/g)].map((match) => [match[1], match[2]]);
    expect(options.map(([value]) => value)).toEqual(['0', '1', '2', '3']);
    for (const row of rows) expect(options.some(([value]) => value === row[6])).toBe(true);
    expect(html).toContain('<option value="incident">Incident (1)</option>');
    expect(html).toContain('<option value="unrated">Not rated (5)</option>');
  });

  it('explains a priority with its decision row, modifiers and every input, and says when there is none', () => {
    const html = render(ratedReport());
    const second = html.slice(html.indexOf('id="finding-2"'), html.indexOf('id="finding-3"'));
    expect(second).toContain('<code>cisa:DT_BOD2604:1.0.0</code></td><td class="num">15</td><td>true</td><td>true</td><td>true</td><td>total</td>');
    expect(second).toContain('<td><code>own-attempts</code></td><td>≥3DF</td><td><code>hunt:line 88 &lt;script&gt;alert(1)&lt;/script&gt;</code></td>');
    expect(second).toContain('<tr><td><code>inKev</code></td><td>true</td><td>cisa-kev</td><td>2024-05-01</td><td>observed</td><td>dateAdded 2021-11-03</td></tr>');
    expect(second).toContain('<tr><td><code>epss</code></td><td><span class="muted">unknown</span></td><td>first-epss</td><td></td><td><strong>assumed</strong></td><td></td></tr>');
    expect(second).toContain('yes<span class="cc">\\x1b</span>]0;pwn<span class="cc">\\x07</span>');
    expect(second).toContain('confidence 75%');
    expect(second).toContain('CISA SSVC: act');
    expect(second).toContain('<dt>Due</dt><dd><time>2024-05-06 08:00:00</time></dd>');
    expect(second).toContain('<span class="badge status-reopened">reopened</span>');
    const third = html.slice(html.indexOf('id="finding-3"'), html.indexOf('id="finding-4"'));
    expect(third).toContain('This run computed no priority');
    expect(third).toContain('<dt>Suppressed</dt><dd>vendor DLL &lt;script&gt;alert(1)&lt;/script&gt; · by ops · until <time>2027-03-01 00:00:00</time></dd>');
  });

  it('shows incidents as timelines that link to their member findings, and related findings both ways', () => {
    const report = ratedReport();
    const html = render(report);
    const incident = html.slice(html.indexOf('<section id="incidents">'), html.indexOf('<section id="findings">'));
    const links = [...incident.matchAll(/<a href="#finding-(\d+)">#\d+ ([^<]*)<\/a>/g)].map((match) => [match[1], match[2]]);
    expect(links).toEqual([
      ['2', report.findings[5]?.title],
      ['1', report.findings[4]?.title],
    ]);
    expect(incident).toContain('<code>gone</code> <span class="muted">(not in this report)</span>');
    expect(incident).toContain('<td><span class="muted">no time</span></td><td>sweep</td>');
    expect(incident).toContain('exploit-drop-use · asset <code>W3SVC1</code> · <time>2024-05-01 10:00:00</time> to <time>2024-05-01 10:05:00</time> · 2 findings joined');
    const first = html.slice(html.indexOf('id="finding-1"'), html.indexOf('id="finding-2"'));
    expect(first).toMatch(/Related findings<\/h4>\n<ul><li><a href="#finding-2">/);
    const second = html.slice(html.indexOf('id="finding-2"'), html.indexOf('id="finding-3"'));
    expect(second).toContain('<li><a href="#finding-1">');
    expect(second).toContain(`<li><code>${'f'.repeat(32)}</code> <span class="muted">(not in this report)</span></li>`);
    // Members link back to their incident; the others do not.
    const back = '<dt>Incident</dt><dd><a href="#incident-1">Exploit request, dropped file, then its use</a></dd>';
    expect(first).toContain(back);
    expect(second).toContain(back);
    expect(html.slice(html.indexOf('id="finding-3"')).includes('<dt>Incident</dt>')).toBe(false);
  });

  it('lists the configuration checks that failed or could not be evaluated, with the reasons as text', () => {
    const html = render({
      ...sampleReport(),
      command: 'audit',
      checks: [
        { id: 'w3g-cis-iis10-3.2-debug-off', title: 'ASP.NET debug compilation is on', tags: ['cis.iis10.3.2'], pass: 3, fail: 1, notEvaluated: 0, notEvaluatedReasons: [] },
        { id: 'w3g-cis-iis10-2.2', title: 'Sensitive features', tags: [], pass: 0, fail: 0, notEvaluated: 1, notEvaluatedReasons: [`encrypted ${HOSTILE.script}`] },
        { id: 'w3g-log-quiet', title: 'Passes everywhere', tags: [], pass: 5, fail: 0, notEvaluated: 0, notEvaluatedReasons: [] },
      ],
    });
    const checks = html.slice(html.indexOf('<section id="checks">'), html.indexOf('<section id="issues">'));
    expect(checks).toContain('<h2>Configuration checks (3)</h2>');
    expect(checks).toContain('<p>1 fail, 1 pass everywhere, 1 not fully evaluated.</p>');
    expect(checks).toContain('<tr><td><code>w3g-cis-iis10-3.2-debug-off</code></td><td>ASP.NET debug compilation is on</td><td class="num">3</td><td class="num">1</td><td class="num">0</td><td></td></tr>');
    expect(checks).toContain('<td>encrypted &lt;script&gt;alert(1)&lt;/script&gt;</td>');
    expect(checks).not.toContain('w3g-log-quiet');
  });

  it('summarises by priority, severity, status and asset, and lists issues and inputs', () => {
    const html = render(ratedReport());
    const summary = html.slice(html.indexOf('<section id="summary">'), html.indexOf('<section id="incidents">'));
    expect(summary).toContain('<dt>Findings</dt><dd>7 (1 suppressed)</dd><dt>Incidents</dt><dd>1</dd><dt>Inputs read</dt><dd>6 (23664 records, 13771138 bytes)</dd><dt>Scan issues</dt><dd>3</dd>');
    expect(summary).toContain('<span class="badge label-incident">Incident</span></td><td class="num">1</td>');
    expect(summary).toContain('<span class="badge label-unrated">Not rated</span></td><td class="num">5</td>');
    expect(summary).toContain('<span class="badge severity-critical">critical</span></td><td class="num">2</td>');
    expect(summary).toContain('<span class="badge status-unrecorded">not recorded (no --db)</span></td><td class="num">4</td>');
    expect(summary).toContain('<tr><td><code>W3SVC1</code></td><td class="num">3</td><td><span class="badge label-3d-forensic">3 days + forensics</span></td><td class="num">86.4</td>');
    expect(html).toContain('<h2>Scan issues (3)</h2>');
    expect(html).toContain('<code>logs/old<span class="cc">\\r</span><span class="cc">\\n</span>INFO all clean.gz</code>');
    expect(html).toContain('<h2>Inputs read (6)</h2>');
    expect(html).toContain('<p class="meta">w3guard 0.1.0 · run <time>2024-05-03 08:00:00</time> to <time>2024-05-03 08:00:42.500</time> (42.5 s) · times in UTC</p>');
  });

  it('keeps the whitespace of an excerpt, caps a huge one and says how much was left out', () => {
    const base = sampleReport();
    const finding = base.findings[0] as Finding;
    const text = `line one\n\tindented ${'x'.repeat(5000)}`;
    const html = render({ ...base, findings: [{ ...finding, evidence: [{ kind: 'file', path: 'wwwroot/a.aspx', text }] }] });
    expect(html).toContain('<pre>line one\n\tindented xxx');
    expect(html).toContain(`${text.length - 4000} more characters not shown.`);
  });

  it('renders an empty report without filters', () => {
    const html = render(emptyReport());
    expect(html).toContain('<p>No findings.</p>');
    expect(html).not.toContain('id="filters"');
  });

  it('matches the reviewed golden output', async () => {
    await expect(render(ratedReport())).toMatchFileSnapshot('../../test/fixtures/report/golden/sample.html');
  });
});
