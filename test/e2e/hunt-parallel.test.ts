import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

/**
 * A log large enough to be split across threads (over 32 MiB), whose #Fields changes order part-way,
 * so ranges after the change start from a wrong guess and must be read again.
 */
function bigLog(): { text: string; shellLines: number[] } {
  const parts: string[] = [];
  const shellLines: number[] = [];
  let line = 0;
  const push = (s: string): void => {
    parts.push(s);
    line += 1;
  };
  push('#Software: Microsoft Internet Information Services 10.0');
  push('#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken');
  const total = 190_000;
  let swapped = false;
  for (let i = 0; i < total; i += 1) {
    const ip = `198.51.${(i >> 8) & 255}.${i & 255}`;
    const t = `2024-03-11 ${String(Math.floor(i / 3600) % 24).padStart(2, '0')}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
    const stem = i % 9973 === 0 ? '/aspnet_client/system_web/4_0_30319/help.aspx' : `/catalog/item${i % 500}.aspx`;
    if (!swapped && i > total * 0.6) {
      swapped = true;
      push('#Date: 2024-03-11 16:00:00');
      push('#Fields: date time c-ip cs-method cs-uri-stem sc-status cs-uri-query s-ip s-port cs-username cs(User-Agent) cs(Referer) sc-substatus sc-win32-status time-taken');
    }
    if (stem.includes('help.aspx')) shellLines.push(line + 1);
    const ua = 'Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/122.0.0.0+Safari/537.36';
    const query = `id=${i}&ref=%2Fhome%3Fx%3D${i % 97}&session=${(i * 7919).toString(36)}`;
    push(
      swapped
        ? `${t} ${ip} GET ${stem} 200 ${query} 10.0.0.1 443 - ${ua} https://www.example/ 0 0 ${i % 300}`
        : `${t} 10.0.0.1 GET ${stem} ${query} 443 - ${ip} ${ua} https://www.example/ 200 0 0 ${i % 300}`,
    );
  }
  return { text: `${parts.join('\r\n')}\r\n`, shellLines };
}

describe('hunt across worker threads', () => {
  let dir = '';
  let file = '';
  let expected: number[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'w3g-par-'));
    file = join(dir, 'u_ex240311.log');
    const { text, shellLines } = bigLog();
    expect(text.length).toBeGreaterThan(40 * 1024 * 1024);
    writeFileSync(file, text);
    expected = shellLines;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same report with one thread and with four, with exact line numbers across a #Fields change', () => {
    const runs = [1, 4].map((threads) => {
      const run = runCli(['hunt', file, '--format', 'json', '--threads', String(threads), '--evidence-cap', '100']);
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as { inputs: unknown[]; issues: unknown[]; findings: { evidence: { line: number; text: string }[] }[] };
    });
    const [one, four] = runs as [NonNullable<(typeof runs)[0]>, NonNullable<(typeof runs)[0]>];
    expect(four.findings).toEqual(one.findings);
    expect(four.inputs).toEqual(one.inputs);
    expect(four.issues).toEqual([]);
    const lines = one.findings.flatMap((f) => f.evidence.map((e) => e.line)).sort((a, b) => a - b);
    expect(lines).toEqual(expected);
    for (const f of one.findings) for (const e of f.evidence) expect(e.text).toContain('help.aspx');
  });
});
