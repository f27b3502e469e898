import type { FindingGroup } from '../../core/finding-aggregator.js';
import type { RuleMeta } from '../../core/rule-meta.js';
import { EXTERNAL_SCRIPT } from './tampering-check.js';
import { probeRule } from './probe-check.js';

/** The outside script domains a previous scan saw, per site (asset id). */
export type ScriptBaseline = ReadonlyMap<string, ReadonlySet<string>>;

/** A script domain that was not on the page at the previous scan. */
export const NEW_EXTERNAL_SCRIPT: RuleMeta = probeRule({
  id: 'w3g-http-new-external-script',
  title: 'New outside script domain since the previous scan',
  description: 'The home page now loads script from a domain it did not load from at the previous scan. Injected script is how compromised IIS servers redirect or infect visitors; confirm the change was intended.',
  severity: 'high',
  confidence: 'firm',
  category: 'tampering',
  tags: ['attack.t1608.004'],
  remediation: 'Find who changed the page or which module injects the script (appcmd list modules); remove it, then pin script sources with a Content-Security-Policy.',
});

/** Adds a finding for every outside script domain of a site that the baseline scanned without it. */
export function compareScriptHosts(groups: readonly FindingGroup[], baseline: ScriptBaseline): FindingGroup[] {
  const added: FindingGroup[] = [];
  for (const group of groups) {
    if (group.rule.id !== EXTERNAL_SCRIPT.id) continue;
    const before = baseline.get(group.asset.id);
    if (before === undefined || before.has(group.locationKey)) continue;
    added.push({ ...group, rule: NEW_EXTERNAL_SCRIPT, head: group.head.map((e) => ({ ...e, text: `${e.text ?? ''}; not seen at the previous scan` })) });
  }
  return added;
}
