import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedFindings } from '../server/seed-findings.js';
import { HAS_CHROMIUM, openWatched, signIn, startUiRig, type UiRig } from './ui-harness.js';

/** Findings in the store; the filtered set is a fifth of them. */
const TOTAL = 100_000;
/** Pages the browser walks forward, then all the way back. */
const PAGES = 12;
const PAGE_SIZE = 50;
/**
 * The target is 300 ms a page (met alone on the 2-core machine: see the logged figures); the test fails only
 * past this bound, which leaves room for a machine busy with the rest of the suite but not for a page that
 * scans the table (an OFFSET, a lost index) or refetches every page before it.
 */
const PAGE_BOUND_MS = 1_000;
const DASHBOARD_BOUND_MS = 5_000;

/** The median and maximum of some durations. */
function stats(values: readonly number[]): { p50: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 };
}

describe.skipIf(!HAS_CHROMIUM)('paging 100,000 findings in the browser', () => {
  let rig: UiRig;
  beforeAll(async () => {
    rig = await startUiRig();
    // In runs of 20,000, as a large scan records them.
    for (let from = 0; from < TOTAL; from += 20_000) await seedFindings(rig.server.store, from, from + 20_000);
  }, 180_000);
  afterAll(async () => rig?.close());

  it('walks a filtered list forward and back by cursor with no repeat and no gap, timing each page', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await signIn(watched, rig, 'pager', 'viewer', '/findings?severity=high');
    const table = '[data-testid="findings-table"]';
    await page.locator(`${table}[data-page="1"][aria-busy="false"] tbody tr`).first().waitFor();
    const rowsOf = () => page.locator(`${table} tbody tr`).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-fingerprint') ?? ''));
    /** Clicks a pager button and waits, in the browser, until the page it asked for is shown; returns the time taken. */
    const turn = (button: 'Next' | 'Previous', to: number) =>
      page.evaluate(
        ({ button, to }) =>
          new Promise<number>((resolve, reject) => {
            const element = Array.from(document.querySelectorAll('nav.pager button')).find((b) => b.textContent === button) as HTMLButtonElement | undefined;
            if (element === undefined) return reject(new Error('no pager button'));
            const start = performance.now();
            element.click();
            const check = () => {
              const grid = document.querySelector('[data-testid="findings-table"]');
              if (grid?.getAttribute('data-page') === String(to) && grid.getAttribute('aria-busy') === 'false' && grid.querySelector('tbody tr') !== null) resolve(performance.now() - start);
              else requestAnimationFrame(check);
            };
            requestAnimationFrame(check);
          }),
        { button, to },
      );
    const forward: string[][] = [await rowsOf()];
    const times: number[] = [];
    for (let n = 2; n <= PAGES; n += 1) {
      times.push(await turn('Next', n));
      forward.push(await rowsOf());
    }
    const backward: string[][] = [];
    for (let n = PAGES - 1; n >= 1; n -= 1) {
      times.push(await turn('Previous', n));
      backward.unshift(await rowsOf());
    }
    const seen = forward.flat();
    expect(seen.length).toBe(PAGES * PAGE_SIZE);
    expect(new Set(seen).size).toBe(seen.length);
    // Going back shows exactly the pages shown going forward.
    expect(backward).toEqual(forward.slice(0, -1));
    // No gap: the same first rows as the API gives in larger pages, whose boundaries fall elsewhere.
    const token = await rig.server.token('viewer');
    const expected: string[] = [];
    let cursor: string | null = null;
    while (expected.length < seen.length) {
      const url: string = `${rig.server.url}/api/v1/findings?severity=high&limit=250${cursor === null ? '' : `&cursor=${cursor}`}`;
      const body = (await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: { fingerprint: string }[]; nextCursor: string | null };
      expected.push(...body.items.map((item) => item.fingerprint));
      cursor = body.nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual(expected.slice(0, seen.length));
    const { p50, max } = stats(times);
    const ahead = stats(times.slice(0, PAGES - 1));
    // Pages gone back to may come from the UI's cache; the forward ones always come from the server.
    console.info(`findings pages in the browser over ${TOTAL} findings: all ${times.length} p50 ${p50.toFixed(0)} ms, max ${max.toFixed(0)} ms; forward ${PAGES - 1} p50 ${ahead.p50.toFixed(0)} ms, max ${ahead.max.toFixed(0)} ms`);
    expect(p50).toBeLessThan(PAGE_BOUND_MS);
    expect(await watched.violations()).toEqual([]);
    expect(watched.consoleErrors).toEqual([]);
    await watched.context.close();
  }, 120_000);

  it('applies filters and free text over 100,000 findings, timing each first page', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await signIn(watched, rig, 'filterer', 'viewer', '/findings?severity=high');
    await page.locator('[data-testid="findings-table"][aria-busy="false"] tbody tr').first().waitFor();
    /** Changes one filter control as a user does and waits, in the browser, until the first page of that filter is shown. */
    const apply = (control: string, value: string, expected: string) =>
      page.evaluate(
        ({ control, value, expected }) =>
          new Promise<number>((resolve, reject) => {
            const element = document.querySelector<HTMLInputElement | HTMLSelectElement>(`form[role="search"] [name="${control}"]`);
            if (element === null) return reject(new Error(`no control ${control}`));
            const start = performance.now();
            element.value = value;
            if (element instanceof HTMLSelectElement) element.dispatchEvent(new Event('change', { bubbles: true }));
            else element.form?.requestSubmit();
            const check = () => {
              const grid = document.querySelector('[data-testid="findings-table"]');
              if (grid?.getAttribute('data-filter') === expected && grid.getAttribute('aria-busy') === 'false' && grid.querySelector('tbody tr') !== null) resolve(performance.now() - start);
              else requestAnimationFrame(check);
            };
            requestAnimationFrame(check);
          }),
        { control, value, expected },
      );
    const times = [
      await apply('severity', 'medium', '?severity=medium'),
      await apply('severity', 'low', '?severity=low'),
      await apply('severity', 'critical', '?severity=critical'),
      await apply('status', 'all', '?status=all&severity=critical'),
      await apply('severity', '', '?status=all'),
      await apply('q', 'number 4242', '?status=all&q=number+4242'),
      await apply('q', 'markup', '?status=all&q=markup'),
      await apply('status', '', '?q=markup'),
    ];
    const { p50, max } = stats(times);
    console.info(`findings filters in the browser over ${TOTAL} findings: ${times.length} changes p50 ${p50.toFixed(0)} ms, max ${max.toFixed(0)} ms (each: ${times.map((t) => t.toFixed(0)).join(', ')})`);
    expect(p50).toBeLessThan(PAGE_BOUND_MS);
    expect(await watched.violations()).toEqual([]);
    expect(watched.consoleErrors).toEqual([]);
    await watched.context.close();
  }, 120_000);

  it('answers the dashboard over 100,000 findings quickly enough for a first page', async () => {
    const token = await rig.server.token('viewer');
    const times: number[] = [];
    let body: { openTotal: number } | undefined;
    for (let k = 0; k < 3; k += 1) {
      const start = performance.now();
      body = (await (await fetch(`${rig.server.url}/api/v1/dashboard`, { headers: { authorization: `Bearer ${token}` } })).json()) as { openTotal: number };
      times.push(performance.now() - start);
    }
    expect(body?.openTotal).toBe(TOTAL);
    const { p50, max } = stats(times);
    console.info(`GET /api/v1/dashboard over ${TOTAL} findings: p50 ${p50.toFixed(0)} ms, max ${max.toFixed(0)} ms`);
    expect(p50).toBeLessThan(DASHBOARD_BOUND_MS);
  }, 60_000);
});
