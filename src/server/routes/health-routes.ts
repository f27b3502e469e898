import { sql } from 'kysely';
import type { FastifyPluginAsync } from 'fastify';
import { responses } from '../api-schemas.js';
import { ApiError } from '../server-context.js';

/** `GET /api/v1/health`: 200 when the database answers, for load balancers and monitors (no sign-in). */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/api/v1/health',
    { schema: { summary: 'Whether the server and its database answer', tags: ['meta'], security: [], response: responses({ 200: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } }) } },
    async () => {
      try {
        await sql`select 1`.execute(app.deps.store.database);
      } catch (error) {
        throw new ApiError(503, 'unavailable', 'The database does not answer.', { cause: error });
      }
      return { status: 'ok' as const };
    },
  );
};
