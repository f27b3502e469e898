#!/usr/bin/env node
// Benchmark of `w3guard hunt` on a large synthetic IIS W3C log, against two peers on the same file:
// `grep -c -i -E <the rules' needles>` (a floor: pure substring scanning) and GoAccess (a real
// W3C log parser). See bench/hunt/README.md.
//
//   npm run bench:hunt                              # builds, then: node bench/hunt/run.mjs
//   node bench/hunt/run.mjs --bytes 200M            # quick run
//   node bench/hunt/run.mjs --only grep,goaccess    # peers only (no dist/ needed)

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setInterval, clearInterval } from 'node:timers';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GENERATOR_VERSION, generateLog, parseSize } from './generate-log.mjs';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const OUT_DIR = path.join(ROOT, 'bench', 'out');
let CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const RULES_MODULE = path.join(ROOT, 'dist', 'analyzers', 'weblog', 'load-web-rules.js');
const BURSTS_MODULE = path.join(ROOT, 'dist', 'analyzers', 'weblog', 'burst-detector.js');
// All of SigmaHQ's rules, when the evaluation corpus sits beside the repository: hunt runs the ones for
// web servers (86) and reports the rest as other log sources, so this also times loading 3,000 rules.
const SIGMAHQ = path.resolve(ROOT, '..', 'shared', 'eval', 'sigma');
const SIGMAHQ_DIRS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => path.join(SIGMAHQ, d));
const RESULTS_FILE = path.join(OUT_DIR, 'hunt-results.json');
const GNU_TIME = '/usr/bin/time';
const TOOLS = ['w3guard', 'grep', 'goaccess'];

/** Used only while dist/analyzers/weblog/builtin-rules.js does not exist (or exports no needles). */
const FALLBACK_NEEDLES = [
  '${jndi:', 'jndi:ldap', 'jndi:dns', 'jndi:rmi', '%24%7bjndi', 'telerik.web.ui.webresource.axd', 'type=rau', 'web.config',
  'cmd.aspx', 'shell.aspx', 'aspnet_client', 'errorfe.aspx', '../', '..%2f', '..\\', '%2e%2e', 'xp_cmdshell', 'union select',
  'union+select', '<script', 'whoami', 'powershell', 'certutil', 'cmd.exe', '/autodiscover/autodiscover.json',
];

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------

const USAGE = `usage: node bench/hunt/run.mjs [options]
  --bytes SIZE     size of the benchmark log (default 1G; e.g. 200M, 1.5G, 1073741824)
  --seed N         generator seed (default 1)
  --runs N         runs of each w3guard and grep measurement; the median wall time and the
                   largest peak RSS are reported (default 3)
  --goaccess-runs N  runs of the (slow) GoAccess measurement (default 1)
  --only LIST      comma list of w3guard,grep,goaccess (default: all)
  --skip LIST      comma list of tools not to run
  --no-half        do not run w3guard on the half-size file (RSS growth check)
  --gen-only       only generate (or reuse) the log files and exit
  --cli PATH       the w3guard entry point to run with node (default dist/cli/main.js)`;

function parseArgs(argv) {
  const opts = { bytes: 1024 ** 3, seed: 1, runs: 3, goaccessRuns: 1, tools: new Set(TOOLS), half: true, genOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const value = () => {
      if (eq > 0) return a.slice(eq + 1);
      if (i + 1 >= argv.length) fail(`${flag} needs a value\n${USAGE}`);
      return argv[++i];
    };
    const list = (text) => {
      const names = text.split(',').map((s) => s.trim()).filter(Boolean);
      for (const n of names) if (!TOOLS.includes(n)) fail(`unknown tool "${n}" (known: ${TOOLS.join(', ')})`);
      return names;
    };
    switch (flag) {
      case '--bytes': opts.bytes = parseSize(value()); break;
      case '--seed': opts.seed = Number.parseInt(value(), 10); break;
      case '--runs': opts.runs = Math.max(1, Number.parseInt(value(), 10) || 1); break;
      case '--only': opts.tools = new Set(list(value())); break;
      case '--skip': for (const n of list(value())) opts.tools.delete(n); break;
      case '--goaccess-runs': opts.goaccessRuns = Math.max(1, Number.parseInt(value(), 10) || 1); break;
      case '--no-half': opts.half = false; break;
      case '--gen-only': opts.genOnly = true; break;
      case '--cli': CLI = path.resolve(value()); break;
      case '-h': case '--help': console.log(USAGE); process.exit(0); break;
      default: fail(`unknown argument: ${a}\n${USAGE}`);
    }
  }
  if (!Number.isInteger(opts.seed)) fail('--seed must be an integer');
  return opts;
}

