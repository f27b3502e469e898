import { hitFor, probeRule, type ProbeCheck, type ProbeExchange } from './probe-check.js';

const TILDE = probeRule({
  id: 'w3g-http-iis-tilde-short-names',
  title: 'IIS tilde (8.3 short name) disclosure',
  description:
    'IIS answers differently for a wildcard that matches an existing 8.3 short name than for one that does not, so anyone can enumerate the first six characters of hidden files and folders (backups, old configs).',
  severity: 'medium',
  confidence: 'firm',
  category: 'information-disclosure',
  tags: ['attack.t1083'],
  references: ['https://soroush.me/downloadable/microsoft_iis_tilde_character_vulnerability_feature.pdf'],
  remediation: 'Disable 8.3 name creation (fsutil 8dot3name set 1), strip existing short names (fsutil 8dot3name strip), and reject "~" in URLs with request filtering.',
});

// Two prefixes no real short name starts with: both must answer alike, or the difference means nothing.
const BOGUS = ['/W3gq0z*~1*/a.aspx', '/Zq9x7k*~1*/a.aspx'];
const WILDCARD = '/*~1*/a.aspx';

/** The tilde short-name method: `*~1*` against two made-up prefixes, confirmed before reporting. */
export const tildeCheck: ProbeCheck = {
  id: 'tilde',
  rules: [TILDE],
  async run(context) {
    for (const method of ['GET', 'OPTIONS']) {
      const hit = await context.fetch(WILDCARD, { method });
      const miss = await context.fetch(BOGUS[0] ?? '', { method });
      if (!differs(hit, miss)) continue;
      const confirm = await context.fetch(BOGUS[1] ?? '', { method });
      if (hit === undefined || miss === undefined || confirm === undefined || confirm.response.status !== miss.response.status) continue;
      return [hitFor(TILDE, hit, `${method} ${WILDCARD} answered ${hit.response.status}, two made-up prefixes answered ${miss.response.status}`, '/')];
    }
    return [];
  },
};

function differs(hit: ProbeExchange | undefined, miss: ProbeExchange | undefined): boolean {
  if (hit === undefined || miss === undefined) return false;
  // The documented pattern: an existing name gives 404, a missing one 400 (or another status than 404).
  return hit.response.status === 404 && miss.response.status !== 404 && miss.response.status < 500;
}
