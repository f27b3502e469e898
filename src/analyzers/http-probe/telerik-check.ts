import { hitFor, probeRule, type ProbeCheck, type ProbeHit } from './probe-check.js';

const RAU = probeRule({
  id: 'w3g-http-telerik-rau-handler',
  title: 'Telerik RadAsyncUpload handler reachable',
  description: 'Telerik.Web.UI.WebResource.axd?type=rau answers: the upload handler behind CVE-2017-11317 and CVE-2019-18935 (exploited against IIS by Lazarus and others) is exposed.',
  severity: 'medium',
  confidence: 'certain',
  category: 'exposure',
  tags: ['telerik'],
  remediation: 'Update Telerik UI for ASP.NET AJAX to 2020.1.114 or later, set Telerik.AsyncUpload.ConfigurationEncryptionKey and Telerik.Upload.ConfigurationHashKey, or remove the handler if unused.',
});
const DIALOG = probeRule({
  id: 'w3g-http-telerik-dialog-handler',
  title: 'Telerik DialogHandler reachable',
  description: 'Telerik.Web.UI.DialogHandler.aspx answers: the handler behind CVE-2017-9248 (weak encryption leading to file upload) is exposed.',
  severity: 'medium',
  confidence: 'certain',
  category: 'exposure',
  tags: ['telerik'],
  remediation: 'Update Telerik UI for ASP.NET AJAX to 2017.2.621 or later and set Telerik.Web.UI.DialogParametersEncryptionKey.',
});

/** Telerik CVEs with the first fixed release (year.quarter.build). */
const TELERIK_CVES = [
  { cve: '2019-18935', fixed: [2020, 1, 114], title: 'Telerik UI deserialization in RadAsyncUpload (CVE-2019-18935, known exploited)' },
  { cve: '2017-11317', fixed: [2017, 2, 711], title: 'Telerik UI weak RadAsyncUpload encryption (CVE-2017-11317, known exploited)' },
  { cve: '2017-9248', fixed: [2017, 2, 621], title: 'Telerik UI DialogHandler weak encryption (CVE-2017-9248, known exploited)' },
] as const;

const CVE_RULES = TELERIK_CVES.map((c) =>
  probeRule({
    id: `w3g-http-telerik-cve-${c.cve}`,
    title: c.title,
    description: `The Telerik.Web.UI version named in the page's script resources is older than ${c.fixed.join('.')}, the first release that fixes CVE-${c.cve}.`,
    severity: 'critical',
    confidence: 'firm',
    category: 'vulnerable-version',
    tags: [`cve.${c.cve}`, 'kev', 'telerik'],
    references: [`https://nvd.nist.gov/vuln/detail/CVE-${c.cve}`],
    remediation: 'Update Telerik UI for ASP.NET AJAX to the current release and set its encryption keys.',
  }),
);

const VERSION = /Telerik\.Web\.UI,\s*Version=(\d{4})\.(\d+)\.(\d+)(?:\.\d+)?/;

/** Telerik UI handlers and the version from the page's combined-script resources, mapped to the Telerik CVEs. */
export const telerikCheck: ProbeCheck = {
  id: 'telerik',
  rules: [RAU, DIALOG, ...CVE_RULES],
  async run(context) {
    const hits: ProbeHit[] = [];
    const rau = await context.fetch('/Telerik.Web.UI.WebResource.axd?type=rau');
    if (rau?.response.status === 200 && /RadAsyncUpload handler is registered succes/i.test(rau.text)) hits.push(hitFor(RAU, rau, 'RadAsyncUpload handler answer'));
    const dialog = await context.fetch('/Telerik.Web.UI.DialogHandler.aspx?dp=1');
    if (dialog?.response.status === 200 && /Invalid length for a Base-64 char array/i.test(dialog.text)) hits.push(hitFor(DIALOG, dialog, 'DialogHandler Base-64 error'));
    const home = await context.fetch('/');
    if (home === undefined) return hits;
    let decoded: string;
    try {
      decoded = decodeURIComponent(home.text.replace(/\+/g, ' '));
    } catch {
      decoded = home.text;
    }
    const m = VERSION.exec(decoded);
    if (m === null) return hits;
    const version = [Number(m[1]), Number(m[2]), Number(m[3])];
    TELERIK_CVES.forEach((c, i) => {
      const rule = CVE_RULES[i];
      if (rule !== undefined && compare(version, c.fixed) < 0) hits.push(hitFor(rule, home, `script resources name Telerik.Web.UI ${version.join('.')}`, 'telerik'));
    });
    return hits;
  },
};

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
