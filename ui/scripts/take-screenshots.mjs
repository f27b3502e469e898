// Saves screenshots of the UI's main pages to docs/img/ (npm run ui:screenshots): the compiled server with
// the built UI on a throwaway SQLite store holding example findings, driven by Debian's Chromium.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { pino } from 'pino';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = (file) => new URL(`dist/${file}`, `file://${root}`).href;
const [{ buildServer }, { openStore }, { SERVE_ROUTES }, { AccountStore }] = await Promise.all([
  import(dist('server/build-server.js')),
  import(dist('store/open-store.js')),
  import(dist('server/start-serve.js')),
  import(dist('store/account-store.js')),
]);

const LABELS = ['incident', '3d-forensic', '3d', '14d', '60d', 'next-upgrade'];
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
const SITES = ['https://shop.example.com/', 'https://intranet.example.com/', 'IIS-WEB-01/W3SVC1', 'IIS-WEB-01/W3SVC2', 'https://api.example.com/'];
const TITLES = ['Web shell in the web root', 'Known-exploited ASP.NET ViewState deserialisation', 'Directory listing is on', 'TLS 1.0 is enabled', 'Server header shows the IIS version', 'Detailed errors are sent to remote clients', 'WebDAV is enabled'];

/** An example finding: numbered, prioritized, with log evidence. */
function example(i, day) {
  const label = LABELS[Math.min(5, Math.floor(i / 4))] ?? 'next-upgrade';
  const score = 100 - LABELS.indexOf(label) * 15 - (i % 7);
  return {
    fingerprint: createHash('sha256').update(`example ${i}`).digest('hex').slice(0, 32),
    ruleId: `iis-${100 + (i % 7)}`,
    engine: 'check',
    title: TITLES[i % TITLES.length],
    description: 'An example finding for the screenshots.',
    severity: SEVERITIES[i % SEVERITIES.length],
    confidence: 'firm',
    category: 'config',
    asset: SITES[i % SITES.length],
    locationKey: `loc-${i}`,
    tags: [],
    references: [],
    occurrences: 1 + (i % 4),
    evidence: [{ kind: 'log', file: 'C:\\inetpub\\logs\\LogFiles\\W3SVC1\\u_ex260530.log', line: 100 + i, text: `2026-05-30 10:${String(i % 60).padStart(2, '0')}:00 10.0.0.5 POST /aspnet_client/x.aspx cmd=whoami\u202e 200` }],
    risk: score,
    priority: {
      label,
      score,
      confidence: 0.75,
      dueAt: new Date(Date.parse(`${day}T00:00:00Z`) + (label === 'incident' ? 0 : 3) * 86_400_000).toISOString(),
      modifiers: [],
      inputs: [
        { name: 'compromise', value: label === 'incident', source: 'hunt' },
        { name: 'inKev', value: i % 5 === 1, source: 'cisa-kev', asOf: '2026-05-29' },
        { name: 'publiclyExposed', value: true, source: 'observed' },
        { name: 'epss', value: null, source: 'none', assumed: true, detail: 'no EPSS score' },
      ],
    },
  };
}

const dir = mkdtempSync(path.join(tmpdir(), 'w3g-shots-'));
const store = await openStore(path.join(dir, 'store.db'));
const now = new Date('2026-06-01T09:00:00Z');
const queue = { send: async () => '0', work: async () => undefined, stop: async () => undefined };
const app = await buildServer({ store, queue, log: pino({ level: 'silent' }), now: () => now, publicUrl: 'http://127.0.0.1', secretKey: randomBytes(32) }, { routes: SERVE_ROUTES, uiRoot: path.join(root, 'dist/ui') });
try {
  const days = ['2026-05-20', '2026-05-24', '2026-05-27', '2026-05-30', '2026-05-31'];
  for (const [k, day] of days.entries()) {
    const findings = Array.from({ length: 8 + k * 5 }, (_, i) => example(i, day)).filter((_, i) => !(k === 3 && i % 6 === 5));
    await store.recordRun({ command: 'scan', toolVersion: '0', startedAt: `${day}T02:00:00.000Z`, finishedAt: `${day}T02:10:00.000Z`, findings, coverage: findings.map((f) => ({ ruleId: f.ruleId, asset: f.asset })), keepFindings: false });
  }
  await new AccountStore(store.database).addUser('admin', 'admin', 'correct horse battery staple', now);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const out = path.join(root, 'docs/img');
    mkdirSync(out, { recursive: true });
    const shot = async (name) => {
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(out, `ui-${name}.png`) });
      process.stdout.write(`docs/img/ui-${name}.png\n`);
    };
    await page.goto(url);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await shot('sign-in');
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.chart canvas').first().waitFor();
    await shot('dashboard');
    await page.goto(`${url}/findings`);
    await page.locator('[data-testid="findings-table"] tbody tr').first().waitFor();
    await shot('findings');
    await page.locator('[data-testid="findings-table"] tbody tr a').first().click();
    await page.getByTestId('evidence').waitFor();
    await shot('finding');
    await page.goto(`${url}/assets`);
    await page.getByTestId('asset-tree').locator('tbody tr').first().waitFor();
    await shot('assets');
    await page.goto(`${url}/admin/audit`);
    await page.locator('table tbody tr').first().waitFor();
    await shot('audit');
  } finally {
    await browser.close();
  }
} finally {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
