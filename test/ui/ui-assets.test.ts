import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeProblems, expectClean, HAS_CHROMIUM, openWatched, prioritized, signIn, startUiRig, type UiRig } from './ui-harness.js';

if (!HAS_CHROMIUM) console.warn('test/ui: skipped, no Chromium at /usr/bin/chromium (Debian package chromium; or set CHROMIUM).');

/** An asset id and a tag as an attacker would name them: markup that must stay text. */
const HOSTILE_ASSET = 'WEB02/<img src=x onerror="window.__w3gPwned=1">';
const HOSTILE_TAG = '<script>window.__w3gPwned=2</script>';
const SITE = 'WEB01/W3SVC1';

interface Detail {
  exposure?: string;
  tags: string[];
  open: number;
}

describe.skipIf(!HAS_CHROMIUM)('the asset pages in a real browser', () => {
  let rig: UiRig;
  let admin: string;
  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetch(`${rig.server.url}${path}`, { ...init, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', ...init.headers } });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as T;
  };
  beforeAll(async () => {
    rig = await startUiRig();
    // WEB01's two sites and an application, and a hostile id on WEB02.
    const findings = [
      prioritized(1, { asset: SITE }),
      prioritized(2, { asset: SITE }),
      prioritized(3, { asset: `${SITE}/api` }),
      prioritized(4, { asset: 'WEB01/W3SVC2' }),
      prioritized(5, { asset: HOSTILE_ASSET }),
    ];
    await rig.server.store.recordRun({ command: 'test', toolVersion: '0', startedAt: '2026-05-20T00:00:00.000Z', finishedAt: '2026-05-20T00:00:00.000Z', findings, keepFindings: false });
    admin = await rig.server.token('admin');
    await api(`/api/v1/assets/${encodeURIComponent(HOSTILE_ASSET)}`, { method: 'PATCH', body: JSON.stringify({ tags: [HOSTILE_TAG], owners: ['<b>Mallory</b>'] }) });
  }, 60_000);
  afterAll(async () => rig?.close());


  it('shows the tree host → site → application from the nav, each open count a link to that asset\'s findings, hostile names as text', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await signIn(watched, rig, 'vera', 'viewer');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Assets' }).click();
    await page.waitForURL(/\/assets$/);
    const tree = page.getByTestId('asset-tree');
    await tree.locator('tbody tr').first().waitFor();
    const rows = await tree.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-depth') ?? ''}:${tr.getAttribute('data-asset') ?? ''}`));
    const web01 = rows.indexOf('0:WEB01');
    expect(web01, rows.join(' ')).toBeGreaterThanOrEqual(0);
    expect(rows.slice(web01, web01 + 4).sort()).toEqual(['0:WEB01', `1:${SITE}`, '1:WEB01/W3SVC2', `2:${SITE}/api`].sort());
    expect(rows.indexOf(`2:${SITE}/api`)).toBe(rows.indexOf(`1:${SITE}`) + 1);
    expect(rows).toContain(`1:${HOSTILE_ASSET}`);
    // The hostile id and tag are text: no element came of them, and the text reads as given.
    const hostile = tree.locator(`tr[data-asset="${HOSTILE_ASSET.replace(/"/g, '\\"')}"]`);
    expect(await hostile.locator('th').textContent()).toBe(HOSTILE_ASSET);
    expect(await hostile.locator('li.tag').textContent()).toBe(HOSTILE_TAG);
    expect(await tree.locator('img, script, b').count()).toBe(0);
    expect(await axeProblems(page)).toEqual([]);
    // The site's open count leads to exactly its findings.
    const site = tree.locator(`tr[data-asset="${SITE}"]`);
    expect(await site.locator('td').nth(5).textContent()).toBe('2');
    await site.getByRole('link', { name: `2 open findings on ${SITE}` }).click();
    await page.waitForURL(/\/findings\?asset=WEB01%2FW3SVC1$/);
    await page.locator('[data-testid="findings-table"][aria-busy="false"] tbody tr').first().waitFor();
    expect(new Set(await page.locator('[data-testid="findings-table"] tbody tr td:nth-child(5)').allTextContents())).toEqual(new Set([SITE]));
    expect(await page.locator('[data-testid="findings-table"] tbody tr').count()).toBe(2);
    await expectClean(watched);
    await watched.context.close();
  }, 120_000);

  it('lets an operator set exposure and tags on an asset\'s page, which the API then returns; a viewer sees them without edit controls', async () => {
    const watched = await openWatched(rig.browser);
    const { page } = watched;
    await signIn(watched, rig, 'otto', 'operator', '/assets');
    await page.getByTestId('asset-tree').getByRole('link', { name: SITE, exact: true }).click();
    await page.waitForURL(new RegExp(`/assets/${encodeURIComponent(SITE)}$`));
    const form = page.getByTestId('asset-edit');
    await form.waitFor();
    expect(await page.getByTestId('asset-facts').textContent()).toContain('2 open findings');
    expect(await axeProblems(page)).toEqual([]);
    await form.getByLabel('Exposure').selectOption('internal');
    await form.getByLabel('Tags (comma-separated)').fill('pci, shop');
    await form.getByLabel('Owners (one per line)').fill('Shop team\nops@example.com');
    await form.getByRole('button', { name: 'Save attributes' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Attributes saved');
    const saved = await api<Detail>(`/api/v1/assets/${encodeURIComponent(SITE)}`);
    expect(saved).toMatchObject({ exposure: 'internal', tags: ['pci', 'shop'], owners: ['Shop team', 'ops@example.com'] });
    await expect.poll(() => page.getByTestId('asset-exposure').textContent()).toBe('internal');
    // The application under the site inherits them, and says so.
    await page.goto(`${rig.server.url}/assets/${encodeURIComponent(`${SITE}/api`)}`);
    await expect.poll(() => page.getByTestId('asset-exposure').textContent()).toBe('internal (inherited)');
    expect(await page.getByTestId('asset-tags').locator('li').allTextContents()).toEqual(['pci', 'shop']);
    // The findings list of the asset is still below its attributes.
    await page.locator('[data-testid="findings-table"][aria-busy="false"] tbody tr').first().waitFor();
    await expectClean(watched);
    await watched.context.close();

    const viewing = await openWatched(rig.browser);
    await signIn(viewing, rig, 'vince', 'viewer', `/assets/${encodeURIComponent(SITE)}`);
    await expect.poll(() => viewing.page.getByTestId('asset-exposure').textContent()).toBe('internal');
    expect(await viewing.page.getByTestId('asset-tags').locator('li').allTextContents()).toEqual(['pci', 'shop']);
    expect(await viewing.page.getByTestId('asset-edit').count()).toBe(0);
    expect(await viewing.page.getByTestId('asset-details').locator('select, input, textarea, button').count()).toBe(0);
    expect(await axeProblems(viewing.page)).toEqual([]);
    await expectClean(viewing);
    await viewing.context.close();
  }, 120_000);
});
