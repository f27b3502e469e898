import { describe, expect, it } from 'vitest';
import type { RuleMeta } from '../../core/rule-meta.js';
import { scanLogStream } from './scan-log-stream.js';
import type { HuntSettings } from './hunt-task.js';
import type { WebDetector } from './web-detector.js';

const META: RuleMeta = { id: 'test-cookie-rule', title: 't', description: 'd', severity: 'high', confidence: 'firm', engine: 'sigma', category: 'webserver', tags: [], references: [] };
const SETTINGS: HuntSettings = { evidenceCap: 5, localOffsetMinutes: 0, maxLineBytes: 65536, rules: { content: false, sigmaPaths: [] } };

async function* chunks(text: string): AsyncIterable<Buffer> {
  yield Buffer.from(text);
}

/** A rule that needs `cs(Cookie)`, counting how often it is tested. */
function cookieRule(): { detector: WebDetector; tested: () => number } {
  let tested = 0;
  const detector: WebDetector = {
    meta: META,
    needles: ['checkout'],
    requires: [['cs(cookie)', 'cs(cookie).decoded']],
    test: (record) => {
      tested += 1;
      return (record.get('cs(cookie)') ?? '').includes('cmd=');
    },
  };
  return { detector, tested: () => tested };
}

describe('scanLogStream', () => {
  it('never builds records for a rule whose required field the log does not have', async () => {
    const { detector, tested } = cookieRule();
    const log =
      '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip sc-status\n' +
      '2024-03-11 10:00:00 10.0.0.1 GET /checkout/pay.aspx - 443 203.0.113.5 200\n'.repeat(3);
    const outcome = await scanLogStream('a.log', chunks(log), { detectors: [detector], correlations: [] }, SETTINGS);
    expect(tested()).toBe(0);
    expect(outcome.stats.records).toBe(3);
  });

  it('runs it where the log has the field, after a #Fields change in the same file', async () => {
    const { detector, tested } = cookieRule();
    const log =
      '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip sc-status\n' +
      '2024-03-11 10:00:00 10.0.0.1 GET /checkout/pay.aspx - 443 203.0.113.5 200\n' +
      '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip cs(Cookie) sc-status\n' +
      '2024-03-11 10:00:01 10.0.0.1 GET /checkout/pay.aspx - 443 203.0.113.5 SID=1;cmd=whoami 200\n' +
      '2024-03-11 10:00:02 10.0.0.1 GET /checkout/pay.aspx - 443 203.0.113.5 SID=1 200\n';
    const outcome = await scanLogStream('a.log', chunks(log), { detectors: [detector], correlations: [] }, SETTINGS);
    expect(tested()).toBe(2);
    expect(outcome.groups.map((g) => [g.rule.id, g.occurrences, g.head[0]?.line])).toEqual([['test-cookie-rule', 1, 4]]);
  });

  it('gives a rule without needles every line where its field is logged, and none where it is not', async () => {
    let tested = 0;
    const headerRule: WebDetector = {
      meta: { ...META, id: 'test-header-rule' },
      requires: [['x-password']],
      test: (record) => {
        tested += 1;
        return record.get('x-password') !== undefined;
      },
    };
    const rules = { detectors: [cookieRule().detector, headerRule], correlations: [] };
    const plain = '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip sc-status\n' + '2024-03-11 10:00:00 10.0.0.1 GET /index.aspx - 443 203.0.113.5 200\n'.repeat(4);
    await scanLogStream('a.log', chunks(plain), rules, SETTINGS);
    expect(tested).toBe(0);
    const custom =
      '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip sc-status X-Password\n' +
      '2024-03-11 10:00:00 10.0.0.1 GET /index.aspx - 443 203.0.113.5 200 -\n' +
      '2024-03-11 10:00:01 10.0.0.1 GET /index.aspx - 443 203.0.113.5 200 s3cr3t\n';
    const outcome = await scanLogStream('a.log', chunks(custom), rules, SETTINGS);
    expect(tested).toBe(2);
    expect(outcome.groups.map((g) => [g.rule.id, g.head[0]?.line])).toEqual([['test-header-rule', 3]]);
  });

  it('parses a POST only when it goes to a script page, the only POSTs the behaviour detectors use', async () => {
    const content: HuntSettings = { ...SETTINGS, rules: { content: true, sigmaPaths: [] } };
    const fields = '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip cs(User-Agent) cs(Referer) sc-status\n';
    const post = (stem: string): string => `2024-03-11 10:00:00 10.0.0.1 POST ${stem} - 443 203.0.113.5 Mozilla/5.0 - 200\n`;
    // The site's period comes from the requests that were parsed: none here.
    const exchange = await scanLogStream('W3SVC1/u_ex.log', chunks(fields + post('/owa/service.svc').repeat(3) + post('/EWS/Exchange.asmx')), { detectors: [], correlations: [] }, content);
    expect([...exchange.spans.keys()]).toEqual([]);
    const page = await scanLogStream('W3SVC1/u_ex.log', chunks(fields + post('/upload/x.aspx')), { detectors: [], correlations: [] }, content);
    expect([...page.spans.keys()]).toEqual(['10.0.0.1/W3SVC1']);
  });

  it('gives a rule whose needles come in pairs only the lines holding both sets, raw or decoded', async () => {
    const tested: number[] = [];
    const pairRule: WebDetector = {
      meta: { ...META, id: 'test-pair-rule' },
      needles: ['/webresource.axd'],
      needleTerms: [[['/webresource.axd'], ['/solarwinds/']]],
      test: (record) => {
        tested.push(record.line);
        return (record.decoded('cs-uri-query') ?? '').includes('/SolarWinds/');
      },
    };
    const log =
      '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip sc-status\n' +
      '2024-03-11 10:00:00 10.0.0.1 GET /WebResource.axd d=abc&t=1 443 203.0.113.5 200\n' +
      '2024-03-11 10:00:01 10.0.0.1 GET /SolarWinds/Orion/Login.aspx - 443 203.0.113.5 200\n' +
      '2024-03-11 10:00:02 10.0.0.1 GET /WebResource.axd x=/SolarWinds/ 443 203.0.113.5 200\n' +
      '2024-03-11 10:00:03 10.0.0.1 GET /WebResource.axd x=%2FSolarWinds%2F 443 203.0.113.5 200\n';
    const outcome = await scanLogStream('a.log', chunks(log), { detectors: [pairRule], correlations: [] }, SETTINGS);
    expect(tested).toEqual([4, 5]);
    expect(outcome.groups.map((g) => [g.rule.id, g.occurrences])).toEqual([['test-pair-rule', 2]]);
    expect(outcome.stats.records).toBe(4);
  });
});
