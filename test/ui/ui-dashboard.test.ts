import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordScenario } from './dashboard-history.js';
import { axeProblems, HAS_CHROMIUM, openWatched, signIn, startUiRig, type UiRig } from './ui-harness.js';

interface Api {
  weekly: { from: string; to: string; opened: number; fixed: number }[];
  timeToFix: { from: string; to: string; labels: { label: string; fixed: number; medianDays?: number; p90Days?: number }[] };
  freshness: { notScanned: { count: number }; feeds: Record<'kev' | 'epss', { date: string; stale: boolean } | undefined> };
}

describe.skipIf(!HAS_CHROMIUM)('the dashboard\'s history and freshness panels in a real browser', () => {
  let rig: UiRig;
  beforeAll(async () => {
    rig = await startUiRig();
    await recordScenario(rig.server.store);
  }, 60_000);
  afterAll(async () => rig?.close());

  it('shows the API\'s weekly, time-to-fix and freshness figures, and every count links to a list of exactly that many', async () => {
    const watched = await openWatched(rig.browser, { bypassCSP: true });
    const { page } = watched;
    await signIn(watched, rig, 'hana', 'viewer');
    await page.getByTestId('weekly').waitFor();
    const token = await rig.server.token('viewer');
    const api = (await (await fetch(`${rig.server.url}/api/v1/dashboard`, { headers: { authorization: `Bearer ${token}` } })).json()) as Api;
    expect(await axeProblems(page), 'dashboard').toEqual([]);
    const links: { testId: string; count: number }[] = [];
    for (const week of api.weekly) {
      links.push({ testId: `opened-${week.from}`, count: week.opened }, { testId: `fixed-${week.from}`, count: week.fixed });
    }
    for (const row of api.timeToFix.labels) {
      links.push({ testId: `ttf-${row.label}`, count: row.fixed });
      const cells = await page.getByTestId('time-to-fix').locator('tbody tr', { has: page.getByTestId(`ttf-${row.label}`) }).locator('td').allTextContents();
      expect(cells, row.label).toEqual([String(row.fixed), String(row.medianDays ?? '–'), String(row.p90Days ?? '–')]);
    }
    expect(links.filter((link) => link.count > 0).length).toBeGreaterThan(15);
    expect(await page.getByTestId('not-scanned').locator('.count').textContent()).toBe(String(api.freshness.notScanned.count));
    expect(api.freshness.notScanned.count).toBe(1);
    expect(await page.getByTestId('feed-kev').textContent()).toContain(api.freshness.feeds.kev?.date ?? 'missing');
    expect(await page.getByTestId('feed-kev').getAttribute('data-stale')).toBe('false');
    expect(await page.getByTestId('feed-epss').getAttribute('data-stale')).toBe('true');
    // Each count shows the API's figure, and its link opens the findings list showing exactly that many.
    const hrefs: { testId: string; href: string; count: number }[] = [];
    for (const link of links) {
      const anchor = page.getByTestId(link.testId);
      expect(await anchor.textContent(), link.testId).toBe(String(link.count));
      hrefs.push({ ...link, href: (await anchor.getAttribute('href')) ?? '' });
    }
    // One by a click, as a user would; the rest by their addresses.
    const first = hrefs.find((link) => link.count > 0 && link.testId.startsWith('ttf-'));
    if (first === undefined) throw new Error('no time-to-fix count above zero');
    await page.getByTestId(first.testId).click();
    await page.waitForURL((url) => `${url.pathname}${url.search}` === first.href);
    expect(await listedRows()).toBe(first.count);
    expect(await axeProblems(page), 'filtered findings').toEqual([]);
    expect(await page.getByLabel('Fixed in').inputValue()).toBe(`${api.timeToFix.from}/${api.timeToFix.to}`);
    for (const link of hrefs) {
      await page.goto(`${rig.server.url}${link.href}`);
      expect(await listedRows(), `${link.testId} ${link.href}`).toBe(link.count);
    }
    expect(watched.consoleErrors).toEqual([]);
    await watched.context.close();

    /** Rows of the findings list once its first page is in (fewer than a page of them in this store). */
    async function listedRows(): Promise<number> {
      await page.locator('[data-testid="findings-table"][data-page="1"][aria-busy="false"]').waitFor();
      return page.locator('[data-testid="findings-table"] tbody tr').count();
    }
  }, 180_000);
});
