// Fills a store with N findings quickly: one real run of `base` findings recorded through the store (so every
// column is what a scan writes), then copies of those rows under new fingerprints, made by the database itself
// (INSERT … SELECT), until N rows exist. Risk, label, severity and asset vary across copies so filters select
// realistic fractions. Every copy gets its own occurrence row, as a recorded finding has.
import { fingerprint } from '../../dist/core/fingerprint.js';

const LABELS = ['incident', '3d-forensic', '3d', '14d', '60d', 'next-upgrade'];
const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'];

function finding(i, assets) {
  const ruleId = `w3g-bench-rule-${i % 200}`;
  const asset = `HOST${i % assets}/W3SVC${i % 7}`;
  const locationKey = `/app/${i}.aspx`;
  const label = LABELS[i % LABELS.length];
  const score = Math.max(1, 99 - (i % LABELS.length) * 16 - (i % 13));
  return {
    fingerprint: fingerprint(ruleId, asset, locationKey),
    ruleId, engine: 'bench', title: `Web shell request ${i % 200}`, description: 'benchmark finding', severity: SEVERITIES[i % 5],
    confidence: 'firm', category: 'bench', asset, locationKey, tags: ['attack.t1505.003'], references: [], occurrences: 1 + (i % 7),
    firstSeen: '2026-11-01T10:00:00.000Z', lastSeen: '2026-11-01T10:05:00.000Z',
    evidence: [{ kind: 'log-line', file: 'W3SVC1/u_ex261101.log', line: i + 1, text: `POST /upload/s${i}.aspx cmd=whoami 443 - 203.0.113.7 Mozilla/5.0 200 0 0 31`, time: 1_762_000_000_000 + i }],
    risk: score,
    priority: { label, score, dueAt: new Date(Date.UTC(2026, 11, 1 + (i % 60))).toISOString(), confidence: 1, modifiers: [], inputs: [] },
  };
}

/** Records `base` findings as one run, then multiplies them to `total` rows. Returns the row count. */
export async function seedStore(store, total, { base = 10_000, assets = 100 } = {}) {
  const at = '2026-11-02T00:00:00.000Z';
  const findings = Array.from({ length: Math.min(base, total) }, (_, i) => finding(i, assets));
  await store.recordRun({ command: 'bench', toolVersion: '0', startedAt: at, finishedAt: at, findings, keepFindings: false });
  const copies = Math.ceil(total / findings.length) - 1;
  if (copies <= 0) return store.count('findings');
  const db = store.database;
  const { sql } = await import('kysely');
  // Copy k gets fingerprint "<fp>~k", a risk shifted by k (so order interleaves copies) and another asset.
  const series = store.dialect === 'postgres'
    ? sql`SELECT generate_series(1, ${copies}) AS k`
    : sql`WITH RECURSIVE s(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < ${copies}) SELECT k FROM s`;
  const concat = (a, b) => (store.dialect === 'postgres' ? sql`${a} || ${b}` : sql`${a} || ${b}`);
  const columns = ['rule_id', 'engine', 'location_key', 'severity', 'severity_rank', 'confidence', 'category', 'title', 'description', 'tags', 'references',
    'remediation', 'status', 'first_seen', 'last_seen', 'fixed_at', 'occurrences', 'times_seen', 'reopened_count', 'first_run_id', 'last_run_id', 'due_at', 'priority_label', 'priority'];
  const list = sql.join(columns.map((c) => sql.ref(c)));
  const cast = store.dialect === 'postgres' ? (e) => sql`CAST(${e} AS text)` : (e) => e;
  await sql`INSERT INTO findings (fingerprint, asset, risk, ${list})
    SELECT ${concat(sql.ref('f.fingerprint'), concat(sql.lit('~'), cast(sql.ref('s.k'))))},
           ${concat(sql.lit('HOST'), concat(cast(sql`(s.k % ${assets})`), sql.lit('/W3SVC1')))},
           (CAST(f.risk AS integer) + s.k * 7) % 99 + 1, ${list}
    FROM findings f CROSS JOIN (${series}) s
    WHERE f.fingerprint NOT LIKE '%~%'`.execute(db);
  // Each copy needs its occurrence row too: lists join a finding to its latest run's evidence, and a copy without
  // one would never be listed.
  await sql`INSERT INTO occurrences (run_id, fingerprint, occurrences, first_time, last_time, evidence)
    SELECT o.run_id, ${concat(sql.ref('o.fingerprint'), concat(sql.lit('~'), cast(sql.ref('s.k'))))}, o.occurrences, o.first_time, o.last_time, o.evidence
    FROM occurrences o CROSS JOIN (${series}) s
    WHERE o.fingerprint NOT LIKE '%~%'`.execute(db);
  // The copies past `total` (the last copy may overshoot) are removed so the count is exact.
  const n = await store.count('findings');
  if (n > total) {
    const extra = sql`SELECT fingerprint FROM findings WHERE fingerprint LIKE '%~%' ORDER BY fingerprint DESC LIMIT ${n - total}`;
    await sql`DELETE FROM occurrences WHERE fingerprint IN (${extra})`.execute(db);
    await sql`DELETE FROM findings WHERE fingerprint IN (${extra})`.execute(db);
  }
  // As autovacuum leaves a store between scans: statistics, and pages marked all-visible, which index-only scans
  // (the free-text walk, 0016) need to skip reading rows.
  if (store.dialect === 'postgres') await sql`VACUUM (ANALYZE) findings`.execute(db);
  else await sql`ANALYZE`.execute(db);
  return store.count('findings');
}
