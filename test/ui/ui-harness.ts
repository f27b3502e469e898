import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { expect } from 'vitest';
import { SERVE_ROUTES } from '../../src/server/start-serve.js';
import { HAS_CHROMIUM, launchChromium } from '../e2e/launch-chromium.js';
import { startTestServer, TEST_PASSWORD, type TestServer, type TestServerOptions } from '../server/test-server.js';

export { HAS_CHROMIUM };
export { makePriority, prioritized } from './prioritized-findings.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Builds the UI with the project's Vite config into a folder of its own (removed by the returned function). */
export async function buildUi(): Promise<{ readonly dir: string; readonly remove: () => void }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'w3g-ui-'));
  // Vitest sets NODE_ENV to `test`, and under it Vite builds React's development runtime (jsxDEV, checks on
  // every element), several times slower to render than what `npm run build` ships: build as users get it.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.join(ROOT, 'ui/vite.config.ts'), mode: 'production', logLevel: 'silent', build: { outDir: dir, emptyOutDir: true } });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A built UI served by a real server on a fresh SQLite store, and a browser to drive it. */
export interface UiRig {
  readonly server: TestServer;
  readonly browser: Browser;
  close(): Promise<void>;
}

/** `queue`: a real queue on the server's store (see TestServerOptions), for tests whose scans run. */
export async function startUiRig(options: Pick<TestServerOptions, 'queue'> = {}): Promise<UiRig> {
  const ui = await buildUi();
  const server = await startTestServer({ db: 'sqlite', routes: SERVE_ROUTES, uiRoot: ui.dir, rateLimitPerMinute: 100_000, ...options });
  const browser = await launchChromium();
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
      ui.remove();
    },
  };
}

/** A page and everything it did that it should not: CSP violations, console errors, dialogs. */
export interface WatchedPage {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly dialogs: string[];
  readonly consoleErrors: string[];
  violations(): Promise<string[]>;
}

/** Opens a fresh, isolated browser context that records CSP and Trusted Types violations from the first script on. */
export async function openWatched(browser: Browser, options: { readonly bypassCSP?: boolean } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ bypassCSP: options.bypassCSP ?? false, viewport: { width: 1280, height: 900 } });
  await context.addInitScript({
    content: "window.__w3gViolations = []; document.addEventListener('securitypolicyviolation', function (e) { window.__w3gViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')); });",
  });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const consoleErrors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // The UI asks who is signed in first; before sign-in the server rightly answers 401.
    if (message.location().url.endsWith('/api/v1/session') && message.text().includes('401')) return;
    consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  return { page, context, dialogs, consoleErrors, violations: async () => (await page.evaluate('window.__w3gViolations ?? ["listener missing"]')) as string[] };
}

/**
 * Nothing ran or was blocked: no CSP or Trusted Types violation, no console error (but for answers with the
 * statuses a test provokes on purpose), no dialog, no script injected by hostile data.
 */
export async function expectClean(watched: WatchedPage, expectedStatuses: readonly number[] = []): Promise<void> {
  expect(await watched.violations()).toEqual([]);
  expect(watched.consoleErrors.filter((message) => !expectedStatuses.some((status) => message.includes(`status of ${status}`)))).toEqual([]);
  expect(watched.dialogs).toEqual([]);
  expect(await watched.page.evaluate('typeof window.__w3gPwned')).toBe('undefined');
}

/** Signs in through the sign-in page, as a user of this role created for the purpose. */
export async function signIn(watched: WatchedPage, rig: UiRig, name: string, role: 'viewer' | 'operator' | 'admin', start = '/'): Promise<void> {
  await rig.server.login(name, role);
  const { page } = watched;
  await page.goto(`${rig.server.url}${start}`);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('who').waitFor();
}

/** axe-core's source, run in the page by the test (the page's CSP does not apply to the test's own evaluation). */
export const AXE_SOURCE = readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

/** Serious and critical accessibility violations of the page as it is now. */
export async function axeProblems(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as { violations: { id: string; impact: string | null; nodes: { target: unknown }[] }[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`);
}
