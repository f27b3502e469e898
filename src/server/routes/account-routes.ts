import type { FastifyPluginAsync } from 'fastify';
import { AccountStore, USER_NAME, type User } from '../../store/account-store.js';
import { assetScopeProblem, inAssetScope } from '../../store/asset-scope.js';
import { assetScopeSchema, auditEntrySchema, responses, roleSchema, tokenSchema, userSchema } from '../api-schemas.js';
import { actorName } from '../authenticate.js';
import { passwordProblem, PASSWORD_MAX } from '../password-policy.js';
import { ApiError, type Principal, type Role } from '../server-context.js';

interface NewUser {
  readonly name: string;
  readonly role: Role;
  readonly password: string;
  readonly assets?: readonly string[];
}

interface UserChange {
  readonly role?: Role;
  readonly disabled?: boolean;
  readonly password?: string;
  readonly mfa?: false;
  readonly assets?: readonly string[] | null;
}

interface NewToken {
  readonly name: string;
  readonly role: Role;
  readonly expiresAt?: string;
  readonly assets?: readonly string[];
}

/**
 * Refuses a malformed asset scope with a 400, and a grant wider than the granter's own scope with a 403: a
 * scoped administrator cannot mint an unscoped token or user (`given` undefined means every asset, null lifts
 * a scope; `changing` false when the request leaves the scope as it is).
 */
function checkScope(principal: Principal | null, given: readonly string[] | null | undefined, changing = true): void {
  const problem = given === undefined || given === null ? undefined : assetScopeProblem(given);
  if (problem !== undefined) throw new ApiError(400, 'bad-scope', problem);
  const own = principal?.assets;
  if (!changing || own === undefined) return;
  if (given === undefined || given === null || !given.every((prefix) => inAssetScope(prefix, own))) {
    throw new ApiError(403, 'forbidden', 'An asset scope can only be granted within your own.');
  }
}

const nameSchema = { type: 'string', pattern: USER_NAME.source } as const;
const passwordSchema = { type: 'string', maxLength: PASSWORD_MAX * 4 } as const;