function fail(message, code = 2) {
  console.error(`bench:hunt: ${message}`);
  process.exit(code);
}

// ---------------------------------------------------------------------------------------------
// Pre-flight: tools
// ---------------------------------------------------------------------------------------------

function firstLine(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return undefined;
  return `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}

function preflight(opts) {
  const problems = [];
  const versions = { node: process.version };
  let gnuTime = false;
  try {
    accessSync(GNU_TIME, constants.X_OK);
    gnuTime = firstLine(GNU_TIME, ['--version'])?.includes('GNU') ?? false;
  } catch {
    gnuTime = false;
  }
  if (!gnuTime) {
    console.warn(`warning: ${GNU_TIME} (GNU time) not found; peak RSS will be sampled from /proc/PID/status VmHWM instead.`);
    console.warn('         Install it for exact figures:  apt-get install -y time');
  }
  if (opts.tools.has('grep')) {
    versions.grep = firstLine('grep', ['--version']);
    if (versions.grep === undefined) problems.push('grep is not installed:  apt-get install -y grep');
  }
  if (opts.tools.has('goaccess')) {
    versions.goaccess = firstLine('goaccess', ['--version']);
    if (versions.goaccess === undefined) problems.push('GoAccess is not installed:  apt-get update && apt-get install -y goaccess   (or skip it: --skip goaccess)');
  }
  if (opts.tools.has('w3guard')) {
    if (!existsSync(CLI)) {
      problems.push(`${path.relative(ROOT, CLI)} does not exist. Build first: \`npm run build\` (\`npm run bench:hunt\` builds then runs),\n  or benchmark only the peers: node bench/hunt/run.mjs --only grep,goaccess`);
    } else {
      try {
        versions.w3guard = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
      } catch {
        versions.w3guard = 'unknown';
      }
    }
  }
  if (problems.length > 0 && !opts.genOnly) fail(`cannot run the benchmark:\n- ${problems.join('\n- ')}`);
  return { gnuTime, versions };
}

// ---------------------------------------------------------------------------------------------
// Log files (cached under bench/out/)
// ---------------------------------------------------------------------------------------------

async function ensureLog(bytes, seed) {
  mkdirSync(OUT_DIR, { recursive: true });
  const base = path.join(OUT_DIR, `iis-w3c-${bytes}b-seed${seed}-g${GENERATOR_VERSION}`);
  const file = `${base}.log`;
  const metaFile = `${base}.meta.json`;
  if (existsSync(file) && existsSync(metaFile)) {
    try {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
      if (meta.bytes === statSync(file).size && meta.requestedBytes === bytes) {
        console.log(`reusing ${path.relative(ROOT, file)} (${fmtBytes(meta.bytes)}, ${meta.lines.toLocaleString('en-US')} lines)`);
        return { ...meta, path: file, cached: true };
      }
    } catch {
      // fall through and regenerate
    }
  }
  const partial = `${file}.partial`;
  process.stdout.write(`generating ${path.relative(ROOT, file)} (${fmtBytes(bytes)}, seed ${seed}) … `);
  const t0 = process.hrtime.bigint();
  const stats = await generateLog(partial, { bytes, seed });
  const fd = openSync(partial, 'r');
  fsyncSync(fd); // no write-back competing with the measurements
  closeSync(fd);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  renameSync(partial, file);
  const meta = { ...stats, path: file, requestedBytes: bytes, generation: { seconds: round(seconds, 2), mbPerSec: round(stats.bytes / 1e6 / seconds, 1) } };
  writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
  console.log(`${seconds.toFixed(1)} s (${meta.generation.mbPerSec} MB/s), ${stats.lines.toLocaleString('en-US')} lines, ${stats.attackLines} attack lines`);
  return { ...meta, cached: false };
}

