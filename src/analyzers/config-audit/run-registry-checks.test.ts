import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FindingDraft } from '../../core/finding-draft.js';
import { configAuditAnalyzer } from './config-audit-analyzer.js';
import { findHostHives } from '../../targets/find-host-hives.js';
import { REGISTRY_CHECKS } from './registry-checks.js';
import { NO_SYSTEM_HIVE, NOT_A_HOST_ROOT, runRegistryChecks } from './run-registry-checks.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, 'fixtures');
const hive = (name: string): string => path.join(fixtures, 'hives', `${name}.hiv`);
const context = { signal: new AbortController().signal, evidenceCap: 10 };

/** Rule id → the CIS number (or the rule slug) it fails with, and the severity of each draft. */
function failures(drafts: readonly FindingDraft[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const draft of drafts) {
    const tag = draft.rule.tags.find((t) => t.startsWith('cis.iis10.')) ?? draft.rule.id;
    (out[tag] ??= []).push(draft.rule.severity);
  }
  return out;
}

function statusOf(summaries: readonly { id: string; tags: readonly string[]; pass: number; fail: number; notEvaluated: number }[]): Record<string, string> {
  return Object.fromEntries(
    summaries.map((summary) => [summary.tags.find((t) => t.startsWith('cis.iis10.')) ?? summary.id, summary.fail > 0 ? 'fail' : summary.pass > 0 ? 'pass' : 'not-evaluated']),
  );
}

