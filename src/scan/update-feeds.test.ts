import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFeeds } from './load-feeds.js';
import { updateFeeds, type UpdateFeedsRequest } from './update-feeds.js';

const kevText = await readFile(new URL('../../content/feeds/kev.json', import.meta.url), 'utf8');
const epssText = await readFile(new URL('../formats/epss/fixtures/happy/epss-sample.csv', import.meta.url), 'utf8');
/** What the loopback server answers per path: a status and a body; tests change it between runs. */
const routes = new Map<string, { status: number; body: Buffer }>();
let server: Server;
let base: string;
const temp = await mkdtemp(path.join(tmpdir(), 'w3g-feeds-'));

beforeAll(async () => {
  server = createServer((request, response) => {
    const route = routes.get(request.url ?? '');
    response.writeHead(route?.status ?? 404, { 'content-type': 'application/octet-stream' });
    response.end(route?.body ?? Buffer.from('not found'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(temp, { recursive: true, force: true });
});

const request = (feedsDir: string, extra: Partial<UpdateFeedsRequest> = {}): UpdateFeedsRequest => ({
  feedsDir,
  kevUrl: `${base}/kev.json`,
  epssUrl: `${base}/epss.csv.gz`,
  now: () => new Date('2026-11-29T12:00:00Z'),
  signal: new AbortController().signal,
  timeoutMs: 5000,
  ...extra,
});

describe('updateFeeds against a loopback server', () => {
  it('downloads, verifies and stores both feeds, recording sha256 and feed dates', async () => {
    routes.set('/kev.json', { status: 200, body: Buffer.from(kevText) });
    routes.set('/epss.csv.gz', { status: 200, body: gzipSync(epssText) });
    const dir = path.join(temp, 'ok');
    const outcomes = await updateFeeds(request(dir));
    expect(outcomes.map((o) => o.status)).toEqual(['updated', 'updated']);
    const manifest = JSON.parse(await readFile(path.join(dir, 'feeds.json'), 'utf8')) as Record<string, { sha256: string; count: number; feedDate: string; source: string }>;
    expect(manifest['kev']).toMatchObject({ count: 1404, feedDate: '2025-08-25T17:04:19.9796Z', source: `${base}/kev.json` });
    expect(manifest['epss']).toMatchObject({ count: 1009, feedDate: '2025-08-25' });
    expect(manifest['kev']?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const feeds = await loadFeeds(dir);
    expect(feeds.epss?.scores.get('CVE-2019-18935')?.epss).toBe(0.94255);
    expect(feeds.kev?.source).toBe(path.join(dir, 'kev.json'));
  });

  it('keeps the previous copy when a download fails, does not parse, is cut short, or shrinks', async () => {
    const dir = path.join(temp, 'keep');
    routes.set('/kev.json', { status: 200, body: Buffer.from(kevText) });
    routes.set('/epss.csv.gz', { status: 200, body: gzipSync(epssText) });
    await updateFeeds(request(dir));
    const storedKev = await readFile(path.join(dir, 'kev.json'), 'utf8');
    const truncated = kevText.slice(0, kevText.length / 2);
    const smaller = JSON.stringify({ ...(JSON.parse(kevText) as object), count: 3, vulnerabilities: (JSON.parse(kevText) as { vulnerabilities: unknown[] }).vulnerabilities.slice(0, 3) });
    for (const [kev, epss, expected] of [
      [{ status: 500, body: Buffer.from('oops') }, { status: 404, body: Buffer.from('') }, /HTTP 500/],
      [{ status: 200, body: Buffer.from('<html>maintenance</html>') }, { status: 200, body: Buffer.from('cve,epss\n') }, /does not parse/],
      [{ status: 200, body: Buffer.from(truncated) }, { status: 200, body: gzipSync(epssText).subarray(0, 50) }, /does not parse/],
      [{ status: 200, body: Buffer.from(smaller) }, { status: 200, body: gzipSync('cve,epss,percentile\nCVE-2020-0001,0.1,0.2\n') }, /far fewer/],
    ] as const) {
      routes.set('/kev.json', kev);
      routes.set('/epss.csv.gz', epss);
      const outcomes = await updateFeeds(request(dir));
      expect(outcomes.map((o) => o.status)).toEqual(['kept-previous', 'kept-previous']);
      expect(outcomes[0]?.message).toMatch(expected);
      expect(await readFile(path.join(dir, 'kev.json'), 'utf8')).toBe(storedKev);
      expect((await loadFeeds(dir)).epss?.scores.size).toBe(1009);
    }
  });

  it('says failed when there is no previous copy, and a run falls back to the shipped KEV snapshot', async () => {
    routes.set('/kev.json', { status: 503, body: Buffer.from('') });
    routes.set('/epss.csv.gz', { status: 503, body: Buffer.from('') });
    const dir = path.join(temp, 'fresh');
    expect((await updateFeeds(request(dir))).map((o) => o.status)).toEqual(['failed', 'failed']);
    const feeds = await loadFeeds(dir);
    expect(feeds.kev?.catalogVersion).toBe('2025.08.25');
    expect(feeds.epss).toBeUndefined();
  });

  it('copies an offline bundle with --from, without the network', async () => {
    const bundle = path.join(temp, 'bundle');
    await mkdir(bundle, { recursive: true });
    await writeFile(path.join(bundle, 'known_exploited_vulnerabilities.json'), kevText);
    await writeFile(path.join(bundle, 'epss_scores-current.csv.gz'), gzipSync(epssText));
    const outcomes = await updateFeeds(request(path.join(temp, 'offline'), { from: bundle, kevUrl: 'http://127.0.0.1:9/unused', epssUrl: 'http://127.0.0.1:9/unused' }));
    expect(outcomes.map((o) => [o.status, o.record?.source])).toEqual([
      ['updated', path.join(bundle, 'known_exploited_vulnerabilities.json')],
      ['updated', path.join(bundle, 'epss_scores-current.csv.gz')],
    ]);
  });
});
