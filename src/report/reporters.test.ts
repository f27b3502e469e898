import { describe, expect, it } from 'vitest';
import { emptyReport, sampleReport } from '../../test/fixtures/report/sample-report.js';
import { isReportFormat, REPORT_FORMATS, REPORTERS } from './reporters.js';

describe('REPORTERS', () => {
  it('lists the formats the design promises, each under its own name', () => {
    expect(REPORT_FORMATS).toEqual(['table', 'json', 'jsonl', 'sarif', 'csv', 'md', 'html']);
    for (const format of REPORT_FORMATS) {
      expect(REPORTERS[format].format).toBe(format);
      expect(REPORTERS[format].description).not.toBe('');
    }
  });

  it('recognizes format names and nothing inherited', () => {
    expect(REPORT_FORMATS.every(isReportFormat)).toBe(true);
    for (const value of ['HTML', 'JSON', '', 'toString', '__proto__', 'constructor', 42, undefined, null]) {
      expect(isReportFormat(value)).toBe(false);
    }
  });

  it.each(REPORT_FORMATS)('%s renders deterministic text that ends with a newline', (format) => {
    for (const color of [false, true]) {
      const first = REPORTERS[format].render(sampleReport(), { color });
      expect(first).toBe(REPORTERS[format].render(sampleReport(), { color }));
      expect(first.endsWith('\n')).toBe(true);
    }
  });

  it.each(REPORT_FORMATS)('%s renders an empty report', (format) => {
    expect(() => REPORTERS[format].render(emptyReport(), { color: false })).not.toThrow();
  });
});
