import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { AccountStore } from '../../store/account-store.js';
import { MfaStore } from '../../store/mfa-store.js';
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
    user: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        role: roleSchema,
        mfa: { type: 'boolean', description: 'whether sign-in asks this user for a TOTP code' },
        assets: { type: 'array', items: { type: 'string' }, description: 'the asset prefixes the user may see; absent: every asset' },
      },
    },
    csrfToken: { type: 'string', description: 'send it as the x-csrf-token header on every state-changing request' },
    mfaEnrolmentRequired: { type: 'boolean', description: 'true: the server requires a second factor and this session may only set one up' },
  },
} as const;

const codeSchema = { type: 'string', pattern: '^[0-9]{6}$', description: 'the 6-digit code the authenticator app shows now' } as const;

/** Code attempts per minute from one address on the second-factor routes (with the lock-out in the store). */
export const MFA_PER_MINUTE = 5;

/** Keyed by address and user, after authentication, as sign-in is; wrong codes also count toward the lock-out. */
const mfaRateLimit = {
  rateLimit: {
    max: MFA_PER_MINUTE,
    timeWindow: '1 minute',
    hook: 'preHandler',
    keyGenerator: (request: FastifyRequest) => `${request.ip}\u0000mfa\u0000${request.principal?.userId ?? request.principal?.name ?? ''}`,
  },
} as const;

/** What the session routes take from `buildServer`'s options. */
export interface SessionRoutesOptions {
  /** Users without a second factor may only enrol (`serve --require-mfa`). */
  readonly requireMfa?: boolean;
}

const sessionInfoSchema = {
  type: 'object',
  properties: { createdAt: { type: 'string' }, lastSeenAt: { type: 'string' }, ip: { type: 'string' }, userAgent: { type: 'string' }, current: { type: 'boolean' } },
} as const;

interface SignInBody {
  readonly username: string;
  readonly password: string;
  readonly code?: string;
}

/** Signing in and out with a name and password, and who is signed in. */
export const sessionRoutes: FastifyPluginAsync<SessionRoutesOptions> = async (app, options) => {
  const accounts = new AccountStore(app.deps.store.database);
  const mfa = new MfaStore(app.deps.store.database, app.deps.secretKey);
  const requireMfa = options.requireMfa === true;
  /** The signed-in user as the session answers show them. */
  const showUser = (user: { readonly name: string; readonly role: string; readonly mfa: boolean; readonly assets?: readonly string[] }) => ({
    name: user.name,
    role: user.role,
    mfa: user.mfa,
    ...(user.assets === undefined ? {} : { assets: user.assets }),
  });

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
          properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 1024 }, code: { type: 'string', maxLength: 16, description: 'the TOTP code, for users with a second factor' } },
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
      if (result.user.mfa) {
        // Asked only after the password was right, as every second factor is; no session before the code.
        if (request.body.code === undefined) throw new ApiError(401, 'mfa-required', 'Send the code of your authenticator app as well.');
        if (!(await mfa.use(result.user.id, request.body.code, now))) {
          await accounts.audit({ at: now.toISOString(), actor: result.user.name, action: 'session.failed', target: `user:${result.user.name}`, detail: { reason: 'mfa' }, ip: request.ip });
          throw new ApiError(401, 'unauthorized', 'The code is wrong or was used already, or the account is locked.');
        }
      }
      // A new id at every sign-in; any session the browser had is ended (ASVS 7.2.4).
      const previous = requestSession(request);
      if (previous !== undefined) await accounts.closeSession(previous.idHash);
      const { id, csrfToken } = await accounts.openSession(result.user.id, now, { ip: request.ip, ...(request.headers['user-agent'] === undefined ? {} : { userAgent: request.headers['user-agent'] }) });
      void reply.setCookie(SESSION_COOKIE, id, SESSION_COOKIE_OPTIONS);
      await accounts.audit({ at: now.toISOString(), actor: result.user.name, action: 'session.opened', target: `user:${result.user.name}`, detail: { mfa: result.user.mfa }, ip: request.ip });
      return { user: showUser(result.user), csrfToken, ...(requireMfa && !result.user.mfa ? { mfaEnrolmentRequired: true } : {}) };
    },
  );

  app.get('/api/v1/session', { schema: { summary: 'Who is signed in', tags: ['session'], response: responses({ 200: sessionAnswer }) }, preValidation: app.needRole('viewer') }, async (request) => {
    const session = requestSession(request);
    const principal = request.principal;
    if (principal === null) throw new ApiError(401, 'unauthorized', 'Sign in or send an API token.');
    if (session === undefined) return { user: { name: principal.name, role: principal.role, ...(principal.assets === undefined ? {} : { assets: principal.assets }) } };
    return { user: showUser(session.user), csrfToken: session.csrfToken, ...(requireMfa && !session.user.mfa ? { mfaEnrolmentRequired: true } : {}) };
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
      const problem = passwordProblem(request.body.newPassword, session.user.name, app.deps.passwordBlocklist);
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

  app.post(
    '/api/v1/session/mfa',
    {
      preValidation: app.needRole('viewer'),
      schema: {
        summary: 'Set up a second factor: returns a new TOTP secret once; it counts after POST /api/v1/session/mfa/confirm',
        tags: ['session'],
        response: responses({ 200: { type: 'object', properties: { secret: { type: 'string', description: 'base32, for typing into the app' }, uri: { type: 'string', description: 'otpauth:// URI, for a QR code' } } } }),
      },
    },
    async (request) => {
      const session = ownSession(request);
      const enrolment = await mfa.begin(session.user.id, session.user.name, app.deps.now());
      if (enrolment === undefined) throw new ApiError(409, 'mfa-enrolled', 'A second factor is set up already; remove it first to set up another.');
      await app.audit(request, 'user.mfa-started', `user:${session.user.name}`);
      return enrolment;
    },
  );

  app.post<{ Body: { code: string } }>(
    '/api/v1/session/mfa/confirm',
    {
      preValidation: app.needRole('viewer'),
      config: mfaRateLimit,
      schema: {
        summary: 'Confirm the second factor being set up with a code of it; from then on sign-in asks for a code',
        tags: ['session'],
        body: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: codeSchema } },
        response: responses({ 204: { type: 'null' } }),
      },
    },
    async (request, reply) => {
      const session = ownSession(request);
      if (!(await mfa.confirm(session.user.id, request.body.code, app.deps.now()))) throw new ApiError(403, 'wrong-code', 'The code is wrong, or no second factor is being set up.');
      await app.audit(request, 'user.mfa-enrolled', `user:${session.user.name}`);
      return reply.code(204).send();
    },
  );

  app.delete<{ Body: { code: string } }>(
    '/api/v1/session/mfa',
    {
      preValidation: app.needRole('viewer'),
      config: mfaRateLimit,
      schema: {
        summary: 'Remove one\'s second factor (a current code is asked); an administrator can also reset it (PATCH /api/v1/users/{name} {"mfa": false})',
        tags: ['session'],
        body: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: codeSchema } },
        response: responses({ 204: { type: 'null' } }),
      },
    },
    async (request, reply) => {
      const session = ownSession(request);
      const now = app.deps.now();
      if (!session.user.mfa || !(await mfa.use(session.user.id, request.body.code, now))) throw new ApiError(403, 'wrong-code', 'The code is wrong or was used already, or no second factor is set up.');
      await mfa.remove(session.user.id, now);
      await app.audit(request, 'user.mfa-removed', `user:${session.user.name}`);
      return reply.code(204).send();
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
