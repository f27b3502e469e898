import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { emptyReport, HOSTILE, sampleReport } from '../../test/fixtures/report/sample-report.js';
import { jsonReporter } from './json-reporter.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const contractPath = resolve(repoRoot, '..', 'shared', 'contracts', 'finding-report.schema.json');
const hasContract = existsSync(contractPath);

function parse(text: string): unknown {
  return JSON.parse(text);
}

/** Every value in a parsed document, depth first, so a test can look for nulls where a value was missing. */
function* values(value: unknown): Generator<unknown> {
  yield value;
  if (Array.isArray(value)) for (const item of value) yield* values(item);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) yield* values(item);
}

describe('jsonReporter', () => {
  it('prints one JSON document that parses back, hostile text intact', () => {
    const out = jsonReporter.render(sampleReport(), { color: false });
    expect(out.endsWith('}\n')).toBe(true);
    const doc = parse(out);
    expect(doc).toMatchObject({ tool: { name: 'w3guard', version: '0.1.0' }, command: 'host', startedAt: '2024-05-03T08:00:00.000Z' });
    const report = sampleReport();
    expect(doc).toMatchObject({
      inputs: report.inputs.map((input) => ({ path: input.path })),
      issues: report.issues.map((issue) => ({ message: issue.message })),
      findings: report.findings.map((finding) => ({
        asset: finding.asset,
        locationKey: finding.locationKey,
        evidence: finding.evidence.map((evidence) => ({
          ...(evidence.file === undefined ? {} : { file: evidence.file }),
          ...(evidence.path === undefined ? {} : { path: evidence.path }),
          ...(evidence.url === undefined ? {} : { url: evidence.url }),
          ...(evidence.text === undefined ? {} : { text: evidence.text }),
        })),
      })),
    });
    expect(JSON.stringify(doc)).toContain(JSON.stringify(HOSTILE.oscTitle).slice(1, -1));
  });

  it('is safe to print on a terminal: no raw control, bidi or lone-surrogate character', () => {
    const out = jsonReporter.render(sampleReport(), { color: false });
    expect(out).toMatch(/^[\u0020-\u007e\n]*$/);
  });

  it('prints no null or undefined hole', () => {
    const doc = parse(jsonReporter.render(sampleReport(), { color: false }));
    expect([...values(doc)].filter((value) => value === null || value === undefined)).toEqual([]);
  });

  it('drops evidence lines below 1, bad record ids and impossible times, and prints times as ISO', () => {
    const report = sampleReport();
    const [first, ...rest] = report.findings;
    if (first === undefined) throw new Error('sample has findings');
    const odd = {
      ...first,
      evidence: [
        { kind: 'log-line', file: 'a.log', line: 0, time: Number.NaN, text: 'zero' },
        { kind: 'log-line', file: 'a.log', line: 1.5, recordId: 2.5 },
        { kind: 'event', file: 'b.evtx', recordId: 7, time: Date.UTC(2024, 0, 2, 3, 4, 5) },
      ],
    };
    const doc = parse(jsonReporter.render({ ...report, findings: [odd, ...rest] }, { color: false }));
    expect(doc).toMatchObject({ findings: expect.any(Array) });
    const evidence = (doc as { findings: { evidence: unknown[] }[] }).findings[0]?.evidence;
    expect(evidence).toStrictEqual([
      { kind: 'log-line', file: 'a.log', text: 'zero' },
      { kind: 'log-line', file: 'a.log' },
      { kind: 'event', file: 'b.evtx', recordId: 7, time: '2024-01-02T03:04:05.000Z' },
    ]);
  });

  it('lists the rules that ran, including those without findings', () => {
    const doc = parse(jsonReporter.render(sampleReport(), { color: false }));
    expect(doc).toMatchObject({ rules: expect.arrayContaining([expect.objectContaining({ id: 'w3g-web-log4shell-jndi', severity: 'critical' })]) });
  });

  it('matches the reviewed golden output', async () => {
    await expect(jsonReporter.render(sampleReport(), { color: false })).toMatchFileSnapshot('../../test/fixtures/report/golden/sample.json');
  });
});

describe.skipIf(!hasContract)('jsonReporter against contracts/finding-report.schema.json', () => {
  let compiled: ValidateFunction | undefined;
  /** Compiled on first use, so collecting these tests without the contract reads nothing. */
  const validate = (doc: unknown): boolean => {
    if (compiled === undefined) {
      const ajv = new Ajv2020({ allErrors: true, strict: true });
      addFormats.default(ajv);
      compiled = ajv.compile(JSON.parse(readFileSync(contractPath, 'utf8')));
    }
    return compiled(doc);
  };

  it.each([
    ['the sample report', sampleReport()],
    ['an empty report', emptyReport()],
  ])('validates %s', (_name, report) => {
    const doc = parse(jsonReporter.render(report, { color: false }));
    const ok = validate(doc);
    expect(compiled?.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('is a live check: the contract rejects evidence on line 0', () => {
    const doc = parse(jsonReporter.render(sampleReport(), { color: false })) as { findings: { evidence: { line?: number }[] }[] };
    const evidence = doc.findings[0]?.evidence[0];
    if (evidence === undefined) throw new Error('sample has evidence');
    evidence.line = 0;
    expect(validate(doc)).toBe(false);
  });
});

if (!hasContract) {
  describe('jsonReporter contract', () => {
    it.skip(`../shared is absent (${contractPath}): contract schema test skipped`, () => undefined);
  });
}