/** Reads the whole file so that every tool starts with the same (warm) page cache. */
function warmUp(file) {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(8 << 20);
  try {
    while (readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring one command
// ---------------------------------------------------------------------------------------------

let tmpDir;
let runCounter = 0;

function capped(stream, limit) {
  const parts = [];
  let size = 0;
  stream.on('data', (d) => {
    if (size < limit) {
      parts.push(d);
      size += d.length;
    }
  });
  return () => Buffer.concat(parts).toString('utf8');
}

/** Runs cmd once; returns wall seconds (hrtime), peak RSS in KiB, exit code, stdout, stderr. */
async function measureOnce(cmd, args, { gnuTime, env }) {
  const timeFile = path.join(tmpDir, `time-${++runCounter}.txt`);
  const [exe, argv] = gnuTime ? [GNU_TIME, ['-f', '%e %M', '-o', timeFile, '--', cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const child = spawn(exe, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const stdout = capped(child.stdout, 1 << 20);
  const stderr = capped(child.stderr, 1 << 20);
  let hwm = 0;
  let poll;
  if (!gnuTime) {
    poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)\s*kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) hwm = Math.max(hwm, Number(m[1]));
      } catch {
        // process gone
      }
    }, 10);
  }
  const [code, signal] = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve([c, s]));
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (poll) clearInterval(poll);
  let rssKiB = hwm || null;
  if (gnuTime) {
    const lines = (existsSync(timeFile) ? readFileSync(timeFile, 'utf8') : '').trim().split('\n');
    const m = /^([\d.]+) (\d+)$/.exec(lines.at(-1) ?? '');
    rssKiB = m ? Number(m[2]) : null;
  }
  return { wall, rssKiB, code: code ?? (signal ? 128 : -1), signal, stdout: stdout(), stderr: stderr() };
}

/**
 * Measures a command `runs` times after a warm-up read of the log; reports the median wall time
 * and the largest peak RSS. `okCodes` are exit codes that count as success.
 */
async function measure(label, cmd, args, { log, runs, gnuTime, okCodes = [0], env = {} }) {
  const walls = [];
  let rss = 0;
  let last;
  for (let r = 0; r < runs; r++) {
    warmUp(log.path);
    process.stdout.write(`  ${label}${runs > 1 ? ` [${r + 1}/${runs}]` : ''} … `);
    last = await measureOnce(cmd, args, { gnuTime, env });
    if (!okCodes.includes(last.code)) {
      console.log(`FAILED (exit ${last.code}${last.signal ? `, ${last.signal}` : ''})`);
      const tail = last.stderr.trim().split('\n').slice(-15).join('\n');
      if (tail) console.log(tail.replace(/^/gm, '    | '));
      return { label, command: [cmd, ...args].join(' '), ok: false, exitCode: last.code, stderrTail: tail };
    }
    walls.push(last.wall);
    rss = Math.max(rss, last.rssKiB ?? 0);
    console.log(`${last.wall.toFixed(2)} s, ${last.rssKiB ? `${(last.rssKiB / 1024).toFixed(0)} MiB` : '? MiB'} peak RSS`);
  }
  walls.sort((a, b) => a - b);
  const mid = walls.length >> 1;
  const wall = walls.length % 2 ? walls[mid] : (walls[mid - 1] + walls[mid]) / 2;
  return {
    label,
    command: [cmd, ...args].map(shellQuote).join(' '),
    ok: true,
    exitCode: last.code,
    wallSeconds: round(wall, 3),
    allWallSeconds: walls.map((w) => round(w, 3)),
    linesPerSec: Math.round(log.lines / wall),
    mbPerSec: round(log.bytes / 1e6 / wall, 1),
    peakRssKiB: rss || null,
    file: path.relative(ROOT, log.path),
    fileBytes: log.bytes,
    fileLines: log.lines,
    stdout: last.stdout,
  };
}

// ---------------------------------------------------------------------------------------------
// The three tools
// ---------------------------------------------------------------------------------------------

function w3guard(log, threads, ctx, extra = [], suffix = '') {
  // Exit 1 means "findings at --fail-on"; we do not pass --fail-on, but both are a successful run.
  return measure(`w3guard --threads ${threads}${suffix}`, process.execPath,
    [CLI, 'hunt', log.path, '--format', 'json', '--output', '/dev/null', '--threads', String(threads), ...extra],
    { ...ctx, log, okCodes: [0, 1] });
}

