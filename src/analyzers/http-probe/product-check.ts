import { excerpt, header, hitFor, probeRule, type ProbeCheck, type ProbeHit } from './probe-check.js';

const EXCHANGE_VERSION = probeRule({
  id: 'w3g-http-exchange-version',
  title: 'Exchange Server build disclosed by OWA',
  description: 'Outlook on the web names the Exchange build (X-OWA-Version or the resource path), which maps directly to missing security updates.',
  severity: 'info',
  confidence: 'certain',
  category: 'fingerprint',
});
const SHAREPOINT_VERSION = probeRule({
  id: 'w3g-http-sharepoint-version',
  title: 'SharePoint build disclosed',
  description: 'The MicrosoftSharePointTeamServices header names the SharePoint build.',
  severity: 'info',
  confidence: 'certain',
  category: 'fingerprint',
});

/**
 * First fixed revision per cumulative update (major.minor.build), from Microsoft's security update
 * builds. A CU older than every listed one got no fix at all.
 */
interface Fix {
  readonly cve: string;
  readonly name: string;
  readonly fixed: Record<string, number>;
}
const EXCHANGE_FIXES: readonly Fix[] = [
  { cve: '2021-26855', name: 'ProxyLogon', fixed: { '15.0.1497': 12, '15.1.2106': 13, '15.1.2176': 9, '15.1.2242': 0, '15.1.2308': 0, '15.2.721': 13, '15.2.792': 10, '15.2.858': 0, '15.2.922': 0 } },
  { cve: '2021-34473', name: 'ProxyShell', fixed: { '15.0.1497': 15, '15.1.2176': 12, '15.1.2242': 8, '15.1.2308': 0, '15.2.792': 13, '15.2.858': 10, '15.2.922': 0 } },
];
const EXCHANGE_RULES = EXCHANGE_FIXES.map((fix) =>
  probeRule({
    id: `w3g-http-exchange-cve-${fix.cve}`,
    title: `Exchange build vulnerable to ${fix.name} (CVE-${fix.cve}, known exploited)`,
    description: `The Exchange build OWA discloses predates the security update that fixes CVE-${fix.cve} (${fix.name}).`,
    severity: 'critical',
    confidence: 'firm',
    category: 'vulnerable-version',
    tags: [`cve.${fix.cve}`, 'kev', 'exchange'],
    references: [`https://nvd.nist.gov/vuln/detail/CVE-${fix.cve}`],
    remediation: 'Install the latest cumulative update and security update for this Exchange version, then look for web shells under the OWA and ECP folders.',
  }),
);
/** SharePoint ToolShell (CVE-2025-53770): first fixed build per product line (16.0.0.BUILD.REV in the header is 16.0.BUILD.REV). */
const TOOLSHELL = probeRule({
  id: 'w3g-http-sharepoint-cve-2025-53770',
  title: 'SharePoint build vulnerable to ToolShell (CVE-2025-53770, known exploited)',
  description: 'The SharePoint build named by MicrosoftSharePointTeamServices predates the July 2025 fix for ToolShell.',
  severity: 'critical',
  confidence: 'tentative',
  category: 'vulnerable-version',
  tags: ['cve.2025-53770', 'kev', 'sharepoint'],
  references: ['https://nvd.nist.gov/vuln/detail/CVE-2025-53770'],
  remediation: 'Install the July 2025 SharePoint security update, rotate the machine keys, and restart IIS.',
});
const SHAREPOINT_EOL = probeRule({
  id: 'w3g-http-sharepoint-end-of-life',
  title: 'SharePoint release out of support',
  description: 'SharePoint 2013 and older no longer receive security updates.',
  severity: 'high',
  confidence: 'firm',
  category: 'end-of-life',
  remediation: 'Migrate to SharePoint Subscription Edition.',
});

/** Exchange (OWA) and SharePoint builds from public resources, mapped to known exploited vulnerabilities. */
export const productCheck: ProbeCheck = {
  id: 'products',
  rules: [EXCHANGE_VERSION, ...EXCHANGE_RULES, SHAREPOINT_VERSION, TOOLSHELL, SHAREPOINT_EOL],
  async run(context) {
    const hits: ProbeHit[] = [];
    const owa = await context.fetch('/owa/auth/logon.aspx');
    if (owa !== undefined && owa.response.status === 200) {
      const build = header(owa, 'x-owa-version') ?? /\/owa\/(?:auth\/)?(1[45]\.\d+\.\d+(?:\.\d+)?)\//i.exec(owa.text)?.[1];
      const parts = build === undefined ? [] : build.split('.').map(Number);
      if (build !== undefined && parts.length >= 3 && parts.every(Number.isFinite)) {
        hits.push(hitFor(EXCHANGE_VERSION, owa, `Exchange build ${excerpt(build, 30)}`, 'exchange'));
        const cu = parts.slice(0, 3).join('.');
        const revision = parts[3];
        EXCHANGE_FIXES.forEach((fix, i) => {
          const rule = EXCHANGE_RULES[i];
          if (rule === undefined) return;
          const vulnerable = exchangeVulnerable(fix, cu, revision);
          if (vulnerable !== false) hits.push(hitFor(rule, owa, `build ${build}${vulnerable === 'unknown-revision' ? ' (CU without a revision: vulnerable unless the security update is installed)' : ''}`, 'exchange'));
        });
      }
    }
    for (const path of ['/', '/_layouts/15/start.aspx']) {
      const page = await context.fetch(path);
      const teamServices = page === undefined ? undefined : header(page, 'microsoftsharepointteamservices');
      if (page === undefined || teamServices === undefined) continue;
      hits.push(hitFor(SHAREPOINT_VERSION, page, `MicrosoftSharePointTeamServices: ${excerpt(teamServices, 40)}`, 'sharepoint'));
      const n = teamServices.split('.').map(Number);
      const major = n[0] ?? 0;
      const build = n[2] === 0 ? (n[3] ?? 0) : (n[2] ?? 0);
      if (major > 0 && major <= 15) hits.push(hitFor(SHAREPOINT_EOL, page, `SharePoint ${major === 15 ? '2013' : major === 14 ? '2010' : 'older'}`, 'sharepoint'));
      if (major === 16 && build > 0 && toolshellVulnerable(build)) hits.push(hitFor(TOOLSHELL, page, `SharePoint 16.0 build ${build}`, 'sharepoint'));
      break;
    }
    return hits;
  },
};

function exchangeVulnerable(fix: Fix, cu: string, revision: number | undefined): boolean | 'unknown-revision' {
  const fixedRevision = fix.fixed[cu];
  if (fixedRevision !== undefined) {
    if (fixedRevision === 0) return false;
    return revision === undefined ? 'unknown-revision' : revision < fixedRevision;
  }
  const [major, minor, build] = cu.split('.').map(Number);
  const sameLine = Object.keys(fix.fixed).map((k) => k.split('.').map(Number)).filter((k) => k[0] === major && k[1] === minor);
  if (sameLine.length === 0) return major === 15 && (minor ?? 0) <= 2 ? true : false;
  return sameLine.every((k) => (build ?? 0) < (k[2] ?? 0));
}

/** ToolShell fixes: 2016 (builds < 10000) 5508, 2019 (10000–14999) 10417, Subscription Edition 18526. */
function toolshellVulnerable(build: number): boolean {
  if (build < 10000) return build < 5508;
  if (build < 15000) return build < 10417;
  return build < 18526;
}
