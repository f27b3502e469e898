import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configAuditAnalyzer } from './config-audit-analyzer.js';
import { UNDECIDABLE_RECOMMENDATIONS } from './undecidable-recommendations.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const twoSites = path.resolve(here, '..', '..', 'formats', 'iis-config', 'fixtures', 'happy', 'two-sites');
const fixtures = path.resolve(here, '..', '..', 'formats', 'iis-config', 'fixtures', 'happy');
const context = { signal: new AbortController().signal, evidenceCap: 10 };

describe('configAuditAnalyzer', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await mkdtemp(path.join(os.tmpdir(), 'w3guard-audit-'));
  });
  afterAll(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  it('audits a host root and counts every check', async () => {
    const result = await configAuditAnalyzer.run({ sources: [{ kind: 'host-root', path: twoSites }] }, context);
    expect(result.inputs.map((input) => input.kind)).toContain('iis-config');
    expect(result.checks.length).toBe(result.rules.length + UNDECIDABLE_RECOMMENDATIONS.length);
    // What the files cannot decide is counted as not evaluated, with the reason, never passed.
    expect(result.checks.find((check) => check.id === 'w3g-cis-iis10-2.2-sensitive-features-authenticated-only')).toMatchObject({
      pass: 0,
      fail: 0,
      notEvaluated: 1,
      tags: ['cis.iis10.2.2', 'cis.level1'],
    });
    expect(result.checks.every((check) => check.pass + check.fail + check.notEvaluated > 0)).toBe(true);
    const failed = result.checks.filter((check) => check.fail > 0).map((check) => check.id);
    expect(failed.length).toBe(new Set(result.groups.map((group) => group.rule.id)).size);
  });

  it('reads the .NET machine.config files of a host root and checks retail mode in each', async () => {
    const host = path.join(fixtures, 'dotnet-host');
    const result = await configAuditAnalyzer.run({ sources: [{ kind: 'host-root', path: host }] }, context);
    expect(result.inputs.filter((input) => /machine\.config$/i.test(input.path))).toHaveLength(3);
    expect(result.checks.find((check) => check.id === 'w3g-cis-iis10-3.1-deployment-retail')).toMatchObject({ pass: 1, fail: 2, notEvaluated: 0 });
    const trust = result.groups.find((group) => group.rule.id === 'w3g-cis-iis10-3.10-trust-level-medium');
    expect(trust?.head[0]?.file).toBe(path.join(host, 'Windows', 'Microsoft.NET', 'Framework64', 'v4.0.30319', 'Config', 'web.config'));
  });

  it('reports shared configuration as an issue and an informational finding', async () => {
    const result = await configAuditAnalyzer.run({ sources: [{ kind: 'host-root', path: path.join(fixtures, 'shared-config') }] }, context);
    expect(result.issues.map((issue) => issue.code)).toContain('config.shared-configuration');
    const shared = result.groups.find((group) => group.rule.id === 'w3g-cfg-shared-configuration');
    expect(shared?.rule.severity).toBe('info');
    expect(shared?.head[0]?.text).toContain('fileserver');
  });

  it('audits a single web.config', async () => {
    const file = path.join(temp, 'web.config');
    await writeFile(file, '<?xml version="1.0"?>\n<configuration>\n  <system.web>\n    <compilation debug="true" />\n  </system.web>\n</configuration>\n');
    const result = await configAuditAnalyzer.run({ sources: [{ kind: 'web-config', path: file }] }, context);
    const debug = result.groups.find((group) => group.rule.id === 'w3g-cis-iis10-3.2-debug-off');
    expect(debug?.head[0]).toMatchObject({ kind: 'config', file, line: 4 });
  });

  it('audits a single applicationHost.config without reading anything else', async () => {
    const file = path.join(twoSites, 'Windows', 'System32', 'inetsrv', 'Config', 'applicationHost.config');
    const result = await configAuditAnalyzer.run({ sources: [{ kind: 'application-host', path: file }] }, context);
    expect(result.inputs.map((input) => input.path)).toEqual([file]);
    expect(result.checks.some((check) => check.pass > 0)).toBe(true);
  });

  it('turns a host without applicationHost.config or a broken file into issues, not findings', async () => {
    const broken = path.join(temp, 'applicationHost.config');
    await writeFile(broken, '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><configuration/>');
    const result = await configAuditAnalyzer.run(
      {
        sources: [
          { kind: 'host-root', path: temp },
          { kind: 'application-host', path: broken },
        ],
      },
      context,
    );
    expect(result.groups).toEqual([]);
    expect(result.issues.map((issue) => issue.code).sort()).toEqual(['config.doctype', 'config.not-found']);
  });

  const dev = path.resolve(here, '..', '..', '..', '..', 'shared', 'eval', 'dev', 'configs');
  it.skipIf(!existsSync(dev))('finds the planted backdoor module of the development host', async () => {
    const result = await configAuditAnalyzer.run({ sources: [{ kind: 'host-root', path: path.join(dev, 'FAB-WEB01') }] }, context);
    const rogue = result.groups.find((group) => group.rule.id === 'w3g-pers-native-module-unknown');
    expect(rogue?.rule.severity).toBe('critical');
    expect(result.groups.some((group) => group.rule.id === 'w3g-pers-native-module-enabled')).toBe(true);
  });
});
