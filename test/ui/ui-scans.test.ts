import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueue } from '../../src/jobs/open-queue.js';
import { jobHandlers } from '../../src/jobs/scan-jobs.js';
import { runDueSchedules } from '../../src/jobs/scan-schedules.js';
import { startIisFixture, type IisFixture } from '../fixtures/iis-fixture-server.mjs';
import { silent } from '../jobs/job-fixtures.js';
import { axeProblems, expectClean, HAS_CHROMIUM, openWatched, signIn, startUiRig, type UiRig } from './ui-harness.js';

if (!HAS_CHROMIUM) console.warn('test/ui: skipped, no Chromium at /usr/bin/chromium (Debian package chromium; or set CHROMIUM).');

/** A loopback site in front of the vulnerable IIS fixture that holds every request until `open()`: the scan stays running until then. */
interface GatedSite {
  readonly url: string;
  open(): void;
  close(): Promise<void>;
}

async function startGatedSite(upstream: IisFixture): Promise<GatedSite> {
  let opened = false;
  const held: (() => void)[] = [];
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const target = new URL(upstream.url);
    const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  };
  const server: Server = createServer((req, res) => (opened ? forward(req, res) : held.push(() => forward(req, res))));
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    open() {
      opened = true;
      for (const release of held.splice(0)) release();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}

/** A host root no worker may read, named to break out of any markup or reverse what a reader sees. */
const HOSTILE_ROOT = '/srv/<img src=x onerror="window.__w3gPwned=1">\u202egpj.aspx';

