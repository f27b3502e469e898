import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { ApiError, roleAtLeast, type Principal, type Role, type ServerDeps } from '../../src/server/server-context.js';

/**
 * A minimal server with the decorations route modules rely on (deps, needRole, audit, principal from an
 * `x-test-role` header) and the API's error shape, so the routes run over real HTTP before the full server
 * exists. The real server's tests use test/server/test-server.ts.
 */
export async function startStandIn(deps: ServerDeps, routes: readonly ((app: FastifyInstance) => Promise<void>)[]): Promise<{ url: string; audits: string[]; close(): Promise<void> }> {
  const app = Fastify();
  const audits: string[] = [];
  app.decorate('deps', deps);
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const role = request.headers['x-test-role'];
    request.principal = typeof role === 'string' ? ({ kind: 'token', name: `${role}-token`, role: role as Role } satisfies Principal) : null;
  });
  app.decorate('needRole', (role: Role) => async (request: FastifyRequest): Promise<void> => {
    if (request.principal === null) throw new ApiError(401, 'auth.required', 'sign in or send an API token.');
    if (!roleAtLeast(request.principal.role, role)) throw new ApiError(403, 'auth.forbidden', `this needs the ${role} role.`);
  });
  app.decorate('audit', async (request: FastifyRequest, action: string, target: string) => {
    audits.push(`${request.principal?.name ?? '-'} ${action} ${target}`);
  });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof ApiError) return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return reply.code(status).send({ error: { code: status === 400 ? 'request.invalid' : 'internal', message: error instanceof Error ? error.message : 'error' } });
  });
  for (const plugin of routes) await app.register(plugin);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, audits, close: () => app.close() };
}