describe('runRegistryChecks', () => {
  it('passes every check on a hardened host, reading the control set Select\\Current names and the policy cipher order', async () => {
    const outcome = await runRegistryChecks({ system: hive('hardened-system'), software: hive('software-2022') }, 'WEB01', REGISTRY_CHECKS);
    expect(outcome.drafts).toEqual([]);
    expect(outcome.issues).toEqual([]);
    expect(outcome.summaries.every((summary) => summary.pass === 1)).toBe(true);
    expect(outcome.summaries.map((summary) => summary.tags[0] ?? summary.id)).toEqual([
      ...Array.from({ length: 11 }, (_, i) => `cis.iis10.7.${i + 2}`),
      'cve.2016-2183',
      'w3g-cfg-tls13-state',
      'cve.2022-21907',
    ]);
  });

  it('fails the weak settings, each with its severity, and passes what the Windows build turns off by default', async () => {
    const outcome = await runRegistryChecks({ system: hive('weak-system'), software: hive('software-2012r2') }, 'WEB02', REGISTRY_CHECKS);
    expect(failures(outcome.drafts)).toEqual({
      // Server side first, then the client side, which stays low.
      'cis.iis10.7.2': ['high', 'low'],
      'cis.iis10.7.3': ['high', 'low'],
      'cis.iis10.7.4': ['medium', 'low'],
      'cis.iis10.7.5': ['low', 'low'],
      'cis.iis10.7.6': ['medium'],
      'cis.iis10.7.7': ['high'],
      // RC4 56/128 and 64/128 are left to a default w3guard does not know for 2012 R2; RC4 128/128 is on.
      'cis.iis10.7.9': ['low', 'low', 'medium'],
      'cis.iis10.7.10': ['low'],
      'cis.iis10.7.11': ['medium'],
      'cis.iis10.7.12': ['medium'],
      // On by default through 2012 R2.
      'w3g-cfg-triple-des-cipher-disabled': ['medium'],
      // Forced on a build without TLS 1.3 support.
      'w3g-cfg-tls13-state': ['medium'],
      'w3g-cfg-httpsys-trailer-support': ['high'],
    });
    expect(statusOf(outcome.summaries)['cis.iis10.7.8']).toBe('pass');
    const ssl3Client = outcome.drafts.find((draft) => draft.locationKey.endsWith('SSL 3.0\\Client'));
    expect(ssl3Client?.evidence.text).toBe(
      'HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\SSL 3.0\\Client: Enabled=0x1, DisabledByDefault=0x0: client side (outbound connections): SSL 3.0 is enabled (expected Enabled=0x0 and DisabledByDefault=0x1)',
    );
    expect(outcome.drafts.find((draft) => draft.rule.id === 'w3g-cfg-tls13-state')?.evidence.text).toContain('TLS 1.3 is turned on, but build 9600 predates Windows Server 2022');
    const ssl3 = outcome.drafts.find((draft) => draft.rule.tags.includes('cis.iis10.7.3'));
    expect(ssl3).toMatchObject({
      asset: { id: 'WEB02', kind: 'host' },
      locationKey: 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\SSL 3.0\\Server',
      evidence: {
        kind: 'registry',
        file: hive('weak-system'),
        text: 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\SSL 3.0\\Server: Enabled=0xffffffff, DisabledByDefault=0x0: SSL 3.0 is enabled (expected Enabled=0x0 and DisabledByDefault=0x1)',
      },
    });
    expect(ssl3?.evidence.line).toBeUndefined();
    const tls10 = outcome.drafts.find((draft) => draft.rule.tags.includes('cis.iis10.7.4'));
    expect(tls10?.evidence.text).toContain('Enabled not set, DisabledByDefault not set: relies on the default for this Windows version (build 9600), which is enabled');
    const order = outcome.drafts.find((draft) => draft.rule.tags.includes('cis.iis10.7.12'));
    expect(order?.evidence.text).toContain('RC4 suites enabled: TLS_RSA_WITH_RC4_128_SHA');
    expect(order?.evidence.text).toContain('DES/3DES suites enabled: TLS_RSA_WITH_3DES_EDE_CBC_SHA');
    expect(order?.evidence.text).toContain('TLS_RSA_WITH_AES_128_CBC_SHA is preferred over ECDHE with AES-GCM');
    const trailer = outcome.drafts.find((draft) => draft.rule.id === 'w3g-cfg-httpsys-trailer-support');
    expect(trailer?.evidence.text).toBe(
      'HKLM\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters: EnableTrailerSupport=0x1: HTTP trailers are accepted, exposing unpatched systems to CVE-2022-21907 (expected 0x0 or not set)',
    );
  });

  it('judges unset values by the Windows build, and never passes them when the build is unknown', async () => {
    const known = await runRegistryChecks({ system: hive('defaults-system'), software: hive('software-2022') }, 'H', REGISTRY_CHECKS);
    expect(statusOf(known.summaries)).toMatchObject({
      'cis.iis10.7.2': 'pass',
      'cis.iis10.7.3': 'fail',
      'cis.iis10.7.4': 'fail',
      'cis.iis10.7.5': 'fail',
      'cis.iis10.7.6': 'pass',
      'cis.iis10.7.7': 'pass',
      'cis.iis10.7.8': 'pass',
      'cis.iis10.7.9': 'pass',
      'cis.iis10.7.10': 'fail',
      'cis.iis10.7.11': 'pass',
      'cis.iis10.7.12': 'pass',
    });
    expect(failures(known.drafts)['cis.iis10.7.3']).toEqual(['low', 'low']);
    // TLS 1.3 is on by default on Server 2022; an older build without it is not evaluated, never failed.
    expect(statusOf(known.summaries)['w3g-cfg-tls13-state']).toBe('pass');
    // Windows Server 2016 still had the RC4 suites on (Microsoft turned them off by default in 1709).
    const server2016 = await runRegistryChecks({ system: hive('defaults-system'), software: hive('software-2016') }, 'H', REGISTRY_CHECKS);
    expect(statusOf(server2016.summaries)).toMatchObject({ 'cis.iis10.7.2': 'pass', 'cis.iis10.7.6': 'pass', 'cis.iis10.7.8': 'pass', 'cis.iis10.7.9': 'fail' });
    expect(failures(server2016.drafts)['cis.iis10.7.9']).toEqual(['medium', 'medium', 'medium', 'medium']);
    expect(server2016.drafts.find((draft) => draft.rule.tags.includes('cis.iis10.7.9'))?.evidence.text).toContain('(build 14393), which is enabled');
    const older = await runRegistryChecks({ system: hive('defaults-system'), software: hive('software-2012r2') }, 'H', REGISTRY_CHECKS);
    expect(older.summaries.find((summary) => summary.id === 'w3g-cfg-tls13-state')).toMatchObject({ pass: 0, fail: 0, notEvaluated: 1 });
    const unknown = await runRegistryChecks({ system: hive('defaults-system') }, 'H', REGISTRY_CHECKS);
    const schannel = unknown.summaries.filter((summary) => summary.tags.some((tag) => tag.startsWith('cis.iis10.7.')));
    expect(schannel.every((summary) => summary.fail === 1)).toBe(true);
    expect(unknown.drafts.every((draft) => draft.rule.severity === 'low')).toBe(true);
    expect(unknown.drafts[0]?.evidence.text).toContain('relies on the default for this Windows version (the Windows version is unknown: no readable SOFTWARE hive)');
  });

  it('reports every check as not evaluated without a SYSTEM hive, and a broken hive as an issue', async () => {
    for (const [hives, reason] of [
      [{}, NO_SYSTEM_HIVE],
      [undefined, NOT_A_HOST_ROOT],
    ] as const) {
      const outcome = await runRegistryChecks(hives, 'H', REGISTRY_CHECKS);
      expect(outcome.drafts).toEqual([]);
      expect(outcome.summaries.every((summary) => summary.notEvaluated === 1 && summary.notEvaluatedReasons.join() === reason)).toBe(true);
    }
    const broken = path.join(fixtures, 'sad', 'broken-hive-host', 'Windows', 'System32', 'config', 'SYSTEM');
    const outcome = await runRegistryChecks({ system: broken }, 'H', REGISTRY_CHECKS);
    expect(outcome.issues).toEqual([expect.objectContaining({ code: 'hive.bad-signature', path: broken })]);
    expect(outcome.summaries.every((summary) => summary.notEvaluated === 1)).toBe(true);
  });
});

