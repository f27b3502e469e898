// Times `w3guard serve` answering the findings list over a large store, on SQLite and PostgreSQL: a store of N
// findings (seed-store.mjs), the real `serve` as a child process, a viewer token, and autocannon at 50
// connections asking for (a) first pages of filtered lists and (b) deep pages (cursors collected beforehand at
// 100 to 1,000 pages of 50). The peer is the same query paged by OFFSET at the same depth, run directly against
// the same store, as most tools page. (c) checks paging integrity: one filtered set walked to its end while
// rows are inserted and deleted between pages must come back with no repeat and no skip. Prints the plans of
// the hot list query.
// Usage: npm run bench:serve [-- N]  (default 1,000,000; W3GUARD_BENCH_ONLY=sqlite|postgres runs one store;
// W3GUARD_BENCH_SECONDS sets each load's length, default 20; W3GUARD_BENCH_PROCESSES serve's --processes, default 1;
// W3GUARD_BENCH_POSTGRES the server; W3GUARD_BENCH_KEEP a folder that keeps the seeded stores for the next run;
// W3GUARD_BENCH_LOADER=wrk drives the load with wrk instead of autocannon; W3GUARD_BENCH_QUICK=1 runs the loads only;
// W3GUARD_BENCH_LISTS other first-page lists)
/* global fetch -- Node 20's own */
import { spawn, spawnSync, execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { URL, URLSearchParams } from 'node:url';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { CompiledQuery, SqliteAdapter, sql } from 'kysely';
import pg from 'pg';
import { openStore } from '../../dist/store/open-store.js';
import { selectWithEvidence, suppressionOf } from '../../dist/store/finding-store.js';
import { filterCondition, orderKey, pageFindings } from '../../dist/store/finding-page.js';
import { seedStore } from './seed-store.mjs';

const N = Number(process.argv[2] ?? 1_000_000);
const POSTGRES = process.env.W3GUARD_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const ONLY = process.env.W3GUARD_BENCH_ONLY;
const SECONDS = Number(process.env.W3GUARD_BENCH_SECONDS ?? 20);
// `serve --processes N` (default 1): N serving processes on the one address.
const PROCESSES = Number(process.env.W3GUARD_BENCH_PROCESSES ?? 1);
// A folder to keep the seeded stores in between runs (its SQLite file, and the PostgreSQL schema w3g_bench_kept):
// seeding 1M findings takes minutes on SQLite and over ten on PostgreSQL. Unset: fresh stores, removed after.
const KEEP = process.env.W3GUARD_BENCH_KEEP;
// W3GUARD_BENCH_QUICK=1: the loads only (no OFFSET peer, integrity walk or plans), to try a change on a kept store.
const QUICK = process.env.W3GUARD_BENCH_QUICK === '1';
const CONNECTIONS = 50;
const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const WRK_SCRIPT = new URL('./wrk-paths.lua', import.meta.url).pathname;
const run = promisify(execFile);

// (a) The first pages users ask for: the default list, each filter alone, a pair, and free text. W3GUARD_BENCH_LISTS
// (query strings, comma-separated) asks for other lists instead: one list alone shows what it costs under load.
const FIRST_PAGES = process.env.W3GUARD_BENCH_LISTS ? process.env.W3GUARD_BENCH_LISTS.split(',') : [
  '', 'status=new', 'status=open', 'label=incident', 'label=14d', 'severity=critical', 'severity=low', 'asset=HOST7%2FW3SVC1',
  'rule=w3g-bench-rule-42', 'q=request%2017', 'q=host42', 'label=3d&severity=high', 'status=open&label=60d',
];
// (b) Sets deep enough for 1,000 pages of 50 at 1M findings; each gets cursors at 100, 200, … 1,000 pages.
const DEEP_SETS = ['', 'label=14d', 'severity=high'];
const DEPTHS = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000];

const ms = (n) => `${n.toFixed(1)} ms`;
const filterOf = (query) => Object.fromEntries(new URLSearchParams(query));

