import { describe, expect, it } from 'vitest';
import type { ScanIssue } from '../../core/scan-issue.js';
import { NeedleAutomaton } from '../../engines/needle/needle-automaton.js';
import { WebLogReader, type WebLogReaderOptions } from './web-log-reader.js';
import type { WebRecord } from './web-record.js';

const HEADER = '#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2024-03-11 00:00:00\r\n';
const FIELDS = '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n';

function read(text: string | Buffer, options: Partial<WebLogReaderOptions> = {}, chunkSize = 7): { records: WebRecord[]; issues: ScanIssue[]; reader: WebLogReader } {
  const records: WebRecord[] = [];
  const issues: ScanIssue[] = [];
  const reader = new WebLogReader({ file: 'u_ex240311.log', onRecord: (r) => records.push(r), onIssue: (i) => issues.push(i), ...options });
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  for (let i = 0; i < bytes.length; i += chunkSize) reader.push(bytes.subarray(i, i + chunkSize));
  reader.end();
  return { records, issues, reader };
}

describe('WebLogReader — W3C extended', () => {
  it('reads fields by the #Fields line, with - as empty, + as space and UTC times', () => {
    const { records, reader } = read(
      `${HEADER}${FIELDS}2024-03-11 01:02:03 10.0.0.1 GET /a%20b.aspx id=1%27 443 - 198.51.100.9 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 15\r\n`,
    );
    expect(records).toHaveLength(1);
    const r = records[0] as WebRecord;
    expect(r.format).toBe('w3c');
    expect(r.line).toBe(5);
    expect(r.get('cs-uri-stem')).toBe('/a%20b.aspx');
    expect(r.decoded('cs-uri-stem')).toBe('/a b.aspx');
    expect(r.decoded('cs-uri-query')).toBe("id=1'");
    expect(r.get('cs-username')).toBeUndefined();
    expect(r.get('cs(referer)')).toBeUndefined();
    expect(r.decoded('cs(user-agent)')).toBe('Mozilla/5.0 (Windows NT 10.0)');
    expect(r.time).toBe(Date.UTC(2024, 2, 11, 1, 2, 3));
    expect(reader.stats).toMatchObject({ lines: 5, records: 1, skipped: 0 });
  });

  it('follows #Fields changing mid-file and headers repeated after a restart, in any order', () => {
    const text =
      `${HEADER}#Fields: date time c-ip cs-method cs-uri-stem\n2024-03-11 00:00:01 192.0.2.1 GET /one\n` +
      `${HEADER}#Fields: time cs-uri-stem date c-ip X-Forwarded-For cs-method\n00:00:02 /two 2024-03-11 10.0.0.5 203.0.113.7 POST\n`;
    const { records, issues } = read(text, {}, 5);
    expect(issues).toEqual([]);
    expect(records.map((r) => [r.line, r.get('cs-uri-stem'), r.get('cs-method'), r.get('x-forwarded-for')])).toEqual([
      [5, '/one', 'GET', undefined],
      [10, '/two', 'POST', '203.0.113.7'],
    ]);
    expect(records[1]?.time).toBe(Date.UTC(2024, 2, 11, 0, 0, 2));
  });

  it('counts and reports wrong field counts, binary junk and lines before any #Fields', () => {
    const text =
      '2024-03-11 00:00:01 only four fields\n' +
      `${FIELDS}` +
      '2024-03-11 00:00:02 10.0.0.1 GET / - 443 - 198.51.100.9 UA - 200 0 0\n' +
      '\u0000\u0000\u0001\u00ff binary\n' +
      '2024-03-11 00:00:03 10.0.0.1 GET / - 443 - 198.51.100.9 UA - 200 0 0 1\n';
    const { records, issues, reader } = read(text);
    expect(records).toHaveLength(1);
    expect(reader.stats).toMatchObject({ records: 1, skipped: 3 });
    expect(issues.map((i) => [i.code, i.line])).toEqual([
      ['w3c.no-fields', 1],
      ['w3c.field-count', 3],
      ['log.binary-data', 4],
    ]);
  });

  it('assumes the IIS default fields when #Fields is missing and the line fits them', () => {
    const { records, issues } = read('2024-03-11 00:00:02 10.0.0.1 GET /x.aspx - 443 - 198.51.100.9 UA - 200 0 0 9\n');
    expect(records[0]?.get('c-ip')).toBe('198.51.100.9');
    expect(issues.map((i) => i.code)).toEqual(['w3c.fields-assumed']);
  });

  it('skips an over-long line without holding it, then goes on', () => {
    const long = `2024-03-11 00:00:02 ${'A'.repeat(300_000)}\n`;
    const good = '2024-03-11 00:00:03 10.0.0.1 GET / - 443 - 198.51.100.9 UA - 200 0 0 1\n';
    const { records, issues, reader } = read(`${FIELDS}${long}${good}`, { maxLineBytes: 1024 }, 4096);
    expect(records).toHaveLength(1);
    expect(records[0]?.line).toBe(3);
    expect(issues.map((i) => [i.code, i.line])).toEqual([['log.line-too-long', 2]]);
    expect(reader.stats.skipped).toBe(1);
  });

  it('keeps every line of a block far larger than its line table, with a prefilter', () => {
    const prefilter = NeedleAutomaton.forDetectors([{ meta: {} as never, needles: ['shell.aspx'], test: () => true }]);
    const lines = Array.from({ length: 20_000 }, (_, i) => `2024-03-11 00:00:01 10.0.0.1 GET /${i % 997 === 0 ? 'shell.aspx' : 'a.aspx'} - 443 - 198.51.100.9 UA - 200 0 0 1\n`);
    const { records, reader } = read(`${FIELDS}${lines.join('')}`, prefilter === undefined ? {} : { prefilter }, 4 * 1024 * 1024);
    expect(reader.stats.records).toBe(20_000);
    expect(records.map((r) => r.line)).toEqual(Array.from({ length: 21 }, (_, k) => k * 997 + 2));
  });

  it('hands each line on with the groups of the needles found in it, raw or decoded', () => {
    const prefilter = NeedleAutomaton.forDetectorGroups([[{ needles: ['web.config'] }], [{ needles: [' post '] }]]);
    const seen: [number, number][] = [];
    const reader = new WebLogReader({ file: 'x', onRecord: (r, groups) => seen.push([r.line, groups]), onIssue: () => undefined, ...(prefilter === undefined ? {} : { prefilter }) });
    reader.push(
      Buffer.from(
        `${FIELDS}` +
          '2024-03-11 00:00:01 10.0.0.1 GET /web.config - 443 - 198.51.100.9 UA - 404 0 2 1\n' +
          '2024-03-11 00:00:02 10.0.0.1 POST /a.aspx - 443 - 198.51.100.9 UA - 200 0 0 1\n' +
          '2024-03-11 00:00:03 10.0.0.1 POST /d.ashx f=..%2Fweb%2Econfig 443 - 198.51.100.9 UA - 200 0 0 1\n' +
          '2024-03-11 00:00:04 10.0.0.1 GET /e.aspx - 443 - 198.51.100.9 UA - 200 0 0 1\n',
      ),
    );
    reader.end();
    expect(seen).toEqual([[2, 1], [3, 2], [4, 3]]);
  });

  it('builds records only for the group combinations asked for (a POST and a script page together)', () => {
    const prefilter = NeedleAutomaton.forDetectorGroups([[{ needles: [' post '] }], [{ needles: ['.aspx '] }]]);
    const wantedGroups = Uint8Array.from({ length: 256 }, (_, groups) => ((groups & 3) === 3 ? 1 : 0));
    const seen: [number, number][] = [];
    const reader = new WebLogReader({ file: 'x', onRecord: (r, groups) => seen.push([r.line, groups]), onIssue: () => undefined, ...(prefilter === undefined ? {} : { prefilter, wantedGroups: () => wantedGroups }) });
    reader.push(
      Buffer.from(
        `${FIELDS}` +
          '2024-03-11 00:00:01 10.0.0.1 POST /ews/exchange.asmx - 443 - 198.51.100.9 UA - 200 0 0 1\n' +
          '2024-03-11 00:00:02 10.0.0.1 GET /a.aspx - 443 - 198.51.100.9 UA - 200 0 0 1\n' +
          '2024-03-11 00:00:03 10.0.0.1 POST /b.aspx - 443 - 198.51.100.9 UA - 200 0 0 1\n' +
          '2024-03-11 00:00:04 10.0.0.1 POST /c%2Easpx - 443 - 198.51.100.9 UA - 200 0 0 1\n',
      ),
    );
    reader.end();
    expect(seen).toEqual([[4, 3], [5, 3]]);
    expect(reader.stats.records).toBe(4);
  });

  it('reports an empty file', () => {
    const { issues, reader } = read('');
    expect(issues.map((i) => i.code)).toEqual(['log.empty']);
    expect(reader.stats.lines).toBe(0);
  });

  it('caps repeated issues and reports the rest as one summary', () => {
    const bad = 'x y z\n'.repeat(50);
    const { issues, reader } = read(`${FIELDS}${bad}`, { maxIssuesPerCode: 5 });
    expect(reader.stats.skipped).toBe(50);
    expect(issues.filter((i) => i.code === 'w3c.field-count')).toHaveLength(6);
    expect(issues.at(-1)?.message).toMatch(/45 more lines/);
  });

  it('with a prefilter, builds records only for lines a needle or its decoded form can match', () => {
    const prefilter = NeedleAutomaton.forDetectors([{ meta: {} as never, needles: ['web.config'], test: () => true }]);
    expect(prefilter).toBeDefined();
    const text =
      `${FIELDS}` +
      '2024-03-11 00:00:01 10.0.0.1 GET /a.aspx - 443 - 198.51.100.9 UA - 200 0 0 1\n' +
      '2024-03-11 00:00:02 10.0.0.1 GET /Web.Config - 443 - 198.51.100.9 UA - 200 0 0 1\n' +
      '2024-03-11 00:00:03 10.0.0.1 GET /d.ashx f=..%2Fweb%2Econfig 443 - 198.51.100.9 UA - 200 0 0 1\n' +
      '2024-03-11 00:00:04 10.0.0.1 GET /e.ashx f=%41 443 - 198.51.100.9 UA - 200 0 0 1\n';
    const { records, reader } = read(text, prefilter === undefined ? {} : { prefilter }, 64);
    expect(records.map((r) => r.line)).toEqual([3, 4]);
    expect(reader.stats.records).toBe(4);
  });
});

