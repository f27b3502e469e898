#!/usr/bin/env node
// Benchmark of `w3guard scan` against the loopback IIS fixture, side by side with nmap's NSE http scripts
// (service detection on, so they recognise the ephemeral port as HTTP) that cover the same ground (methods, TRACE, WebDAV, MS15-034, ASP.NET debug, short names, headers,
// cookies, backup configs). Counts the requests the fixture actually received for each tool.
//
//   npm run bench:scan        # builds, then: node bench/scan/run.mjs
import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startIisFixture } from '../../test/fixtures/iis-fixture-server.mjs';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const IIS_TEMPLATES = path.resolve(ROOT, '..', 'shared', 'eval', 'nuclei', 'iis');
const OUT = path.join(ROOT, 'bench', 'out');
const NMAP_SCRIPTS = [
  'http-methods', 'http-trace', 'http-webdav-scan', 'http-iis-webdav-vuln', 'http-vuln-cve2015-1635', 'http-aspnet-debug',
  'http-iis-short-name-brute', 'http-security-headers', 'http-cookie-flags', 'http-server-header', 'http-headers', 'http-config-backup',
];

function run(command, args) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr, wallMs: performance.now() - started }));
  });
}

async function measure(label, command, args, parse) {
  const fixture = await startIisFixture({ profile: 'vulnerable' });
  const result = await run(command, args(fixture.url));
  const received = fixture.counters.requests;
  await fixture.close();
  if (result.code !== 0 && result.code !== 1) throw new Error(`${label} failed (${result.code}): ${result.stderr.slice(0, 500)}`);
  const parsed = parse(result);
  return { tool: label, wallSeconds: result.wallMs / 1000, requests: received, requestsPerSecond: received / (result.wallMs / 1000), ...parsed };
}

if (!existsSync(CLI)) throw new Error('dist/cli/main.js is missing: run "npm run build" first (npm run bench:scan does)');
const rows = [];
const w3guard = (url) => ['scan', url, '--format', 'json', '--rate', '0', '--concurrency', '16', '--host-concurrency', '8'];
const parseW3guard = (r) => {
  const report = JSON.parse(r.stdout);
  const m = /(\d+) duplicates avoided/.exec(r.stderr);
  return { findings: report.findings.length, duplicatesAvoided: m === null ? 0 : Number(m[1]) };
};
rows.push(await measure('w3guard scan (built-in checks)', process.execPath, (url) => [CLI, ...w3guard(url)], parseW3guard));
if (existsSync(IIS_TEMPLATES)) rows.push(await measure('w3guard scan + 29 IIS templates', process.execPath, (url) => [CLI, ...w3guard(url), '--templates', IIS_TEMPLATES], parseW3guard));
const nmap = spawnSync('nmap', ['--version'], { encoding: 'utf8' });
if (nmap.status === 0) {
  rows.push(
    await measure('nmap --script (12 http-* scripts)', 'nmap', (url) => ['-n', '-Pn', '-sT', '-sV', '--version-light', '-p', new URL(url).port, '--script', NMAP_SCRIPTS.join(','), '127.0.0.1'], (r) => ({
      findings: (r.stdout.match(/^\|[ _]\S/gm) ?? []).length,
      duplicatesAvoided: 0,
    })),
  );
} else {
  process.stderr.write('nmap is not installed: peer comparison skipped\n');
}

const startup = await run(process.execPath, [CLI, '--version']);
process.stdout.write(`\nw3guard start-up alone (node + CLI load): ${(startup.wallMs / 1000).toFixed(2)} s, included in its wall times below.\n`);
const base = rows[0];
process.stdout.write(`\n| tool | wall time (s) | requests received | requests/s | findings or script lines | duplicates avoided | time vs w3guard |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n`);
for (const row of rows) {
  process.stdout.write(`| ${row.tool} | ${row.wallSeconds.toFixed(2)} | ${row.requests} | ${row.requestsPerSecond.toFixed(0)} | ${row.findings} | ${row.duplicatesAvoided} | ${(row.wallSeconds / base.wallSeconds).toFixed(2)}× |\n`);
}
mkdirSync(OUT, { recursive: true });
writeFileSync(path.join(OUT, 'scan-results.json'), JSON.stringify(rows, null, 2));