async function loadNeedles() {
  try {
    // Every needle of w3guard's own content: its line rules, Sigma rules and burst detectors.
    const mod = await import(pathToFileURL(RULES_MODULE).href);
    const bursts = (await import(pathToFileURL(BURSTS_MODULE).href)).BUILTIN_BURSTS ?? [];
    const rules = [...(await mod.loadWebRules({ content: true, sigmaPaths: [] })).detectors, ...bursts];
    if (rules.length === 0) throw new Error('no rules loaded');
    const seen = new Map();
    for (const rule of rules) for (const n of rule.needles ?? []) if (typeof n === 'string' && n !== '') seen.set(n.toLowerCase(), n);
    if (seen.size === 0) throw new Error('the rules export no needles');
    return { source: path.relative(ROOT, RULES_MODULE), rules: rules.length, needles: [...seen.values()] };
  } catch (err) {
    const why = err?.code === 'ERR_MODULE_NOT_FOUND' ? 'not built yet' : err?.message ?? String(err);
    console.warn(`warning: cannot take needles from ${path.relative(ROOT, RULES_MODULE)} (${why}); using ${FALLBACK_NEEDLES.length} built-in fallback needles.`);
    return { source: 'fallback list in bench/hunt/run.mjs', rules: 0, needles: FALLBACK_NEEDLES };
  }
}

const escapeEre = (s) => s.replace(/[.[\]{}()*+?^$|\\]/g, '\\$&');

async function grep(log, needles, ctx) {
  const pattern = needles.map(escapeEre).join('|');
  // LC_ALL=C: byte matching, grep's fastest mode (the log is ASCII); exit 1 = no match, still fine.
  const res = await measure('grep -c -i -E', 'grep', ['-c', '-i', '-E', '-e', pattern, log.path], { ...ctx, log, okCodes: [0, 1], env: { LC_ALL: 'C' } });
  if (res.ok) res.matchingLines = Number.parseInt(res.stdout.trim(), 10);
  res.needles = needles.length;
  return res;
}