describe.skipIf(!HAS_CHROMIUM)('scans and schedules in a real browser', () => {
  let rig: UiRig;
  let fixture: IisFixture;
  let site: GatedSite;
  beforeAll(async () => {
    // A real queue on the server's store, worked by the scan jobs once a test starts it.
    rig = await startUiRig({ queue: (store) => openQueue(store, { url: 'sqlite', log: silent, pollMs: 200, retry: { retryLimit: 0, retryDelaySeconds: 1, retryDelayMaxSeconds: 1 } }) });
    fixture = await startIisFixture({ profile: 'vulnerable' });
    site = await startGatedSite(fixture);
  }, 120_000);
  afterAll(async () => {
    await site?.close();
    await fixture?.close();
    await rig?.close();
  });


  it('an operator starts a scan of a loopback site and watches it go queued, running, done, with its log and a link to its findings', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await signIn(watched, rig, 'olga', 'operator', '/scans');
    await page.getByRole('link', { name: 'Scans', exact: true }).click();
    await page.getByRole('heading', { name: 'Scans' }).waitFor();
    expect(await axeProblems(page)).toEqual([]);
    await page.getByText('New scan').click();
    await page.getByLabel('Targets, one a line').fill(site.url);
    await page.getByRole('button', { name: 'Start scan' }).click();
    await page.waitForURL(/\/scans\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split('/').at(-1));
    const progress = page.getByTestId('scan-progress');
    // No worker yet: the scan waits in the queue, and its page says so.
    await page.locator('[data-testid="scan-progress"][data-state="queued"]').waitFor();
    await page.getByText('Nothing logged yet').waitFor();
    expect(await axeProblems(page)).toEqual([]);

    await rig.server.deps.queue.work(jobHandlers(rig.server.deps, { allowedRoots: [] }));
    await page.locator('[data-testid="scan-progress"][data-state="running"]').waitFor({ timeout: 20_000 });
    await page.getByTestId('scan-log').getByText(`target ${site.url}`).waitFor();
    expect(await progress.textContent()).toContain('phase scanning');

    site.open();
    await page.locator('[data-testid="scan-progress"][data-state="done"]').waitFor({ timeout: 90_000 });
    const api = await page.evaluate(async (scanId) => (await fetch(`/api/v1/scans/${scanId}`)).json(), id);
    expect(api).toMatchObject({ id, state: 'done', findingAssets: [expect.any(String)] });
    const log = page.getByTestId('scan-log');
    await log.getByText(/^done: run \d+, \d+ findings, 0 fixed$/).waitFor();
    const lines = await log.locator('li').allTextContents();
    expect(lines[0]).toContain('attempt 1 started');
    expect(lines.some((line) => line.includes(`recording ${String(api.findings)} findings`))).toBe(true);
    expect(await page.getByTestId('scan-findings').textContent()).toContain(String(api.findings));
    expect(api.findings).toBeGreaterThan(0);
    expect(await axeProblems(page)).toEqual([]);

    // The findings link opens the list of that asset's findings, every one of them there.
    const asset = (api.findingAssets as string[])[0] ?? '';
    await page.getByTestId('scan-finding-links').getByRole('link').first().click();
    await page.waitForURL((url) => url.pathname === '/findings' && url.searchParams.get('asset') === asset);
    await page.locator('[data-testid="findings-table"][aria-busy="false"] tbody tr').first().waitFor();
    expect(await page.locator('[data-testid="findings-table"] tbody tr').count()).toBe(api.findings);

    // The list shows the finished scan with its findings count, and stops refreshing.
    await page.getByRole('link', { name: 'Scans', exact: true }).click();
    const row = page.locator(`[data-testid="scans-table"] tr[data-scan="${id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('done');
    expect(await row.locator('td').nth(8).textContent()).toBe(String(api.findings));
    expect(await row.textContent()).toContain('olga');
    await expectClean(watched);
    await watched.context.close();
  }, 180_000);

  it('a scan that fails shows its error as inert text, in its page, its log and the list, and the list filters by state', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await signIn(watched, rig, 'otto', 'operator', '/scans');
    await page.getByText('New scan').click();
    await page.getByLabel('Kind').first().selectOption('host');
    await page.getByLabel('Targets, one a line').fill(HOSTILE_ROOT);
    await page.getByRole('button', { name: 'Start scan' }).click();
    await page.waitForURL(/\/scans\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split('/').at(-1));
    await page.locator('[data-testid="scan-progress"][data-state="failed"]').waitFor({ timeout: 30_000 });
    const error = page.getByTestId('scan-error');
    await error.waitFor();
    // The right-to-left override shows as a marked code point, not as reversed text.
    expect(await error.textContent()).toBe(`Why it failed${`this worker may not read ${JSON.stringify(HOSTILE_ROOT)}: start it with --allow-root naming that folder or one above it.`.replace('\u202e', 'U+202E')}`);
    expect(await error.locator('[data-ctl="U+202E"]').count()).toBe(1);
    expect(await page.locator('main img').count()).toBe(0);
    const lastLine = page.getByTestId('scan-log').locator('li[data-level="error"]');
    await lastLine.waitFor();
    expect(await lastLine.textContent()).toContain('this worker may not read');
    expect(await page.getByTestId('scan-facts').textContent()).toContain('/srv/<img src=x onerror="window.__w3gPwned=1">U+202Egpj.aspx');
    expect(await axeProblems(page)).toEqual([]);

    // A target the server refuses outright is explained in the form, and nothing is started.
    await page.goto(`${rig.server.url}/scans`);
    await page.getByText('New scan').click();
    await page.getByLabel('Targets, one a line').fill('file:///etc/passwd');
    await page.getByRole('button', { name: 'Start scan' }).click();
    expect(await page.getByTestId('new-scan-problem').textContent()).toBe('targets[0] must be an http or https URL.');

    await page.getByLabel('State').selectOption('failed');
    await page.waitForURL(/\/scans\?state=failed$/);
    await page.locator(`[data-testid="scans-table"][aria-busy="false"] tr[data-scan="${id}"]`).waitFor();
    const states = await page.locator('[data-testid="scans-table"] tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-state')));
    expect(states.length).toBeGreaterThan(0);
    expect(new Set(states)).toEqual(new Set(['failed']));
    // The navigation's Scans link clears the filter, and the filter shows it.
    await page.getByRole('link', { name: 'Scans', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/scans' && url.search === '');
    expect(await page.getByLabel('State').inputValue()).toBe('');
    expect(await page.locator(`tr[data-scan="${id}"] td.error`).textContent()).toContain('this worker may not read');
    expect(await page.locator('main img').count()).toBe(0);
    await expectClean(watched, [400]);
    await watched.context.close();
  }, 60_000);

  it('an operator adds a schedule (the server checks its time zone), pauses it and deletes it', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await signIn(watched, rig, 'oscar', 'operator');
    await page.getByRole('link', { name: 'Schedules' }).click();
    await page.getByRole('heading', { name: 'Schedules' }).waitFor();
    await page.getByText('New schedule').click();
    await page.getByLabel('Targets, one a line').fill('https://www.example.com/');
    await page.getByLabel('Cron (minute hour day month weekday)').fill('0 3 * * 1');
    await page.getByLabel('Time zone').fill('Nowhere/Atlantis');
    await page.getByRole('button', { name: 'Add schedule' }).click();
    expect(await page.getByTestId('new-schedule-problem').textContent()).toContain('timezone must be an IANA time zone');
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await page.getByRole('button', { name: 'Add schedule' }).click();
    await page.getByTestId('schedule-message').getByText(/^Schedule \d+ added\.$/).waitFor();
    const id = Number(/\d+/.exec((await page.getByTestId('schedule-message').textContent()) ?? '')?.[0]);
    const row = page.locator(`tr[data-schedule="${id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-enabled')).toBe('true');
    expect(await row.textContent()).toContain('Europe/Berlin');
    // Next Monday 03:00 in Berlin, from the server's clock (Monday 2026-06-01 00:00 UTC): 01:00 UTC that day.
    expect(await row.locator('time').first().getAttribute('datetime')).toBe('2026-06-01T01:00:00.000Z');
    expect(await axeProblems(page)).toEqual([]);

    // By keyboard: the row's buttons take the focus and Enter presses them.
    await row.getByRole('button', { name: `Pause schedule ${id}` }).focus();
    await page.keyboard.press('Enter');
    await page.locator(`tr[data-schedule="${id}"][data-enabled="false"]`).waitFor();
    expect(await row.textContent()).toContain('paused');
    await row.getByRole('button', { name: `Resume schedule ${id}` }).waitFor();
    await row.getByRole('button', { name: `Delete schedule ${id}` }).click();
    await row.getByRole('button', { name: `Confirm delete of schedule ${id}` }).click();
    await page.getByTestId('schedule-message').getByText(`Schedule ${id} deleted.`).waitFor();
    await row.waitFor({ state: 'detached' });
    const audit = await rig.server.store.database.selectFrom('audit_log').select('action').where('target', '=', `schedule:${id}`).orderBy('id').execute();
    expect(audit.map((entry) => entry.action)).toEqual(['schedule.create', 'schedule.disable', 'schedule.delete']);
    await expectClean(watched, [400]);
    await watched.context.close();
  }, 60_000);

  it('a viewer sees scans and schedules, hostile text inert, and no control to start, add, pause or delete', async () => {
    const operator = await rig.server.token('operator');
    const created = await fetch(`${rig.server.url}/api/v1/schedules`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'host', targets: [HOSTILE_ROOT], cron: '*/5 * * * *', timezone: 'UTC' }),
    });
    expect(created.status).toBe(201);
    // Its first slot (every 5 minutes) comes: the scheduler requests a scan on its behalf.
    rig.server.advance(6 * 60_000);
    const [scheduledScan] = await runDueSchedules(rig.server.deps);
    expect(scheduledScan).toBeDefined();
    const scanned = await fetch(`${rig.server.url}/api/v1/scans`, { method: 'POST', headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'host', targets: [HOSTILE_ROOT] }) });
    expect(scanned.status).toBe(202);
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await signIn(watched, rig, 'vera', 'viewer');
    await page.getByRole('link', { name: 'Scans', exact: true }).click();
    await page.locator('[data-testid="scans-table"] tbody tr').first().waitFor();
    expect(await page.getByTestId('scans-table').textContent()).toContain('/srv/<img src=x onerror="window.__w3gPwned=1">U+202Egpj.aspx');
    const scheduleId = (await created.json()) as { id: number };
    expect(await page.locator(`tr[data-scan="${scheduledScan}"]`).getByRole('link', { name: `schedule ${scheduleId.id}` }).getAttribute('href')).toBe('/schedules');
    expect(await page.getByText('New scan').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Start scan' }).count()).toBe(0);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await axeProblems(page)).toEqual([]);

    await page.getByRole('link', { name: 'Schedules' }).click();
    await page.getByTestId('schedules-table').waitFor();
    expect(await page.getByText('New schedule').count()).toBe(0);
    expect(await page.locator('main button').count()).toBe(0);
    expect(await page.getByTestId('schedules-table').textContent()).toContain('/srv/<img src=x onerror="window.__w3gPwned=1">U+202Egpj.aspx');
    expect(await page.locator('main img').count()).toBe(0);
    expect(await axeProblems(page)).toEqual([]);

    // The server refuses the viewer anyway.
    const statuses = await page.evaluate(async () => {
      const session = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const headers = { 'x-csrf-token': session.csrfToken };
      const scan = await fetch('/api/v1/scans', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'scan', targets: ['https://www.example.com/'] }) });
      const schedule = await fetch('/api/v1/schedules/1', { method: 'DELETE', headers });
      return [scan.status, schedule.status];
    });
    expect(statuses).toEqual([403, 403]);
    await expectClean(watched, [403]);
    await watched.context.close();
  }, 60_000);
});