/** Starts `serve` and resolves with its URL once it answers. */
function startServe(db, env, extra = []) {
  const child = spawn(process.execPath, [MAIN, 'serve', '--db', db, '--listen', '127.0.0.1:0', '--rate-limit', '100000000', '--log-level', 'warn', ...extra], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk) => { errors = (errors + chunk).slice(-4000); });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve({ child, url: match[1], errors: () => errors });
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${errors}`)));
  });
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function token(db, env) {
  const { stdout } = await run(process.execPath, [MAIN, 'token', 'create', '--name', 'bench', '--role', 'viewer', '--db', db], { env });
  return stdout.trim();
}

/**
 * The load generator: autocannon, or wrk with `W3GUARD_BENCH_LOADER=wrk` (Debian's `wrk`). Both keep 50
 * connections busy, each sending its next request when the last answer came; they share the cores with the
 * server, and wrk spends about a sixth of autocannon's CPU a request (0.065 against 0.39 ms measured here).
 */
const LOADER = process.env.W3GUARD_BENCH_LOADER ?? 'autocannon';
if (LOADER === 'wrk' && spawnSync('wrk', ['--version']).error !== undefined) throw new Error('W3GUARD_BENCH_LOADER=wrk, but wrk is not installed (apt-get install wrk)');

/** Clock ticks a second of /proc's CPU times (USER_HZ: 100 on every Linux Node runs on). */
const TICKS = 100;

/**
 * CPU seconds (user + system, with their reaped children's) used so far by the processes of three groups: `serve` (the child and every process
 * under it), the database (PostgreSQL's backends, all of them) and the load generator (this process, where
 * autocannon runs, and wrk). Linux only (/proc); elsewhere undefined. A load's share of the 2 cores per group says
 * where its time goes: the p99 follows the slowest group's queue, not the server's alone.
 */
function cpuSeconds(servePid) {
  let entries;
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const procs = new Map();
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const rest = stat.slice(close + 2).split(' ');
      // Its own times and those of its children it has reaped: a backend that exits during a load (parallel
      // workers, a pool's idle connection, the seeding's) moves its time into the postmaster's, not out of the sum.
      procs.set(Number(pid), { comm, ppid: Number(rest[1]), cpu: (Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14])) / TICKS });
    } catch {
      // gone meanwhile
    }
  }
  const under = (pid, root) => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = procs.get(p)?.ppid ?? 0, hops += 1) if (p === root) return true;
    return false;
  };
  const out = { serve: 0, database: 0, loader: 0 };
  for (const [pid, p] of procs) {
    if (servePid !== undefined && under(pid, servePid)) out.serve += p.cpu;
    else if (p.comm === 'postgres' || p.comm.startsWith('postgres:')) out.database += p.cpu;
    else if (pid === process.pid || p.comm === 'wrk') out.loader += p.cpu;
  }
  return out;
}

/** `load`, with the CPU seconds each group spent during it (see `cpuSeconds`). */
async function measuredLoad(url, auth, paths, servePid) {
  const before = cpuSeconds(servePid);
  const result = await load(url, auth, paths);
  const after = cpuSeconds(servePid);
  if (before === undefined || after === undefined) return result;
  return { ...result, cpu: { serve: after.serve - before.serve, database: after.database - before.database, loader: after.loader - before.loader } };
}

async function load(url, auth, paths) {
  if (LOADER === 'wrk') return loadWrk(url, auth, paths);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { authorization: `Bearer ${auth}` },
    requests: [{ setupRequest: (request) => ({ ...request, path: paths[randomInt(paths.length)] }) }],
  });
  return {
    rps: result.requests.average, p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max,
    errors: result.errors + result.timeouts, non2xx: result.non2xx, total: result.requests.total,
  };
}

/** `load` by wrk (one thread, as many connections), the paths handed over in a file; timeouts after 10 s. */
async function loadWrk(url, auth, paths) {
  const list = join(mkdtempSync(join(tmpdir(), 'serve-bench-paths-')), 'paths.txt');
  writeFileSync(list, `${paths.join('\n')}\n`);
  try {
    const { stdout } = await run('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--timeout', '10s', '-s', WRK_SCRIPT, url], {
      env: { ...process.env, W3G_PATHS: list, W3G_TOKEN: auth },
      maxBuffer: 1 << 20,
    });
    const figures = JSON.parse(stdout.trim().split('\n').at(-1));
    return { rps: figures.requests / figures.seconds, p50: figures.p50, p90: figures.p90, p99: figures.p99, max: figures.max, errors: figures.errors, non2xx: figures.non2xx, total: figures.requests };
  } finally {
    rmSync(dirname(list), { recursive: true, force: true });
  }
}

/** GETs JSON; a dropped connection is tried again (a GET of the same cursor is the same page). */
async function getJson(url, auth) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = await fetch(url, { headers: { authorization: `Bearer ${auth}` } });
      if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
      return await response.json();
    } catch (error) {
      if (attempt >= 3 || String(error.message).startsWith('GET ')) throw error;
    }
  }
}

/** Follows nextCursor through `query` with pages of 500 and keeps the cursor at each depth (in pages of 50). */
async function collectCursors(url, auth, query) {
  const cursors = [];
  let cursor;
  let rows = 0;
  const want = new Set(DEPTHS.map((d) => d * 50));
  while (rows < DEPTHS.at(-1) * 50) {
    const page = await getJson(`${url}/api/v1/findings?limit=500${query ? `&${query}` : ''}${cursor ? `&cursor=${cursor}` : ''}`, auth);
    rows += page.items.length;
    cursor = page.nextCursor;
    if (!cursor) break;
    if (want.has(rows)) cursors.push({ query, depth: rows / 50, cursor, after: { key: page.items.at(-1).risk === null ? 1 : -page.items.at(-1).risk, fingerprint: page.items.at(-1).fingerprint } });
  }
  return cursors;
}

/** The list query as the server builds it, paged by OFFSET (the peer) instead of by keyset. */
function offsetQuery(db, filter, offset, now) {
  return selectWithEvidence(db)
    .select((eb) => eb.exists(suppressionOf(eb, now)).as('suppressed'))
    .select(orderKey(db).as('order_key'))
    .where((eb) => filterCondition(eb, filter, now))
    .orderBy(orderKey(db)).orderBy('f.fingerprint')
    .limit(51).offset(offset);
}

/** The keyset query exactly as pageFindings sends it (for its plan). */
function keysetQuery(db, filter, after, now) {
  const key = orderKey(db);
  return selectWithEvidence(db)
    .select((eb) => eb.exists(suppressionOf(eb, now)).as('suppressed'))
    .select(key.as('order_key'))
    .where(sql`(${key}, f.fingerprint) > (${after.key}, ${after.fingerprint})`)
    .where((eb) => filterCondition(eb, filter, now))
    .orderBy(key).orderBy('f.fingerprint')
    .limit(51);
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

async function timeMs(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Keyset (pageFindings, in this process) against OFFSET at the same depths, one query at a time, 3 rounds. */
async function keysetVsOffset(store, cursors) {
  const db = store.database;
  const now = new Date();
  const rows = [];
  for (const depth of [100, 500, 1000]) {
    const at = cursors.filter((c) => c.depth === depth);
    if (at.length === 0) continue;
    const keyset = [];
    const offset = [];
    for (let round = 0; round < 3; round += 1) {
      for (const c of at) {
        const filter = filterOf(c.query);
        keyset.push(await timeMs(() => pageFindings(db, filter, { limit: 50, after: c.after, now })));
        offset.push(await timeMs(() => offsetQuery(db, filter, depth * 50, now.toISOString()).execute()));
      }
    }
    rows.push({ depth, keyset: quantile(keyset, 0.5), keysetMax: Math.max(...keyset), offset: quantile(offset, 0.5), offsetMax: Math.max(...offset) });
  }
  return rows;
}

/** (c) Walks label=incident with pages of 500 while rows are inserted and deleted between pages. */
async function integrity(store, url, auth) {
  const db = store.database;
  const now = new Date().toISOString();
  const filter = { label: 'incident' };
  const before = new Set((await selectWithEvidence(db).clearSelect().select('f.fingerprint').where((eb) => filterCondition(eb, filter, now)).execute()).map((r) => r.fingerprint));
  const pool = [...before];
  const deleted = new Set();
  const inserted = new Set();
  const seen = new Set();
  let repeats = 0;
  let strangers = 0;
  let pages = 0;
  let cursor;
  do {
    const page = await getJson(`${url}/api/v1/findings?limit=500&label=incident${cursor ? `&cursor=${cursor}` : ''}`, auth);
    pages += 1;
    for (const item of page.items) {
      if (seen.has(item.fingerprint)) repeats += 1;
      if (!before.has(item.fingerprint) && !inserted.has(item.fingerprint)) strangers += 1;
      seen.add(item.fingerprint);
    }
    cursor = page.nextCursor;
    // Another client: 5 new incident findings at random risks (some land before the cursor, some after) and 5
    // deleted at random, each in its own transaction as a run would.
    for (let i = 0; i < 5; i += 1) {
      const source = pool[randomInt(pool.length)];
      const copy = `ins-${randomBytes(6).toString('hex')}`;
      await db.transaction().execute(async (trx) => {
        // Column lists spelt out: a copy under a new fingerprint and risk.
        const cols = await columnsOf(trx, 'findings');
        const rest = cols.filter((c) => c !== 'fingerprint' && c !== 'risk');
        const list = sql.join(rest.map((c) => sql.ref(c)));
        await sql`INSERT INTO findings (fingerprint, risk, ${list}) SELECT ${copy}, ${randomInt(1, 100)}, ${list} FROM findings WHERE fingerprint = ${source}`.execute(trx);
        await sql`INSERT INTO occurrences (run_id, fingerprint, occurrences, first_time, last_time, evidence) SELECT run_id, ${copy}, occurrences, first_time, last_time, evidence FROM occurrences WHERE fingerprint = ${source}`.execute(trx);
      });
      inserted.add(copy);
      const victim = pool.splice(randomInt(pool.length), 1)[0];
      await db.transaction().execute(async (trx) => {
        await sql`DELETE FROM occurrences WHERE fingerprint = ${victim}`.execute(trx);
        await sql`DELETE FROM history WHERE fingerprint = ${victim}`.execute(trx);
        await sql`DELETE FROM findings WHERE fingerprint = ${victim}`.execute(trx);
      });
      deleted.add(victim);
    }
  } while (cursor);
  const stayed = [...before].filter((fp) => !deleted.has(fp));
  const skipped = stayed.filter((fp) => !seen.has(fp)).length;
  const insertedSeen = [...inserted].filter((fp) => seen.has(fp)).length;
  return { rows: before.size, pages, returned: seen.size, repeats, skipped, strangers, deleted: deleted.size, inserted: inserted.size, insertedSeen, ok: repeats === 0 && skipped === 0 && strangers === 0 };
}

const columnCache = new Map();
async function columnsOf(db, table) {
  if (!columnCache.has(table)) {
    const tables = await db.introspection.getTables();
    // Without PostgreSQL's generated columns (0016-text-walk-postgres), which an INSERT may not name.
    const generated = db.getExecutor().adapter instanceof SqliteAdapter
      ? new Set()
      : new Set((await sql`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${table} AND is_generated <> 'NEVER'`.execute(db)).rows.map((r) => r.column_name));
    columnCache.set(table, tables.find((t) => t.name === table).columns.map((c) => c.name).filter((c) => !generated.has(c)));
  }
  return columnCache.get(table);
}

/** The plans of the hot list query: the default first page and a deep page of one label. */
async function plans(store, name, cursors) {
  const db = store.database;
  const now = new Date().toISOString();
  const deep = cursors.find((c) => c.query === 'label=14d' && c.depth === 1000) ?? cursors.at(-1);
  const queries = [
    ['first page, no filter', selectWithEvidence(db).select((eb) => eb.exists(suppressionOf(eb, now)).as('suppressed')).select(orderKey(db).as('order_key')).where((eb) => filterCondition(eb, {}, now)).orderBy(orderKey(db)).orderBy('f.fingerprint').limit(51)],
    [`page ${deep.depth} of ${deep.query || 'no filter'}`, keysetQuery(db, filterOf(deep.query), deep.after, now)],
    ['first page, q=request 17', selectWithEvidence(db).select((eb) => eb.exists(suppressionOf(eb, now)).as('suppressed')).select(orderKey(db).as('order_key')).where((eb) => filterCondition(eb, { q: 'request 17' }, now)).orderBy(orderKey(db)).orderBy('f.fingerprint').limit(51)],
  ];
  for (const [label, query] of queries) {
    const compiled = query.compile();
    const explain = store.dialect === 'postgres' ? 'EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ' : 'EXPLAIN QUERY PLAN ';
    const result = await db.executeQuery(CompiledQuery.raw(explain + compiled.sql, compiled.parameters));
    const lines = result.rows.map((r) => r['QUERY PLAN'] ?? r.detail);
    console.log(`${name} plan, ${label}:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  }
}

