import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIisFixture, type IisFixture } from '../../../test/fixtures/iis-fixture-server.mjs';
import { HttpClient } from '../../engines/http-client/http-client.js';
import { HttpScope } from '../../engines/http-client/http-scope.js';
import { httpProbeAnalyzer } from './http-probe-analyzer.js';
import { PROBE_CHECKS } from './probe-checks.js';

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

const PLANTED = [
  'w3g-http-iis-version',
  'w3g-http-iis-end-of-life',
  'w3g-http-x-powered-by',
  'w3g-http-aspnet-version',
  'w3g-http-aspnetmvc-version',
  'w3g-http-iis-default-page',
  'w3g-http-iis-tilde-short-names',
  'w3g-http-trace-enabled',
  'w3g-http-write-methods',
  'w3g-http-webdav-enabled',
  'w3g-http-aspnet-debug-verb',
  'w3g-http-trace-axd',
  'w3g-http-elmah-axd',
  'w3g-http-web-config-exposed',
  'w3g-http-directory-listing',
  'w3g-http-aspnet-detailed-errors',
  'w3g-http-aspnet-stack-trace',
  'w3g-http-telerik-rau-handler',
  'w3g-http-telerik-dialog-handler',
  'w3g-http-telerik-cve-2019-18935',
  'w3g-http-telerik-cve-2017-11317',
  'w3g-http-telerik-cve-2017-9248',
  'w3g-http-viewstate-no-mac',
  'w3g-http-viewstate-unencrypted',
  'w3g-http-event-validation-off',
  'w3g-http-cookie-no-httponly',
  'w3g-http-cookie-no-samesite',
  'w3g-http-missing-csp',
  'w3g-http-missing-x-content-type-options',
  'w3g-http-missing-frame-protection',
  'w3g-http-ms15-034',
  'w3g-http-exchange-version',
  'w3g-http-exchange-cve-2021-26855',
  'w3g-http-exchange-cve-2021-34473',
  'w3g-http-sharepoint-version',
  'w3g-http-sharepoint-cve-2025-53770',
  'w3g-http-serves-executable',
  'w3g-http-search-engine-cloaking',
  'w3g-http-external-script',
];

describe('httpProbeAnalyzer against the IIS fixture', () => {
  it('reports every planted issue with URL evidence, and nothing on the clean site', async () => {
    const client = new HttpClient({ scope: new HttpScope([vulnerable.url, clean.url]), retries: 0 });
    const result = await httpProbeAnalyzer.run(
      { targets: [vulnerable.url, clean.url], client, now: new Date('2026-01-01T00:00:00Z') },
      { signal: new AbortController().signal, evidenceCap: 5 },
    );
    await client.close();
    const onVulnerable = result.groups.filter((g) => g.asset.id === vulnerable.url);
    const ids = new Set(onVulnerable.map((g) => g.rule.id));
    expect([...ids].sort()).toEqual([...PLANTED].sort());
    for (const group of onVulnerable) expect(group.head[0]?.url, group.rule.id).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(result.groups.filter((g) => g.asset.id === clean.url).map((g) => g.rule.id)).toEqual([]);
    // Cloaking through a search Referer sends visitors off-site: reported as a finding and as an off-scope redirect.
    expect(result.issues.some((i) => i.code === 'http.off-scope-redirect' && i.message.includes('casino-bonus.example'))).toBe(true);
    // Every rule that ran is described, once.
    expect(new Set(result.rules.map((r) => r.id)).size).toBe(result.rules.length);
    expect(result.rules.length).toBe(PROBE_CHECKS.flatMap((c) => c.rules).length);
    expect(client.stats.duplicatesAvoided).toBeGreaterThan(5);
  });
});

describe('httpProbeAnalyzer coverage', () => {
  it('covers every rule on a site that answered every request, and nothing on a site that is down', async () => {
    const down = 'http://127.0.0.1:9';
    const client = new HttpClient({ scope: new HttpScope([clean.url, down]), retries: 0, errorBudget: 2 });
    const result = await httpProbeAnalyzer.run({ targets: [clean.url, down], client, now: new Date('2026-01-01T00:00:00Z') }, { signal: new AbortController().signal, evidenceCap: 5 });
    await client.close();
    const assets = new Set(result.coverage?.map((c) => c.asset));
    expect([...assets]).toEqual([clean.url.replace(/\/+$/, '')]);
    expect(result.coverage?.map((c) => c.ruleId).sort()).toEqual(result.rules.map((r) => r.id).sort());
  });
});
