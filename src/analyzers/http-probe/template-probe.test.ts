import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIisFixture, type IisFixture } from '../../../test/fixtures/iis-fixture-server.mjs';
import { HttpClient } from '../../engines/http-client/http-client.js';
import { HttpScope } from '../../engines/http-client/http-scope.js';
import { loadHttpTemplates } from '../../engines/http-template/load-http-templates.js';
import { httpProbeAnalyzer } from './http-probe-analyzer.js';
import { templateProbe } from './template-probe.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const IIS = path.resolve(REPO, '../shared/eval/nuclei/iis');

let vulnerable: IisFixture;
let clean: IisFixture;
beforeAll(async () => {
  vulnerable = await startIisFixture({ profile: 'vulnerable' });
  clean = await startIisFixture({ profile: 'clean' });
});
afterAll(async () => {
  await vulnerable.close();
  await clean.close();
});

describe.skipIf(!existsSync(IIS))('the public IIS templates against the fixture (skipped: ../shared/eval/nuclei/iis is absent)', () => {
  it('load with a diagnostic for each one left out, and find the planted issues', async () => {
    const loaded = await loadHttpTemplates([IIS]);
    const fatal = loaded.diagnostics.filter((d) => d.fatal);
    process.stdout.write(`\nIIS templates: ${loaded.files} files, ${loaded.templates.length} loaded, ${fatal.length} not loaded:\n${fatal.map((d) => `  ${path.relative(IIS, d.file)}:${d.line ?? '?'} ${d.code}: ${d.message}`).join('\n')}\n`);
    expect(loaded.templates.length + fatal.length).toBe(loaded.files);
    // Every template left out says where.
    for (const d of fatal) expect(d.line, d.file).toBeGreaterThan(0);
    // Left out: the ssl/ templates (the TLS probe covers them), a "flow" template and an out-of-band one.
    expect(fatal.map((d) => `${path.relative(IIS, d.file)} ${d.code}`)).toEqual([
      'http/cves/2017/CVE-2017-9248.yaml template.unsupported-protocol',
      'http/cves/2021/CVE-2021-26855.yaml template.unsupported-interactsh',
      'ssl/deprecated-tls.yaml template.unsupported-protocol',
      'ssl/expired-ssl.yaml template.unsupported-protocol',
      'ssl/self-signed-ssl.yaml template.unsupported-protocol',
      'ssl/weak-cipher-suites.yaml template.unsupported-protocol',
    ]);
    expect(loaded.templates).toHaveLength(29);

    const client = new HttpClient({ scope: new HttpScope([vulnerable.url, clean.url]), retries: 0 });
    const result = await httpProbeAnalyzer.run(
      { targets: [vulnerable.url, clean.url], client, now: new Date('2026-01-01T00:00:00Z'), checks: [], extra: [templateProbe(loaded.templates)] },
      { signal: new AbortController().signal, evidenceCap: 3 },
    );
    await client.close();
    const matched = (url: string): string[] => [...new Set(result.groups.filter((g) => g.asset.id === url).map((g) => g.rule.id))].sort();
    process.stdout.write(`matched on the vulnerable fixture: ${matched(vulnerable.url).join(', ')}\nmatched on the clean fixture: ${matched(clean.url).join(', ') || '(none)'}\n`);
    expect(matched(vulnerable.url)).toEqual(expect.arrayContaining(['CVE-2015-1635', 'iis-shortname', 'aspx-debug-mode', 'microsoft-iis-version', 'telerik-fileupload-detect', 'telerik-dialoghandler-detect', 'elmah-log-file', 'x-aspnet-version-detect']));
    expect(matched(clean.url)).not.toContain('CVE-2015-1635');
    expect(matched(clean.url)).not.toContain('iis-shortname');
    expect(client.stats.duplicatesAvoided).toBeGreaterThan(0);
  });
});
