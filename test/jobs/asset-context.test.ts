import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PriorityInput } from '../../src/core/priority.js';
import { requestScan, getScan, type ScanView } from '../../src/store/scan-store.js';
import { jobHandlers } from '../../src/jobs/scan-jobs.js';
import { runAnnouncer } from '../../src/notify/announce-runs.js';
import { dispatchNotifications } from '../../src/notify/dispatch-notifications.js';
import type { NotifyEvent } from '../../src/notify/notify-event.js';
import { NotifyRuntime } from '../../src/notify/send-message.js';
import { upsertAsset } from '../../src/store/asset-registry.js';
import { createChannel, createRule } from '../../src/store/notify-store.js';
import { postgresDown } from '../e2e/test-postgres.js';
import { httpSink, WEBHOOK_SECRET } from '../notify/notify-fixtures.js';
import { plantedRoot, type PlantedRoot } from './host-root.js';
import { openBench, until, type Bench, type Dialect } from './job-fixtures.js';

const pgDown = await postgresDown('asset registry in server runs on PostgreSQL');
const DIALECTS: readonly Dialect[] = pgDown === undefined ? ['sqlite', 'postgres'] : ['sqlite'];

let bench: Bench | undefined;
const planted: PlantedRoot[] = [];
afterEach(async () => {
  await bench?.close();
  bench = undefined;
  for (const p of planted.splice(0)) rmSync(p.dir, { recursive: true, force: true });
});

/** A planted host root whose host is called `name` (the folder's name is the host's when no w3guard.yaml names it). */
function hostNamed(name: string): PlantedRoot & { readonly host: string } {
  const p = plantedRoot();
  const root = join(p.dir, name);
  renameSync(p.root, root);
  const renamed = { ...p, root, shell: p.shell.replace(p.root, root), host: name };
  planted.push(renamed);
  return renamed;
}

async function settled(b: Bench, id: number): Promise<ScanView> {
  return until(`scan ${id}`, async () => {
    const scan = await getScan(b.deps, id);
    return scan.state === 'done' || scan.state === 'failed' ? scan : undefined;
  }, 60_000);
}

const exposureOf = async (b: Bench, asset: string): Promise<PriorityInput | undefined> => {
  const found = (await b.store.listFindings({ now: new Date() })).find((f) => f.asset === asset);
  return found?.priority?.inputs.find((input) => input.name === 'publiclyExposed');
};

describe.each(DIALECTS)('the asset registry in server runs on %s', (dialect) => {
  it('routes a tag-limited rule by the registry\'s tags, and the next run is prioritized with the registry\'s exposure', async () => {
    const b = await openBench(dialect);
    bench = b;
    const tagged = hostNamed('WEB7');
    const other = hostNamed('WEB8');
    const deps = { ...b.deps, announcer: runAnnouncer(b.deps) };
    const sink = await httpSink([{ status: 200 }]);
    const runtime = new NotifyRuntime();
    try {
      const hook = await createChannel(b.store.database, b.deps.secretKey, { kind: 'webhook', name: 'pci-soc', config: { url: `${sink.url}/webhook`, secret: WEBHOOK_SECRET }, createdBy: 'admin', now: new Date() });
      await createRule(b.store.database, { channelId: hook, events: ['finding.created'], assetTags: ['pci'], mode: 'instant', createdBy: 'admin', now: new Date() });
      await upsertAsset(b.store.database, 'WEB7', { tags: ['pci'] }, 'op', new Date());
      await b.queue.work(jobHandlers(deps, { allowedRoots: [tagged.dir, other.dir] }));

      const first = await settled(b, await requestScan(b.deps, { kind: 'host', targets: [tagged.root, other.root], by: 'op' }));
      expect(first.state, first.error).toBe('done');
      // Both hosts have the planted web shell; only the tagged one carries the tag into the outbox.
      const outbox = await b.store.database.selectFrom('notify_outbox').select(['asset', 'asset_tags']).where('event', '=', 'finding.created').execute();
      expect(new Set(outbox.map((row) => row.asset))).toEqual(new Set(['WEB7', 'WEB8']));
      for (const row of outbox) expect(JSON.parse(row.asset_tags)).toEqual(row.asset === 'WEB7' ? ['pci'] : []);
      await dispatchNotifications(b.deps, { runtime });
      await until('the webhook', async () => (sink.received.length > 0 ? true : undefined));
      const sent = await b.store.database.selectFrom('notify_deliveries').select('payload').where('channel_id', '=', hook).execute();
      const assets = sent.flatMap((row) => (JSON.parse(row.payload) as NotifyEvent[]).map((event) => (event.data['finding'] as { asset: string }).asset));
      expect(assets.length).toBeGreaterThan(0);
      expect(new Set(assets)).toEqual(new Set(['WEB7']));
      const bodies = sink.received.map((r) => (JSON.parse(r.body) as { data: { finding: { asset: string } } }).data.finding.asset);
      expect(new Set(bodies)).toEqual(new Set(['WEB7']));

      // Nothing said about exposure yet: assumed public.
      expect(await exposureOf(b, 'WEB7')).toMatchObject({ value: true, source: 'ssvc-default', assumed: true });
      await upsertAsset(b.store.database, 'WEB7', { exposure: 'internal' }, 'op', new Date());
      const second = await settled(b, await requestScan(b.deps, { kind: 'host', targets: [tagged.root, other.root], by: 'op' }));
      expect(second.state, second.error).toBe('done');
      expect(await exposureOf(b, 'WEB7')).toEqual({ name: 'publiclyExposed', value: false, source: 'asset-registry', detail: 'exposure internal' });
      // The host without a registry entry is as before.
      expect(await exposureOf(b, 'WEB8')).toMatchObject({ value: true, source: 'ssvc-default', assumed: true });
    } finally {
      runtime.close();
      await sink.close();
    }
  }, 180_000);
});
