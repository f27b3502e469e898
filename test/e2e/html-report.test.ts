import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, CHROMIUM_PATH, launchChromium } from './launch-chromium.js';
import { REPO_ROOT, runCli } from './run-cli.js';

const SHELL = resolve(REPO_ROOT, 'src', 'analyzers', 'webroot-sweep', 'fixtures', 'yara-samples', 'w3g-yara-webshell-eval-request', 'match.aspx');

/**
 * Payloads an attacker can put into what w3guard reports. Each one that ran would set `window.__w3gPwned`
 * or open a dialog; each must show up in the page as the very text the attacker wrote.
 */
const LOG_PAYLOADS = {
  scriptInQuery: 'q=<script>window.__w3gPwned=1;alert(1)</script>',
  scriptInAgent: 'Mozilla/5.0+<script>window.__w3gPwned=2</script>',
  attributeBreakout: 'name="><img/src=x/onerror=window.__w3gPwned=3;alert(3)>',
  closeScript: '</script><script>window.__w3gPwned=4</script>',
  javascriptUrl: 'u=javascript:window.__w3gPwned=5',
  svgInAgent: 'Mozilla/5.0+<svg/onload=window.__w3gPwned=6>',
} as const;
/** A log file whose very name carries an ANSI escape sequence (log lines with control bytes are refused by the reader). */
const LOG_NAME = 'u_ex\u001b[31m240311\u001b]0;pwn\u0007.log';
const SHELL_NAMES = ['<img src=x onerror=alert(1)>.aspx', '"><svg onload=window.__w3gPwned=7>.aspx', "'-alert(8)-'.aspx"];

const temp = mkdtempSync(join(tmpdir(), 'w3g-html-e2e-'));
let browser: Browser | undefined;
let context: BrowserContext | undefined;

function started(): { browser: Browser; context: BrowserContext } {
  if (browser === undefined || context === undefined) throw new Error('Chromium did not start');
  return { browser, context };
}
let reports: { hunt: string; sweep: string };

function makeInputs(): { logs: string; web: string } {
  const logs = join(temp, 'logs', 'W3SVC1');
  mkdirSync(logs, { recursive: true });
  const line = (second: number, stem: string, query: string, agent: string): string =>
    `2024-03-11 03:41:${String(second).padStart(2, '0')} 10.30.0.10 GET ${stem} ${query} 443 - 203.0.113.77 ${agent} - 200 0 0 140`;
  writeFileSync(
    join(logs, LOG_NAME),
    [
      '#Software: Microsoft Internet Information Services 10.0',
      '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken',
      line(2, '/search.aspx', LOG_PAYLOADS.scriptInQuery, LOG_PAYLOADS.scriptInAgent),
      line(3, '/profile.aspx', LOG_PAYLOADS.attributeBreakout, LOG_PAYLOADS.closeScript),
      line(4, '/go.aspx', LOG_PAYLOADS.javascriptUrl, 'line\u2028sep\u2029para'),
      line(5, '/aspnet_client/shell.aspx', 'cmd=whoami', LOG_PAYLOADS.svgInAgent),
      // The reader refuses a line with control bytes as a scan issue; the report must list it without them.
      line(6, '/search.aspx', 'q=<script>window.__w3gPwned=9</script>', 'curl\u001b]0;pwn\u0007\u001b[2J'),
      '',
    ].join('\r\n'),
  );
  const uploads = join(temp, 'web', 'uploads');
  mkdirSync(uploads, { recursive: true });
  const shell = readFileSync(SHELL);
  for (const name of SHELL_NAMES) writeFileSync(join(uploads, name), shell);
  return { logs: join(temp, 'logs'), web: join(temp, 'web') };
}

/** Runs a command with `--format html --output FILE`, as a user would, and returns the file. */
function report(command: string, path: string): string {
  const output = join(temp, `${command}.html`);
  const run = runCli([command, path, '--format', 'html', '--output', output]);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toBe('');
  return output;
}

interface Opened {
  readonly page: Page;
  readonly requests: readonly string[];
  readonly dialogs: readonly string[];
  readonly console: readonly string[];
  readonly violations: () => Promise<string[]>;
}

/** Opens a report by file:// and records every request, dialog, console message and CSP violation. */
async function open(into: BrowserContext, file: string): Promise<Opened> {
  const requests: string[] = [];
  const dialogs: string[] = [];
  const messages: string[] = [];
  const page = await into.newPage();
  page.on('request', (request) => requests.push(request.url()));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  // Let anything that would fire late (an image error handler, a timer) have its chance.
  await page.waitForTimeout(200);
  return { page, requests, dialogs, console: messages, violations: async () => (await page.evaluate('window.__w3gViolations ?? ["listener missing"]')) as string[] };
}

