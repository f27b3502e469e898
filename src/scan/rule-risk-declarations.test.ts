import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTENT_ROOT } from '../analyzers/content-root.js';
import { CONFIG_CHECKS } from '../analyzers/config-audit/config-checks.js';
import { REGISTRY_CHECKS } from '../analyzers/config-audit/registry-checks.js';
import { PROBE_CHECKS } from '../analyzers/http-probe/probe-checks.js';
import { ATTEMPT_THEN_SUCCESS_RULE } from '../analyzers/weblog/grade-by-outcome.js';
import { INCIDENT_RULE } from '../analyzers/eventlog/process-tree-incidents.js';
import type { RuleMeta } from '../core/rule-meta.js';
import { shippedRiskTables } from './risk-tables.js';

const tables = shippedRiskTables();
const declares = (rule: RuleMeta): boolean => (rule.technicalImpact !== undefined && rule.automatable !== undefined) || tables.ruleDefault(rule) !== undefined;

describe('what configuration and scan checks say about their hits', () => {
  it('every audit and scan check without a CVE declares technical impact and automatability, itself or by its category', () => {
    const checks = [...CONFIG_CHECKS.map((c) => c.meta), ...REGISTRY_CHECKS.map((c) => c.meta), ...PROBE_CHECKS.flatMap((c) => c.rules)];
    expect(checks.length).toBeGreaterThan(60);
    const undeclared = checks.filter((rule) => !rule.tags.some((t) => t.startsWith('cve.')) && !declares(rule)).map((rule) => `${rule.id} (${rule.category})`);
    expect(undeclared).toEqual([]);
  });

  it('declares the examples of the research explicitly', () => {
    const byId = new Map([...CONFIG_CHECKS.map((c) => c.meta), ...REGISTRY_CHECKS.map((c) => c.meta), ...PROBE_CHECKS.flatMap((c) => c.rules)].map((r) => [r.id, r]));
    expect(byId.get('w3g-http-viewstate-no-mac')).toMatchObject({ technicalImpact: 'total', automatable: true });
    expect(byId.get('w3g-cis-iis10-1.3-directory-browsing-off')).toMatchObject({ technicalImpact: 'partial', automatable: true });
    expect(byId.get('w3g-cis-iis10-4.6-trace-verb-denied')).toMatchObject({ technicalImpact: 'partial', automatable: true });
    expect(byId.get('w3g-cfg-httpsys-trailer-support')).toMatchObject({ technicalImpact: 'total', automatable: true });
  });

  it('marks the hits that are compromise evidence', () => {
    expect(ATTEMPT_THEN_SUCCESS_RULE.compromise).toBe(true);
    expect(tables.ruleDefault(INCIDENT_RULE)?.compromise).toBe(true);
    const tagged = (['weblog', 'eventlog'] as const).flatMap((folder) =>
      readdirSync(new URL(`sigma/${folder}/`, CONTENT_ROOT)).filter((name) => /\n\s+- w3guard\.compromise\n/.test(readFileSync(new URL(`sigma/${folder}/${name}`, CONTENT_ROOT), 'utf8'))),
    );
    // Backdoor traffic and w3wp.exe running shells, writing executables, injecting threads or becoming SYSTEM.
    expect(tagged.sort()).toEqual([
      'w3g-evt-potato-apppool-to-system.yml',
      'w3g-evt-potato-command-line.yml',
      'w3g-evt-w3wp-remote-thread.yml',
      'w3g-evt-w3wp-shell.yml',
      'w3g-evt-w3wp-writes-executable.yml',
      'w3g-web-backdoor-cookie.yml',
      'w3g-web-iis-raid-headers.yml',
      'w3g-web-iistealer-header.yml',
    ]);
  });
});
