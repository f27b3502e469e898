import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTENT_ROOT } from '../content-root.js';
import { webrootSweepAnalyzer, type SweepInput } from './webroot-sweep-analyzer.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RULES = fileURLToPath(new URL('yara/', CONTENT_ROOT));
const yara = readdirSync(RULES).map((n) => ({ path: path.join(RULES, n), text: readFileSync(path.join(RULES, n), 'utf8') }));
const base = mkdtempSync(path.join(tmpdir(), 'w3g-sweep-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('webroot-sweep analyzer (on this thread)', () => {
  const site = path.join(base, 'site');
  mkdirSync(path.join(site, 'aspnet_client'), { recursive: true });
  cpSync(path.join(HERE, 'fixtures', 'yara-samples', 'w3g-yara-webshell-eval-request', 'match.aspx'), path.join(site, 'aspnet_client', 'discover.aspx'));
  writeFileSync(path.join(site, 'Default.aspx'), '<%@ Page Language="C#" %><h1>Home</h1>');
  const input: SweepInput = { roots: [{ path: site, asset: { id: 'Shop', kind: 'site' } }], yara, maxFileSize: 1024 * 1024, threads: 0 };

  it('reports YARA and placement findings on the planted shell only, with file evidence and the site as asset', async () => {
    const result = await webrootSweepAnalyzer.run(input, { signal: new AbortController().signal, evidenceCap: 5 });
    const found = result.groups.map((g) => [g.rule.id, g.asset.id, g.locationKey]).sort();
    const shell = path.join(site, 'aspnet_client', 'discover.aspx');
    expect(found).toEqual([
      ['w3g-sweep-script-in-static-folder', 'Shop', shell],
      // The sample decodes Base64 before eval: both the request rule and the decoded-eval rule see it.
      ['w3g-yara-webshell-encoded-eval', 'Shop', shell],
      ['w3g-yara-webshell-eval-request', 'Shop', shell],
    ]);
    expect(result.groups[0]?.head[0]).toMatchObject({ kind: 'file', path: expect.stringContaining('discover.aspx') as string });
    expect(result.files).toBe(2);
    expect(result.inputs).toEqual([{ kind: 'web-file', path: site, records: 2, skipped: 0, bytes: expect.any(Number) as number }]);
  });

  it('stops when interrupted instead of reporting the interruption as an unreadable folder', async () => {
    const controller = new AbortController();
    controller.abort(new Error('interrupted'));
    await expect(webrootSweepAnalyzer.run(input, { signal: controller.signal, evidenceCap: 5 })).rejects.toThrow(/interrupted/);
  });
});
