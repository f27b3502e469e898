import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import type { CheckSummary } from '../core/check-summary.js';
import type { ScanReport } from '../core/report.js';
import { emptyReport, HOSTILE, sampleReport } from '../../test/fixtures/report/sample-report.js';
import { escapeMarkdown, markdownCode } from './escape-markdown.js';
import { markdownReporter } from './markdown-reporter.js';

/** CommonMark with GFM tables, as GitHub, GitLab and most wikis render it; raw HTML is what must never get through. */
const renderer = new MarkdownIt({ html: true, linkify: true });

const CHECKS: CheckSummary[] = [
  { id: 'w3g-cis-iis10-3.2-debug-off', title: 'ASP.NET debug compilation is on', tags: ['cis.iis10.3.2', 'cis.level1'], pass: 3, fail: 1, notEvaluated: 0, notEvaluatedReasons: [] },
  { id: 'w3g-cis-iis10-1.10-sample', title: 'Sorted by number, not text', tags: ['cis.iis10.1.10', 'cis.level2'], pass: 2, fail: 0, notEvaluated: 1, notEvaluatedReasons: ['encrypted'] },
  { id: 'w3g-cis-iis10-1.3-directory-browsing-off', title: 'Directory browsing is enabled', tags: ['cis.iis10.1.3', 'cis.level1'], pass: 4, fail: 0, notEvaluated: 0, notEvaluatedReasons: [] },
  {
    id: 'w3g-cis-iis10-2.2-sensitive-features-authenticated-only',
    title: 'Sensitive | features <b>only</b>',
    tags: ['cis.iis10.2.2', 'cis.level1'],
    pass: 0,
    fail: 0,
    notEvaluated: 1,
    notEvaluatedReasons: [`a | b ${HOSTILE.script} \`tick\` [x](https://evil.example) ${HOSTILE.oscTitle}`],
  },
  { id: 'w3g-pers-odd|id', title: 'Own check `x`', tags: ['attack.t1505.004'], pass: 0, fail: 2, notEvaluated: 0, notEvaluatedReasons: [] },
  { id: 'w3g-log-quiet', title: 'Passes everywhere', tags: [], pass: 5, fail: 0, notEvaluated: 0, notEvaluatedReasons: [] },
];

function auditReport(): ScanReport {
  return { ...sampleReport(), command: 'audit', checks: CHECKS };
}

