import type { FastifyPluginAsync } from 'fastify';
import { AccountStore } from '../../store/account-store.js';
import { responses, roleSchema } from '../api-schemas.js';
import { requestSession } from '../authenticate.js';
import { ApiError } from '../server-context.js';
import { SESSION_COOKIE, SESSION_COOKIE_OPTIONS } from '../session-cookie.js';

/** Sign-ins per minute from one address for one user name (ASVS 6.3.1, with the lock-out in the store). */
export const LOGIN_PER_MINUTE = 5;

const sessionAnswer = {
  type: 'object',
  properties: {
    user: { type: 'object', properties: { name: { type: 'string' }, role: roleSchema } },
    csrfToken: { type: 'string', description: 'send it as the x-csrf-token header on every state-changing request' },
  },
} as const;

interface SignInBody {
  readonly username: string;
  readonly password: string;
}

/** Signing in and out with a name and password, and who is signed in. */
export const sessionRoutes: FastifyPluginAsync = async (app) => {
  const accounts = new AccountStore(app.deps.store.database);

  app.post<{ Body: SignInBody }>(
    '/api/v1/session',
    {
      schema: {
        summary: 'Sign in: sets the session cookie',
        tags: ['session'],
        security: [],
        body: {
          type: 'object',
          required: ['username', 'password'],
          additionalProperties: false,
          properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
        },
        response: responses({ 200: sessionAnswer }),
      },
      config: {
        rateLimit: {
          max: LOGIN_PER_MINUTE,
          timeWindow: '1 minute',
          // After the body is read, so the key is the pair (address, user name).
          hook: 'preHandler',
          keyGenerator: (request) => `${request.ip}\u0000${(request.body as Partial<SignInBody> | undefined)?.username ?? ''}`,
        },
      },
    },
    async (request, reply) => {
      const now = app.deps.now();
      const result = await accounts.signIn(request.body.username, request.body.password, now);
      if (!result.ok) {
        await accounts.audit({ at: now.toISOString(), actor: request.body.username.slice(0, 64), action: 'session.failed', target: `user:${request.body.username.slice(0, 64)}`, detail: { reason: result.reason }, ip: request.ip });
        // The same answer for an unknown name, a wrong password, a locked or a disabled account.
        throw new ApiError(401, 'unauthorized', 'The user name or password is wrong, or the account is locked.');
      }
      // A new id at every sign-in; any session the browser had is ended (ASVS 7.2.4).
      const previous = requestSession(request);
      if (previous !== undefined) await accounts.closeSession(previous.idHash);
      const { id, csrfToken } = await accounts.openSession(result.user.id, now, { ip: request.ip, ...(request.headers['user-agent'] === undefined ? {} : { userAgent: request.headers['user-agent'] }) });
      void reply.setCookie(SESSION_COOKIE, id, SESSION_COOKIE_OPTIONS);
      await accounts.audit({ at: now.toISOString(), actor: result.user.name, action: 'session.opened', target: `user:${result.user.name}`, ip: request.ip });
      return { user: { name: result.user.name, role: result.user.role }, csrfToken };
    },
  );

  app.get('/api/v1/session', { schema: { summary: 'Who is signed in', tags: ['session'], response: responses({ 200: sessionAnswer }) }, preValidation: app.needRole('viewer') }, async (request) => {
    const session = requestSession(request);
    const principal = request.principal;
    if (principal === null) throw new ApiError(401, 'unauthorized', 'Sign in or send an API token.');
    return { user: { name: principal.name, role: principal.role }, ...(session === undefined ? {} : { csrfToken: session.csrfToken }) };
  });

  app.delete('/api/v1/session', { schema: { summary: 'Sign out: ends the session on the server', tags: ['session'], response: responses({ 204: { type: 'null' } }) }, preValidation: app.needRole('viewer') }, async (request, reply) => {
    const session = requestSession(request);
    if (session === undefined) throw new ApiError(400, 'no-session', 'Only a browser session can sign out; revoke an API token instead.');
    await accounts.closeSession(session.idHash);
    await app.audit(request, 'session.closed', `user:${session.user.name}`);
    void reply.clearCookie(SESSION_COOKIE, SESSION_COOKIE_OPTIONS);
    // ASVS 14.3.1: the browser drops what it kept for this origin.
    void reply.header('clear-site-data', '"cookies"');
    return reply.code(204).send();
  });
};
