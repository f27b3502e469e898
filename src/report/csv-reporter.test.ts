import { describe, expect, it } from 'vitest';
import { emptyReport, HOSTILE, sampleReport } from '../../test/fixtures/report/sample-report.js';
import { csvCell, csvReporter, CSV_COLUMNS } from './csv-reporter.js';

/** A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes, nothing else. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) throw new Error(`unterminated quoted field at ${i}`);
        field += text.slice(i, quote);
        i = quote + 1;
        if (text[i] !== '"') break;
        field += '"';
        i += 1;
      }
    } else {
      const end = text.slice(i).search(/[,\r"\n]/);
      field = end < 0 ? text.slice(i) : text.slice(i, i + end);
      i = end < 0 ? text.length : i + end;
      if (text[i] === '"' || text[i] === '\n') throw new Error(`bare quote or LF in unquoted field at ${i}`);
    }
    row.push(field);
    if (text[i] === ',') {
      i += 1;
    } else if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else {
      throw new Error(`expected , or CRLF at ${i}`);
    }
  }
  if (row.length > 0) throw new Error('last record has no CRLF');
  return rows;
}

/** What a spreadsheet shows for a defended cell: the text without the leading apostrophe. */
function undefend(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

describe('csvReporter', () => {
  it('writes a header and one row per finding that parse back as RFC 4180', () => {
    const report = sampleReport();
    const rows = parseCsv(csvReporter.render(report, { color: false }));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(report.findings.length + 1);
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
  });

  it('round-trips every value, hostile ones included', () => {
    const report = sampleReport();
    const rows = parseCsv(csvReporter.render(report, { color: false })).slice(1);
    report.findings.forEach((finding, index) => {
      const first = finding.evidence[0];
      const expected = [
        finding.severity,
        finding.confidence,
        finding.ruleId,
        finding.title,
        finding.asset,
        finding.locationKey,
        String(finding.occurrences),
        finding.firstSeen ?? '',
        finding.lastSeen ?? '',
        finding.fingerprint,
        first?.file ?? first?.path ?? first?.url ?? '',
        first?.line === undefined ? '' : String(first.line),
        first?.text ?? '',
        finding.status ?? '',
        finding.priority?.label ?? '',
        finding.risk === undefined ? '' : String(finding.risk),
        finding.priority?.dueAt ?? '',
        (finding.related ?? []).join(' '),
      ].map((value) => value.replace(/[\ud800-\udfff]/gu, '\ufffd'));
      expect(rows[index]?.map(undefend)).toEqual(expected);
    });
    expect(rows.some((row) => row.includes('logs/W3SVC1/u_ex240501,"copy".log'))).toBe(true);
    expect(rows.some((row) => row.some((cell) => cell.includes(HOSTILE.csvBreaker)))).toBe(true);
  });

  it('defends every cell that starts like a formula', () => {
    const rows = parseCsv(csvReporter.render(sampleReport(), { color: false }));
    const cells = rows.flat();
    expect(cells).toContain(`'${HOSTILE.formula}`);
    expect(cells).toContain("'@SUM(1+9)*cmd|' /C calc'!A0 (User-Agent: Nuclei)");
    for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['plain', 'plain'],
    ['', ''],
    ['x=1', 'x=1'],
  ])('formats %j as %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('ends every record with CRLF and writes only the header for an empty report', () => {
    expect(csvReporter.render(emptyReport(), { color: false })).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
  });

  it('matches the reviewed golden output', async () => {
    await expect(csvReporter.render(sampleReport(), { color: false })).toMatchFileSnapshot('../../test/fixtures/report/golden/sample.csv');
  });
});
