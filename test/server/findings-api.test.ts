import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import type { ListedFinding, TriageState } from '../../src/store/finding-page.js';
import { postgresDown } from '../e2e/test-postgres.js';
import { makeFinding, seedFindings } from './seed-findings.js';
import { startTestServer, type TestServer } from './test-server.js';

interface Page {
  items: (Finding & { triage?: { state: string }; suppressed: boolean; status: string })[];
  nextCursor: string | null;
}

/** The order the API promises: risk descending with none last, then fingerprint. */
function byOrder(a: Finding, b: Finding): number {
  const ka = a.risk === undefined ? 1 : -a.risk;
  const kb = b.risk === undefined ? 1 : -b.risk;
  return ka - kb || (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0);
}

async function pageAll(server: TestServer, token: string, query: string, between?: (page: number) => Promise<void>): Promise<Page['items']> {
  const seen: Page['items'] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const response: LightMyRequestResponse = await server.app.inject({ url: `/api/v1/findings?${query}${cursor === null ? '' : `&cursor=${cursor}`}`, headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode, response.body).toBe(200);
    const page: Page = response.json<Page>();
    seen.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
    if (between !== undefined) await between(pages);
  } while (cursor !== null);
  return seen;
}

for (const db of ['sqlite', 'postgres'] as const) {
  describe(`findings API on ${db}`, () => {
    let server: TestServer | undefined;
    let token = '';
    let findings: Finding[] = [];
    let down: string | undefined;
    const triaged: { fingerprint: string; state: TriageState }[] = [];

    beforeAll(async () => {
      down = db === 'postgres' ? await postgresDown('findings API on PostgreSQL') : undefined;
      if (down !== undefined) return;
      server = await startTestServer({
        db,
        rateLimitPerMinute: 10_000,
        onTriaged: async (finding: ListedFinding, state: TriageState) => {
          triaged.push({ fingerprint: finding.fingerprint, state });
        },
      });
      findings = await seedFindings(server.store, 0, 3000);
      token = await server.token('operator');
    }, 120_000);
    afterAll(async () => server?.close());

    it('pages through 3,000 findings in the promised order with no row repeated or skipped', async (context) => {
      if (server === undefined) return context.skip();
      const seen = await pageAll(server, token, 'limit=97');
      const fingerprints = seen.map((f) => f.fingerprint);
      expect(new Set(fingerprints).size).toBe(fingerprints.length);
      expect(fingerprints).toEqual([...findings].sort(byOrder).map((f) => f.fingerprint));
    });

    it('pages with filters, and with rows added between pages, without a repeat or a gap', async (context) => {
      if (server === undefined) return context.skip();
      const live = server;
      const high = await pageAll(live, token, 'limit=41&severity=high&asset=site-3');
      const expected = findings.filter((f) => f.severity === 'high' && f.asset === 'site-3').sort(byOrder);
      expect(high.map((f) => f.fingerprint)).toEqual(expected.map((f) => f.fingerprint));

      let next = 3000;
      const seen = await pageAll(live, token, 'limit=113&rule=rule-4', async () => {
        await seedFindings(live.store, next, next + 20, `2026-05-31T01:${String(next % 60).padStart(2, '0')}:00.000Z`);
        next += 20;
      });
      const fingerprints = seen.map((f) => f.fingerprint);
      expect(new Set(fingerprints).size).toBe(fingerprints.length);
      const before = new Set(findings.filter((f) => f.ruleId === 'rule-4').map((f) => f.fingerprint));
      expect([...before].every((fp) => fingerprints.includes(fp))).toBe(true);
      const keys = seen.map((f) => f.risk === undefined ? 1 : -f.risk);
      expect(keys).toEqual([...keys].sort((a, b) => a - b));
    });

    it('lists summaries (the list\'s columns, no evidence) and gives the whole finding on its own', async (context) => {
      if (server === undefined) return context.skip();
      const response = await server.app.inject({ url: '/api/v1/findings?limit=50&status=all', headers: { authorization: `Bearer ${token}` } });
      const items = response.json<{ items: Record<string, unknown>[] }>().items;
      expect(items).toHaveLength(50);
      for (const item of items) {
        for (const heavy of ['evidence', 'description', 'tags', 'references', 'remediation', 'firstSeen', 'lastSeen']) expect(item, heavy).not.toHaveProperty(heavy);
        for (const shown of ['fingerprint', 'ruleId', 'title', 'severity', 'asset', 'status', 'suppressed', 'firstRecorded', 'lastRecorded', 'locationKey']) expect(item, shown).toHaveProperty(shown);
      }
      const first = items[0] as { fingerprint: string; risk?: number; priority?: unknown };
      const source = findings.find((f) => f.fingerprint === first.fingerprint);
      expect(first.risk).toBe(source?.risk);
      const whole = (await server.app.inject({ url: `/api/v1/findings/${first.fingerprint}`, headers: { authorization: `Bearer ${token}` } })).json<{ evidence: unknown[]; description: string }>();
      expect(whole.evidence).toEqual(source?.evidence);
      expect(whole.description).toBe(source?.description);
      // Every item is much smaller than the finding it stands for.
      expect(response.body.length).toBeLessThan(items.length * 700);
    });

    it('matches free text literally: % and _ are not wildcards', async (context) => {
      if (server === undefined) return context.skip();
      const percent = await pageAll(server, token, `limit=500&q=${encodeURIComponent('100%')}`);
      expect(percent.length).toBeGreaterThan(0);
      expect(percent.every((f) => f.title.includes('100%'))).toBe(true);
      const underscore = await pageAll(server, token, `limit=500&q=${encodeURIComponent('number_1')}`);
      expect(underscore).toHaveLength(0);
      const mixedCase = await pageAll(server, token, `limit=500&q=${encodeURIComponent('NUMBER 2999')}`);
      expect(mixedCase.map((f) => f.fingerprint)).toEqual([makeFinding(2999).fingerprint]);
    });

    it('triages a finding, shows it with its history, audits it and calls the hook', async (context) => {
      if (server === undefined) return context.skip();
      const target = makeFinding(5).fingerprint;
      const patched = await server.app.inject({ method: 'PATCH', url: `/api/v1/findings/${target}`, headers: { authorization: `Bearer ${token}` }, payload: { triage: { state: 'resolved', comment: 'patched <script>' } } });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.json<{ triage: { state: string; by: string } }>().triage).toMatchObject({ state: 'resolved', comment: 'patched <script>', by: expect.stringMatching(/^token:/) as string });
      expect(triaged).toContainEqual({ fingerprint: target, state: 'resolved' });
      const detail = await server.app.inject({ url: `/api/v1/findings/${target}`, headers: { authorization: `Bearer ${token}` } });
      const body = detail.json<{ history: { to: string; actor?: string; from?: string }[]; evidence: unknown[]; status: string }>();
      expect(body.status).toBe('new');
      expect(body.evidence).toHaveLength(1);
      expect(body.history.map((h) => h.to)).toEqual(['new', 'triage:resolved']);
      const viewer = await server.token('viewer');
      expect((await server.app.inject({ method: 'PATCH', url: `/api/v1/findings/${target}`, headers: { authorization: `Bearer ${viewer}` }, payload: { triage: { state: 'exploitable' } } })).statusCode).toBe(403);
      const bad = await server.app.inject({ method: 'PATCH', url: `/api/v1/findings/${target}`, headers: { authorization: `Bearer ${token}` }, payload: { triage: { state: 'wontfix' } } });
      expect(bad.statusCode).toBe(400);
      const missing = await server.app.inject({ method: 'PATCH', url: '/api/v1/findings/0123', headers: { authorization: `Bearer ${token}` }, payload: { triage: { state: 'exploitable' } } });
      expect(missing.statusCode).toBe(404);
    });

    it('suppresses one finding, which leaves the default list and appears under status=suppressed', async (context) => {
      if (server === undefined) return context.skip();
      const target = makeFinding(6).fingerprint;
      const patched = await server.app.inject({ method: 'PATCH', url: `/api/v1/findings/${target}`, headers: { authorization: `Bearer ${token}` }, payload: { suppression: { reason: 'accepted risk', until: '2026-12-31T00:00:00Z' } } });
      expect(patched.json<{ suppressed: boolean; suppression: { reason: string } }>()).toMatchObject({ suppressed: true, suppression: { reason: 'accepted risk', until: '2026-12-31T00:00:00.000Z' } });
      const rule = makeFinding(6).ruleId;
      const open = await pageAll(server, token, `limit=500&rule=${rule}`);
      expect(open.map((f) => f.fingerprint)).not.toContain(target);
      expect(open.every((f) => !f.suppressed)).toBe(true);
      const suppressed = await pageAll(server, token, `limit=500&status=suppressed`);
      expect(suppressed.map((f) => f.fingerprint)).toContain(target);
      expect(suppressed.every((f) => f.suppressed)).toBe(true);
      // status=all lists it among the others, still marked.
      const all = await pageAll(server, token, `limit=500&status=all&rule=${rule}`);
      expect(all.find((f) => f.fingerprint === target)?.suppressed).toBe(true);
      expect(all.filter((f) => f.suppressed).map((f) => f.fingerprint)).toEqual([target]);
      const past = await server.app.inject({ method: 'PATCH', url: `/api/v1/findings/${target}`, headers: { authorization: `Bearer ${token}` }, payload: { suppression: { reason: 'x', until: '2020-01-01T00:00:00Z' } } });
      expect(past.statusCode).toBe(400);
    });

    it('triages every finding matching a filter in one request, and a list of fingerprints', async (context) => {
      if (server === undefined) return context.skip();
      const filter = { asset: 'site-2', severity: 'critical' };
      const count = findings.filter((f) => f.asset === 'site-2' && f.severity === 'critical').length;
      const bulk = await server.app.inject({ method: 'POST', url: '/api/v1/findings/bulk', headers: { authorization: `Bearer ${token}` }, payload: { filter, triage: { state: 'in_triage' } } });
      expect(bulk.statusCode, bulk.body).toBe(200);
      expect(bulk.json<{ count: number }>().count).toBeGreaterThanOrEqual(count);
      const listed = await pageAll(server, token, 'limit=500&asset=site-2&severity=critical');
      expect(listed.every((f) => f.triage?.state === 'in_triage')).toBe(true);
      const named = [makeFinding(1).fingerprint, makeFinding(2).fingerprint, 'not-there'];
      const byList = await server.app.inject({ method: 'POST', url: '/api/v1/findings/bulk', headers: { authorization: `Bearer ${token}` }, payload: { fingerprints: named, triage: { state: 'false_positive', justification: 'code_not_reachable' } } });
      expect(byList.json()).toEqual({ count: 2 });
      const neither = await server.app.inject({ method: 'POST', url: '/api/v1/findings/bulk', headers: { authorization: `Bearer ${token}` }, payload: { triage: { state: 'false_positive' } } });
      expect(neither.statusCode).toBe(400);
    });
  });
}