async function expectInert(opened: Opened, file: string): Promise<void> {
  expect(await opened.page.evaluate('typeof window.__w3gPwned')).toBe('undefined');
  expect(opened.dialogs).toEqual([]);
  expect(opened.requests).toEqual([pathToFileURL(file).href]);
  expect(await opened.violations()).toEqual([]);
  expect(opened.console).toEqual([]);
  // The only script is ours, and no element an attacker could have named exists.
  expect(await opened.page.locator('script').count()).toBe(1);
  expect(await opened.page.locator('img, svg, iframe, object, embed, link, base, form, meta[http-equiv="refresh"]').count()).toBe(0);
}

describe.skipIf(!HAS_CHROMIUM)(`the HTML report in Chromium (skipped when ${CHROMIUM_PATH} is missing: install Debian's chromium)`, () => {
  beforeAll(async () => {
    const inputs = makeInputs();
    reports = { hunt: report('hunt', inputs.logs), sweep: report('sweep', inputs.web) };
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript({
      content: "window.__w3gViolations = []; document.addEventListener('securitypolicyviolation', function (e) { window.__w3gViolations.push(e.violatedDirective + ' ' + e.blockedURI); });",
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(temp, { recursive: true, force: true });
  });

  it('hunt: hostile log lines and a hostile log file name are shown as text and nothing runs or loads', async () => {
    const opened = await open(started().context, reports.hunt);
    await expectInert(opened, reports.hunt);
    const text = (await opened.page.locator('body').textContent()) ?? '';
    for (const payload of Object.values(LOG_PAYLOADS)) expect(text).toContain(payload);
    expect(text).toContain('line\\u2028sep\\u2029para');
    expect(text).toContain('u_ex\\x1b[31m240311\\x1b]0;pwn\\x07.log');
    expect(await opened.page.locator('#issues').textContent()).toContain('log.binary-data');
    await opened.page.close();
  });

  it('sweep: web shells with file names made of markup are shown by name as text and nothing runs', async () => {
    const opened = await open(started().context, reports.sweep);
    await expectInert(opened, reports.sweep);
    const text = (await opened.page.locator('body').textContent()) ?? '';
    for (const name of SHELL_NAMES) expect(text).toContain(`web/uploads/${name}`);
    expect(await opened.page.locator('article.finding[data-severity="critical"]').count()).toBeGreaterThanOrEqual(SHELL_NAMES.length);
    await opened.page.close();
  });

  it('filters by priority, severity and text, and clears again', async () => {
    const { page } = await open(started().context, reports.hunt);
    const rows = page.locator('article.finding');
    const visible = page.locator('article.finding:visible');
    const total = await rows.count();
    expect(total).toBeGreaterThanOrEqual(3);
    await expect.poll(() => page.locator('#filter-shown').textContent()).toBe(`all ${total} findings shown`);

    await page.selectOption('#filter-severity', 'medium');
    const medium = await page.locator('article.finding[data-severity="medium"]').count();
    expect(medium).toBeGreaterThan(0);
    expect(medium).toBeLessThan(total);
    expect(await visible.count()).toBe(medium);
    expect(await page.locator('article.finding:visible:not([data-severity="medium"])').count()).toBe(0);
    expect(await page.locator('#filter-shown').textContent()).toBe(`${medium} of ${total} findings shown`);

    await page.click('#filter-clear');
    expect(await visible.count()).toBe(total);

    // The first priority on offer (today every hunt finding may still be unrated) keeps exactly its rows.
    const label = await page.locator('#filter-label option').nth(1).getAttribute('value');
    expect(label).toBeTypeOf('string');
    await page.selectOption('#filter-label', label ?? '');
    expect(await visible.count()).toBe(await page.locator(`article.finding[data-label="${label}"]`).count());
    await page.selectOption('#filter-severity', 'high');
    expect(await visible.count()).toBe(await page.locator(`article.finding[data-label="${label}"][data-severity="high"]`).count());

    await page.click('#filter-clear');
    await page.fill('#filter-text', 'JAVASCRIPT:window');
    expect(await visible.count()).toBe(1);
    expect(await visible.first().textContent()).toContain(LOG_PAYLOADS.javascriptUrl);
    await page.fill('#filter-text', 'no finding says this');
    expect(await visible.count()).toBe(0);
    expect(await page.locator('#filter-shown').textContent()).toBe(`0 of ${total} findings shown`);
    await page.click('#filter-clear');
    expect(await visible.count()).toBe(total);
    await page.close();
  });

  it('with scripts off, shows every finding and no filters', async () => {
    const off = await started().browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await off.newPage();
      await page.goto(pathToFileURL(reports.hunt).href);
      expect(await page.locator('#filters').isVisible()).toBe(false);
      const rows = await page.locator('article.finding').count();
      expect(rows).toBeGreaterThanOrEqual(3);
      expect(await page.locator('article.finding:visible').count()).toBe(rows);
      expect(await page.locator('body').textContent()).toContain(LOG_PAYLOADS.closeScript);
    } finally {
      await off.close();
    }
  });
});
