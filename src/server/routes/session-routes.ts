import type { FastifyPluginAsync } from 'fastify';
import { AccountStore } from '../../store/account-store.js';
import { responses, roleSchema } from '../api-schemas.js';
import { requestSession } from '../authenticate.js';
import { passwordProblem } from '../password-policy.js';
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

const sessionInfoSchema = {
  type: 'object',
  properties: { createdAt: { type: 'string' }, lastSeenAt: { type: 'string' }, ip: { type: 'string' }, userAgent: { type: 'string' }, current: { type: 'boolean' } },
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

  /** The signed-in browser session, or a 400 for API tokens, which have no password to change or sessions to end. */
  const ownSession = (request: Parameters<typeof requestSession>[0]) => {
    const session = requestSession(request);
    if (session === undefined) throw new ApiError(400, 'no-session', 'Only a signed-in user can do this; an API token cannot.');
    return session;
  };

  app.put<{ Body: { currentPassword: string; newPassword: string } }>(
    '/api/v1/session/password',
    {
      preValidation: app.needRole('viewer'),
      schema: {
        summary: 'Change one\'s own password (the current one is asked again); ends one\'s other sessions',
        tags: ['session'],
        body: { type: 'object', required: ['currentPassword', 'newPassword'], additionalProperties: false, properties: { currentPassword: { type: 'string', maxLength: 1024 }, newPassword: { type: 'string', maxLength: 1024 } } },
        response: responses({ 204: { type: 'null' } }),
      },
    },
    async (request, reply) => {
      const session = ownSession(request);
      const problem = passwordProblem(request.body.newPassword, session.user.name);
      if (problem !== undefined) throw new ApiError(400, 'weak-password', problem);
      if (!(await accounts.changeOwnPassword(session.user.id, request.body.currentPassword, request.body.newPassword, session.idHash, app.deps.now()))) {
        throw new ApiError(403, 'wrong-password', 'The current password is wrong.');
      }
      await app.audit(request, 'user.password-changed', `user:${session.user.name}`);
      return reply.code(204).send();
    },
  );

  app.get('/api/v1/sessions', { preValidation: app.needRole('viewer'), schema: { summary: 'One\'s own open sessions', tags: ['session'], response: responses({ 200: { type: 'object', properties: { items: { type: 'array', items: sessionInfoSchema } } } }) } }, async (request) => {
    const session = ownSession(request);
    const items = await accounts.listSessions(session.user.id);
    return { items: items.map(({ idHash, ...rest }) => ({ ...rest, current: idHash === session.idHash })) };
  });

  app.post<{ Body: { password: string } }>(
    '/api/v1/session/end-others',
    {
      preValidation: app.needRole('viewer'),
      schema: {
        summary: 'End one\'s other sessions (the password is asked again)',
        tags: ['session'],
        body: { type: 'object', required: ['password'], additionalProperties: false, properties: { password: { type: 'string', maxLength: 1024 } } },
        response: responses({ 200: { type: 'object', properties: { count: { type: 'integer' } } } }),
      },
    },
    async (request) => {
      const session = ownSession(request);
      if (!(await accounts.checkPassword(session.user.id, request.body.password, app.deps.now()))) throw new ApiError(403, 'wrong-password', 'The password is wrong.');
      const count = await accounts.closeSessionsOf(session.user.id, session.idHash);
      await app.audit(request, 'session.others-closed', `user:${session.user.name}`, { count });
      return { count };
    },
  );

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
