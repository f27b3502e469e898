import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AccountStore, sameSecret, type Session } from '../store/account-store.js';
import { ApiError, roleAtLeast, type Principal, type Role } from './server-context.js';
import { SESSION_COOKIE, SESSION_COOKIE_OPTIONS } from './session-cookie.js';

/** Routes anyone may call: the health check and signing in. */
const PUBLIC_ROUTES = new Set(['GET /api/v1/health', 'HEAD /api/v1/health', 'POST /api/v1/session']);

/**
 * What a session of a user without a second factor may do while the server requires one: enrol, see who is
 * signed in, sign in again or out.
 */
const ENROLMENT_ROUTES = new Set(['GET /api/v1/session', 'POST /api/v1/session', 'DELETE /api/v1/session', 'POST /api/v1/session/mfa', 'POST /api/v1/session/mfa/confirm']);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const sessions = new WeakMap<FastifyRequest, Session>();

/** The browser session a request came with, when it was authenticated by its cookie. */
export function requestSession(request: FastifyRequest): Session | undefined {
  return sessions.get(request);
}

/** How requests are authenticated. */
export interface AuthenticationOptions {
  /** Users without a second factor may only enrol (`serve --require-mfa`). */
  readonly requireMfa?: boolean;
}

/**
 * Adds the `onRequest` hook that sets `request.principal` from a bearer API token or the session cookie,
 * answers 401 on every API route but the public ones without either, and checks cookie-authenticated
 * state-changing requests against cross-site forgery; and decorates `needRole` and `audit`.
 */
export function addAuthentication(app: FastifyInstance, options: AuthenticationOptions = {}): void {
  const accounts = new AccountStore(app.deps.store.database);
  app.decorateRequest('principal', null);

  app.addHook('onRequest', async (request, reply) => {
    // TRACE would echo the request's headers, credentials included, to a script that could read them.
    if (request.method === 'TRACE' || request.method === 'TRACK') throw new ApiError(405, 'method-not-allowed', 'TRACE is not served.');
    const path = request.url.split('?', 1)[0] ?? '';
    const unsafe = !SAFE_METHODS.has(request.method);
    const authorization = request.headers.authorization;
    let principal: Principal | null = null;
    if (authorization !== undefined) {
      const match = /^Bearer ([A-Za-z0-9_-]+)$/.exec(authorization);
      const token = match?.[1] === undefined ? undefined : await accounts.findToken(match[1], app.deps.now());
      if (token === undefined) throw new ApiError(401, 'unauthorized', 'The API token is not valid, has expired or was revoked.');
      principal = { kind: 'token', tokenId: token.id, name: token.name, role: token.role, ...(token.assets === undefined ? {} : { assets: token.assets }) };
    } else {
      const sid = request.cookies[SESSION_COOKIE];
      const session = sid === undefined || sid === '' ? undefined : await accounts.findSession(sid, app.deps.now());
      if (session !== undefined) {
        sessions.set(request, session);
        const user = session.user;
        principal = { kind: 'session', userId: user.id, name: user.name, role: user.role, ...(user.assets === undefined ? {} : { assets: user.assets }) };
      } else if (sid !== undefined) {
        void reply.clearCookie(SESSION_COOKIE, SESSION_COOKIE_OPTIONS);
      }
    }
    request.principal = principal;

    if (!path.startsWith('/api/')) return;
    // A browser's cross-site request carries its cookie; only same-origin pages may change state with it.
    if (unsafe && principal?.kind !== 'token') {
      const site = request.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin') throw new ApiError(403, 'csrf', 'Cross-site requests may not change anything.');
    }
    if (principal === null) {
      if (PUBLIC_ROUTES.has(`${request.method} ${path}`)) return;
      throw new ApiError(401, 'unauthorized', 'Sign in or send an API token.');
    }
    const session = sessions.get(request);
    // Signing in again needs no token of the session it replaces: a stale tab must be able to sign in.
    if (unsafe && session !== undefined && !(request.method === 'POST' && path === '/api/v1/session')) {
      const header = request.headers['x-csrf-token'];
      if (typeof header !== 'string' || !sameSecret(header, session.csrfToken)) throw new ApiError(403, 'csrf', 'The request lacks the session\'s CSRF token.');
    }
    if (options.requireMfa === true && session !== undefined && !session.user.mfa && !ENROLMENT_ROUTES.has(`${request.method} ${path}`)) {
      throw new ApiError(403, 'mfa-enrolment-required', 'This server requires a second factor: set one up (POST /api/v1/session/mfa) before anything else.');
    }
  });

  app.decorate('needRole', (role: Role) => async (request: FastifyRequest): Promise<void> => {
    const principal = request.principal;
    if (principal === null) throw new ApiError(401, 'unauthorized', 'Sign in or send an API token.');
    if (!roleAtLeast(principal.role, role)) throw new ApiError(403, 'forbidden', `This needs the ${role} role.`);
  });

  app.decorate('audit', async (request: FastifyRequest, action: string, target: string, detail?: Record<string, unknown>): Promise<void> => {
    await accounts.audit({ at: app.deps.now().toISOString(), actor: actorName(request.principal), action, target, ...(detail === undefined ? {} : { detail }), ip: request.ip });
  });
}

/** The actor as the audit log names it: a user's name, or `token:NAME`. */
export function actorName(principal: Principal | null): string {
  if (principal === null) return 'anonymous';
  return principal.kind === 'token' ? `token:${principal.name}` : principal.name;
}
