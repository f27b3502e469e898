import { describe, expect, it } from 'vitest';
import { FindingAggregator } from '../../core/finding-aggregator.js';
import { BUILTIN_BURSTS, type BurstTally } from './burst-detector.js';
import type { BurstEvents, HuntSettings } from './hunt-task.js';
import { densestWindow, judgeBursts } from './judge-bursts.js';
import { scanLogStream } from './scan-log-stream.js';

const NO_RULES = { detectors: [], correlations: [] };
const SETTINGS: HuntSettings = { evidenceCap: 5, localOffsetMinutes: 0, maxLineBytes: 65536, rules: { content: true, sigmaPaths: [] } };
const FIELDS = '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n';

function at(seconds: number): string {
  const d = new Date(Date.UTC(2024, 2, 11, 10, 0, 0) + seconds * 1000).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 19)}`;
}

async function findings(lines: string[]): Promise<{ ruleId: string; occurrences: number; locationKey: string; lines: number[] }[]> {
  async function* chunks(): AsyncIterable<Buffer> {
    yield Buffer.from(FIELDS + lines.map((l) => `${l}\n`).join(''));
  }
  const outcome = await scanLogStream('W3SVC1/u_ex240311.log', chunks(), NO_RULES, SETTINGS);
  const aggregator = new FindingAggregator(5);
  for (const draft of judgeBursts([outcome.bursts], BUILTIN_BURSTS, outcome.spans)) aggregator.add(draft);
  return aggregator.findings().map((f) => ({ ruleId: f.ruleId, occurrences: f.occurrences, locationKey: f.locationKey, lines: f.evidence.map((e) => e.line ?? 0) }));
}

const loneClient = <F extends { ruleId: string }>(found: F[]): F[] => found.filter((f) => f.ruleId === 'w3g-web-lone-client-post-page');

const post500 = (s: number, ip: string, page = '/Default.aspx'): string => `${at(s)} 10.0.0.1 POST ${page} - 443 - ${ip} Mozilla/5.0 - 500 0 0 61`;

describe('burst detectors', () => {
  it('a client hammering one page with 500s within 5 minutes is a burst', async () => {
    const result = await findings(Array.from({ length: 40 }, (_, i) => post500(i * 6, '203.0.113.12')));
    expect(result).toEqual([{ ruleId: 'w3g-web-burst-500-one-page', occurrences: 40, locationKey: '203.0.113.12 /default.aspx', lines: [2, 3, 4, 5, 41] }]);
  });

  it('an outage (many clients, one 500 each) and a slow trickle are not', async () => {
    expect(await findings(Array.from({ length: 60 }, (_, i) => post500(i * 2, `198.51.100.${i}`)))).toEqual([]);
    expect(await findings(Array.from({ length: 40 }, (_, i) => post500(i * 60, '203.0.113.12')))).toEqual([]);
  });

  it('HTTPERR: many abandoned requests in a minute is a crashing worker; one or two in a recycle is not', async () => {
    const httperr = '#Software: Microsoft HTTP API 2.0\n#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename\n';
    async function* chunks(lines: string[]): AsyncIterable<Buffer> {
      yield Buffer.from(httperr + lines.map((l) => `${l}\n`).join(''));
    }
    const line = (s: number): string => `${at(s)} 198.51.100.${s} 50211 10.0.0.1 443 HTTP/1.1 GET /default.aspx - - 1 Connection_Abandoned_By_AppPool ShopPool`;
    const crash = await scanLogStream('HTTPERR/httperr1.log', chunks(Array.from({ length: 14 }, (_, i) => line(i * 2))), NO_RULES, SETTINGS);
    expect(judgeBursts([crash.bursts], BUILTIN_BURSTS).map((d) => [d.rule.id, d.locationKey, d.asset.id])).toContainEqual(['w3g-httperr-burst-apppool-abandoned', 'ShopPool', '10.0.0.1/HTTP.sys']);
    const recycle = await scanLogStream('HTTPERR/httperr1.log', chunks([line(0), line(1), line(3600)]), NO_RULES, SETTINGS);
    expect(judgeBursts([recycle.bursts], BUILTIN_BURSTS)).toEqual([]);
  });

  it('counts events from several parts of a hunt together, in time order', () => {
    const tally = (times: number[]): BurstTally => ({ asset: { id: 'a', kind: 'site' }, file: 'x.log', times, lines: times, count: times.length, marked: 0, client: undefined });
    const part = (times: number[]): BurstEvents => new Map([['w3g-httperr-burst-parse-errors', new Map([['203.0.113.9', tally(times)]])]]);
    const drafts = judgeBursts([part(Array.from({ length: 30 }, (_, i) => i * 1000)), part(Array.from({ length: 30 }, (_, i) => 30_000 + i * 1000))], BUILTIN_BURSTS);
    expect(drafts).toHaveLength(60);
    expect(judgeBursts([part(Array.from({ length: 30 }, (_, i) => i * 1000))], BUILTIN_BURSTS)).toEqual([]);
    const at = (time: number): { time: number } => ({ time });
    expect(densestWindow([at(0), at(10), at(400_000), at(400_001), at(400_002)], 300_000).map((e) => e.time)).toEqual([400_000, 400_001, 400_002]);
  });

  it('says when a limit stopped the counting', async () => {
    async function* chunks(): AsyncIterable<Buffer> {
      yield Buffer.from(FIELDS + Array.from({ length: 1_005 }, (_, i) => `${at(i)} 10.0.0.1 GET /x${i} - 443 - 192.0.2.66 Mozilla/5.0 - 404 0 2 1\n`).join(''));
    }
    const outcome = await scanLogStream('W3SVC1/u_ex240311.log', chunks(), NO_RULES, SETTINGS);
    expect(outcome.issues.map((i) => i.code)).toEqual(['hunt.limit-reached']);
    expect(outcome.bursts.get('w3g-web-burst-404-scan')?.get('192.0.2.66')?.count).toBe(1_005);
  });

  it('a script page that only one client ever POSTs to, without a Referer, is reported once', async () => {
    const post = (s: number, ip: string, ref = '-', ua = 'Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)'): string => `${at(s)} 10.0.0.1 POST /App_Themes/Default/error.aspx - 443 - ${ip} ${ua} ${ref} 200 0 0 121`;
    // Irregular times: an operator at work, not a timer.
    const lone = await findings(Array.from({ length: 12 }, (_, i) => post(i * i * 977, '198.19.40.97')));
    expect(lone.map((f) => [f.ruleId, f.locationKey, f.occurrences])).toEqual([['w3g-web-lone-client-post-page', '/app_themes/default/error.aspx 198.19.40.97', 12]]);
    // Used by two clients, reached from other pages, or driven by a script client: an application page.
    expect(loneClient(await findings([...Array.from({ length: 12 }, (_, i) => post(i * 3600, '198.19.40.97')), post(99, '198.51.100.3')]))).toEqual([]);
    expect(loneClient(await findings(Array.from({ length: 12 }, (_, i) => post(i * 3600, '10.0.0.7', 'https://www.example.com/admin/'))))).toEqual([]);
    expect(loneClient(await findings(Array.from({ length: 12 }, (_, i) => post(i * 3600, '10.0.0.8', '-', 'python-requests/2.31'))))).toEqual([]);
  });

  it('a 404 storm from one client is content discovery; a few 404s are not', async () => {
    const miss = (s: number, path: string): string => `${at(s)} 10.0.0.1 GET /${path} - 443 - 192.0.2.66 Mozilla/5.0 - 404 0 2 1`;
    const storm = await findings(Array.from({ length: 150 }, (_, i) => miss(i, `w${i}.aspx`)));
    expect(storm.map((f) => [f.ruleId, f.occurrences])).toEqual([['w3g-web-burst-404-scan', 150]]);
    expect(await findings(Array.from({ length: 30 }, (_, i) => miss(i, `w${i}.aspx`)))).toEqual([]);
  });

  it('keys are kept apart even when they look like object properties', async () => {
    const result = await findings(Array.from({ length: 25 }, (_, i) => post500(i, '203.0.113.12', '/__proto__')));
    expect(result[0]?.locationKey).toBe('203.0.113.12 /__proto__');
  });

  it('a client POSTing to one script page on a timer, without a Referer, is a beacon; people clicking are not', async () => {
    const post = (s: number, ip: string, ref = '-'): string => `${at(s)} 10.0.0.1 POST /aspnet_client/system_web/upd.aspx - 443 - ${ip} Mozilla/5.0 ${ref} 200 0 0 12`;
    // Every 5 minutes with a few seconds of jitter.
    const timer = await findings(Array.from({ length: 15 }, (_, i) => post(i * 300 + ((i * 7) % 11), '198.51.100.77')));
    expect(timer.filter((f) => f.ruleId === 'w3g-web-beacon-script-page').map((f) => [f.locationKey, f.occurrences])).toEqual([['198.51.100.77 /aspnet_client/system_web/upd.aspx', 15]]);
    const irregular = await findings(Array.from({ length: 15 }, (_, i) => post(i * i * 61, '198.51.100.77')));
    expect(irregular.filter((f) => f.ruleId === 'w3g-web-beacon-script-page')).toEqual([]);
    const browser = await findings(Array.from({ length: 15 }, (_, i) => post(i * 300, '198.51.100.77', 'https://www.example.com/')));
    expect(browser.filter((f) => f.ruleId === 'w3g-web-beacon-script-page')).toEqual([]);
    const fast = await findings(Array.from({ length: 15 }, (_, i) => post(i * 2, '198.51.100.77')));
    expect(fast.filter((f) => f.ruleId === 'w3g-web-beacon-script-page')).toEqual([]);
  });

  it('a site that begins serving an executable days into its period is reported; one served from the start is not', async () => {
    const day = 86_400;
    // Background: the site's period is the four days its requests cover.
    const background = Array.from({ length: 9 }, (_, i) => `${at(i * day * 0.5)} 10.0.0.1 GET /missing${i}.aspx - 443 - 198.51.100.${i} Mozilla/5.0 - 404 0 2 1`);
    const download = (s: number, path: string): string => `${at(s)} 10.0.0.1 GET ${path} - 443 - 203.0.113.${s % 200} Mozilla/5.0+(Windows+NT+10.0) https://www.example.com/ 200 0 0 40`;
    const late = await findings([...background, download(3 * day, '/common/js/update.exe'), download(3 * day + 60, '/common/js/update.exe')].sort());
    expect(late.filter((f) => f.ruleId === 'w3g-web-first-served-executable').map((f) => [f.locationKey, f.occurrences])).toEqual([['10.0.0.1/W3SVC1 /common/js/update.exe', 2]]);
    const fromStart = await findings([...background, download(600, '/downloads/client-setup.msi'), download(3 * day, '/downloads/client-setup.msi')].sort());
    expect(fromStart.filter((f) => f.ruleId === 'w3g-web-first-served-executable')).toEqual([]);
    // A day of logs has no baseline to compare with.
    const short = await findings([background[0] as string, download(3600, '/a.exe'), `${at(20 * 3600)} 10.0.0.1 GET /b - 443 - 198.51.100.1 UA - 404 0 2 1`]);
    expect(short.filter((f) => f.ruleId === 'w3g-web-first-served-executable')).toEqual([]);
  });

  it('500s on one page far above the site\'s own error rate are reported; a site that always fails is not', async () => {
    const hour = 3_600;
    const error = (s: number, page: string, ip: string): string => `${at(s)} 10.0.0.1 POST ${page} - 443 - ${ip} Mozilla/5.0 - 500 0 0 61`;
    const usual = Array.from({ length: 48 }, (_, i) => error(i * hour, `/page${i % 5}.aspx`, `198.51.100.${i}`));
    const spike = Array.from({ length: 30 }, (_, i) => error(30 * hour + i * 10, '/Report.aspx', `203.0.113.${i}`));
    const burst = await findings([...usual, ...spike].sort());
    expect(burst.filter((f) => f.ruleId === 'w3g-web-burst-500-above-site-rate').map((f) => [f.locationKey, f.occurrences])).toEqual([['10.0.0.1/W3SVC1 /report.aspx', 30]]);
    // 25 errors every 10 minutes for 6 hours, and the same spike in the middle.
    const alwaysFailing = Array.from({ length: 36 * 25 }, (_, i) => error(i * 24, '/Report.aspx', `198.51.100.${i % 250}`));
    const noisy = await findings([...alwaysFailing, ...spike.map((line) => line.replace(at(30 * hour).slice(0, 10), at(0).slice(0, 10)))].sort());
    expect(noisy.filter((f) => f.ruleId === 'w3g-web-burst-500-above-site-rate')).toEqual([]);
  });
});