function table(name, rows) {
  console.log(`\n${name}: ${LOADER}, ${CONNECTIONS} connections, ${SECONDS} s each, ${cpus().length} CPUs shared by ${LOADER}, serve (${PROCESSES} process${PROCESSES === 1 ? "" : "es"}) and the database`);
  console.log(`${'load'.padEnd(28)} ${'req/s'.padStart(8)} ${'p50'.padStart(8)} ${'p90'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)} ${'errors'.padStart(7)} ${'non-2xx'.padStart(8)} ${'requests'.padStart(9)}`);
  for (const r of rows) {
    console.log(`${r.label.padEnd(28)} ${r.rps.toFixed(0).padStart(8)} ${ms(r.p50).padStart(8)} ${ms(r.p90).padStart(8)} ${ms(r.p99).padStart(8)} ${ms(r.max).padStart(8)} ${String(r.errors).padStart(7)} ${String(r.non2xx).padStart(8)} ${String(r.total).padStart(9)}${r.p99 < 100 ? '' : '  (p99 over 100 ms)'}`);
  }
  for (const r of rows) {
    if (r.cpu === undefined) continue;
    const perRequest = (seconds) => `${((seconds * 1000) / r.total).toFixed(2)} ms`;
    console.log(`  ${r.label}: CPU s (a request) — serve ${r.cpu.serve.toFixed(1)} (${perRequest(r.cpu.serve)}), database ${r.cpu.database.toFixed(1)} (${perRequest(r.cpu.database)}), ${LOADER} ${r.cpu.loader.toFixed(1)} (${perRequest(r.cpu.loader)}), of ${(SECONDS * cpus().length).toFixed(0)}`);
  }
}

