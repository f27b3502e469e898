import { afterEach, describe, expect, it } from 'vitest';
import { jobHandlers } from '../../src/jobs/scan-jobs.js';
import { scanRoutes } from '../../src/server/routes/scan-routes.js';
import { jsonReporter } from '../../src/report/json-reporter.js';
import { openBench, report, shellFindings, until, type Bench } from './job-fixtures.js';
import { startStandIn } from './route-stand-in.js';

let bench: Bench | undefined;
let server: { url: string; audits: string[]; close(): Promise<void> } | undefined;
afterEach(async () => {
  await server?.close();
  await bench?.close();
  server = undefined;
  bench = undefined;
});

describe('scan routes over HTTP (SQLite, stand-in server)', () => {
  it('starts a scan as operator, shows it to a viewer, refuses viewers and anonymous callers', async () => {
    const b = await openBench('sqlite');
    bench = b;
    await b.queue.work(jobHandlers(b.deps, { runners: { scan: async (targets) => report('scan', shellFindings(targets[0] ?? '', ['x.aspx'])) } }));
    const s = await startStandIn(b.deps, [scanRoutes]);
    server = s;
    const call = (method: string, path: string, role: string | undefined, body?: unknown): Promise<Response> =>
      fetch(`${s.url}${path}`, { method, headers: { ...(role === undefined ? {} : { 'x-test-role': role }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

    expect((await call('POST', '/api/v1/scans', undefined, { kind: 'scan', targets: ['https://a.example/'] })).status).toBe(401);
    expect((await call('POST', '/api/v1/scans', 'viewer', { kind: 'scan', targets: ['https://a.example/'] })).status).toBe(403);
    const started = await call('POST', '/api/v1/scans', 'operator', { kind: 'scan', targets: ['https://a.example/'] });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: number };
    const done = await until('the scan', async () => {
      const scan = (await (await call('GET', `/api/v1/scans/${id}`, 'viewer')).json()) as { state: string; findings?: number };
      return scan.state === 'done' ? scan : undefined;
    });
    expect(done).toMatchObject({ id, kind: 'scan', state: 'done', findings: 1, progress: { phase: 'done' } });
    expect(((await (await call('GET', '/api/v1/scans', 'viewer')).json()) as { items: unknown[] }).items).toHaveLength(1);
    expect((await call('GET', '/api/v1/scans/999', 'viewer')).status).toBe(404);
    const bad = await call('POST', '/api/v1/scans', 'operator', { kind: 'scan', targets: ['file:///etc/passwd'] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'scan.bad-target', message: 'targets[0] must be an http or https URL.' } });
    expect(s.audits).toEqual([`operator-token scan.request scan:${id}`]);

    // Pushed reports: 201 with the run, the same again the same run, a malformed one 400 naming the problem.
    const pushed = JSON.parse(jsonReporter.render(report('host', shellFindings('WEB7', ['a.aspx'])), { color: false })) as Record<string, unknown>;
    const first = await call('POST', '/api/v1/reports', 'operator', pushed);
    expect(first.status).toBe(201);
    const again = await call('POST', '/api/v1/reports', 'operator', pushed);
    expect(await again.json()).toEqual(await first.json());
    const malformed = await call('POST', '/api/v1/reports', 'operator', { ...pushed, findings: [{ fingerprint: 'x' }] });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toBe('findings[0].severity must be one of info, low, medium, high, critical.');

    // Schedules: bad cron 400; a good one 201 and listed.
    expect((await call('POST', '/api/v1/schedules', 'operator', { kind: 'scan', targets: ['https://a.example/'], cron: 'every day', timezone: 'UTC' })).status).toBe(400);
    expect((await call('POST', '/api/v1/schedules', 'operator', { kind: 'scan', targets: ['https://a.example/'], cron: '0 3 * * *', timezone: 'Nowhere/Atlantis' })).status).toBe(400);
    const schedule = await call('POST', '/api/v1/schedules', 'operator', { kind: 'scan', targets: ['https://a.example/'], cron: '0 3 * * 1', timezone: 'Europe/Berlin' });
    expect(schedule.status).toBe(201);
    const listed = (await (await call('GET', '/api/v1/schedules', 'viewer')).json()) as { items: { cron: string; timezone: string; nextRunAt: string }[] };
    expect(listed.items).toMatchObject([{ cron: '0 3 * * 1', timezone: 'Europe/Berlin', nextRunAt: expect.stringMatching(/T02:00:00\.000Z$/) }]);
  });
});
