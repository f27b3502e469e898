import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, pageFindings } from './finding-page.js';
import type { FindingStore } from './finding-store.js';
import { openStore } from './open-store.js';

describe('finding pages', () => {
  let dir: string;
  let store: FindingStore;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'w3g-page-'));
    store = await openStore(path.join(dir, 'store.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads findings in page order from the findings_risk_order index, without sorting them', async () => {
    const plan = await sql<{ detail: string }>`explain query plan select f.fingerprint from findings as f order by coalesce(-f.risk, 1), f.fingerprint limit 50`.execute(store.database);
    const details = plan.rows.map((row) => row.detail).join('\n');
    expect(details).toContain('findings_risk_order');
    expect(details).not.toContain('TEMP B-TREE');
  });

  it('gives back the cursor it encoded and refuses others', () => {
    const cursor = { key: -12.5, fingerprint: 'abc' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    for (const bad of ['', 'not base64 !', Buffer.from('[1]').toString('base64url'), Buffer.from('["1","x"]').toString('base64url'), Buffer.from('{"key":1}').toString('base64url')]) expect(decodeCursor(bad), bad).toBeUndefined();
  });

  it('answers an empty store with an empty last page', async () => {
    expect(await pageFindings(store.database, {}, { limit: 10, now: new Date() })).toEqual({ items: [] });
  });
});