/** Users, API tokens and the audit log: administrators only, every change audited. */
export const accountRoutes: FastifyPluginAsync = async (app) => {
  const accounts = new AccountStore(app.deps.store.database);
  const admin = app.needRole('admin');
  // The numeric id stays inside: users are named by their name.
  const showUser = (user: User): Omit<User, 'id'> => ({
    name: user.name,
    role: user.role,
    disabled: user.disabled,
    ...(user.lockedUntil === undefined ? {} : { lockedUntil: user.lockedUntil }),
    createdAt: user.createdAt,
    changedAt: user.changedAt,
    mfa: user.mfa,
    ...(user.assets === undefined ? {} : { assets: user.assets }),
  });

  app.get('/api/v1/users', { preValidation: admin, schema: { summary: 'List users', tags: ['accounts'], response: responses({ 200: { type: 'object', properties: { items: { type: 'array', items: userSchema } } } }) } }, async () => ({
    items: (await accounts.listUsers()).map(showUser),
  }));

  app.post<{ Body: NewUser }>(
    '/api/v1/users',
    {
      preValidation: admin,
      schema: {
        summary: 'Add a user',
        tags: ['accounts'],
        body: { type: 'object', required: ['name', 'role', 'password'], additionalProperties: false, properties: { name: nameSchema, role: roleSchema, password: passwordSchema, assets: assetScopeSchema } },
        response: responses({ 201: userSchema }),
      },
    },
    async (request, reply) => {
      const problem = passwordProblem(request.body.password, request.body.name, app.deps.passwordBlocklist);
      if (problem !== undefined) throw new ApiError(400, 'weak-password', problem);
      checkScope(request.principal, request.body.assets);
      if ((await accounts.findUser(request.body.name)) !== undefined) throw new ApiError(409, 'exists', 'A user with this name exists already.');
      const user = await accounts.addUser(request.body.name, request.body.role, request.body.password, app.deps.now(), { ...(request.body.assets === undefined ? {} : { assets: request.body.assets }) });
      await app.audit(request, 'user.added', `user:${user.name}`, { role: user.role, ...(user.assets === undefined ? {} : { assets: user.assets }) });
      return reply.code(201).send(showUser(user));
    },
  );

  app.patch<{ Params: { name: string }; Body: UserChange }>(
    '/api/v1/users/:name',
    {
      preValidation: admin,
      schema: {
        summary: 'Change a user\'s role, state, password or asset scope (null: every asset), or reset their second factor with "mfa": false (a new password, disabling or the reset ends the user\'s sessions)',
        tags: ['accounts'],
        params: { type: 'object', required: ['name'], properties: { name: nameSchema } },
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { role: roleSchema, disabled: { type: 'boolean' }, password: passwordSchema, mfa: { type: 'boolean', enum: [false] }, assets: { ...assetScopeSchema, type: ['array', 'null'] } } },
        response: responses({ 200: userSchema }),
      },
    },
    async (request) => {
      const { name } = request.params;
      if (request.body.password !== undefined) {
        const problem = passwordProblem(request.body.password, name, app.deps.passwordBlocklist);
        if (problem !== undefined) throw new ApiError(400, 'weak-password', problem);
      }
      checkScope(request.principal, request.body.assets, request.body.assets !== undefined);
      // An administrator cannot lock themself out by accident.
      if (request.principal?.kind === 'session' && request.principal.name === name && (request.body.disabled === true || (request.body.role !== undefined && request.body.role !== 'admin'))) {
        throw new ApiError(409, 'self-demotion', 'Administrators cannot disable or demote themselves; ask another administrator.');
      }
      const user = await accounts.updateUser(name, request.body, app.deps.now());
      if (user === undefined) throw new ApiError(404, 'not-found', 'There is no user with this name.');
      await app.audit(request, 'user.changed', `user:${name}`, {
        ...(request.body.role === undefined ? {} : { role: request.body.role }),
        ...(request.body.disabled === undefined ? {} : { disabled: request.body.disabled }),
        ...(request.body.password === undefined ? {} : { password: 'changed' }),
        ...(request.body.mfa === undefined ? {} : { mfa: 'reset' }),
        ...(request.body.assets === undefined ? {} : { assets: request.body.assets }),
      });
      return showUser(user);
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/api/v1/users/:name/sessions',
    {
      preValidation: admin,
      schema: { summary: 'End every session of a user', tags: ['accounts'], params: { type: 'object', required: ['name'], properties: { name: nameSchema } }, response: responses({ 200: { type: 'object', properties: { count: { type: 'integer' } } } }) },
    },
    async (request) => {
      const user = await accounts.findUser(request.params.name);
      if (user === undefined) throw new ApiError(404, 'not-found', 'There is no user with this name.');
      const count = await accounts.closeSessionsOf(user.id);
      await app.audit(request, 'user.sessions-closed', `user:${user.name}`, { count });
      return { count };
    },
  );

  app.get('/api/v1/tokens', { preValidation: admin, schema: { summary: 'List API tokens (never the tokens themselves)', tags: ['accounts'], response: responses({ 200: { type: 'object', properties: { items: { type: 'array', items: tokenSchema } } } }) } }, async () => ({
    items: await accounts.listTokens(),
  }));

  app.post<{ Body: NewToken }>(
    '/api/v1/tokens',
    {
      preValidation: admin,
      schema: {
        summary: 'Create an API token: the answer is the only time it is shown',
        tags: ['accounts'],
        body: { type: 'object', required: ['name', 'role'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, role: roleSchema, expiresAt: { type: 'string', format: 'date-time' }, assets: assetScopeSchema } },
        response: responses({ 201: { type: 'object', properties: { token: { type: 'string' }, info: tokenSchema } } }),
      },
    },
    async (request, reply) => {
      const now = app.deps.now();
      const expiresAt = request.body.expiresAt === undefined ? undefined : new Date(request.body.expiresAt);
      if (expiresAt !== undefined && expiresAt.getTime() <= now.getTime()) throw new ApiError(400, 'bad-request', 'expiresAt is already past.');
      checkScope(request.principal, request.body.assets);
      const created = await accounts.createToken(
        { name: request.body.name, role: request.body.role, createdBy: actorName(request.principal), ...(expiresAt === undefined ? {} : { expiresAt: expiresAt.toISOString() }), ...(request.body.assets === undefined ? {} : { assets: request.body.assets }) },
        now,
      );
      await app.audit(request, 'token.created', `token:${created.info.id}`, { name: created.info.name, role: created.info.role, ...(created.info.assets === undefined ? {} : { assets: created.info.assets }) });
      return reply.code(201).send(created);
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/api/v1/tokens/:id',
    {
      preValidation: admin,
      schema: { summary: 'Revoke an API token', tags: ['accounts'], params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } }, response: responses({ 204: { type: 'null' } }) },
    },
    async (request, reply) => {
      if (!(await accounts.revokeToken(request.params.id, app.deps.now()))) throw new ApiError(404, 'not-found', 'There is no such token, or it was revoked already.');
      await app.audit(request, 'token.revoked', `token:${request.params.id}`);
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: { limit: number; before?: number } }>(
    '/api/v1/audit',
    {
      preValidation: admin,
      schema: {
        summary: 'The audit log, newest first',
        tags: ['accounts'],
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }, before: { type: 'integer', minimum: 1 } } },
        response: responses({ 200: { type: 'object', properties: { items: { type: 'array', items: auditEntrySchema } } } }),
      },
    },
    async (request) => ({ items: await accounts.listAudit(request.query.limit, request.query.before) }),
  );
};
