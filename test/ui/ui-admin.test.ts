import { createHmac } from 'node:crypto';
import type { AddressInfo, Server as TcpServer } from 'node:net';
import type { Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/store/account-store.js';
import { httpSink, WEBHOOK_SECRET } from '../notify/notify-fixtures.js';
import { axeProblems, expectClean, HAS_CHROMIUM, openWatched, signIn, startUiRig, type UiRig } from './ui-harness.js';

/** A channel name as a hostile admin or a pasted value could carry it: markup and a right-to-left override. */
const HOSTILE_NAME = 'siem <img src=x onerror="window.__w3gPwned=1"> \u202egpj.exe';
/** What a hostile mail server answers: its words reach the delivery log (the server spells the override out as `\u202e` when it records them). */
const HOSTILE_ANSWER = 'mailbox <img src=x onerror="window.__w3gPwned=2"> refused \u202eevil';

/** A loopback SMTP server that refuses every recipient with a hostile answer. */
async function refusingSmtp(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // No DNS look-up of the client: the test's network has no resolver to ask.
    disableReverseLookup: true,
    // The server under test keeps its pooled connection open; closing does not wait the default 30 s for it.
    closeTimeout: 500,
    logger: false,
    onRcptTo(_address, _session, callback) {
      callback(Object.assign(new Error(HOSTILE_ANSWER), { responseCode: 550 }));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = (server as unknown as { server: TcpServer }).server.address() as AddressInfo;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The admin pages an operator or a viewer must not be shown. */
const ADMIN_PATHS = ['/admin/users', '/admin/tokens', '/admin/notifications', '/admin/deliveries', '/admin/deliveries/1', '/admin/audit'];

describe.skipIf(!HAS_CHROMIUM)('the administration pages in a real browser', () => {
  let rig: UiRig;
  beforeAll(async () => {
    rig = await startUiRig();
  }, 120_000);
  afterAll(async () => rig?.close());


  /** The API as a script holding an admin token sees it. */
  async function apiGet<T>(path: string, token: string): Promise<{ status: number; body: T }> {
    const response = await fetch(`${rig.server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as T };
  }

  /** Goes to an admin page through the Admin navigation, as a user would. */
  async function openAdmin(page: Page, title: string): Promise<void> {
    await page.getByTestId('nav-admin').getByRole('link', { name: title, exact: true }).click();
  }

  it('adds a webhook channel, sends a signed test to a real receiver, adds a rule and finds the test in the delivery log', async () => {
    const sink = await httpSink([{ status: 200 }]);
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    try {
      await signIn(watched, rig, 'ada', 'admin');
      await openAdmin(page, 'Notifications');
      await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
      expect(await axeProblems(page), 'notifications, empty').toEqual([]);
      const form = page.getByTestId('add-channel');
      await form.getByLabel('Kind').selectOption('webhook');
      await form.getByLabel('Name', { exact: true }).fill(HOSTILE_NAME);
      await form.getByLabel('URL').fill(sink.url);
      await form.getByLabel(/Signing secret/).fill(WEBHOOK_SECRET);
      await form.getByRole('button', { name: 'Add channel' }).click();
      const row = page.getByTestId('channels').locator('tbody tr');
      await row.first().waitFor();
      expect(await row.count()).toBe(1);
      // The name is text: no element from it, its override shown as a marker, and the secret never comes back.
      expect(await page.locator('main img').count()).toBe(0);
      expect(await row.locator('td').first().textContent()).toBe('siem <img src=x onerror="window.__w3gPwned=1"> U+202Egpj.exe');
      expect(await row.locator('.ctl').getAttribute('data-ctl')).toBe('U+202E');
      expect(await page.locator('main').textContent()).not.toContain(WEBHOOK_SECRET.slice(6, 26));
      expect(await row.locator('td').nth(2).textContent()).not.toContain('/hook');

      const started = performance.now();
      await row.getByRole('button', { name: 'Send test' }).click();
      const result = page.getByTestId('test-result');
      await result.waitFor();
      console.info(`Send test to a loopback webhook receiver: ${(performance.now() - started).toFixed(0)} ms from click to result`);
      expect(await result.getAttribute('data-ok')).toBe('true');
      expect(await result.textContent()).toMatch(/delivered \(answer 200\) in \d+ ms/);
      // The receiver got one request, signed with the channel's secret (Standard Webhooks), checked here on its own.
      expect(sink.received).toHaveLength(1);
      const request = sink.received[0];
      const id = String(request?.headers['webhook-id']);
      const timestamp = String(request?.headers['webhook-timestamp']);
      const expected = createHmac('sha256', Buffer.from(WEBHOOK_SECRET.slice('whsec_'.length), 'base64')).update(`${id}.${timestamp}.${request?.body ?? ''}`).digest('base64');
      expect(String(request?.headers['webhook-signature']).split(' ')).toContain(`v1,${expected}`);
      expect(JSON.parse(request?.body ?? '{}')).toMatchObject({ type: 'test' });

      const rules = page.getByTestId('add-rule');
      await rules.getByRole('checkbox', { name: 'new finding' }).check();
      await rules.getByRole('checkbox', { name: 'incident opened' }).check();
      await rules.getByLabel('Minimum label').selectOption('14d');
      await rules.getByLabel('Minimum severity').selectOption('high');
      await rules.getByLabel(/Asset tags/).fill('prod, dmz');
      await rules.getByLabel('Mode').selectOption('digest:daily');
      await rules.getByRole('button', { name: 'Add rule' }).click();
      await page.getByTestId('rules').locator('tbody tr').first().waitFor();
      const token = await rig.server.token('admin');
      const listed = await apiGet<{ items: { channel: number; events: string[]; minLabel?: string; minSeverity?: string; assetTags: string[]; mode: string }[] }>('/api/v1/rules', token);
      expect(listed.body.items).toEqual([expect.objectContaining({ events: ['finding.created', 'incident.opened'], minLabel: '14d', minSeverity: 'high', assetTags: ['prod', 'dmz'], mode: 'digest:daily' })]);
      expect(await page.getByTestId('rules').locator('tbody tr').first().textContent()).toContain('label 14d, severity high');
      expect(await axeProblems(page), 'notifications, filled').toEqual([]);

      // The test's delivery, from the result's own link, then from the log.
      await result.getByRole('link').click();
      await page.getByTestId('attempts').locator('tbody tr').first().waitFor();
      expect(await page.getByTestId('delivery-state').textContent()).toBe('sent');
      expect(await page.getByTestId('attempts').locator('tbody tr').count()).toBe(1);
      expect(await page.getByTestId('attempts').locator('tbody td').nth(2).textContent()).toBe('200');
      expect(await axeProblems(page), 'delivery').toEqual([]);
      await openAdmin(page, 'Delivery log');
      const logRow = page.getByTestId('deliveries').locator('tbody tr');
      await logRow.first().waitFor();
      expect(await logRow.count()).toBe(1);
      expect(await logRow.first().getAttribute('data-state')).toBe('sent');
      const cells = await logRow.first().locator('td').allTextContents();
      expect(cells.slice(3, 7)).toEqual(['test', 'sent', '1', '200']);
      expect(await logRow.first().locator('td').nth(2).locator('.ctl').getAttribute('data-ctl')).toBe('U+202E');
      expect(await page.locator('main img').count()).toBe(0);
      expect(cells[7]).toMatch(/^\d+ ms$/);
      expect(await axeProblems(page), 'delivery log').toEqual([]);

      // Deleting asks first; the channel goes with its rule.
      await openAdmin(page, 'Notifications');
      await page.getByTestId('rules').getByRole('button', { name: 'Delete' }).click();
      await page.getByTestId('rules').getByRole('button', { name: 'Cancel' }).click();
      expect((await apiGet<{ items: unknown[] }>('/api/v1/rules', token)).body.items).toHaveLength(1);
      await row.getByRole('button', { name: 'Delete' }).click();
      await row.getByRole('button', { name: 'Yes, delete' }).click();
      await page.getByRole('status').filter({ hasText: 'Channel deleted' }).waitFor();
      expect((await apiGet<{ items: unknown[] }>('/api/v1/channels', token)).body.items).toEqual([]);
      expect((await apiGet<{ items: unknown[] }>('/api/v1/rules', token)).body.items).toEqual([]);
      await page.getByText('No channel yet').waitFor();
      await expectClean(watched);
    } finally {
      await watched.context.close();
      await sink.close();
    }
  }, 60_000);

  it('shows a failed test and the mail server\'s hostile answer as inert text in the delivery log', async () => {
    const smtp = await refusingSmtp();
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    try {
      await signIn(watched, rig, 'bea', 'admin', '/admin/notifications');
      const form = page.getByTestId('add-channel');
      await form.getByLabel('Kind').selectOption('email');
      await form.getByLabel('Name', { exact: true }).fill('mail relay');
      await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
      await form.getByLabel(/^Port/).fill(String(smtp.port));
      await form.getByLabel('From', { exact: true }).fill('w3guard@example.test');
      await form.getByLabel(/^To/).fill('soc@example.test, oncall@example.test');
      expect(await axeProblems(page), 'notifications, e-mail form').toEqual([]);
      await form.getByRole('button', { name: 'Add channel' }).click();
      const row = page.getByTestId('channels').locator('tbody tr', { hasText: 'mail relay' });
      await row.waitFor();
      expect(await row.locator('td').nth(2).textContent()).toBe(`soc@example.test, oncall@example.test via 127.0.0.1:${smtp.port}`);
      const started = performance.now();
      await row.getByRole('button', { name: 'Send test' }).click();
      const result = page.getByTestId('test-result');
      await result.waitFor();
      console.info(`Send test refused by a loopback mail server: ${(performance.now() - started).toFixed(0)} ms from click to result`);
      expect(await result.getAttribute('data-ok')).toBe('false');
      expect(await result.textContent()).toContain('failed: the receiver answered 550');
      // The browser logs the 502 of the failed test; it is the point of this step.
      expect(watched.consoleErrors.splice(0).filter((message) => !message.includes('status of 502'))).toEqual([]);

      await page.getByRole('link', { name: 'Delivery log' }).first().click();
      const failed = page.getByTestId('deliveries').locator('tbody tr', { hasText: 'mail relay' });
      await failed.waitFor();
      const answer = failed.locator('td.answer');
      expect(await answer.locator('img').count()).toBe(0);
      expect(await answer.textContent()).toContain('<img src=x onerror="window.__w3gPwned=2"> refused');
      // The server recorded the override spelled out; the channel name's override is shown as a marker in the first test.
      expect(await answer.textContent()).toContain('refused \\u202eevil');
      await failed.getByRole('link').click();
      const attempt = page.getByTestId('attempts').locator('tbody td.answer');
      await attempt.first().waitFor();
      expect(await attempt.first().textContent()).toContain('550 the mail server refused');
      expect(await page.locator('main img').count()).toBe(0);
      expect(await axeProblems(page), 'failed delivery').toEqual([]);
      await expectClean(watched);
    } finally {
      await watched.context.close();
      await smtp.close();
    }
  }, 60_000);

  it('creates a token shown once that works against the API, and revokes it after a confirmation (401 after)', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    try {
      await signIn(watched, rig, 'cleo', 'admin');
      await openAdmin(page, 'API tokens');
      const form = page.getByTestId('add-token');
      await form.getByLabel('Name').fill('ci pipeline');
      await form.getByLabel('Role').selectOption('viewer');
      await form.getByLabel(/Asset scope/).fill('web-\n10.0.0.5');
      await form.getByRole('button', { name: 'Create token' }).click();
      const shown = page.getByTestId('new-token-value');
      await shown.waitFor();
      expect(await shown.getAttribute('readonly')).not.toBeNull();
      expect(await page.getByTestId('new-token').textContent()).toContain('it is not shown again');
      const token = await shown.inputValue();
      expect(token.length).toBeGreaterThan(20);
      expect(await axeProblems(page), 'tokens, new token shown').toEqual([]);
      const row = page.getByTestId('tokens').locator('tbody tr', { hasText: 'ci pipeline' });
      await row.waitFor();
      expect(await row.locator('td').allTextContents()).toEqual(['ci pipeline', 'viewer', 'web-, 10.0.0.5', expect.stringMatching(/ by cleo$/) as unknown as string, 'never', 'never', 'active', 'Revoke']);
      // The token is nowhere in the list, and once hidden nowhere on the page.
      expect(await page.getByTestId('tokens').textContent()).not.toContain(token);
      await page.getByRole('button', { name: 'Done, hide it' }).click();
      expect(await page.content()).not.toContain(token);

      const use = async () => (await fetch(`${rig.server.url}/api/v1/findings?limit=1`, { headers: { authorization: `Bearer ${token}` } })).status;
      expect(await use()).toBe(200);
      // Its use is shown.
      await page.reload();
      await row.waitFor();
      expect(await row.locator('td').nth(4).textContent()).not.toBe('never');

      // By keyboard: the first press only asks, with the focus on Cancel; the token still works.
      await row.getByRole('button', { name: 'Revoke' }).focus();
      await page.keyboard.press('Enter');
      const ask = row.getByRole('group', { name: /Revoke this token/ });
      await ask.waitFor();
      expect(await use()).toBe(200);
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
      expect(await axeProblems(page), 'tokens, asking').toEqual([]);
      await page.keyboard.press('Shift+Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Yes, revoke');
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: 'Token revoked' }).waitFor();
      await page.locator('[data-testid="tokens"] tr[data-state="revoked"]', { hasText: 'ci pipeline' }).waitFor();
      expect(await row.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
      expect(await use()).toBe(401);
      await expectClean(watched);
    } finally {
      await watched.context.close();
    }
  }, 60_000);

  it('adds a user, changes their role, ends their sessions and disables them; the audit log lists it newest first', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    try {
      await signIn(watched, rig, 'dana', 'admin');
      await openAdmin(page, 'Users');
      // No control on one's own row.
      const me = page.locator('[data-testid="users"] tr[data-user="dana"]');
      await me.waitFor();
      expect(await me.getByRole('button').count()).toBe(0);
      const form = page.getByTestId('add-user');
      await form.getByLabel('Name').fill('erin');
      await form.getByLabel('Role').selectOption('operator');
      await form.getByLabel(/Asset scope/).fill('web-');
      await form.getByLabel('Initial password').fill('short');
      await form.getByRole('button', { name: 'Add user' }).click();
      // The server's password rule, shown as it says it.
      await page.getByTestId('users-outcome').filter({ hasText: 'at least' }).waitFor();
      expect(watched.consoleErrors.splice(0).filter((message) => !message.includes('status of 400'))).toEqual([]);
      await form.getByLabel('Initial password').fill('a long and unusual phrase 42');
      await form.getByRole('button', { name: 'Add user' }).click();
      const erin = page.locator('[data-testid="users"] tr[data-user="erin"]');
      await erin.waitFor();
      expect((await erin.locator('td').allTextContents()).slice(0, 5)).toEqual(['erin', 'operator', 'web-', 'active', 'no']);
      expect(await axeProblems(page), 'users').toEqual([]);

      // erin signs in elsewhere; the admin ends that session.
      const elsewhere = await rig.server.login('erin', 'operator', 'a long and unusual phrase 42');
      const sessionStatus = async () => (await fetch(`${rig.server.url}/api/v1/session`, { headers: { cookie: elsewhere.cookie } })).status;
      expect(await sessionStatus()).toBe(200);
      await erin.getByLabel('Role of erin').selectOption('viewer');
      await erin.getByRole('button', { name: 'Change role' }).click();
      await erin.locator('td', { hasText: /^viewer$/ }).waitFor();
      await erin.getByRole('button', { name: 'Sign out everywhere' }).click();
      await erin.getByRole('button', { name: 'Yes, sign out' }).click();
      await page.getByTestId('users-outcome').filter({ hasText: 'session(s) ended' }).waitFor();
      expect(await sessionStatus()).toBe(401);
      await erin.getByRole('button', { name: 'Disable' }).click();
      await erin.getByRole('button', { name: 'Yes, disable' }).click();
      await erin.locator('td', { hasText: /^disabled$/ }).waitFor();
      const token = await rig.server.token('admin');
      const users = await apiGet<{ items: { name: string; role: string; disabled: boolean; assets?: string[] }[] }>('/api/v1/users', token);
      expect(users.body.items.find((user) => user.name === 'erin')).toMatchObject({ role: 'viewer', disabled: true, assets: ['web-'] });

      await openAdmin(page, 'Audit log');
      const entries = page.getByTestId('audit').locator('tbody tr');
      await entries.first().waitFor();
      const actions = await entries.evaluateAll((rows) => rows.map((row) => `${row.children[1]?.textContent ?? ''} ${row.children[2]?.textContent ?? ''} ${row.children[3]?.textContent ?? ''}`));
      // Newest first; erin's own sign-in elsewhere sits between them.
      expect(actions.filter((action) => action.startsWith('dana ')).slice(0, 4)).toEqual(['dana user.changed user:erin', 'dana user.sessions-closed user:erin', 'dana user.changed user:erin', 'dana user.added user:erin']);
      expect(await axeProblems(page), 'audit log').toEqual([]);
      await expectClean(watched);
    } finally {
      await watched.context.close();
    }
  }, 60_000);

  it('pages the audit log and the delivery log newest first, with no repeat and no gap', async () => {
    const accounts = new AccountStore(rig.server.store.database);
    for (let k = 0; k < 120; k += 1) await accounts.audit({ at: new Date(Date.UTC(2026, 5, 2, 0, 0, k)).toISOString(), actor: 'paging', action: 'test.paging', target: `item:${k}` });
    const token = await rig.server.token('admin');
    const sink = await httpSink([{ status: 200 }]);
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    try {
      const created = await fetch(`${rig.server.url}/api/v1/channels`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'webhook', name: 'pager', config: { url: sink.url, secret: WEBHOOK_SECRET } }) });
      const { id } = (await created.json()) as { id: number };
      for (let k = 0; k < 55; k += 1) expect((await fetch(`${rig.server.url}/api/v1/channels/${id}/test`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      await signIn(watched, rig, 'fay', 'admin', '/admin/audit');
      for (const [grid, attribute, path] of [
        ['audit', 'data-audit', '/api/v1/audit?limit=500'],
        ['deliveries', 'data-delivery', '/api/v1/deliveries?limit=1000'],
      ] as const) {
        if (grid === 'deliveries') await page.getByTestId('nav-admin').getByRole('link', { name: 'Delivery log' }).click();
        const table = page.locator(`[data-testid="${grid}"][aria-busy="false"]`);
        const seen: number[] = [];
        for (let pageNumber = 1; ; pageNumber += 1) {
          await page.locator('nav.pager span', { hasText: `Page ${pageNumber}` }).waitFor();
          await table.locator('tbody tr').first().waitFor();
          seen.push(...(await table.locator('tbody tr').evaluateAll((rows, name) => rows.map((row) => Number(row.getAttribute(name))), attribute)));
          const next = page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Next' });
          if (await next.isDisabled()) break;
          await next.click();
        }
        const all = (await apiGet<{ items: { id: number }[] }>(path, token)).body.items.map((item) => item.id);
        expect(seen, grid).toEqual(all);
        expect(seen.length, grid).toBeGreaterThan(grid === 'audit' ? 100 : 50);
        // Previous goes back exactly: the page before the last starts 50 rows before it.
        const last = Math.ceil(seen.length / 50);
        await page.getByRole('button', { name: 'Previous' }).click();
        await page.locator('nav.pager span', { hasText: `Page ${last - 1}` }).waitFor();
        expect(await table.locator('tbody tr').first().getAttribute(attribute)).toBe(String(seen[(last - 2) * 50]));
      }
      expect(await axeProblems(page), 'delivery log, paged').toEqual([]);
      await expectClean(watched);
    } finally {
      await watched.context.close();
      await sink.close();
    }
  }, 120_000);

  for (const role of ['operator', 'viewer'] as const) {
    it(`shows ${role === 'operator' ? 'an' : 'a'} ${role} no admin navigation and "not allowed" with no controls at every admin URL; the API answers 403`, async () => {
      const watched = await openWatched(rig.browser);
      const { page } = watched;
      try {
        await signIn(watched, rig, `${role}-1`, role);
        expect(await page.getByTestId('nav-admin').count()).toBe(0);
        expect(await page.locator('a[href^="/admin/"]').count()).toBe(0);
        for (const path of ADMIN_PATHS) {
          await page.goto(`${rig.server.url}${path}`);
          await page.getByTestId('not-allowed').waitFor();
          expect(await page.locator('main').getByRole('button').count(), path).toBe(0);
          expect(await page.locator('main form, main input, main select, main table').count(), path).toBe(0);
        }
        expect(await axeProblems(page), 'not allowed').toEqual([]);
        const statuses = await page.evaluate(async () => {
          const session = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
          const headers = { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken };
          return [
            (await fetch('/api/v1/channels')).status,
            (await fetch('/api/v1/deliveries')).status,
            (await fetch('/api/v1/tokens')).status,
            (await fetch('/api/v1/audit')).status,
            (await fetch('/api/v1/tokens', { method: 'POST', headers, body: JSON.stringify({ name: 'x', role: 'admin' }) })).status,
          ];
        });
        expect(statuses).toEqual([403, 403, 403, 403, 403]);
        expect(watched.consoleErrors.splice(0).filter((message) => !message.includes('status of 403'))).toEqual([]);
        await expectClean(watched);
      } finally {
        await watched.context.close();
      }
    }, 60_000);
  }
});
