import { describe, expect, it } from 'vitest';
import { emptyReport, sampleReport } from '../../test/fixtures/report/sample-report.js';
import { jsonlReporter } from './jsonl-reporter.js';
import { jsonReporter } from './json-reporter.js';

describe('jsonlReporter', () => {
  it('prints one finding per line, the same objects as the json format, and nothing else', () => {
    const report = sampleReport();
    const out = jsonlReporter.render(report, { color: false });
    expect(out.endsWith('\n')).toBe(true);
    const lines = out.slice(0, -1).split('\n');
    expect(lines).toHaveLength(report.findings.length);
    const doc: unknown = JSON.parse(jsonReporter.render(report, { color: false }));
    expect(doc).toMatchObject({ findings: lines.map((line): unknown => JSON.parse(line)) });
  });

  it('cannot be split by a hostile line separator or newline in evidence', () => {
    const report = sampleReport();
    const [first] = report.findings;
    if (first === undefined) throw new Error('sample has findings');
    const split = { ...first, evidence: [{ kind: 'log-line', file: 'a.log', line: 1, text: 'a\nb\r\nc\u2028d\u2029e\u0085f' }] };
    const out = jsonlReporter.render({ ...report, findings: [split] }, { color: false });
    expect(out.split(/\r\n|[\n\r\u2028\u2029\u0085]/)).toHaveLength(2);
    expect(JSON.parse(out)).toMatchObject({ evidence: [{ text: 'a\nb\r\nc\u2028d\u2029e\u0085f' }] });
  });

  it('prints nothing when there are no findings', () => {
    expect(jsonlReporter.render(emptyReport(), { color: false })).toBe('');
  });

  it('matches the reviewed golden output', async () => {
    await expect(jsonlReporter.render(sampleReport(), { color: false })).toMatchFileSnapshot('../../test/fixtures/report/golden/sample.jsonl');
  });
});
