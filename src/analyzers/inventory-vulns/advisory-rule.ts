import type { RuleMeta } from '../../core/rule-meta.js';
import type { CveIntel } from '../../core/inventory-item.js';
import type { Advisory, AdvisoryVulnerability } from '../../engines/advisory/advisory.js';
import type { Feeds } from '../../scan/load-feeds.js';

/** The finding rule of one advisory vulnerability, its description carrying what KEV and EPSS say about its CVEs. */
export function advisoryRule(advisory: Advisory, vulnerability: AdvisoryVulnerability, intel: readonly CveIntel[]): RuleMeta {
  const inKev = intel.filter((cve) => cve.kev !== undefined);
  const ransomware = inKev.some((cve) => cve.kev?.knownRansomwareCampaignUse === 'Known');
  const facts = intel.map((cve) => {
    const parts: string[] = [];
    if (cve.kev !== undefined) parts.push(`in CISA KEV since ${cve.kev.dateAdded}, due ${cve.kev.dueDate}${cve.kev.knownRansomwareCampaignUse === 'Known' ? ', used by ransomware' : ''}`);
    else parts.push('not in CISA KEV');
    if (cve.epss !== undefined) parts.push(`EPSS ${cve.epss.score.toFixed(3)} (percentile ${cve.epss.percentile.toFixed(3)}${cve.epss.date === undefined ? '' : `, ${cve.epss.date}`})`);
    return `${cve.id}: ${parts.join('; ')}`;
  });
  return {
    id: advisoryRuleId(advisory, vulnerability),
    title: `${advisory.product}: ${vulnerability.title}`,
    description: [`${advisory.product} before ${vulnerability.fixed} is affected.`, ...facts, ...(vulnerability.note === undefined ? [] : [vulnerability.note])].join(' '),
    severity: vulnerability.severity,
    confidence: 'firm',
    engine: 'advisory',
    category: 'vulnerable-component',
    tags: [...vulnerability.cves.map((cve) => `cve.${cve.slice(4).toLowerCase()}`), ...(inKev.length > 0 ? ['kev'] : []), ...(ransomware ? ['kev.ransomware'] : [])],
    references: vulnerability.references,
    remediation: vulnerability.remediation,
  };
}

/** The finding rule id of one advisory vulnerability. */
export function advisoryRuleId(advisory: Pick<Advisory, 'id'>, vulnerability: Pick<AdvisoryVulnerability, 'id'>): string {
  return `w3g-adv-${advisory.id}-${vulnerability.id.toLowerCase()}`;
}

/** KEV and EPSS facts for each CVE of a vulnerability. */
export function cveIntel(cves: readonly string[], feeds: Pick<Feeds, 'kev' | 'epss'>): CveIntel[] {
  return cves.map((id) => {
    const kev = feeds.kev?.entries.get(id);
    const epss = feeds.epss?.scores.get(id);
    return {
      id,
      ...(kev === undefined ? {} : { kev: { dateAdded: kev.dateAdded, dueDate: kev.dueDate, knownRansomwareCampaignUse: kev.knownRansomwareCampaignUse } }),
      ...(epss === undefined ? {} : { epss: { score: epss.epss, percentile: epss.percentile, ...(feeds.epss?.scoreDate === undefined ? {} : { date: feeds.epss.scoreDate }) } }),
    };
  });
}
