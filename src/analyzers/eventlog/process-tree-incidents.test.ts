import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeEvtx } from '../../formats/evtx/fixtures/write-evtx.js';
import { eventlogAnalyzer } from './eventlog-analyzer.js';
import { WEB_SHELL_SCENARIO } from './fixtures/web-shell-scenario.js';
import { INCIDENT_RULE } from './process-tree-incidents.js';

describe('process trees rooted at w3wp.exe become incidents', () => {
  const dir = mkdtempSync(join(tmpdir(), 'w3g-incident-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'Microsoft-Windows-Sysmon%4Operational.evtx');
  writeFileSync(file, writeEvtx(WEB_SHELL_SCENARIO));

  it('tells web shell → reconnaissance → privilege escalation → credential dumping as one critical finding, first record first', async () => {
    const result = await eventlogAnalyzer.run(
      { sources: [{ path: file, size: statSync(file).size }], threads: 1, correlationWindowMs: 3_600_000, settings: { rules: { content: true, sigmaPaths: [] }, evidenceCap: 50 } },
      { signal: new AbortController().signal, evidenceCap: 50 },
    );
    const incidents = result.groups.filter((g) => g.rule.id === INCIDENT_RULE.id);
    // The 13:30 cmd.exe is more than an hour after the rest: a second incident of the same tree.
    expect(incidents).toHaveLength(2);
    const [first, second] = incidents.sort((a, b) => (a.firstSeen ?? 0) - (b.firstSeen ?? 0));
    expect(first?.rule.severity).toBe('critical');
    expect(first?.rule.description).toMatch(/web shell.*reconnaissance.*privilege escalation.*credential dumping/);
    const texts = first?.head.map((e) => e.text ?? '') ?? [];
    expect(first?.head[0]?.recordId).toBe(1);
    expect(texts.some((t) => t.includes('GodPotato.exe'))).toBe(true);
    expect(texts.some((t) => t.includes('appcmd list apppool /text:*'))).toBe(true);
    // The administrator's own whoami is not part of the web server's tree.
    expect(texts.some((t) => t.includes('whoami /all'))).toBe(false);
    expect(second?.head.map((e) => e.recordId)).toEqual([11]);
    // The single detections are still reported on their own.
    const rules = new Set(result.groups.map((g) => g.rule.id));
    for (const id of ['w3g-evt-w3wp-shell', 'w3g-evt-w3wp-recon', 'w3g-evt-w3wp-writes-executable', 'w3g-evt-potato-command-line', 'w3g-evt-potato-apppool-to-system', 'w3g-evt-appcmd-credential-dump']) {
      expect(rules, id).toContain(id);
    }
    // ASP.NET compiling a page is not a finding.
    expect(rules).not.toContain('w3g-evt-w3wp-csc-outside-aspnet');
    expect(result.inputs).toEqual([{ kind: 'evtx', path: file, records: WEB_SHELL_SCENARIO.length, skipped: 0, bytes: statSync(file).size }]);
  });
});
