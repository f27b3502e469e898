#!/usr/bin/env node
// Benchmark of `w3guard sweep` against Debian's `yara -r -p N` on the same synthetic tree of web roots
// with the same rules (w3guard's content/yara). See the README's sweep section.
//
//   npm run bench:sweep                 # builds, then: node bench/sweep/run.mjs
//   node bench/sweep/run.mjs --files 50000 --threads 2 --runs 2
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTree, TREE_VERSION } from './generate-tree.mjs';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const RULES = path.join(ROOT, 'content', 'yara', 'w3g-webshells.yar');
const SAMPLES = path.join(ROOT, 'src', 'analyzers', 'webroot-sweep', 'fixtures', 'yara-samples');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const files = option('files', 50_000);
const threads = option('threads', os.availableParallelism());
const runs = option('runs', 2);

if (!existsSync(CLI)) {
  console.error('dist/cli/main.js is missing: run "npm run build" first (npm run bench:sweep does)');
  process.exit(2);
}
if (spawnSync('yara', ['--version']).status !== 0) {
  console.error('Debian yara is not installed (apt-get install -y yara); only w3guard would run, which compares with nothing.');
  process.exit(2);
}

// The tree is kept between runs (it takes a while to write); a new version or size rebuilds it.
const tree = path.join(os.tmpdir(), `w3guard-bench-sweep-v${TREE_VERSION}-${files}`);
const marker = path.join(tree, '.complete.json');
if (!existsSync(marker)) {
  rmSync(tree, { recursive: true, force: true });
  const plant = readdirSync(SAMPLES).flatMap((rule) => readdirSync(path.join(SAMPLES, rule)).filter((f) => f.startsWith('match.')).map((f) => ({ name: f, data: readFileSync(path.join(SAMPLES, rule, f)) })));
  const started = Date.now();
  const made = generateTree(tree, { files, seed: 1, plant });
  writeFileSync(marker, JSON.stringify(made));
  console.log(`generated ${made.files} files, ${(made.bytes / 1024 ** 2).toFixed(0)} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s: ${tree}`);
}
const { files: count, bytes } = JSON.parse(readFileSync(marker, 'utf8'));

// GNU time gives each run's CPU seconds (user + system), which say more than wall time on a busy machine.
const GNU_TIME = '/usr/bin/time';
const hasGnuTime = spawnSync(GNU_TIME, ['-f', '%U', 'true']).status === 0;

function time(command, argv) {
  const started = process.hrtime.bigint();
  const run = hasGnuTime
    ? spawnSync(GNU_TIME, ['-f', 'CPU %U %S', command, ...argv], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    : spawnSync(command, argv, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0 && run.status !== 1) throw new Error(`${command} failed (${run.status}): ${run.stderr}`);
  const cpu = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(run.stderr ?? '');
  return { seconds, cpu: cpu === null ? Number.NaN : Number(cpu[1]) + Number(cpu[2]), stdout: run.stdout };
}

const tools = {
  w3guard: () => {
    const out = path.join(os.tmpdir(), `w3guard-bench-sweep-${process.pid}.json`);
    const r = time(process.execPath, [CLI, 'sweep', tree, '--threads', String(threads), '--format', 'json', '--output', out]);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    rmSync(out, { force: true });
    return { seconds: r.seconds, cpu: r.cpu, matches: report.findings.filter((f) => f.engine === 'yara').length, scanned: report.inputs.reduce((n, i) => n + i.records, 0) };
  },
  yara: () => {
    const r = time('yara', ['-r', '-p', String(threads), RULES, tree]);
    return { seconds: r.seconds, cpu: r.cpu, matches: r.stdout.split('\n').filter((l) => l.trim() !== '').length, scanned: count };
  },
};

const loadBefore = os.loadavg()[0];
// One untimed pass so both tools read from the page cache, then alternate runs and keep each tool's best.
time('yara', ['-r', '-p', String(threads), RULES, tree]);
const best = {};
for (let i = 0; i < runs; i += 1) {
  for (const [name, run] of Object.entries(tools)) {
    const r = run();
    if (best[name] === undefined || r.seconds < best[name].seconds) best[name] = r;
  }
}
const mib = bytes / 1024 ** 2;
console.log(`tree: ${count} files, ${mib.toFixed(0)} MiB; rules: content/yara (${path.basename(RULES)}); ${threads} threads; best of ${runs} runs; ${os.cpus()[0]?.model ?? ''} × ${os.cpus().length}`);
console.log(`load average: ${loadBefore.toFixed(1)} before the runs, ${os.loadavg()[0].toFixed(1)} after, on ${os.cpus().length} cores`);
console.log('tool      wall s   files/s    MiB/s   CPU s   files/CPU s   YARA matches');
for (const [name, r] of Object.entries(best)) {
  console.log(`${name.padEnd(9)} ${r.seconds.toFixed(2).padStart(6)} ${Math.round(count / r.seconds).toString().padStart(9)} ${(mib / r.seconds).toFixed(1).padStart(8)} ${r.cpu.toFixed(2).padStart(7)} ${Math.round(count / r.cpu).toString().padStart(13)}   ${r.matches}`);
}
const ratio = best.yara.seconds / best.w3guard.seconds;
console.log(`w3guard / yara throughput: ${(ratio * 100).toFixed(0)}% by wall time (files/s and MiB/s alike: same files, same bytes), ${((best.yara.cpu / best.w3guard.cpu) * 100).toFixed(0)}% by CPU time`);
if (best.w3guard.matches < best.yara.matches) console.log(`note: w3guard reported ${best.w3guard.matches} YARA findings, yara ${best.yara.matches}`);
statSync(tree);
