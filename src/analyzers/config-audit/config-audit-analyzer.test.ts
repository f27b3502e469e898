import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configAuditAnalyzer } from './config-audit-analyzer.js';
import { hostLabels } from './host-labels.js';

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
    expect(result.checks.length).toBe(result.rules.length);
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

  it('keeps same-named sites of two host roots apart by qualifying them with the host', async () => {
    const appHost = '<?xml version="1.0"?>\n<configuration>\n<system.applicationHost><applicationPools><add name="P" /></applicationPools><sites><site name="Default Web Site" id="1"><application path="/" applicationPool="P"><virtualDirectory path="/" physicalPath="D:\\www" /></application></site></sites></system.applicationHost>\n<system.webServer>\n<directoryBrowse enabled="true" />\n</system.webServer>\n</configuration>\n';
    const roots = ['WEB01', 'WEB02'].map((name) => path.join(temp, 'fleet', name));
    for (const root of roots) {
      await mkdir(path.join(root, 'Windows', 'System32', 'inetsrv', 'config'), { recursive: true });
      await writeFile(path.join(root, 'Windows', 'System32', 'inetsrv', 'config', 'applicationHost.config'), appHost);
    }
    const sources = roots.map((root) => ({ kind: 'host-root' as const, path: root, hives: {} }));
    const both = await configAuditAnalyzer.run({ sources }, context);
    const browsing = both.groups.filter((group) => group.rule.id === 'w3g-cis-iis10-1.3-directory-browsing-off');
    expect(browsing.map((group) => group.asset.id).sort()).toEqual(['WEB01', 'WEB02']);
    const pools = both.groups.filter((group) => group.asset.kind === 'app-pool' || group.asset.kind === 'site').map((group) => group.asset.id);
    expect(pools.length).toBeGreaterThan(0);
    expect(pools.every((id) => id.startsWith('WEB01/') || id.startsWith('WEB02/'))).toBe(true);
    expect(both.groups.find((group) => group.asset.id === 'WEB01/Default Web Site')?.asset.name).toBe('Default Web Site');
    // One host alone keeps the short names.
    const one = await configAuditAnalyzer.run({ sources: sources.slice(0, 1) }, context);
    expect(one.groups.some((group) => group.asset.id === 'Default Web Site')).toBe(true);
  });

  it('names host roots by folder, and by path when two folders share a name', () => {
    expect(hostLabels([{ kind: 'host-root', path: '/mnt/a/WEB01' }, { kind: 'host-root', path: '/mnt/b/WEB02/' }])).toEqual(['WEB01', 'WEB02']);
    expect(hostLabels([{ kind: 'host-root', path: '/mnt/a/image' }, { kind: 'host-root', path: '/mnt/b/Image' }, { kind: 'web-config', path: 'x/web.config' }])).toEqual(['/mnt/a/image', '/mnt/b/Image', 'x/web.config']);
  });

  const dev = path.resolve(here, '..', '..', '..', '..', 'shared', 'eval', 'dev', 'configs');
  it.skipIf(!existsSync(dev))('finds the planted backdoor module of the development host', async () => {
    const result = await configAuditAnalyzer.run({ sources: [{ kind: 'host-root', path: path.join(dev, 'FAB-WEB01') }] }, context);
    const rogue = result.groups.find((group) => group.rule.id === 'w3g-pers-native-module-unknown');
    expect(rogue?.rule.severity).toBe('critical');
    expect(result.groups.some((group) => group.rule.id === 'w3g-pers-native-module-enabled')).toBe(true);
  });
});
