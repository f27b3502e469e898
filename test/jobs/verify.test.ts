import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requestVerify } from '../../src/jobs/request-verify.js';
import { jobHandlers, rootAllowed } from '../../src/jobs/scan-jobs.js';
import { getScan, requestScan, type ScanView } from '../../src/store/scan-store.js';
import { startSiteProfiles, startSwitchableSite, type SiteProfiles, type SwitchableSite as Site } from '../fixtures/switchable-site.js';
import { postgresDown } from '../e2e/test-postgres.js';
import { openBench, until, type Bench, type Dialect } from './job-fixtures.js';
import { plantedRoot, type PlantedRoot } from './host-root.js';

const pgDown = await postgresDown('PostgreSQL verify tests');
const DIALECTS: readonly Dialect[] = pgDown === undefined ? ['sqlite', 'postgres'] : ['sqlite'];

let profiles: SiteProfiles;
beforeAll(async () => {
  profiles = await startSiteProfiles();
});
afterAll(async () => {
  await profiles.close();
});

const startSite = (): Promise<Site> => startSwitchableSite(profiles);

let bench: Bench | undefined;
let site: Site | undefined;
let planted: PlantedRoot | undefined;
afterEach(async () => {
  await site?.close();
  await bench?.close();
  if (planted !== undefined) rmSync(planted.dir, { recursive: true, force: true });
  bench = undefined;
  site = undefined;
  planted = undefined;
});

async function settled(b: Bench, id: number): Promise<ScanView> {
  return until(`scan ${id}`, async () => {
    const scan = await getScan(b.deps, id);
    return scan.state === 'done' || scan.state === 'failed' ? scan : undefined;
  }, 60_000);
}

describe.each(DIALECTS)('verify on %s', (dialect) => {
  it('a loopback site scan finds the planted problem; verify leaves it open while it is there and marks it fixed once the site is fixed', async () => {
    const b = await openBench(dialect);
    bench = b;
    const s = await startSite();
    site = s;
    await b.queue.work(jobHandlers(b.deps));
    const scan = await settled(b, await requestScan(b.deps, { kind: 'scan', targets: [s.url], by: 'op' }));
    expect(scan.state, scan.error).toBe('done');
    const found = await b.store.listFindings({ now: new Date() });
    // A problem the clean site does not have: the planted one to fix.
    const target = found.find((f) => f.ruleId === 'w3g-http-viewstate-no-mac');
    expect(target, found.map((f) => f.ruleId).join(', ')).toBeDefined();
    const fingerprint = target?.fingerprint ?? '';
    const others = found.length;

    const stillThere = await settled(b, await requestVerify(b.deps, fingerprint, 'op'));
    expect(stillThere).toMatchObject({ state: 'done', kind: 'verify', verify: { fingerprint, result: 'open' } });

    s.fixed = true;
    const afterFix = await settled(b, await requestVerify(b.deps, fingerprint, 'op'));
    expect(afterFix).toMatchObject({ state: 'done', verify: { fingerprint, result: 'fixed' } });
    const now = await b.store.listFindings({ now: new Date(), status: 'fixed' });
    expect(now.map((f) => f.fingerprint)).toEqual([fingerprint]);
    // Only that finding was judged: the others stay as they were.
    expect(await b.store.listFindings({ now: new Date() })).toHaveLength(others - 1);
    await expect(requestVerify(b.deps, 'no-such-fingerprint', 'op')).rejects.toMatchObject({ status: 404 });
  }, 120_000);

  it('a host finding is re-checked on the host root of the scan that found it', async () => {
    const b = await openBench(dialect);
    bench = b;
    const p = plantedRoot();
    planted = p;
    await b.queue.work(jobHandlers(b.deps, { allowedRoots: [p.dir] }));
    const scan = await settled(b, await requestScan(b.deps, { kind: 'host', targets: [p.root], by: 'op' }));
    expect(scan.state, scan.error).toBe('done');
    const shell = (await b.store.listFindings({ now: new Date() })).find((f) => f.ruleId === p.ruleId);
    expect(shell?.asset).toBe('WEB7');
    rmSync(p.shell);
    const verified = await settled(b, await requestVerify(b.deps, shell?.fingerprint ?? '', 'op'));
    expect(verified).toMatchObject({ state: 'done', verify: { result: 'fixed' } });
    // A root outside the allowed folders is refused at once, without retries.
    const refused = await settled(b, await requestScan(b.deps, { kind: 'host', targets: ['/etc'], by: 'op' }));
    expect(refused).toMatchObject({ state: 'failed', error: 'this worker may not read "/etc": start it with --allow-root naming that folder or one above it.' });
    expect(rootAllowed(`${p.dir}/../elsewhere`, [p.dir])).toBe(false);
  }, 120_000);
});