async function bench(name, storeTarget, serveDb, openOptions, env, serveExtra) {
  const store = await openStore(storeTarget, openOptions);
  let serve;
  try {
    const seedStart = Date.now();
    const kept = KEEP && (await store.count('findings')) > 0;
    if (kept) {
      // The last run's integrity walk inserted and deleted rows: vacuum as autovacuum would have meanwhile.
      await sql.raw(store.dialect === 'postgres' ? 'VACUUM (ANALYZE) findings' : 'ANALYZE').execute(store.database);
      console.log(`${name}: ${await store.count('findings')} findings kept from an earlier run (W3GUARD_BENCH_KEEP)`);
    } else {
      const count = await seedStore(store, N);
      // A realistic mix of lifecycle states: some open, some fixed (the default list leaves fixed ones out).
      await sql`UPDATE findings SET status = CASE WHEN CAST(risk AS integer) % 10 = 0 THEN 'fixed' WHEN CAST(risk AS integer) % 3 = 0 THEN 'open' ELSE status END,
        fixed_at = CASE WHEN CAST(risk AS integer) % 10 = 0 THEN '2026-11-03T00:00:00.000Z' ELSE fixed_at END`.execute(store.database);
      // The update above wrote every row again: vacuum (PostgreSQL) so the pages are all-visible once more, as
      // autovacuum leaves them, or the free-text walk's index-only scan reads every row it passes.
      await sql.raw(store.dialect === 'postgres' ? 'VACUUM (ANALYZE) findings' : 'ANALYZE').execute(store.database);
      console.log(`${name}: seeded ${count} findings in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);
    }
    const auth = await token(serveDb, env);
    serve = await startServe(serveDb, env, [...serveExtra, '--processes', String(PROCESSES)]);
    const cursors = [];
    for (const query of DEEP_SETS) cursors.push(...(await collectCursors(serve.url, auth, query)));
    console.log(`${name}: ${cursors.length} deep cursors collected (pages ${DEPTHS[0]}–${DEPTHS.at(-1)} of 50)`);
    // Each list alone, one request at a time: which lists the loaded p99 comes from.
    const alone = [];
    for (const q of FIRST_PAGES) {
      const times = [];
      for (let i = 0; i < 5; i += 1) times.push(await timeMs(() => getJson(`${serve.url}/api/v1/findings?limit=50${q ? `&${q}` : ''}`, auth)));
      alone.push(`${q || '(default)'} ${quantile(times, 0.5).toFixed(1)}`);
    }
    console.log(`${name}: first page of each list alone, median of 5 (ms): ${alone.join(', ')}`);
    const rows = [];
    rows.push({ label: `(a) first pages, ${FIRST_PAGES.length} lists`, ...(await measuredLoad(serve.url, auth, FIRST_PAGES.map((q) => `/api/v1/findings?limit=50${q ? `&${q}` : ''}`), serve.child.pid)) });
    rows.push({ label: '(b) deep pages 100–1000', ...(await measuredLoad(serve.url, auth, cursors.map((c) => `/api/v1/findings?limit=50&cursor=${c.cursor}${c.query ? `&${c.query}` : ''}`), serve.child.pid)) });
    table(name, rows);
    // Only the loads: for trying a change against the same kept store, not for the figures in the README.
    if (QUICK) return { rows, peer: [], walk: { ok: true } };
    const peer = await keysetVsOffset(store, cursors);
    console.log(`\n${name}: keyset (pageFindings) vs OFFSET at the same depth, direct to the store, one at a time, median (max) of ${DEEP_SETS.length * 3}`);
    for (const p of peer) console.log(`  page ${String(p.depth).padStart(4)} (row ${p.depth * 50}): keyset ${ms(p.keyset)} (${ms(p.keysetMax)})  OFFSET ${ms(p.offset)} (${ms(p.offsetMax)})  OFFSET/keyset ${(p.offset / p.keyset).toFixed(1)}x`);
    const walk = await integrity(store, serve.url, auth);
    console.log(`\n${name}: (c) paging integrity, label=incident in pages of 500, 5 inserts + 5 deletes between pages: ${walk.rows} rows at start, ${walk.pages} pages, ${walk.returned} returned, ${walk.repeats} repeated, ${walk.skipped} skipped, ${walk.strangers} unknown, ${walk.insertedSeen}/${walk.inserted} inserted rows seen, ${walk.deleted} deleted — ${walk.ok ? 'OK' : 'FAILED'}`);
    await plans(store, name, cursors);
    return { rows, peer, walk };
  } finally {
    if (serve) await stop(serve.child);
    await store.close();
  }
}

const results = {};
const folder = mkdtempSync(join(tmpdir(), 'serve-bench-'));
// The stores of a kept run: a SQLite file in this folder and a PostgreSQL schema named after it.
const keptSqlite = KEEP ? join(KEEP, 'serve-bench.db') : undefined;
const env = { ...process.env, XDG_DATA_HOME: folder, W3GUARD_SECRET_KEY: randomBytes(32).toString('base64') };
try {
  if (ONLY !== 'postgres') {
    const file = keptSqlite ?? join(folder, 'bench.db');
    results.sqlite = await bench('SQLite', file, file, {}, env, []);
  }
  if (ONLY !== 'sqlite') {
    const schema = KEEP ? 'w3g_bench_kept' : `w3g_bench_${randomBytes(4).toString('hex')}`;
    const boss = `w3g_boss_${randomBytes(4).toString('hex')}`;
    const url = new URL(POSTGRES);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const admin = new pg.Client({ connectionString: POSTGRES });
    await admin.connect();
    try {
      results.postgres = await bench('PostgreSQL', POSTGRES, url.toString(), { schema }, env, ['--no-worker', '--jobs-schema', boss]);
    } finally {
      if (!KEEP) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.query(`DROP SCHEMA IF EXISTS ${boss} CASCADE`);
      await admin.end();
    }
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
if (results.sqlite && results.postgres) {
  console.log('\nPostgreSQL / SQLite p99:');
  for (let i = 0; i < results.sqlite.rows.length; i += 1) {
    console.log(`  ${results.sqlite.rows[i].label.padEnd(28)} ${(results.postgres.rows[i].p99 / results.sqlite.rows[i].p99).toFixed(2)}x`);
  }
}
const failed = Object.values(results).some((r) => !r.walk.ok || r.rows.some((row) => row.errors > 0 || row.non2xx > 0));
process.exitCode = failed ? 1 : 0;
