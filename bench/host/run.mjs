#!/usr/bin/env node
// Benchmark of `w3guard host ROOT` against the separate commands run one after another on the same root
// (audit, sweep --host --no-inventory, inventory --host, hunt on the logs, events --host), in the same run.
// The root is synthetic: 20 sites in applicationHost.config, the sweep benchmark's web-root tree, the hunt
// benchmark's W3C log, and an EVTX file made of the real chunks of ../shared/eval/evtx (when present).
//
//   npm run bench:host                       # builds, then: node bench/host/run.mjs (1 GiB logs, 50 000 files, 100 MiB EVTX)
//   node bench/host/run.mjs --log-mb 200 --files 10000 --evtx-mb 30 --runs 2
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesizeEvtx } from '../events/synthesize-evtx.mjs';
import { generateLog, GENERATOR_VERSION } from '../hunt/generate-log.mjs';
import { generateTree, TREE_VERSION } from '../sweep/generate-tree.mjs';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const EVTX_SAMPLES = path.resolve(ROOT, '..', 'shared', 'eval', 'evtx');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const logMb = option('log-mb', 1024);
const files = option('files', 50_000);
const evtxMb = option('evtx-mb', 100);
const runs = option('runs', 2);

if (!existsSync(CLI)) {
  console.error('dist/cli/main.js is missing: run "npm run build" first (npm run bench:host does)');
  process.exit(2);
}

// The root is kept between runs (it takes a while to write); another version or size rebuilds it.
const host = path.join(os.tmpdir(), `w3guard-bench-host-v${TREE_VERSION}.${GENERATOR_VERSION}-${logMb}-${files}-${evtxMb}`, 'WEB01');
const marker = path.join(host, '..', '.complete.json');
if (!existsSync(marker)) {
  rmSync(path.dirname(host), { recursive: true, force: true });
  const started = Date.now();
  const wwwroot = path.join(host, 'inetpub', 'wwwroot');
  const tree = generateTree(wwwroot, { files, seed: 1 });
  const sites = readdirSync(wwwroot).filter((name) => name.startsWith('site')).sort();
  const siteXml = sites
    .map((name, i) => `      <site name="${name}" id="${i + 1}">\n        <application path="/" applicationPool="${name}"><virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot\\${name}" /></application>\n        <bindings><binding protocol="http" bindingInformation="*:80:${name}.example" /></bindings>\n      </site>`)
    .join('\n');
  const pools = sites.map((name) => `      <add name="${name}" />`).join('\n');
  const config = path.join(host, 'Windows', 'System32', 'inetsrv', 'config');
  mkdirSync(config, { recursive: true });
  writeFileSync(
    path.join(config, 'applicationHost.config'),
    `<?xml version="1.0" encoding="UTF-8"?>\n<configuration>\n  <system.applicationHost>\n    <applicationPools>\n${pools}\n    </applicationPools>\n    <sites>\n${siteXml}\n      <siteDefaults><logFile logFormat="W3C" directory="%SystemDrive%\\inetpub\\logs\\LogFiles" /></siteDefaults>\n    </sites>\n  </system.applicationHost>\n</configuration>\n`,
  );
  // Most traffic goes to the first site, as on a real host; a second site gets a tenth.
  const logs = path.join(host, 'inetpub', 'logs', 'LogFiles');
  mkdirSync(path.join(logs, 'W3SVC1'), { recursive: true });
  mkdirSync(path.join(logs, 'W3SVC2'), { recursive: true });
  await generateLog(path.join(logs, 'W3SVC1', 'u_ex240301.log'), { bytes: Math.round(logMb * 0.9 * 1024 ** 2), seed: 1 });
  await generateLog(path.join(logs, 'W3SVC2', 'u_ex240301.log'), { bytes: Math.round(logMb * 0.1 * 1024 ** 2), seed: 2 });
  const evtx = path.join(host, 'Windows', 'System32', 'winevt', 'Logs');
  mkdirSync(evtx, { recursive: true });
  const built = buildEvtx(path.join(evtx, 'Security.evtx'), evtxMb);
  writeFileSync(marker, JSON.stringify({ files: tree.files, webBytes: tree.bytes, evtx: built }));
  console.log(`generated ${path.dirname(host)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
const made = JSON.parse(readFileSync(marker, 'utf8'));

/** An EVTX file of about `mb` MiB made of the dense chunks of the sample files, repeated, with a fresh header. */
function buildEvtx(file, mb) {
  const samples = existsSync(EVTX_SAMPLES) ? readdirSync(EVTX_SAMPLES, { recursive: true, encoding: 'utf8' }).filter((f) => f.toLowerCase().endsWith('.evtx')).sort() : [];
  return synthesizeEvtx(file, samples.map((name) => path.join(EVTX_SAMPLES, name)), mb);
}

// GNU time gives each run's peak memory (maximum resident set), which shows whether memory stays flat.
const GNU_TIME = '/usr/bin/time';
const hasGnuTime = spawnSync(GNU_TIME, ['-f', '%M', 'true']).status === 0;

function time(argv) {
  const started = process.hrtime.bigint();
  const run = hasGnuTime
    ? spawnSync(GNU_TIME, ['-f', 'RSS %M', process.execPath, CLI, ...argv], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    : spawnSync(process.execPath, [CLI, ...argv], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0 && run.status !== 1) throw new Error(`w3guard ${argv[0]} failed (${run.status}): ${run.stderr}`);
  const rss = Number(/RSS (\d+)/.exec(run.stderr ?? '')?.[1] ?? Number.NaN) / 1024;
  return { seconds, rss, findings: JSON.parse(run.stdout).findings.length };
}

const quiet = ['--format', 'json', '--min-severity', 'info'];
const logsDir = path.join(host, 'inetpub', 'logs', 'LogFiles');
const separate = [
  ['audit', host],
  ['sweep', '--host', host, '--no-inventory'],
  ['inventory', '--host', host],
  ['hunt', logsDir, '--no-progress'],
  ...(made.evtx > 0 ? [['events', '--host', host, '--no-progress']] : []),
];

console.log(`machine: ${os.cpus()[0]?.model ?? 'cpu'} × ${os.availableParallelism()}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; node ${process.version}`);
console.log(`root: ${host}: ${made.files} web files (${(made.webBytes / 1024 ** 2).toFixed(0)} MiB), ${logMb} MiB of W3C logs, ${(made.evtx / 1024 ** 2).toFixed(0)} MiB of EVTX`);
const ratios = [];
for (let r = 1; r <= runs; r += 1) {
  let total = 0;
  let peak = 0;
  let count = 0;
  const parts = [];
  for (const argv of separate) {
    const t = time([...argv, ...quiet]);
    total += t.seconds;
    peak = Math.max(peak, t.rss);
    count += t.findings;
    parts.push(`${argv[0]} ${t.seconds.toFixed(1)} s`);
  }
  const together = time(['host', host, ...quiet]);
  ratios.push(total / together.seconds);
  console.log(`run ${r}: separate ${total.toFixed(1)} s (${parts.join(', ')}; peak ${peak.toFixed(0)} MiB, ${count} findings)`);
  console.log(`run ${r}: host     ${together.seconds.toFixed(1)} s (peak ${together.rss.toFixed(0)} MiB, ${together.findings} findings)  → separate / host = ${(total / together.seconds).toFixed(2)}×`);
}
console.log(`separate / host over ${runs} runs: ${Math.min(...ratios).toFixed(2)}×–${Math.max(...ratios).toFixed(2)}×`);
