import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { emptyReport, sampleReport } from '../../test/fixtures/report/sample-report.js';
import { SARIF_FINGERPRINT_KEY, SARIF_SCHEMA_URI, sarifReporter, W3GUARD_INFORMATION_URI } from './sarif-reporter.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The SARIF 2.1.0 schema as the SARIF SDK (the reference implementation behind the OASIS standard) ships
 * it, from the `@microsoft/sarif-multitool-linux` dev dependency.
 */
const officialSchemaPath = resolve(repoRoot, 'node_modules', '@microsoft', 'sarif-multitool-linux', 'sarif-2.1.0.json');

interface Location {
  id?: number;
  physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number; snippet?: { text: string } } };
  message?: { text: string };
  properties?: Record<string, unknown>;
}
interface Rule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  helpUri?: string;
  defaultConfiguration: { level: string };
  properties: { tags: string[]; 'security-severity': string; precision: string };
}
interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Location[];
  relatedLocations?: Location[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}
interface Notification {
  level: string;
  message: { text: string };
  descriptor: { id: string };
  locations?: Location[];
}
interface Run {
  tool: { driver: { name: string; version: string; semanticVersion?: string; informationUri: string; rules: Rule[] } };
  invocations: { executionSuccessful: boolean; startTimeUtc: string; endTimeUtc: string; toolExecutionNotifications: Notification[] }[];
  results: Result[];
}
interface Log {
  $schema: string;
  version: string;
  runs: Run[];
}

/** Reads the test's own output; the interfaces above are what these tests expect to find. */
function render(report = sampleReport()): { log: Log; run: Run } {
  const log = JSON.parse(sarifReporter.render(report, { color: false })) as Log;
  const [run] = log.runs;
  if (run === undefined) throw new Error('no run');
  return { log, run };
}

function allLocations(run: Run): Location[] {
  return [
    ...run.results.flatMap((result) => [...result.locations, ...(result.relatedLocations ?? [])]),
    ...run.invocations.flatMap((invocation) => invocation.toolExecutionNotifications.flatMap((notification) => notification.locations ?? [])),
  ];
}

