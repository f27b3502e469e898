// Times the findings store on SQLite and PostgreSQL: recording a run of N findings (all new), the same run
// again (all open), then a run that finds half of them (half fixed), and listing the open ones.
// Usage: npm run bench:store [-- N]  (PostgreSQL from W3GUARD_BENCH_POSTGRES, default the machine's server)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { fingerprint } from '../../dist/core/fingerprint.js';
import { openStore } from '../../dist/store/open-store.js';

const N = Number(process.argv[2] ?? 100_000);
const POSTGRES = process.env.W3GUARD_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const RULES = 200;
const ASSETS = 50;

function finding(i) {
  const ruleId = `w3g-bench-rule-${i % RULES}`;
  const asset = `HOST/W3SVC${Math.floor(i / RULES) % ASSETS}`;
  const locationKey = `203.0.${Math.floor(i / 256) % 256}.${i % 256}/${i}`;
  return {
    fingerprint: fingerprint(ruleId, asset, locationKey),
    ruleId, engine: 'bench', title: `Rule ${i % RULES}`, description: 'benchmark finding', severity: ['info', 'low', 'medium', 'high', 'critical'][i % 5],
    confidence: 'firm', category: 'bench', asset, locationKey, tags: ['attack.t1190'], references: [], occurrences: 1 + (i % 7),
    firstSeen: '2026-11-01T10:00:00.000Z', lastSeen: '2026-11-01T10:05:00.000Z',
    evidence: [{ kind: 'log-line', file: `W3SVC1/u_ex261101.log`, line: i + 1, text: `GET /a.aspx q=${i} 443 - 203.0.113.7 Mozilla/5.0 200 0 0 31`, time: 1_762_000_000_000 + i }],
  };
}

const all = Array.from({ length: N }, (_, i) => finding(i));
const coverage = [];
for (let r = 0; r < RULES; r += 1) for (let a = 0; a < ASSETS; a += 1) coverage.push({ ruleId: `w3g-bench-rule-${r}`, asset: `HOST/W3SVC${a}` });
let minute = 0;
const run = (findings) => {
  minute += 1;
  const at = new Date(Date.UTC(2026, 10, 2, 0, minute)).toISOString();
  return { command: 'bench', toolVersion: '0', startedAt: at, finishedAt: at, findings, coverage };
};

async function time(label, fn) {
  const start = process.hrtime.bigint();
  const result = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { label, ms, result };
}

async function bench(name, open, cleanup) {
  const store = await open();
  try {
    const rows = [];
    rows.push(await time(`record ${N} new`, () => store.recordRun(run(all))));
    rows.push(await time(`record ${N} again (open)`, () => store.recordRun(run(all))));
    rows.push(await time(`record ${N / 2} (${N / 2} fixed)`, () => store.recordRun(run(all.filter((_, i) => i % 2 === 0)))));
    rows.push(await time('list open', () => store.listFindings({ now: new Date() })));
    for (const { label, ms, result } of rows) {
      const extra = Array.isArray(result) ? `${result.length} listed` : `${result.fixed.length} fixed`;
      console.log(`${name.padEnd(10)} ${label.padEnd(28)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${Math.round((N / ms) * 1000).toString().padStart(8)} findings/s  (${extra})`);
    }
    return rows;
  } finally {
    await store.close();
    await cleanup();
  }
}

const folder = mkdtempSync(join(tmpdir(), 'w3guard-bench-store-'));
const sqlite = await bench('SQLite', () => openStore(join(folder, 'bench.db')), async () => rmSync(folder, { recursive: true, force: true }));
const schema = `w3g_bench_${randomBytes(4).toString('hex')}`;
let postgres;
try {
  postgres = await bench('PostgreSQL', () => openStore(POSTGRES, { schema }), async () => {
    const client = new pg.Client({ connectionString: POSTGRES });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });
} catch (error) {
  console.log(`PostgreSQL skipped: ${error instanceof Error ? error.message : String(error)}`);
}
if (postgres !== undefined) {
  for (const [i, row] of sqlite.entries()) console.log(`ratio PostgreSQL/SQLite  ${row.label.padEnd(28)} ${(postgres[i].ms / row.ms).toFixed(2)}×`);
}