describe('registry checks in the audit of a host root', () => {
  it('finds the hives case-insensitively under the host root, keeping the path as given', async () => {
    const weak = path.join(fixtures, 'happy', 'weak-host');
    expect(await findHostHives(weak)).toEqual({ system: path.join(weak, 'WINDOWS', 'system32', 'Config', 'system'), software: path.join(weak, 'WINDOWS', 'system32', 'Config', 'Software') });
    expect(await findHostHives(path.join(fixtures, 'hives'))).toEqual({});
  });

  it('passes on the hardened host, fails on the weak one, and is not evaluated without hives', async () => {
    const hardened = await configAuditAnalyzer.run({ sources: [{ kind: 'host-root', path: path.join(fixtures, 'happy', 'hardened-host') }] }, context);
    const registryIds = new Set(REGISTRY_CHECKS.map((check) => check.meta.id));
    expect(hardened.checks.filter((check) => registryIds.has(check.id)).every((check) => check.pass === 1 && check.fail === 0)).toBe(true);
    expect(hardened.groups.filter((group) => registryIds.has(group.rule.id))).toEqual([]);

    const weakRoot = path.join(fixtures, 'happy', 'weak-host');
    const weak = await configAuditAnalyzer.run({ sources: [{ kind: 'host-root', path: weakRoot }] }, context);
    const failed = weak.groups.filter((group) => registryIds.has(group.rule.id));
    expect(new Set(failed.map((group) => group.rule.id)).size).toBe(13);
    expect(failed.every((group) => group.asset.id === 'weak-host' && group.head[0]?.file === path.join(weakRoot, 'WINDOWS', 'system32', 'Config', 'system'))).toBe(true);
    expect(weak.rules.find((rule) => rule.id === 'w3g-cis-iis10-7.3-ssl3-disabled')?.remediation).toMatch(/reg\.exe add ".*SSL 3\.0\\Server" \/v Enabled \/t REG_DWORD \/d 0 \/f.*PowerShell: .*New-ItemProperty/);

    const bare = await configAuditAnalyzer.run({ sources: [{ kind: 'host-root', path: path.join(fixtures, 'hives') }] }, context);
    const notEvaluated = bare.checks.filter((check) => registryIds.has(check.id));
    expect(notEvaluated).toHaveLength(REGISTRY_CHECKS.length);
    expect(notEvaluated.every((check) => check.notEvaluated === 1 && check.notEvaluatedReasons.includes(NO_SYSTEM_HIVE))).toBe(true);
  });
});
