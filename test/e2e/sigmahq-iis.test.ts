import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from './run-cli.js';

const SIGMA = resolve(REPO_ROOT, '..', 'shared', 'eval', 'sigma');

/**
 * Public SigmaHQ web-server rules on a real IIS log layout: paths live in cs-uri-stem, the user agent in
 * cs(User-Agent) with `+` for spaces. The rules must still fire the way their authors meant them.
 */
describe.skipIf(!existsSync(SIGMA))('SigmaHQ webserver rules on IIS logs (skipped: ../shared is absent)', () => {
  it('reports ProxyShell, HAFNIUM and tilde-scan requests written the IIS way', () => {
    const dir = mkdtempSync(join(tmpdir(), 'w3g-sigmahq-'));
    try {
      const log = join(dir, 'u_ex210806.log');
      writeFileSync(
        log,
        [
          '#Software: Microsoft Internet Information Services 10.0',
          '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken',
          '2021-08-06 10:00:01 10.0.0.5 GET /autodiscover/autodiscover.json @foo.com/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@foo.com 443 - 203.0.113.10 python-requests/2.25.1 - 401 0 0 15',
          '2021-08-06 10:00:02 10.0.0.5 POST /owa/auth/Current/themes/resources/logon.css - 443 - 203.0.113.11 Mozilla/5.0+(compatible;+Bingbot/2.0;++http://www.bing.com/bingbot.htm) - 200 0 0 31',
          '2021-08-06 10:00:03 10.0.0.5 GET /*~1*/a.aspx - 443 - 203.0.113.12 Mozilla/5.0 - 200 0 0 2',
          '2021-08-06 10:00:04 10.0.0.5 GET /owa/auth/logon.aspx replaceCurrent=1 443 - 198.51.100.20 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 12',
          '',
        ].join('\r\n'),
      );
      const run = runCli(['hunt', log, '--sigma', join(SIGMA, 'rules', 'web'), '--sigma', join(SIGMA, 'rules-emerging-threats', '2021'), '--no-content', '--format', 'json']);
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout) as { findings: { ruleId: string; title: string; evidence: { line?: number }[] }[] };
      const linesOf = (id: string): number[] => report.findings.filter((f) => f.ruleId === id).flatMap((f) => f.evidence.map((e) => e.line ?? 0));
      expect(linesOf('23eee45e-933b-49f9-ae1b-df706d2d52ef'), 'Exchange ProxyShell Pattern').toContain(3);
      expect(linesOf('67bce556-312f-4c81-9162-c3c9ff2599b2'), 'Exchange Exploitation Used by HAFNIUM').toContain(4);
      expect(linesOf('7cb02516-6d95-4ffc-8eee-162075e111ac'), 'Successful IIS Shortname Fuzzing Scan').toContain(5);
      // An ordinary OWA logon page view is not an attack.
      expect(report.findings.flatMap((f) => f.evidence.map((e) => e.line))).not.toContain(6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
