import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { totpCode, totpStep } from '../../src/server/totp.js';
import { MfaStore } from '../../src/store/mfa-store.js';
import { startScan, updateProgress } from '../../src/store/scan-store.js';
import { TEST_PASSWORD } from '../server/test-server.js';
import { axeProblems, expectClean, HAS_CHROMIUM, makePriority, openWatched, prioritized, signIn, startUiRig, type UiRig } from './ui-harness.js';

if (!HAS_CHROMIUM) console.warn('test/ui: skipped, no Chromium at /usr/bin/chromium (Debian package chromium; or set CHROMIUM).');

/** A download's bytes as text. */
async function streamText(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** Attacker-controlled text in every place evidence can carry it: titles, assets, file names, log lines, HTTP answers. */
const HOSTILE: Finding = prioritized(1000, {
  fingerprint: 'hostile0000000000000000000000001',
  title: '<script>window.__w3gPwned=1</script><img src=x onerror="window.__w3gPwned=2">',
  asset: 'site-<img src=x onerror=alert(1)>',
  ruleId: 'rule-"><svg onload=alert(1)>',
  description: 'javascript:alert(1) \u202eevil',
  evidence: [
    { kind: 'log', file: 'C:\\inetpub\\logs\\<img src=x onerror=alert(2)>\u202egol.txt', line: 42, text: 'GET /a?<script>alert(3)</script> 200\r\nX-Injected: yes\u0000tail \u202eexe.gpj\u2066' },
    { kind: 'http', url: 'javascript:alert(4)', text: 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<iframe src="javascript:alert(5)"></iframe><a href="javascript:alert(6)">x</a>' },
    { kind: 'file', path: 'C:\\site\\shell\u202easpx.jpg' },
    { kind: 'http', url: 'http://127.0.0.1/upload', text: `${'A'.repeat(10_000)}TAIL-MARKER` },
  ],
});

/** A finding on a site the server can re-check, for Verify fix. */
const VERIFIABLE: Finding = prioritized(2000, { fingerprint: 'verify00000000000000000000000001', asset: 'http://127.0.0.1:9/', title: 'Directory listing is on' });

describe.skipIf(!HAS_CHROMIUM)('the web UI in a real browser', () => {
  let rig: UiRig;
  beforeAll(async () => {
    rig = await startUiRig();
    const findings = Array.from({ length: 60 }, (_, i) => prioritized(i));
    // One KEV weakness on an internet-facing asset, 14-day label: on the act-now list only for that reason.
    findings.push(prioritized(3000, { fingerprint: 'kev00000000000000000000000000001', title: 'KEV on the internet', risk: 99, priority: makePriority('14d', 99, { inputs: [{ name: 'inKev', value: true, source: 'cisa-kev' }, { name: 'publiclyExposed', value: true, source: 'observed' }] }) }));
    findings.push(HOSTILE, VERIFIABLE);
    await rig.server.store.recordRun({ command: 'test', toolVersion: '0', startedAt: '2026-05-20T00:00:00.000Z', finishedAt: '2026-05-20T00:00:00.000Z', findings, keepFindings: false });
  }, 60_000);
  afterAll(async () => rig?.close());


  it('signs in, shows the dashboard with the API\'s numbers, links each number to its filter, and signs out', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await page.goto(rig.server.url);
    expect(await axeProblems(page)).toEqual([]);
    await signIn(watched, rig, 'alice', 'operator');
    await page.getByTestId('dashboard').waitFor();
    const token = await rig.server.token('viewer');
    const api = (await (await fetch(`${rig.server.url}/api/v1/dashboard`, { headers: { authorization: `Bearer ${token}` } })).json()) as { openTotal: number; openByLabel: Record<string, number>; actNow: { total: number; items: { fingerprint: string; reasons: string[] }[] } };
    expect(await page.getByTestId('open-total').textContent()).toBe(String(api.openTotal));
    expect(api.openTotal).toBe(63);
    for (const [label, count] of Object.entries(api.openByLabel)) expect(await page.getByTestId(`count-${label}`).locator('.count').textContent(), label).toBe(String(count));
    expect(await page.getByTestId('act-now-total').textContent()).toBe(String(api.actNow.total));
    expect(api.actNow.items.find((item) => item.fingerprint === 'kev00000000000000000000000000001')?.reasons).toEqual(['kev-exposed']);
    expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);
    // Every count is a link to the list filtered the same way, and the list shows exactly that many.
    await page.getByTestId('count-incident').click();
    await page.waitForURL(/\/findings\?label=incident$/);
    await page.locator('[data-testid="findings-table"][aria-busy="false"] tbody tr').first().waitFor();
    expect(await page.locator('[data-testid="findings-table"] tbody tr').count()).toBe(api.openByLabel['incident']);
    await expectClean(watched);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const after = await page.evaluate(async () => (await fetch('/api/v1/findings')).status);
    expect(after).toBe(401);
    await watched.context.close();
  });

  it('takes a newcomer from the dashboard to the most urgent finding in one click, with its evidence and why it ranks there', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await page.goto(rig.server.url);
    await signIn(watched, rig, 'newcomer', 'viewer');
    await page.getByTestId('dashboard').waitFor();
    const token = await rig.server.token('viewer');
    const top = (await (await fetch(`${rig.server.url}/api/v1/findings?limit=1`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: { fingerprint: string; risk?: number }[] };
    // Click 1: the first item of "act now" is the open finding with the highest risk.
    await page.locator('[data-testid="act-now"] li').first().getByRole('link').click();
    await page.waitForURL(/\/findings\/[^/?]+$/);
    expect(decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '')).toBe(top.items[0]?.fingerprint);
    // The page opens on that finding with its evidence and its priority's reasons: no second click needed.
    await page.getByRole('heading', { name: /evidence/i }).first().waitFor();
    await page.getByRole('heading', { name: /why this priority/i }).first().waitFor();
    await expectClean(watched);
    await watched.context.close();
  });

  it('asks for the authenticator code of a user with a second factor, and only after the password', async () => {
    await rig.server.login('mona', 'operator');
    const db = rig.server.store.database;
    const user = await db.selectFrom('users').select('id').where('name', '=', 'mona').executeTakeFirstOrThrow();
    const mfa = new MfaStore(db, rig.server.deps.secretKey);
    const enrolment = await mfa.begin(user.id, 'mona', rig.server.deps.now());
    if (enrolment === undefined) throw new Error('no enrolment');
    expect(await mfa.confirm(user.id, totpCode(enrolment.secret, totpStep(rig.server.deps.now())), rig.server.deps.now())).toBe(true);
    // The next time step: a code is taken once.
    rig.server.advance(30_000);
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await page.goto(rig.server.url);
    await page.getByLabel('User name').fill('mona');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Authentication code').fill(totpCode(enrolment.secret, totpStep(rig.server.deps.now())));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('who').waitFor();
    // Chromium logs the first answer (401 mfa-required); it is the point of this test.
    expect(watched.consoleErrors.splice(0).filter((message) => !message.includes('status of 401'))).toEqual([]);
    await expectClean(watched);
    await watched.context.close();
  });

  it('returns to the sign-in page when the session ends while a page is open', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await signIn(watched, rig, 'hana', 'viewer', '/findings');
    await page.locator('[data-testid="findings-table"] tbody tr').first().waitFor();
    // Ended on the server, as an admin ending the user's sessions would.
    const user = await rig.server.store.database.selectFrom('users').select('id').where('name', '=', 'hana').executeTakeFirstOrThrow();
    await rig.server.store.database.deleteFrom('sessions').where('user_id', '=', user.id).execute();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await watched.context.close();
  });

  it('renders hostile evidence as inert text with invisible characters shown, under CSP and Trusted Types', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await signIn(watched, rig, 'bob', 'viewer', `/findings/${HOSTILE.fingerprint}`);
    await page.getByTestId('evidence').waitFor();
    const article = page.getByTestId('finding');
    const text = (await article.textContent()) ?? '';
    expect(text).toContain('<script>window.__w3gPwned=1</script>');
    expect(text).toContain('<iframe src="javascript:alert(5)"></iframe>');
    expect(text).toContain('C:\\inetpub\\logs\\<img src=x onerror=alert(2)>');
    expect(text).toContain(':42');
    // No reordering or hiding character reaches the page as itself; each is a visible marker.
    expect(text).not.toMatch(/[\u202e\u2066\u0000\r]/u);
    for (const marker of ['U+202E', 'U+2066', '\u2400', '\u240d', '\u240a']) expect(await article.locator(`[data-ctl="${marker}"]`).count(), marker).toBeGreaterThan(0);
    expect(await article.locator('script, img, iframe, svg').count()).toBe(0);
    // A long text shows a preview until the reader asks for all of it.
    expect(text).not.toContain('TAIL-MARKER');
    await page.getByRole('button', { name: 'Show all 10011 characters' }).click();
    expect(await article.textContent()).toContain('TAIL-MARKER');
    const hrefs = await page.locator('a').evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
    expect(hrefs.filter((href) => !href.startsWith('/'))).toEqual(['#main']);
    // Why this priority: every input with its source.
    const inputs = page.getByTestId('priority-inputs');
    for (const name of ['compromise', 'inKev', 'publiclyExposed', 'epss']) expect(await inputs.getByRole('rowheader', { name, exact: true }).count(), name).toBe(1);
    expect(await inputs.locator('tbody tr').count()).toBe(4);
    expect(await inputs.textContent()).toContain('cisa-kev');
    await expectClean(watched);
    await watched.context.close();
  });

  it('shows a viewer no control it cannot use, and the API refuses a viewer\'s writes and admin reads', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await signIn(watched, rig, 'carol', 'viewer', '/findings');
    await page.locator('[data-testid="findings-table"] tbody tr').first().waitFor();
    expect(await page.locator('form.bulk').count()).toBe(0);
    expect(await page.locator('[data-testid="findings-table"] input[type="checkbox"]').count()).toBe(0);
    expect(await page.getByTestId('nav-admin').count()).toBe(0);
    await page.goto(`${rig.server.url}/findings/${VERIFIABLE.fingerprint}`);
    await page.getByTestId('evidence').waitFor();
    expect(await page.getByTestId('finding-actions').count()).toBe(0);
    expect(await page.getByTestId('verify').count()).toBe(0);
    // The session's own requests, as a hand-crafted page script would send them.
    const statuses = await page.evaluate(async (fingerprint) => {
      const session = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const headers = { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken };
      return [
        (await fetch('/api/v1/users')).status,
        (await fetch('/api/v1/findings/bulk', { method: 'POST', headers, body: JSON.stringify({ fingerprints: [fingerprint], triage: { state: 'resolved' } }) })).status,
        (await fetch(`/api/v1/findings/${fingerprint}/verify`, { method: 'POST', headers, body: '{}' })).status,
      ];
    }, VERIFIABLE.fingerprint);
    expect(statuses).toEqual([403, 403, 403]);
    // Chromium logs each refused request; those three are the point of this test.
    expect(watched.consoleErrors.splice(0).filter((message) => !message.includes('status of 403'))).toEqual([]);
    await expectClean(watched);
    await watched.context.close();
  });

  it('lets an admin see the admin navigation', async () => {
    const watched = await openWatched(rig.browser);
    await signIn(watched, rig, 'dora', 'admin');
    await watched.page.getByTestId('nav-admin').getByRole('link', { name: 'Users' }).click();
    await watched.page.getByTestId('users').waitFor();
    expect(await watched.page.getByTestId('users').textContent()).toContain('dora');
    await expectClean(watched);
    await watched.context.close();
  });

  it('triages selected findings in bulk, with a comment, and suppresses with a reason and an end date', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await signIn(watched, rig, 'erin', 'operator', '/findings?severity=medium');
    const rows = page.locator('[data-testid="findings-table"][aria-busy="false"] tbody tr');
    await rows.first().waitFor();
    const chosen = await rows.evaluateAll((trs) => trs.slice(0, 3).map((tr) => tr.getAttribute('data-fingerprint') ?? ''));
    for (const fingerprint of chosen) await page.getByLabel(`Select ${fingerprint}`).check();
    const bulk = page.locator('form.bulk');
    await bulk.getByLabel('Triage').selectOption('false_positive');
    await bulk.getByLabel('Comment').fill('test fixture');
    await bulk.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByTestId('bulk-result').textContent()).toBe('3 findings changed.');
    for (const fingerprint of chosen) {
      const finding = await rig.server.app.inject({ url: `/api/v1/findings/${fingerprint}`, headers: { authorization: `Bearer ${await rig.server.token('viewer')}` } });
      expect(finding.json<{ triage: { state: string; by: string; comment: string } }>().triage).toMatchObject({ state: 'false_positive', by: 'erin', comment: 'test fixture' });
    }
    // Suppress the first one until a date: it leaves the default list.
    await page.getByLabel(`Select ${chosen[0] ?? ''}`).check();
    await bulk.getByLabel('Triage').selectOption('');
    await bulk.getByLabel('Suppress, because').fill('accepted risk');
    await bulk.getByLabel('until').fill('2027-01-31');
    await bulk.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByTestId('bulk-result').textContent()).toBe('1 findings changed.');
    await page.locator(`[data-testid="findings-table"][aria-busy="false"] tbody tr[data-fingerprint="${chosen[0] ?? ''}"]`).waitFor({ state: 'detached' });
    const suppressed = await rig.server.store.database.selectFrom('suppressions').selectAll().where('fingerprint', '=', chosen[0] ?? '').executeTakeFirstOrThrow();
    expect(suppressed).toMatchObject({ reason: 'accepted risk', author: 'erin', expires_at: '2027-01-31T23:59:59.000Z' });
    // Every finding matching the filters, on every page: only after a confirming second click.
    const token = await rig.server.token('viewer');
    const matching = ((await (await fetch(`${rig.server.url}/api/v1/findings?severity=medium&limit=500`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: unknown[] }).items.length;
    await bulk.getByLabel('every finding matching the filters').check();
    await bulk.getByLabel('Suppress, because').fill('');
    await bulk.getByLabel('until').fill('');
    await bulk.getByLabel('Triage').selectOption('in_triage');
    await bulk.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByTestId('bulk-result').textContent()).toContain('Apply again to confirm');
    const before = await rig.server.store.database.selectFrom('findings').select('fingerprint').where('triage_state', '=', 'in_triage').execute();
    expect(before).toHaveLength(0);
    await bulk.getByRole('button', { name: 'Confirm: change all matching' }).click();
    await expect.poll(() => page.getByTestId('bulk-result').textContent()).toBe(`${matching} findings changed.`);
    expect(matching).toBeGreaterThan(0);
    await expectClean(watched);
    await watched.context.close();
  });

  it('keeps filters in the URL and remembers them and the column choice; exports exactly the filtered set', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await signIn(watched, rig, 'ivan', 'viewer', '/findings');
    const table = page.locator('[data-testid="findings-table"][aria-busy="false"]');
    await table.locator('tbody tr').first().waitFor();
    const filters = page.getByRole('search', { name: 'Filter findings' });
    await filters.getByLabel('Severity').selectOption('critical');
    await page.waitForURL(/\/findings\?severity=critical$/);
    await filters.getByLabel('Text').fill('number 1');
    await filters.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/\/findings\?severity=critical&q=number\+1$/);
    await table.locator('tbody tr').first().waitFor();
    const shown = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-fingerprint') ?? ''));
    const token = await rig.server.token('viewer');
    const api = (await (await fetch(`${rig.server.url}/api/v1/findings?severity=critical&q=number%201&limit=500`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: { fingerprint: string }[] };
    expect(shown).toEqual(api.items.map((item) => item.fingerprint));
    expect(shown.length).toBeGreaterThan(0);
    // Hide a column; a bare /findings later opens with the same filters and columns.
    await page.getByText('Columns').click();
    await page.locator('details.columns').getByLabel('Rule').uncheck();
    expect(await page.locator('[data-testid="findings-table"] thead th', { hasText: 'Rule' }).count()).toBe(0);
    await page.goto(`${rig.server.url}/`);
    await page.getByTestId('dashboard').waitFor();
    await page.goto(`${rig.server.url}/findings`);
    await page.waitForURL(/\/findings\?severity=critical&q=number\+1$/);
    await table.locator('tbody tr').first().waitFor();
    expect(await page.locator('[data-testid="findings-table"] thead th', { hasText: 'Rule' }).count()).toBe(0);
    expect(await page.locator('[data-testid="findings-table"] thead th', { hasText: 'Asset' }).count()).toBe(1);
    // The export link downloads exactly the rows of this filter.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const exported = JSON.parse(await streamText(await download.createReadStream())) as { items: { fingerprint: string }[] };
    expect(exported.items.map((item) => item.fingerprint)).toEqual(api.items.map((item) => item.fingerprint));
    await expectClean(watched);
    await watched.context.close();
  });

  it('shows an asset\'s page from the dashboard\'s top assets, with its facts and only its findings', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await signIn(watched, rig, 'kate', 'viewer');
    const first = page.getByTestId('top-assets').locator('tbody th a').first();
    const asset = (await first.textContent()) ?? '';
    await first.click();
    await page.waitForURL(new RegExp(`/assets/${encodeURIComponent(asset)}$`));
    const token = await rig.server.token('viewer');
    const facts = (await (await fetch(`${rig.server.url}/api/v1/assets/${encodeURIComponent(asset)}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { open: number };
    await expect.poll(() => page.getByTestId('asset-facts').textContent()).toContain(`${facts.open} open findings`);
    const rows = page.locator('[data-testid="findings-table"][aria-busy="false"] tbody tr');
    await rows.first().waitFor();
    const assets = await page.locator('[data-testid="findings-table"] tbody tr td:nth-child(5)').allTextContents();
    expect(new Set(assets)).toEqual(new Set([asset]));
    await expectClean(watched);
    await watched.context.close();
  });

  it('triages and suppresses one finding from its page, and shows the change in its history', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    const target = prioritized(5);
    await signIn(watched, rig, 'jack', 'operator', `/findings/${target.fingerprint}`);
    const triage = page.getByRole('form', { name: 'Triage' });
    await triage.getByLabel('Triage').selectOption('exploitable');
    await triage.getByLabel('Comment').fill('seen in the logs');
    await triage.getByRole('button', { name: 'Save triage' }).click();
    await expect.poll(() => page.getByTestId('history').textContent()).toContain('triage:exploitable');
    const suppress = page.getByRole('form', { name: 'Suppress' });
    await suppress.getByLabel('Suppress, because').fill('compensating control at the proxy');
    await suppress.getByLabel('until').fill('2027-03-01');
    await suppress.getByRole('button', { name: 'Suppress' }).click();
    await expect.poll(() => page.getByTestId('status').textContent()).toContain('(suppressed)');
    expect(await page.getByTestId('history').textContent()).toContain('compensating control at the proxy');
    await expectClean(watched);
    await watched.context.close();
  });

  it('starts Verify fix and shows the scan\'s progress live until its result', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await signIn(watched, rig, 'fred', 'operator', `/findings/${VERIFIABLE.fingerprint}`);
    await page.getByTestId('verify').click();
    const progress = page.getByTestId('scan-progress');
    await page.locator('[data-testid="scan-progress"][data-state="queued"]').waitFor();
    const db = rig.server.store.database;
    const scan = await db.selectFrom('scans').select(['id']).where('verify_fingerprint', '=', VERIFIABLE.fingerprint).executeTakeFirstOrThrow();
    // The worker's steps, through the same store functions a worker uses.
    await startScan(db, scan.id, new Date());
    await updateProgress(db, scan.id, { phase: 'checking', checked: 1 });
    await page.locator('[data-testid="scan-progress"][data-state="running"]').waitFor();
    await expect.poll(async () => progress.textContent(), { timeout: 5_000 }).toContain('checking');
    await db.updateTable('scans').set({ state: 'done', finished_at: new Date().toISOString(), verify_result: 'fixed', finding_count: 0 }).where('id', '=', scan.id).execute();
    await page.locator('[data-testid="scan-progress"][data-state="done"]').waitFor();
    expect(await page.getByTestId('verify-result').textContent()).toContain('fixed');
    await expectClean(watched);
    await watched.context.close();
  });

  it('has no serious or critical accessibility violations on the dashboard, findings and finding pages, and works by keyboard', async () => {
    const watched = await openWatched(rig.browser, { bypassCSP: true });
    const { page } = watched;
    await signIn(watched, rig, 'gina', 'operator');
    await page.getByTestId('dashboard').waitFor();
    await page.locator('.chart canvas').first().waitFor();
    expect(await axeProblems(page), 'dashboard').toEqual([]);
    await page.goto(`${rig.server.url}/findings`);
    await page.locator('[data-testid="findings-table"] tbody tr').first().waitFor();
    expect(await axeProblems(page), 'findings').toEqual([]);
    await page.goto(`${rig.server.url}/findings/${HOSTILE.fingerprint}`);
    await page.getByTestId('evidence').waitFor();
    expect(await axeProblems(page), 'finding').toEqual([]);
    // Keyboard only: tab to the Findings link in the navigation, open it, and page on with Enter.
    await page.goto(`${rig.server.url}/`);
    await page.getByTestId('dashboard').waitFor();
    let focused = '';
    for (let k = 0; k < 10 && focused !== 'Findings'; k += 1) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
    }
    expect(focused).toBe('Findings');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="findings-table"][data-page="1"] tbody tr').first().waitFor();
    await page.getByRole('button', { name: 'Next' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="findings-table"][data-page="2"][aria-busy="false"]').waitFor();
    await watched.context.close();
  });

  it('shows the correlated timeline: the findings one run joined into a story, oldest first, each a link, hostile titles inert', async () => {
    // Recorded last, so the other tests' counts do not see them: a web-shell request, the file it wrote, the event.
    const fp = (n: number) => `story${String(n).padStart(27, '0')}`;
    const story = [
      prioritized(5000, { fingerprint: fp(2), engine: 'sweep', title: 'Web shell <img src=x onerror="window.__w3gPwned=3"> in the web root', firstSeen: '2026-05-19T10:05:00.000Z', related: [fp(1), fp(3), 'gone0000000000000000000000000001'] }),
      prioritized(5001, { fingerprint: fp(1), engine: 'hunt', title: 'POST to a new script page', firstSeen: '2026-05-19T10:00:00.000Z', related: [fp(2), fp(3)] }),
      prioritized(5002, { fingerprint: fp(3), engine: 'events', title: 'w3wp.exe started cmd.exe', firstSeen: '2026-05-19T10:07:00.000Z', related: [fp(1), fp(2)] }),
    ];
    await rig.server.store.recordRun({ command: 'test', toolVersion: '0', startedAt: '2026-05-21T00:00:00.000Z', finishedAt: '2026-05-21T00:00:00.000Z', findings: story, keepFindings: false });
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await signIn(watched, rig, 'tess', 'viewer', `/findings/${fp(2)}`);
    const timeline = page.getByTestId('timeline');
    await timeline.locator('li').nth(2).waitFor();
    const items = await timeline.locator('li').allInnerTexts();
    expect(items.map((text) => text.slice(0, 24))).toEqual(['2026-05-19T10:00:00.000Z', '2026-05-19T10:05:00.000Z', '2026-05-19T10:07:00.000Z']);
    expect(items[1]).toContain('<img src=x onerror=');
    expect(await timeline.locator('li[aria-current="true"]').innerText()).toContain('Web shell');
    expect(await page.getByText('1 more related finding not shown').count()).toBe(1);
    expect(await axeProblems(page)).toEqual([]);
    await timeline.getByRole('link', { name: 'w3wp.exe started cmd.exe' }).click();
    await page.waitForURL(new RegExp(`/findings/${fp(3)}$`));
    await page.getByTestId('timeline').locator('li[aria-current="true"]').getByText('w3wp.exe started cmd.exe').waitFor();
    // The related finding that no longer exists answers 404, which the browser logs.
    await expectClean(watched, [404]);
    await watched.context.close();
  });
});

describe.skipIf(!HAS_CHROMIUM)('the UI\'s content security policy', () => {
  it('is sent with the UI and enforced: an HTML string written into the page is refused and reported', async () => {
    const rig = await startUiRig();
    try {
      const response = await fetch(`${rig.server.url}/findings/deep-link`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toContain("require-trusted-types-for 'script'; trusted-types 'none'");
      const watched = await openWatched(rig.browser);
      await watched.page.goto(rig.server.url);
      await watched.page.getByRole('button', { name: 'Sign in' }).waitFor();
      const refused = await watched.page.evaluate(() => {
        try {
          document.body.insertAdjacentHTML('beforeend', '<img src=x>');
          return false;
        } catch {
          return true;
        }
      });
      expect(refused).toBe(true);
      expect((await watched.violations()).join('\n')).toContain('require-trusted-types-for');
      await watched.context.close();
    } finally {
      await rig.close();
    }
  });
});
