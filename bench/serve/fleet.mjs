// A fleet on one PostgreSQL store: 3 `serve` processes (--no-worker) and 3 `worker` processes on one job
// schema. H simulated hosts push their `host` report (a real one, made once from a fixture host root and
// rewritten per host: host names, paths and fingerprints) with ~20 pushes at once spread over the 3 servers,
// and 5 % of pushes are sent again with the same Idempotency-Key to another server, as a retry after a lost
// answer would be. Meanwhile ~30 scans of loopback sites are requested through the API; one worker is killed
// with SIGKILL mid-way and a replacement started. Then the database must show exactly H imported runs, no
// key recorded twice, and every scan done and recorded once. Exits non-zero when a check fails.
// Usage: npm run bench:fleet [-- H]  (default 1,000; W3GUARD_BENCH_POSTGRES the server)
/* global fetch -- Node 20's own */
import { execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { URL } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { fingerprint } from '../../dist/core/fingerprint.js';
import { openStore } from '../../dist/store/open-store.js';
import { startIisFixture } from '../../test/fixtures/iis-fixture-server.mjs';

const HOSTS = Number(process.argv[2] ?? 1000);
const POSTGRES = process.env.W3GUARD_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const REPO = new URL('../../', import.meta.url).pathname;
const MAIN = join(REPO, 'dist/cli/main.js');
const SERVERS = 3;
const WORKERS = 3;
const CONCURRENCY = 20;
const SCANS = 30;
const REPEAT_SHARE = 0.05;
const run = promisify(execFile);

const folder = mkdtempSync(join(tmpdir(), 'fleet-bench-'));
const schema = `w3g_bench_${randomBytes(4).toString('hex')}`;
const boss = `w3g_boss_${randomBytes(4).toString('hex')}`;
const storeUrl = new URL(POSTGRES);
storeUrl.searchParams.set('options', `-c search_path=${schema}`);
const DB = storeUrl.toString();
const env = { ...process.env, XDG_DATA_HOME: folder, W3GUARD_SECRET_KEY: randomBytes(32).toString('base64') };
const children = new Set();

/** Starts a w3guard process; for `serve`, resolves with its URL once it answers. */
function start(args, waitFor) {
  const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let errors = '';
  child.stderr.on('data', (chunk) => { errors = (errors + chunk).slice(-8000); });
  child.once('exit', () => children.delete(child));
  child.errors = () => errors;
  if (waitFor === undefined) return Promise.resolve({ child });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = waitFor.exec(out);
      if (match) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${errors}`)));
  });
}

const startServe = () => start(['serve', '--db', DB, '--listen', '127.0.0.1:0', '--no-worker', '--jobs-schema', boss, '--rate-limit', '100000000', '--log-level', 'warn'], /listening on (http:\/\/\S+)/);
const startWorker = () => start(['worker', '--db', DB, '--jobs-schema', boss, '--log-level', 'warn']);

async function stopAll() {
  await Promise.all([...children].map((child) => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    return Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
  }));
}

/** One real host report, from a fixture host root (the evaluation set's FAB-WEB01), with what it covered. */
async function baseReport() {
  const out = join(folder, 'fixture');
  await run(join(REPO, 'node_modules/.bin/tsc'), ['--outDir', out, '--rootDir', REPO, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', join(REPO, 'test/fixtures/make-host-root.ts')]);
  const { makeHostRoot } = await import(join(out, 'test/fixtures/make-host-root.js'));
  const { root } = makeHostRoot(process.env.W3GUARD_EVAL_DEV ?? '/work/shared/eval/dev', join(folder, 'roots'));
  const { stdout } = await run(process.execPath, [MAIN, 'host', root, '--format', 'json'], { env, maxBuffer: 64 * 1024 * 1024 }).catch((error) => {
    // `host` exits non-zero when it finds something; its report is still on stdout.
    if (typeof error.stdout === 'string' && error.stdout.startsWith('{')) return error;
    throw error;
  });
  const report = JSON.parse(stdout);
  const coverage = new Map(report.findings.map((f) => [`${f.ruleId}\u0000${f.asset}`, { ruleId: f.ruleId, asset: f.asset }]));
  report.coverage = [...coverage.values()];
  return { text: JSON.stringify(report), host: 'FAB-WEB01', findings: report.findings.length, bytes: stdout.length };
}

/** The report as host number `i` would send it: its own names, paths and so fingerprints. */
function hostReport(base, i) {
  const name = `WEB${String(i).padStart(5, '0')}`;
  const report = JSON.parse(base.text.split(base.host).join(name));
  const renamed = new Map();
  for (const finding of report.findings) {
    const next = fingerprint(finding.ruleId, finding.asset, finding.locationKey);
    renamed.set(finding.fingerprint, next);
    finding.fingerprint = next;
  }
  for (const incident of report.incidents ?? []) {
    incident.members = incident.members.map((m) => renamed.get(m) ?? m);
    for (const step of incident.timeline ?? []) if (step.fingerprint !== undefined) step.fingerprint = renamed.get(step.fingerprint) ?? step.fingerprint;
  }
  return JSON.stringify(report);
}

/** POSTs one report; retries network errors, 5xx and 429 with the same key, as `host --push` does. */
async function push(server, token, body, key) {
  for (let attempt = 1; ; attempt += 1) {
    const started = performance.now();
    try {
      const response = await fetch(`${server}/api/v1/reports`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key }, body });
      const answer = await response.text();
      const ms = performance.now() - started;
      if (response.status === 201 || response.status === 200) return { ms, runId: JSON.parse(answer).runId, attempts: attempt };
      if (response.status < 500 && response.status !== 429) throw new Error(`push refused: ${response.status} ${answer}`);
      if (attempt >= 5) throw new Error(`push failed ${attempt} times: ${response.status} ${answer}`);
    } catch (error) {
      if (String(error.message).startsWith('push ')) throw error;
      if (attempt >= 5) throw error;
    }
    await sleep(200 * attempt);
  }
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

const admin = new pg.Client({ connectionString: POSTGRES });
await admin.connect();
const fixtures = [];
let failed = false;
try {
  // The store's tables made once, before several processes race to migrate it.
  const store = await openStore(POSTGRES, { schema });
  const base = await baseReport();
  console.log(`host report: ${base.findings} findings, ${(base.bytes / 1024).toFixed(0)} KB (from a fixture host root), sent as ${HOSTS} hosts`);
  const { stdout: tokenOut } = await run(process.execPath, [MAIN, 'token', 'create', '--name', 'fleet-bench', '--role', 'operator', '--db', DB], { env });
  const token = tokenOut.trim();
  const servers = [];
  for (let i = 0; i < SERVERS; i += 1) servers.push(await startServe());
  const workers = [];
  for (let i = 0; i < WORKERS; i += 1) workers.push(await startWorker());
  for (let i = 0; i < SCANS; i += 1) fixtures.push(await startIisFixture());
  console.log(`${SERVERS} servers, ${WORKERS} workers, ${SCANS} loopback sites; ${cpus().length} CPUs shared by all of them, PostgreSQL and this driver`);

  // Scans: requested through the servers in turn while the pushes run; one worker killed once a third are done.
  const scanIds = [];
  let killed;
  const scanning = (async () => {
    for (let i = 0; i < SCANS; i += 1) {
      const response = await fetch(`${servers[i % SERVERS].url}/api/v1/scans`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'scan', targets: [fixtures[i].url] }) });
      if (response.status !== 202) throw new Error(`scan request: ${response.status} ${await response.text()}`);
      scanIds.push((await response.json()).id);
      await sleep(300);
    }
    const deadline = Date.now() + 10 * 60_000;
    for (;;) {
      const rows = await store.database.selectFrom('scans').select(['id', 'state']).where('id', 'in', scanIds).execute();
      const done = rows.filter((r) => r.state === 'done' || r.state === 'failed').length;
      const running = rows.filter((r) => r.state === 'running').length;
      if (killed === undefined && (done >= SCANS / 3 || Date.now() > deadline - 9 * 60_000) && running > 0) {
        // A worker dies in the middle of its scan: its job must come back (heartbeat) and be recorded once.
        const victim = workers.shift();
        victim.child.kill('SIGKILL');
        killed = { at: new Date().toISOString(), done, running };
        workers.push(await startWorker());
      }
      if (done === SCANS || Date.now() > deadline) return;
      await sleep(1000);
    }
  })();

  // Pushes: a pool of CONCURRENCY senders over the hosts; 5 % of pushes repeated to the next server.
  const latencies = [];
  const keys = new Map();
  let next = 0;
  let repeats = 0;
  let concurrentRepeats = 0;
  let retried = 0;
  const pushErrors = [];
  const pushStart = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < HOSTS) {
      const i = next;
      next += 1;
      const body = hostReport(base, i);
      const key = randomUUID();
      const server = servers[i % SERVERS].url;
      try {
        const repeated = (i * 7919) % 100 < REPEAT_SHARE * 100;
        // Half the repeats while the first is still in flight (a client that timed out and tried again), half
        // after it was answered (an answer lost on the way back): both must come back with one run.
        const together = repeated && repeats % 2 === 0;
        if (repeated) repeats += 1;
        const again = () => push(servers[(i + 1) % SERVERS].url, token, body, key);
        const [first, second] = together ? await Promise.all([push(server, token, body, key), again()]) : [await push(server, token, body, key)];
        latencies.push(first.ms);
        retried += first.attempts - 1;
        keys.set(key, first.runId);
        const repeat = second ?? (repeated ? await again() : undefined);
        if (repeat !== undefined) {
          latencies.push(repeat.ms);
          if (repeat.runId !== first.runId) pushErrors.push(`host ${i}: the repeat got run ${repeat.runId}, the first run ${first.runId}`);
          if (together) concurrentRepeats += 1;
        }
      } catch (error) {
        pushErrors.push(`host ${i}: ${error.message}`);
      }
    }
  }));
  const pushSeconds = (performance.now() - pushStart) / 1000;
  await scanning;

  // The checks, from the database.
  const db = store.database;
  const imported = Number((await sql`SELECT count(*) AS n FROM runs WHERE command = 'host'`.execute(db)).rows[0].n);
  const importKeys = Number((await sql`SELECT count(*) AS n FROM report_imports WHERE key LIKE 'key:%'`.execute(db)).rows[0].n);
  const distinctRuns = Number((await sql`SELECT count(DISTINCT run_id) AS n FROM report_imports`.execute(db)).rows[0].n);
  const orphanRuns = Number((await sql`SELECT count(*) AS n FROM runs r WHERE r.command = 'host' AND NOT EXISTS (SELECT 1 FROM report_imports i WHERE i.run_id = r.id)`.execute(db)).rows[0].n);
  const scans = await db.selectFrom('scans').select(['id', 'state', 'run_id', 'attempts', 'error']).where('id', 'in', scanIds).execute();
  const scanRuns = Number((await sql`SELECT count(*) AS n FROM runs WHERE command = 'scan'`.execute(db)).rows[0].n);
  const scanRunIds = new Set(scans.map((s) => s.run_id).filter((id) => id !== null));
  const findings = await store.count('findings');
  await store.close();

  const checks = [
    [`imported runs = ${HOSTS}`, imported === HOSTS, imported],
    [`idempotency keys recorded = ${HOSTS}, each its own run`, importKeys === HOSTS && distinctRuns === importKeys, `${importKeys} keys, ${distinctRuns} runs`],
    ['imported runs without a key = 0 (no push recorded twice)', orphanRuns === 0, orphanRuns],
    ['repeated pushes answered with the first run', pushErrors.length === 0, pushErrors.length === 0 ? `${repeats} repeats, ${concurrentRepeats} of them sent while the first was in flight` : pushErrors.slice(0, 3).join('; ')],
    [`scans done = ${SCANS}`, scans.length === SCANS && scans.every((s) => s.state === 'done'), scans.map((s) => s.state).filter((s) => s !== 'done').join(', ') || `${scans.length} done`],
    ['scan runs = scans, each scan recorded once', scanRuns === SCANS && scanRunIds.size === SCANS, `${scanRuns} scan runs, ${scanRunIds.size} distinct`],
    ['a worker was killed mid-scan', killed !== undefined, killed === undefined ? 'no' : `at ${killed.done} done, ${killed.running} running`],
  ];
  console.log(`\npushes: ${latencies.length} (${HOSTS} hosts + ${repeats} repeats) in ${pushSeconds.toFixed(1)} s = ${(latencies.length / pushSeconds).toFixed(1)} pushes/s, ${CONCURRENCY} at once over ${SERVERS} servers`);
  console.log(`push latency: p50 ${quantile(latencies, 0.5).toFixed(0)} ms, p90 ${quantile(latencies, 0.9).toFixed(0)} ms, p99 ${quantile(latencies, 0.99).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms; ${retried} retried tries`);
  console.log(`scans: ${scans.filter((s) => s.state === 'done').length}/${SCANS} done, attempts ${scans.reduce((sum, s) => sum + s.attempts, 0)} in all (${scans.filter((s) => s.attempts > 1).length} taken up again); store holds ${findings} findings`);
  for (const [what, ok, detail] of checks) {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${detail}`);
    if (!ok) failed = true;
  }
  for (const s of scans.filter((scan) => scan.state !== 'done')) console.log(`  scan ${s.id}: ${s.state} ${s.error ?? ''}`);
} catch (error) {
  failed = true;
  console.error(error);
  for (const child of children) console.error(`--- ${child.spawnargs.slice(2, 3)} stderr:\n${child.errors?.().slice(-2000)}`);
} finally {
  await stopAll();
  await Promise.all(fixtures.map((f) => f.close()));
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.query(`DROP SCHEMA IF EXISTS ${boss} CASCADE`);
  await admin.end();
  rmSync(folder, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
