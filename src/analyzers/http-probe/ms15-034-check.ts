import { excerpt, header, hitFor, probeRule, type ProbeCheck } from './probe-check.js';

const MS15_034 = probeRule({
  id: 'w3g-http-ms15-034',
  title: 'HTTP.sys remote code execution (MS15-034, CVE-2015-1635)',
  description: 'A Range of 0-18446744073709551615 got "416 Requested Range Not Satisfiable" from HTTP.sys: only unpatched HTTP.sys answers so; patched ones answer 400.',
  severity: 'critical',
  confidence: 'firm',
  category: 'vulnerable-version',
  tags: ['cve.2015-1635', 'kev'],
  references: ['https://learn.microsoft.com/en-us/security-updates/securitybulletins/2015/ms15-034'],
  remediation: 'Install MS15-034 (KB3042553); as a stop-gap disable kernel caching (EnableKernelCache=false).',
});

/** The safe MS15-034 probe: a 2^64-1 range end (harmless) rather than the 18-… start that crashes the kernel. */
export const ms15034Check: ProbeCheck = {
  id: 'ms15-034',
  rules: [MS15_034],
  async run(context) {
    const probe = await context.fetch('/', { headers: [['Range', 'bytes=0-18446744073709551615']] });
    if (probe === undefined || probe.response.status !== 416) return [];
    const fromHttpSys = /Requested Range Not Satisfiable|HTTP Error 416/i.test(probe.text) && /Microsoft/i.test(`${header(probe, 'server') ?? ''} ${probe.text}`);
    if (!fromHttpSys && !/Microsoft-(IIS|HTTPAPI)/i.test(header(probe, 'server') ?? '')) return [];
    return [hitFor(MS15_034, probe, `416 to Range bytes=0-18446744073709551615; Server: ${excerpt(header(probe, 'server') ?? '-')}`, '/')];
  },
};
