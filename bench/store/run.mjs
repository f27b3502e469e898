// Times the findings store on SQLite and PostgreSQL at scale: recording a run of N findings (all new), the same
// run again (all open), listing one site's open findings and the open findings of one priority, and the store's
// size; prints the query plans of the listings and of the closing join. Findings are generated one batch at a
// time and recorded with `keepFindings: false`, so memory stays flat however large N is.
// Usage: npm run bench:store [-- N]  (default 1,000,000; PostgreSQL from W3GUARD_BENCH_POSTGRES, default the
// machine's server; W3GUARD_BENCH_ONLY=sqlite|postgres runs one backend)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import Database from 'better-sqlite3';
import pg from 'pg';
import { fingerprint } from '../../dist/core/fingerprint.js';
import { openStore } from '../../dist/store/open-store.js';

const N = Number(process.argv[2] ?? 1_000_000);
const POSTGRES = process.env.W3GUARD_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const ONLY = process.env.W3GUARD_BENCH_ONLY;
const RULES = 200;
const ASSETS = 50;
const LABELS = ['incident', '3d-forensic', '3d', '14d', '60d', 'next-upgrade'];

function finding(i) {
  const ruleId = `w3g-bench-rule-${i % RULES}`;
  const asset = `HOST/W3SVC${Math.floor(i / RULES) % ASSETS}`;
  const locationKey = `203.0.${Math.floor(i / 256) % 256}.${i % 256}/${i}`;
  const label = LABELS[i % LABELS.length];
  const score = 95 - (i % LABELS.length) * 15 + (i % 10);
  return {
    fingerprint: fingerprint(ruleId, asset, locationKey),
    ruleId, engine: 'bench', title: `Rule ${i % RULES}`, description: 'benchmark finding', severity: ['info', 'low', 'medium', 'high', 'critical'][i % 5],
    confidence: 'firm', category: 'bench', asset, locationKey, tags: ['attack.t1190'], references: [], occurrences: 1 + (i % 7),
    firstSeen: '2026-11-01T10:00:00.000Z', lastSeen: '2026-11-01T10:05:00.000Z',
    evidence: [{ kind: 'log-line', file: `W3SVC1/u_ex261101.log`, line: i + 1, text: `GET /a.aspx q=${i} 443 - 203.0.113.7 Mozilla/5.0 200 0 0 31`, time: 1_762_000_000_000 + i }],
    risk: score,
    priority: { label, score, dueAt: new Date(Date.UTC(2026, 11, 1 + (i % 60))).toISOString(), confidence: 1, modifiers: [], inputs: [{ name: 'kev', value: i % 3 === 0, source: 'bench' }] },
  };
}

/** The N findings, made as they are read: never all in memory. */
function* generate(keep = () => true) {
  for (let i = 0; i < N; i += 1) if (keep(i)) yield finding(i);
}

const coverage = [];
for (let r = 0; r < RULES; r += 1) for (let a = 0; a < ASSETS; a += 1) coverage.push({ ruleId: `w3g-bench-rule-${r}`, asset: `HOST/W3SVC${a}` });
let minute = 0;
const run = (findings) => {
  minute += 1;
  const at = new Date(Date.UTC(2026, 10, 2, 0, minute)).toISOString();
  return { command: 'bench', toolVersion: '0', startedAt: at, finishedAt: at, findings, coverage, keepFindings: false };
};

let peakRss = 0;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 200);

