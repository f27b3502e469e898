// Times the dashboard's queries over a store of N findings with a realistic history, on SQLite and PostgreSQL:
// seed-store.mjs fills the findings, then each finding gets a `new` change on one of the last 120 days, a third
// of them a `fixed` change up to 40 days later (the finding marked fixed), and one in twelve of those a
// `reopened` change after it. Each part of GET /api/v1/dashboard is timed alone (median of 7), then the whole
// answer. W3GUARD_BENCH_KEEP=path keeps the stores (path.db, a schema) and W3GUARD_BENCH_REUSE=1 times them again.
// Usage: npm run build && node bench/serve/dashboard.mjs [N]  (default 100,000; W3GUARD_BENCH_ONLY=sqlite|postgres)
/* global performance -- Node 20's own */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../dist/store/open-store.js';
import * as queries from '../../dist/store/dashboard-queries.js';
import { seedStore } from './seed-store.mjs';

const N = Number(process.argv[2] ?? 100_000);
const POSTGRES = process.env.W3GUARD_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const ONLY = process.env.W3GUARD_BENCH_ONLY;
const DAY = 86_400_000;
const NOW = new Date(Date.UTC(2026, 10, 30, 12));

/** Gives every finding a history over the last 120 days, and the status that history ends in. */
async function seedHistory(store) {
  const db = store.database;
  await db.deleteFrom('history').execute();
  const rows = await db.selectFrom('findings').select('fingerprint').orderBy('fingerprint').execute();
  const runId = (await db.selectFrom('runs').select('id').executeTakeFirstOrThrow()).id;
  const fixed = [];
  const reopened = [];
  let batch = [];
  const flush = async () => {
    if (batch.length > 0) await db.insertInto('history').values(batch).execute();
    batch = [];
  };
  for (const [i, { fingerprint }] of rows.entries()) {
    const opened = NOW.getTime() - (1 + ((i * 7919) % 120)) * DAY;
    batch.push({ fingerprint, run_id: runId, from_status: null, to_status: 'new', at: new Date(opened).toISOString(), actor: null, note: null });
    const closed = opened + (1 + (i % 40)) * DAY;
    if (i % 3 === 0 && closed < NOW.getTime()) {
      batch.push({ fingerprint, run_id: runId, from_status: 'new', to_status: 'fixed', at: new Date(closed).toISOString(), actor: null, note: null });
      const again = closed + 3 * DAY;
      if (i % 36 === 0 && again < NOW.getTime()) {
        batch.push({ fingerprint, run_id: runId, from_status: 'fixed', to_status: 'reopened', at: new Date(again).toISOString(), actor: null, note: null });
        reopened.push(fingerprint);
      } else fixed.push([fingerprint, new Date(closed).toISOString()]);
    }
    if (batch.length >= 500) await flush();
  }
  await flush();
  for (let k = 0; k < fixed.length; k += 500) {
    const part = fixed.slice(k, k + 500);
    await db.updateTable('findings').set({ status: 'fixed' }).where('fingerprint', 'in', part.map(([f]) => f)).execute();
  }
  for (let k = 0; k < reopened.length; k += 500) await db.updateTable('findings').set({ status: 'reopened' }).where('fingerprint', 'in', reopened.slice(k, k + 500)).execute();
  const { sql } = await import('kysely');
  await sql`update findings set fixed_at = (select max(h.at) from history h where h.fingerprint = findings.fingerprint and h.to_status = 'fixed') where status = 'fixed'`.execute(db);
  if (store.dialect === 'postgres') await sql`ANALYZE`.execute(db);
  else await sql`ANALYZE`.execute(db);
  return { history: Number((await db.selectFrom('history').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), fixed: fixed.length, reopened: reopened.length };
}

/**
 * Median wall time of 7 calls, and the median CPU time this process spent in them: on SQLite (which runs in
 * this process) the CPU time is what the call costs on an idle machine, whatever else shares the cores.
 */
async function median(fn, times = 7) {
  const ms = [];
  const cpu = [];
  for (let k = 0; k < times; k += 1) {
    const start = performance.now();
    const used = process.cpuUsage();
    await fn();
    const spent = process.cpuUsage(used);
    ms.push(performance.now() - start);
    cpu.push((spent.user + spent.system) / 1000);
  }
  const mid = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return `${mid(ms).toFixed(1)} ms (CPU here ${mid(cpu).toFixed(1)} ms)`;
}

/** The dashboard's parts this build has, each timed alone, then the whole answer. */
function parts(db) {
  const sizes = { seriesDays: 30, weeks: 12, timeToFixDays: 90, actNow: 20, topAssets: 10, freshnessAssets: 20 };
  const all = {
    // Before the one-pass dashboard (kept so a checkout of either can be timed with this script).
    countOpenByLabel: queries.countOpenByLabel && (() => queries.countOpenByLabel(db, NOW)),
    actNow: queries.actNow && (() => queries.actNow(db, NOW, 20)),
    assetFreshness: queries.assetFreshness && (() => queries.assetFreshness(db, 20)),
    summarizeAssets: () => queries.summarizeAssets(db, NOW, { limit: 10 }),
    // Its parts now.
    actNowItems: queries.actNowItems && (() => queries.actNowItems(db, NOW, 20)),
    dailyOpenSeries: () => (queries.readDashboard ? queries.dailyOpenSeries(db, NOW, 30, new Map()) : queries.dailyOpenSeries(db, NOW, 30)),
    weeklyChanges: queries.weeklyChanges && (() => queries.weeklyChanges(db, NOW, 12)),
    timeToFix: queries.timeToFix && (() => queries.timeToFix(db, NOW, 90)),
    feedDates: queries.feedDates && (() => queries.feedDates(db, NOW)),
    failingSchedules: () => queries.failingSchedules(db),
    readDashboard: queries.readDashboard && (() => queries.readDashboard(db, NOW, sizes)),
  };
  return Object.entries(all).filter(([, fn]) => typeof fn === 'function');
}

async function bench(name, target, options) {
  const store = await openStore(target, options);
  try {
    // W3GUARD_BENCH_REUSE=1 keeps a store seeded by an earlier run (its file or schema named by W3GUARD_BENCH_KEEP).
    const reuse = process.env.W3GUARD_BENCH_REUSE === '1' && (await store.count('findings')) > 0;
    if (!reuse) {
      const seeded = await seedStore(store, N);
      const history = await seedHistory(store);
      console.log(`\n${name}: ${seeded} findings, ${history.history} history rows (${history.fixed} fixed, ${history.reopened} reopened)`);
    } else console.log(`\n${name}: reused store of ${await store.count('findings')} findings`);
    for (const [part, fn] of parts(store.database)) console.log(`  ${part.padEnd(18)} ${await median(fn)}`);
  } finally {
    await store.close();
  }
}

if (ONLY !== 'postgres') {
  const keep = process.env.W3GUARD_BENCH_KEEP;
  const dir = keep === undefined ? mkdtempSync(join(tmpdir(), 'w3g-dash-')) : undefined;
  try {
    await bench('SQLite', keep === undefined ? join(dir, 'store.db') : `${keep}.db`, {});
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}
if (ONLY !== 'sqlite') {
  const keep = process.env.W3GUARD_BENCH_KEEP;
  const schema = keep === undefined ? `w3g_bench_${randomBytes(4).toString('hex')}` : `w3g_keep_${keep.replace(/\W/g, '_').slice(-20)}`;
  const url = new URL(POSTGRES);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const admin = new pg.Client({ connectionString: POSTGRES });
  await admin.connect();
  try {
    await bench('PostgreSQL', url.toString(), { schema });
  } finally {
    if (keep === undefined) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}