describe('markdownReporter', () => {
  it('renders nothing an attacker wrote as HTML, a link or an image', () => {
    const html = renderer.render(markdownReporter.render(auditReport(), { color: false }));
    expect(html).not.toMatch(/<script|<b>|<a |<img/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;only&lt;/b&gt;');
    // Controls are visible escapes, as in the terminal; no raw ESC, CR or bidi override reaches the file.
    expect(markdownReporter.render(auditReport(), { color: false })).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(html).toContain('\\x1b]0;pwn\\x07');
  });

  it('keeps every CIS table row at its columns, whatever pipes the text holds', () => {
    const html = renderer.render(markdownReporter.render(auditReport(), { color: false }));
    const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => (row[1] ?? '').match(/<t[dh][ >]/g)?.length ?? 0);
    // CIS table: header + 4 rows of 8 cells; other checks: header + 1 row of 7 (the passing one is left out).
    expect(rows).toEqual([8, 8, 8, 8, 8, 7, 7]);
    expect(html).toContain('<code>w3g-pers-odd|id</code>');
  });

  it('lists CIS results by number with pass, fail and not evaluated, and the totals', () => {
    const out = markdownReporter.render(auditReport(), { color: false });
    const order = [...out.matchAll(/^\| (\d+\.\d+) \|/gm)].map((match) => match[1]);
    expect(order).toEqual(['1.3', '1.10', '2.2', '3.2']);
    expect(out).toContain('4 recommendations: 1 fail, 2 pass, 1 not evaluated.');
    expect(out).toContain('| 3.2 | 1 | ASP.NET debug compilation is on | **fail** | 3 | 1 | 0 |  |');
    expect(out).toContain('| 1.10 | 2 | Sorted by number, not text | pass (partly not evaluated) | 2 | 0 | 1 | `encrypted` |');
  });

  it('gives each finding its evidence with file:line and each remediation command its own item', () => {
    const report = auditReport();
    const withCommands = {
      ...report,
      findings: report.findings.map((finding) =>
        finding.ruleId === 'w3g-cfg-directory-browsing'
          ? { ...finding, remediation: 'Turn directory browsing off. | appcmd: %windir%\\system32\\inetsrv\\appcmd.exe set config -section:system.webServer/directoryBrowse /enabled:"False" | PowerShell: Set-WebConfigurationProperty -Filter \'system.webServer/directoryBrowse\' -Name enabled -Value $false' }
          : finding,
      ),
    };
    const out = markdownReporter.render(withCommands, { color: false });
    expect(out).toContain('  - `C:\\inetpub\\wwwroot\\web.config:12`: `<directoryBrowse enabled="true" />`');
    expect(out).toContain('- **Fix:** Turn directory browsing off.\n  - appcmd: `%windir%\\system32\\inetsrv\\appcmd.exe set config');
    expect(out).toContain("\n  - PowerShell: `Set-WebConfigurationProperty -Filter 'system.webServer/directoryBrowse'");
    const registry = markdownReporter.render(
      { ...report, findings: report.findings.slice(0, 1).map((finding) => ({ ...finding, remediation: "Turn it off. | reg.exe: reg.exe add \"HKLM\\X\" /v Enabled /d 0 /f | PowerShell: New-Item -Path 'HKLM:\\X' -Force | Out-Null; New-ItemProperty -Path 'HKLM:\\X' -Name Enabled -Value 0" })) },
      { color: false },
    );
    expect(registry).toContain("  - reg.exe: `reg.exe add \"HKLM\\X\" /v Enabled /d 0 /f`\n  - PowerShell: `New-Item -Path 'HKLM:\\X' -Force | Out-Null; New-ItemProperty -Path 'HKLM:\\X' -Name Enabled -Value 0`\n");
    // Critical first, numbered in that order.
    expect(out.indexOf('### 1. CRITICAL')).toBeLessThan(out.indexOf('### 4. HIGH'));
  });

  it('renders an empty report and one without checks', () => {
    expect(markdownReporter.render(emptyReport(), { color: false })).toContain('No findings.');
    expect(markdownReporter.render(sampleReport(), { color: false })).not.toContain('CIS Microsoft IIS 10 results');
  });

  it('matches the reviewed golden output', async () => {
    await expect(markdownReporter.render(auditReport(), { color: false })).toMatchFileSnapshot('../../test/fixtures/report/golden/sample.md');
  });
});

describe('escapeMarkdown and markdownCode', () => {
  it('escapes what CommonMark acts on, and only that', () => {
    expect(escapeMarkdown('a*b*_c_ [l](u) <i> & x|y ~~s~~ `c` \\ 1. #')).toBe('a\\*b\\*\\_c\\_ \\[l\\](u) \\<i\\> \\& x\\|y \\~\\~s\\~\\~ \\`c\\` \\\\ 1. #');
  });

  it('fences code spans past any backtick run inside, so the text renders as written', () => {
    for (const value of ['plain', 'a`b', '``double`` and `single`', '`edge`', 'C:\\Windows\\Temp\\x.dll', ' spaced ', 'end`']) {
      const span = markdownCode(value);
      expect(renderer.renderInline(span)).toBe(`<code>${value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')}</code>`);
    }
    expect(markdownCode('')).toBe('(empty)');
    expect(markdownCode('a|b', true)).toBe('`a\\|b`');
    expect(markdownCode(' lead')).toBe('`  lead `');
    expect(markdownCode('a|b')).toBe('`a|b`');
  });
});