describe('WebLogReader — other IIS formats, recognised from content', () => {
  it('reads HTTPERR with its own fields and splits cs-uri', () => {
    const text =
      '#Software: Microsoft HTTP API 2.0\r\n#Version: 1.0\r\n#Date: 2024-03-11 00:01:02\r\n' +
      '#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename\r\n' +
      '2024-03-11 00:01:02 198.51.100.7 63421 10.30.0.10 443 HTTP/1.1 GET /owa/auth/x.js?a=1 - 400 2 BadRequest MSExchangeOWAAppPool\r\n' +
      '2024-03-11 00:01:03 198.51.100.8 63422 10.30.0.10 443 - - - - - - Timer_ConnectionIdle -\r\n';
    const { records, issues } = read(text, {}, 11);
    expect(issues).toEqual([]);
    expect(records).toHaveLength(2);
    expect(records[0]?.format).toBe('httperr');
    expect(records[0]?.get('cs-uri-stem')).toBe('/owa/auth/x.js');
    expect(records[0]?.get('cs-uri-query')).toBe('a=1');
    expect(records[0]?.get('s-reason')).toBe('BadRequest');
    expect(records[1]?.get('s-reason')).toBe('Timer_ConnectionIdle');
    expect(records[1]?.get('cs-uri-stem')).toBeUndefined();
  });

  it('reads the IIS log file format with local time shifted to UTC', () => {
    const text = '192.168.114.201, -, 03/20/24, 7:55:20, W3SVC2, SALES1, 172.21.13.45, 4502, 163, 3223, 200, 0, GET, /DeptLogo.gif, -,\r\n';
    const { records, issues } = read(text, { localOffsetMinutes: 120 });
    expect(issues).toEqual([]);
    const r = records[0] as WebRecord;
    expect(r.format).toBe('iis');
    expect([r.get('c-ip'), r.get('cs-method'), r.get('cs-uri-stem'), r.get('sc-status'), r.get('s-sitename')]).toEqual(['192.168.114.201', 'GET', '/DeptLogo.gif', '200', 'W3SVC2']);
    expect(r.time).toBe(Date.UTC(2024, 2, 20, 5, 55, 20));
  });

  it('reads NCSA Common Log Format with its UTC offset', () => {
    const text = '172.21.13.45 - Microsoft\\fred [08/Apr/2024:17:39:04 -0800] "GET /scripts/iisadmin/ism.dll?http/serv HTTP/1.0" 200 3401\n';
    const { records, issues } = read(text);
    expect(issues).toEqual([]);
    const r = records[0] as WebRecord;
    expect(r.format).toBe('ncsa');
    expect([r.get('cs-username'), r.get('cs-method'), r.get('cs-uri-stem'), r.get('cs-uri-query'), r.get('sc-status')]).toEqual([
      'Microsoft\\fred', 'GET', '/scripts/iisadmin/ism.dll', 'http/serv', '200',
    ]);
    expect(r.time).toBe(Date.UTC(2024, 3, 9, 1, 39, 4));
  });

  it('reports lines in no known format', () => {
    const { issues, reader } = read('hello world\nthis is not a log\n');
    expect(reader.stats.skipped).toBe(2);
    expect(issues.map((i) => i.code)).toEqual(['log.unrecognized', 'log.unrecognized']);
  });
});