describe('sarifReporter', () => {
  it('writes one SARIF 2.1.0 run from w3guard', () => {
    const { log, run } = render();
    expect(log.$schema).toBe(SARIF_SCHEMA_URI);
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    expect(run.tool.driver).toMatchObject({ name: 'w3guard', version: '0.1.0', semanticVersion: '0.1.0', informationUri: W3GUARD_INFORMATION_URI });
  });

  it('describes every rule that ran and every rule a finding names, each once, in a stable order', () => {
    const { run } = render();
    const ids = run.tool.driver.rules.map((rule) => rule.id);
    expect(ids).toEqual([
      'w3g-web-log4shell-jndi',
      'w3g-web-webshell-cmd',
      'w3g-web-telerik-cve-2019-18935',
      'w3g-sweep-aspx-webshell',
      'w3g-cfg-directory-browsing',
      'w3g-scan-iis-shortname',
      'w3g-web-scanner-user-agent',
    ]);
  });

  it('gives each rule descriptions, help with remediation, a help URI, tags, level and security severity', () => {
    const { run } = render();
    const rules = new Map(run.tool.driver.rules.map((rule) => [rule.id, rule]));
    expect(rules.get('w3g-web-webshell-cmd')).toMatchObject({
      name: 'WebShellCommandInRequest',
      shortDescription: { text: 'Web shell command in request' },
      fullDescription: { text: 'A request passed an operating-system command to a script in a web folder.' },
      helpUri: 'https://attack.mitre.org/techniques/T1505/003/',
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['security', 'attack.t1505.003', 'attack.persistence'], 'security-severity': '9.5', precision: 'very-high' },
    });
    expect(rules.get('w3g-web-webshell-cmd')?.help.text).toContain('Remediation: Isolate the server');
    expect(rules.get('w3g-cfg-directory-browsing')?.helpUri).toBeUndefined();
    const expected = { critical: ['error', '9.5'], high: ['error', '8.0'], medium: ['warning', '5.5'], low: ['note', '3.0'], info: ['note', '0.0'] };
    const report = sampleReport();
    for (const finding of report.findings) {
      const rule = rules.get(finding.ruleId);
      expect([rule?.defaultConfiguration.level, rule?.properties['security-severity']]).toEqual(expected[finding.severity]);
    }
  });

  it('writes one result per finding, pointing at its rule by id and index', () => {
    const report = sampleReport();
    const { run } = render(report);
    expect(run.results).toHaveLength(report.findings.length);
    run.results.forEach((result, index) => {
      const finding = report.findings[index];
      expect(result.ruleId).toBe(finding?.ruleId);
      expect(run.tool.driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
      expect(result.partialFingerprints).toEqual({ [SARIF_FINGERPRINT_KEY]: finding?.fingerprint });
      expect(result.message.text).toContain(finding?.title);
      expect(result.properties).toMatchObject({ occurrences: finding?.occurrences, asset: finding?.asset, locationKey: finding?.locationKey });
    });
    expect(run.results.map((result) => result.level)).toEqual(['error', 'error', 'error', 'error', 'warning', 'note', 'note']);
  });

  it('points at file and line, with the evidence as snippet, and lists further evidence as related locations', () => {
    const { run } = render();
    const [webshell] = run.results;
    expect(webshell?.locations).toEqual([
      {
        physicalLocation: {
          artifactLocation: { uri: 'logs/W3SVC1/u_ex240501%2C%22copy%22.log' },
          region: { startLine: 17, snippet: { text: expect.stringContaining('cmd=whoami\u001b]0;pwn\u0007') } },
        },
      },
    ]);
    expect(webshell?.relatedLocations?.map((location) => [location.id, location.physicalLocation.region?.startLine])).toEqual([
      [1, 18],
      [2, 19],
      [3, 22],
    ]);
    expect(webshell?.properties).toMatchObject({ firstSeen: '2024-05-01T10:00:00.000Z', lastSeen: '2024-05-01T10:05:00.000Z' });
  });

  it('turns paths into URI references and keeps URLs for HTTP evidence', () => {
    const { run } = render();
    const uris = run.results.map((result) => result.locations[0]?.physicalLocation.artifactLocation.uri);
    expect(uris).toEqual([
      'logs/W3SVC1/u_ex240501%2C%22copy%22.log',
      'logs/W3SVC2/u_ex%1B%5B31m240502.log',
      'inetpub/wwwroot/aspnet_client/sh%20ell%2C%22x%22invoice%E2%80%AEfdp.exe.aspx',
      'logs/W3SVC2/u_ex%EF%BF%BD.log',
      'file:///C:/inetpub/wwwroot/web.config',
      'https://portal.example.com/*~1*/a.aspx?q=%3Cscript%3E%7C%7Bx%7D',
      'winevt/Logs/Microsoft-IIS-Logging%254Logs.evtx',
    ]);
  });

  it('writes only valid RFC 3986 URI references', () => {
    const ajv = new Ajv({ strict: true });
    addFormats.default(ajv);
    const isUriReference = ajv.compile({ type: 'string', format: 'uri-reference' });
    const { run } = render();
    const uris = allLocations(run).map((location) => location.physicalLocation.artifactLocation.uri);
    expect(uris.length).toBeGreaterThan(8);
    expect(uris.filter((uri) => !isUriReference(uri))).toEqual([]);
  });

  it('keeps text without a line as the location message, and the event record id', () => {
    const { run } = render();
    expect(run.results[2]?.locations[0]).toMatchObject({ message: { text: expect.stringContaining('<script>alert(1)</script>') } });
    expect(run.results[2]?.locations[0]?.physicalLocation.region).toBeUndefined();
    expect(run.results[6]?.locations[0]).toMatchObject({ properties: { recordId: 4711 } });
  });

  it('reports scan issues as warning notifications of a successful invocation', () => {
    const { run } = render();
    expect(run.invocations).toHaveLength(1);
    expect(run.invocations[0]).toMatchObject({ executionSuccessful: true, startTimeUtc: '2024-05-03T08:00:00.000Z', endTimeUtc: '2024-05-03T08:00:42.500Z' });
    expect(run.invocations[0]?.toolExecutionNotifications).toEqual([
      {
        level: 'warning',
        message: { text: 'line has 12 fields but #Fields declares 14\u001b]0;pwn\u0007' },
        descriptor: { id: 'w3c.field-count' },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'logs/W3SVC1/u_ex240501%2C%22copy%22.log' }, region: { startLine: 33 } } }],
      },
      {
        level: 'warning',
        message: { text: 'gzip stream ended early' },
        descriptor: { id: 'input.gzip-truncated' },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'logs/old%0D%0AINFO%20all%20clean.gz' } } }],
      },
      { level: 'warning', message: { text: 'rule uses |expandinvoice\u202efdp.exe' }, descriptor: { id: 'sigma.unsupported-modifier' } },
    ]);
  });

  it('is safe to print on a terminal', () => {
    expect(sarifReporter.render(sampleReport(), { color: false })).toMatch(/^[\u0020-\u007e\n\u2014]*$/);
  });

  it('writes a valid empty run when nothing was found', () => {
    const { run } = render(emptyReport());
    expect(run.results).toEqual([]);
    expect(run.tool.driver.rules).toHaveLength(6);
  });

  it('matches the reviewed golden output', async () => {
    await expect(sarifReporter.render(sampleReport(), { color: false })).toMatchFileSnapshot('../../test/fixtures/report/golden/sample.sarif');
  });
});

describe('sarifReporter against the official SARIF 2.1.0 schema', () => {
  let compiled: ValidateFunction | undefined;
  /** Compiled on first use, so collecting these tests without the schema reads nothing. */
  const validate = (doc: unknown): boolean => {
    if (compiled === undefined) {
      const schema = JSON.parse(readFileSync(officialSchemaPath, 'utf8')) as { $schema?: string };
      // The OASIS file is draft-07; a 2020-12 copy (as in Microsoft's SARIF SDK) needs the other Ajv class.
      const ajv = schema.$schema?.includes('2020-12') ? new Ajv2020({ strict: false, allErrors: true }) : new Ajv({ strict: false, allErrors: true });
      addFormats.default(ajv);
      compiled = ajv.compile(schema);
    }
    return compiled(doc);
  };

  it.each([
    ['the sample report', sampleReport()],
    ['an empty report', emptyReport()],
  ])('validates %s', (_name, report) => {
    const ok = validate(JSON.parse(sarifReporter.render(report, { color: false })));
    expect(compiled?.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('is a live check: the schema rejects a result without a message', () => {
    const { log, run } = render();
    const [first] = run.results;
    if (first === undefined) throw new Error('sample has results');
    Reflect.deleteProperty(first, 'message');
    expect(validate(log)).toBe(false);
  });
});
