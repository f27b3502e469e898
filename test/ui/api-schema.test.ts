import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildServer } from '../../src/server/build-server.js';
import { SERVE_ROUTES } from '../../src/server/start-serve.js';
import { openStore } from '../../src/store/open-store.js';
import { generateApiTypes, SCHEMA_FILE } from '../../ui/scripts/generate-api.mjs';

describe('the UI\'s API types', () => {
  it('are exactly what the server\'s OpenAPI document gives today (run `npm run ui:api` when this fails)', async () => {
    const fresh = await generateApiTypes({ buildServer, openStore, SERVE_ROUTES, pino });
    expect(fresh).toContain('"/api/v1/dashboard"');
    expect(fresh).toContain('"/api/v1/findings/export"');
    expect(readFileSync(SCHEMA_FILE, 'utf8') === fresh, 'ui/src/api/schema.d.ts is stale: run npm run ui:api').toBe(true);
  });
});