/** Wall time, and this process's CPU time (the PostgreSQL server's own is not in it): on a shared machine the second says more. */
async function time(label, fn) {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return { label, ms, cpuMs: (used.user + used.system) / 1000, result };
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function bench(name, open, size, plans, cleanup) {
  const store = await open();
  try {
    const rows = [];
    rows.push(await time(`record ${N} new`, () => store.recordRun(run(generate()))));
    rows.push(await time(`record ${N} again (open)`, () => store.recordRun(run(generate()))));
    rows.push(await time('list open on one site', () => store.listFindings({ now: new Date(), status: 'open', asset: 'HOST/W3SVC7' })));
    rows.push(await time('list open, priority 3d, by risk', () => store.listFindings({ now: new Date(), status: 'open', priority: '3d', sort: 'risk' })));
    for (const { label, ms, cpuMs, result } of rows) {
      const extra = Array.isArray(result) ? `${result.length} listed` : `${result.counts.new} new, ${result.counts.open} open, ${result.counts.fixed} fixed`;
      const rate = Array.isArray(result) ? '' : `${Math.round((N / ms) * 1000).toString().padStart(8)} findings/s`;
      console.log(`${name.padEnd(10)} ${label.padEnd(32)} ${(ms / 1000).toFixed(2).padStart(7)} s  (CPU ${(cpuMs / 1000).toFixed(1)} s)  ${rate.padEnd(20)} (${extra})`);
    }
    rows.push({ label: 'store size', bytes: await size() });
    console.log(`${name.padEnd(10)} ${'store size'.padEnd(32)} ${mb(rows.at(-1).bytes)}; peak RSS so far ${mb(peakRss)}`);
    await plans();
    return rows;
  } finally {
    await store.close();
    await cleanup();
  }
}

// The listing and closing queries as the store issues them (see src/store/finding-store.ts), for the plans.
const LIST_BY_ASSET = `select f.*, o.evidence from findings f join occurrences o on o.run_id = f.last_run_id and o.fingerprint = f.fingerprint
  where f.status = 'open' and f.asset = 'HOST/W3SVC7' and not exists (select 1 from suppressions s where (s.fingerprint = f.fingerprint or (s.rule_id = f.rule_id and s.asset = f.asset)) and (s.expires_at is null or s.expires_at > '2026-12-01'))`;
const LIST_BY_PRIORITY = `select f.*, o.evidence from findings f join occurrences o on o.run_id = f.last_run_id and o.fingerprint = f.fingerprint
  where f.status = 'open' and f.priority_label = '3d'`;
const CLOSING = `select f.fingerprint from findings f join occurrences o on o.run_id = f.last_run_id and o.fingerprint = f.fingerprint
  join coverage c on c.rule_id = f.rule_id and c.asset = f.asset where c.run_id = 2 and f.status <> 'fixed' and f.last_run_id <> 2`;

const folder = mkdtempSync(join(tmpdir(), 'store-scale-bench-'));
const file = join(folder, 'bench.db');
let sqlite;
if (ONLY !== 'postgres') {
  sqlite = await bench(
    'SQLite',
    () => openStore(file),
    async () => {
      // The WAL folded into the file first, so the figure is the store, not the journal of its last run.
      const db = new Database(file);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      return [file, `${file}-wal`, `${file}-shm`].filter((f) => existsSync(f)).reduce((sum, f) => sum + statSync(f).size, 0);
    },
    async () => {
      const db = new Database(file, { readonly: true });
      for (const [label, query] of [['list by site', LIST_BY_ASSET], ['list by priority', LIST_BY_PRIORITY], ['closing join', CLOSING]]) {
        console.log(`SQLite plan, ${label}:\n${db.prepare(`EXPLAIN QUERY PLAN ${query}`).all().map((r) => `  ${r.detail}`).join('\n')}`);
      }
      db.close();
    },
    async () => rmSync(folder, { recursive: true, force: true }),
  );
}
const schema = `w3g_bench_${randomBytes(4).toString('hex')}`;
let postgres;
if (ONLY !== 'sqlite') {
  const query = async (text) => {
    const client = new pg.Client({ connectionString: POSTGRES, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      return (await client.query(text)).rows;
    } finally {
      await client.end();
    }
  };
  try {
    postgres = await bench(
      'PostgreSQL',
      () => openStore(POSTGRES, { schema }),
      async () => Number((await query(`select sum(pg_total_relation_size(c.oid)) as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = '${schema}' and c.relkind = 'r'`))[0].n),
      async () => {
        await query('analyze');
        for (const [label, text] of [['list by site', LIST_BY_ASSET], ['list by priority', LIST_BY_PRIORITY], ['closing join', CLOSING]]) {
          console.log(`PostgreSQL plan, ${label}:\n${(await query(`EXPLAIN ${text}`)).map((r) => `  ${r['QUERY PLAN']}`).join('\n')}`);
        }
      },
      async () => query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
    );
  } catch (error) {
    console.log(`PostgreSQL skipped: ${error instanceof Error ? error.message : String(error)}`);
  }
}
if (postgres !== undefined && sqlite !== undefined) {
  for (const [i, row] of sqlite.entries()) {
    const other = postgres[i];
    const ratio = row.ms === undefined ? other.bytes / row.bytes : other.ms / row.ms;
    console.log(`ratio PostgreSQL/SQLite  ${row.label.padEnd(32)} ${ratio.toFixed(2)}×`);
  }
}
clearInterval(sampler);
console.log(`peak RSS ${mb(peakRss)}`);