async function goaccess(log, ctx) {
  const json = path.join(tmpDir, `goaccess-${++runCounter}.json`);
  const args = [log.path, '--log-format=W3C', '--date-format=%Y-%m-%d', '--time-format=%H:%M:%S', '--no-global-config', '--no-progress', `--output=${json}`];
  const res = await measure('goaccess W3C', 'goaccess', args, { ...ctx, runs: ctx.goaccessRuns, log });
  if (!res.ok) return res;
  try {
    const general = JSON.parse(readFileSync(json, 'utf8')).general ?? {};
    res.totalRequests = general.total_requests;
    res.validRequests = general.valid_requests;
    res.failedRequests = general.failed_requests;
  } catch (err) {
    res.parseError = String(err);
  }
  rmSync(json, { force: true });
  // A peer that does not parse the lines is not a valid comparison.
  res.parsedOk = res.totalRequests === log.dataLines && res.validRequests >= 0.99 * log.dataLines;
  const pct = res.validRequests !== undefined ? ((100 * res.validRequests) / log.dataLines).toFixed(2) : '?';
  console.log(`    GoAccess: total ${fmtInt(res.totalRequests)}, valid ${fmtInt(res.validRequests)} (${pct}% of ${fmtInt(log.dataLines)} request lines), failed ${fmtInt(res.failedRequests)}`);
  if (!res.parsedOk) console.log('    WARNING: GoAccess did not parse the log as expected: its figures are NOT a valid comparison.');
  return res;
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

const round = (x, d) => Math.round(x * 10 ** d) / 10 ** d;
const fmtInt = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : '?');
const fmtBytes = (n) => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GiB` : `${(n / 2 ** 20).toFixed(1)} MiB`);
const fmtRss = (kib) => (kib ? `${(kib / 1024).toFixed(0)} MiB` : '?');
const shellQuote = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

function table(rows) {
  const head = ['tool', 'file', 'wall s', 'lines/s', 'MB/s', 'peak RSS', 'note'];
  const body = rows.map((r) => r.ok
    ? [r.label, fmtBytes(r.fileBytes), r.wallSeconds.toFixed(2), fmtInt(r.linesPerSec), r.mbPerSec.toFixed(1), fmtRss(r.peakRssKiB), r.note ?? '']
    : [r.label, r.file ? fmtBytes(r.fileBytes) : '', 'FAILED', '', '', '', `exit ${r.exitCode}`]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => cells.map((c, i) => (i >= 2 && i <= 5 ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { gnuTime, versions } = preflight(opts);
  const cores = os.availableParallelism();

  const log = await ensureLog(opts.bytes, opts.seed);
  const half = opts.half && opts.tools.has('w3guard') ? await ensureLog(Math.floor(opts.bytes / 2), opts.seed) : undefined;
  if (opts.genOnly) return;

  const loadBefore = os.loadavg()[0];
  if (loadBefore > 0.5) console.warn(`warning: 1-minute load average is ${loadBefore.toFixed(2)}: other work on this machine will skew the timings.`);
  tmpDir = mkdtempSync(path.join(os.tmpdir(), 'w3guard-bench-'));
  const ctx = { runs: opts.runs, goaccessRuns: opts.goaccessRuns, gnuTime };
  const results = {};
  try {
    console.log(`\nmeasuring on ${path.relative(ROOT, log.path)}: ${fmtBytes(log.bytes)}, ${fmtInt(log.lines)} lines (${fmtInt(log.dataLines)} requests), ${cores} cores`);
    if (opts.tools.has('w3guard')) {
      results.w3guard1 = await w3guard(log, 1, ctx);
      if (cores > 1) results.w3guardAll = await w3guard(log, cores, ctx);
      else results.w3guardAll = results.w3guard1;
      if (SIGMAHQ_DIRS.every((d) => existsSync(d))) {
        const sigma = SIGMAHQ_DIRS.flatMap((d) => ['--sigma', d]);
        results.w3guardSigma1 = await w3guard(log, 1, ctx, sigma, ' +SigmaHQ');
        if (cores > 1) results.w3guardSigmaAll = await w3guard(log, cores, ctx, sigma, ' +SigmaHQ');
      } else console.warn(`note: ${path.relative(ROOT, SIGMAHQ)} is absent: no run with SigmaHQ's rules loaded.`);
    }
    if (opts.tools.has('grep')) {
      const needles = await loadNeedles();
      results.grep = await grep(log, needles.needles, ctx);
      results.grep.needleSource = needles.source;
      if (results.grep.ok) results.grep.note = `${fmtInt(results.grep.matchingLines)} matching lines, ${needles.needles.length} needles`;
    }
    if (opts.tools.has('goaccess')) {
      results.goaccess = await goaccess(log, ctx);
      if (results.goaccess.ok) results.goaccess.note = results.goaccess.parsedOk ? `${fmtInt(results.goaccess.validRequests)} valid requests` : 'DID NOT PARSE: not comparable';
    }
    if (half) {
      console.log(`\nRSS growth check on ${path.relative(ROOT, half.path)}: ${fmtBytes(half.bytes)}, ${fmtInt(half.lines)} lines`);
      results.w3guard1Half = await w3guard(half, 1, ctx);
      if (cores > 1) results.w3guardAllHalf = await w3guard(half, cores, ctx);
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  for (const r of Object.values(results)) delete r.stdout;

  // Ratios (speed ratio = inverse ratio of wall times on the same file).
  const ok = (r) => r?.ok === true;
  const ratios = {};
  if (ok(results.w3guard1) && ok(results.goaccess) && results.goaccess.parsedOk) ratios.w3guard1ThreadVsGoaccess = round(results.goaccess.wallSeconds / results.w3guard1.wallSeconds, 2);
  if (ok(results.grep) && ok(results.w3guardAll)) ratios.grepVsW3guardAllCores = round(results.w3guardAll.wallSeconds / results.grep.wallSeconds, 2);
  if (ok(results.w3guard1) && ok(results.w3guardAll) && cores > 1) ratios.w3guardAllCoresVs1Thread = round(results.w3guard1.wallSeconds / results.w3guardAll.wallSeconds, 2);
  if (ok(results.w3guard1) && ok(results.w3guardSigma1)) ratios.sigmaHqLoadedVsContent1Thread = round(results.w3guard1.wallSeconds / results.w3guardSigma1.wallSeconds, 2);
  if (ok(results.w3guardSigma1) && ok(results.goaccess) && results.goaccess.parsedOk) ratios.w3guardSigma1ThreadVsGoaccess = round(results.goaccess.wallSeconds / results.w3guardSigma1.wallSeconds, 2);
  if (ok(results.grep) && ok(results.w3guardSigmaAll)) ratios.grepVsW3guardSigmaAllCores = round(results.w3guardSigmaAll.wallSeconds / results.grep.wallSeconds, 2);
  const rssGrowth = {};
  for (const [full, halfKey, name] of [['w3guard1', 'w3guard1Half', '1 thread'], ['w3guardAll', 'w3guardAllHalf', `${cores} threads`]]) {
    if (ok(results[full]) && ok(results[halfKey]) && results[full].peakRssKiB && results[halfKey].peakRssKiB) {
      rssGrowth[name] = {
        halfFileKiB: results[halfKey].peakRssKiB,
        fullFileKiB: results[full].peakRssKiB,
        ratio: round(results[full].peakRssKiB / results[halfKey].peakRssKiB, 2),
      };
    }
  }

  const rows = Object.values(results).filter((r, i, all) => all.indexOf(r) === i);
  console.log(`\n${table(rows)}\n`);
  const say = (k, v) => console.log(`${k.padEnd(36)} ${v}`);
  if (ratios.w3guard1ThreadVsGoaccess !== undefined) say('w3guard (1 thread) vs GoAccess:', `w3guard is ${ratios.w3guard1ThreadVsGoaccess}x GoAccess's speed`);
  else if (results.goaccess && !results.goaccess.parsedOk) say('w3guard (1 thread) vs GoAccess:', 'n/a (GoAccess did not parse the log)');
  if (ratios.grepVsW3guardAllCores !== undefined) say(`grep vs w3guard (${cores} threads):`, `grep is ${ratios.grepVsW3guardAllCores}x w3guard's speed`);
  if (ratios.w3guardAllCoresVs1Thread !== undefined) say(`w3guard ${cores} threads vs 1 thread:`, `${ratios.w3guardAllCoresVs1Thread}x`);
  if (ratios.sigmaHqLoadedVsContent1Thread !== undefined) say('+SigmaHQ vs content only (1 thread):', `${ratios.sigmaHqLoadedVsContent1Thread}x the lines/s`);
  if (ratios.w3guardSigma1ThreadVsGoaccess !== undefined) say('+SigmaHQ (1 thread) vs GoAccess:', `${ratios.w3guardSigma1ThreadVsGoaccess}x GoAccess's speed`);
  if (ratios.grepVsW3guardSigmaAllCores !== undefined) say(`grep vs +SigmaHQ (${cores} threads):`, `grep is ${ratios.grepVsW3guardSigmaAllCores}x w3guard's speed`);
  for (const [name, g] of Object.entries(rssGrowth)) {
    say(`w3guard peak RSS (${name}):`, `${fmtRss(g.halfFileKiB)} on ${fmtBytes(half.bytes)} -> ${fmtRss(g.fullFileKiB)} on ${fmtBytes(log.bytes)} (x${g.ratio})`);
  }
  if (results.w3guard1?.ok && results.goaccess?.ok) say('peak RSS w3guard 1 thread / GoAccess:', `${fmtRss(results.w3guard1.peakRssKiB)} / ${fmtRss(results.goaccess.peakRssKiB)}`);

  const report = {
    date: new Date().toISOString(),
    machine: { cpuModel: os.cpus()[0]?.model, availableParallelism: cores, totalMemBytes: os.totalmem(), kernel: `${os.type()} ${os.release()}`, arch: os.arch() },
    versions,
    rssSource: gnuTime ? '/usr/bin/time %M (max RSS, KiB)' : '/proc/PID/status VmHWM (sampled)',
    pageCache: 'each measurement is preceded by a full read of the log file',
    loadAverage1m: { before: round(loadBefore, 2), after: round(os.loadavg()[0], 2) },
    runsPerMeasurement: { w3guard: opts.runs, grep: opts.runs, goaccess: opts.goaccessRuns },
    file: pick(log),
    halfFile: half ? pick(half) : undefined,
    results,
    ratios,
    rssGrowth,
  };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nresults written to ${path.relative(ROOT, RESULTS_FILE)}`);
  if (rows.some((r) => !r.ok)) process.exitCode = 1;
}

function pick(log) {
  const { path: p, bytes, lines, dataLines, headerLines, restarts, attackLines, percentLines, firstTime, lastTime, seed, generatorVersion, generation, cached } = log;
  return { path: path.relative(ROOT, p), bytes, lines, dataLines, headerLines, restarts, attackLines, percentLines, firstTime, lastTime, seed, generatorVersion, generation, cached };
}

await main();
