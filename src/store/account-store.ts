import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { dummyHash, hashPassword, needsRehash, verifyPassword } from '../server/password-hash.js';
import { ROLES, type Role } from '../server/server-context.js';
import { readScope, storedScope, type AssetScope } from './asset-scope.js';
import { perDatabase } from './per-database.js';
import type { ApiTokensTable, StoreDatabase, UsersTable } from './store-schema.js';

/** Idle and absolute session lifetimes (ASVS 7.3.1, 7.3.2). */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;
/** How stale a session's last-seen or a token's last-used time may get before it is written again. */
const TOUCH_EVERY_MS = 60_000;
/** Failed sign-ins in a row that lock an account, and for how long. */
export const LOCK_AFTER_FAILURES = 10;
export const LOCK_MS = 15 * 60_000;

/** A user as the API shows it: never the hash. */
export interface User {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
  readonly disabled: boolean;
  readonly lockedUntil?: string;
  readonly createdAt: string;
  readonly changedAt: string;
  /** Whether sign-in also asks for a TOTP code. */
  readonly mfa: boolean;
  /** The asset prefixes the user may see; absent: every asset. */
  readonly assets?: AssetScope;
}

/** A session found by its cookie, still within both timeouts. */
export interface Session {
  readonly idHash: string;
  readonly user: User;
  readonly createdAt: string;
  readonly lastSeenAt: string;
  readonly csrfToken: string;
}

/** An API token as listing shows it: never the token. */
export interface ApiToken {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly expiresAt?: string;
  readonly lastUsedAt?: string;
  readonly revokedAt?: string;
  /** The asset prefixes the token may see and push findings for; absent: every asset. */
  readonly assets?: AssetScope;
}

/** One audit log entry. */
export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly detail?: Record<string, unknown>;
  readonly ip?: string;
}

/** What a sign-in attempt decided; `locked` and `bad` answer the same to the client. */
export type SignInResult = { readonly ok: true; readonly user: User } | { readonly ok: false; readonly reason: 'bad' | 'locked' | 'disabled' };

/** A user name: letters, digits and `._@-`, 1 to 64 characters. */
export const USER_NAME = /^[A-Za-z0-9._@-]{1,64}$/;

type Db = Kysely<StoreDatabase>;

/** SHA-256 in hex: what is kept of a session id or a token. */
export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Whether two strings are equal, in time that does not depend on where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y) && a === b;
}

/** How long a verified token is believed without reading its row again, and how many are kept per store. */
const TOKEN_CACHE_MS = 1000;
const TOKEN_CACHE_SIZE = 1000;

/** Verified tokens by digest, one cache per database handle, shared by every AccountStore on it (revocation clears it). */
const tokenCache = perDatabase(() => new Map<string, { readonly token: ApiToken; readonly until: number }>());

/** Users, sessions, API tokens and the audit log, on the store's database (SQLite or PostgreSQL). */
export class AccountStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Adds a user with a password already checked against the policy; throws when the name is taken. */
  async addUser(name: string, role: Role, password: string, now: Date, options: { readonly assets?: AssetScope } = {}): Promise<User> {
    const at = now.toISOString();
    const passwordHash = await hashPassword(password);
    const row = await this.#db
      .insertInto('users')
      .values({ name, role, password_hash: passwordHash, disabled: 0, failed_count: 0, locked_until: null, created_at: at, changed_at: at, mfa_secret: null, mfa_pending: null, mfa_last_step: null, asset_scope: storedScope(options.assets) })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUser(row);
  }

  async findUser(name: string): Promise<User | undefined> {
    const row = await this.#db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
    return row === undefined ? undefined : toUser(row);
  }

  async listUsers(): Promise<User[]> {
    return (await this.#db.selectFrom('users').selectAll().orderBy('name').execute()).map(toUser);
  }

  /**
   * Changes a user's role, state, password, asset scope (null: every asset) or removes their second factor
   * (`mfa: false`); disabling, a new password or removing the second factor ends every session of the user.
   */
  async updateUser(name: string, change: { readonly role?: Role; readonly disabled?: boolean; readonly password?: string; readonly mfa?: false; readonly assets?: AssetScope | null }, now: Date): Promise<User | undefined> {
    const passwordHash = change.password === undefined ? undefined : await hashPassword(change.password);
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('users')
        .set({
          changed_at: now.toISOString(),
          ...(change.role === undefined ? {} : { role: change.role }),
          ...(change.disabled === undefined ? {} : { disabled: change.disabled ? 1 : 0 }),
          // An administrator re-enabling or resetting a user also lifts a lock-out.
          ...(passwordHash === undefined ? {} : { password_hash: passwordHash, failed_count: 0, locked_until: null }),
          ...(change.disabled === false ? { failed_count: 0, locked_until: null } : {}),
          ...(change.mfa === false ? { mfa_secret: null, mfa_pending: null, mfa_last_step: null } : {}),
          ...(change.assets === undefined ? {} : { asset_scope: storedScope(change.assets ?? undefined) }),
        })
        .where('name', '=', name)
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) return undefined;
      if (change.disabled === true || passwordHash !== undefined || change.mfa === false) await trx.deleteFrom('sessions').where('user_id', '=', row.id).execute();
      return toUser(row);
    });
  }

  /**
   * Checks a name and password. An unknown name is verified against a dummy hash so it takes as long as a
   * wrong password; ten failures in a row lock the account for 15 minutes (ASVS 6.3.1).
   */
  async signIn(name: string, password: string, now: Date): Promise<SignInResult> {
    const row = await this.#db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
    if (row === undefined) {
      await verifyPassword(await dummyHash(), password);
      return { ok: false, reason: 'bad' };
    }
    const matches = await verifyPassword(row.password_hash, password);
    const at = now.toISOString();
    if (row.locked_until !== null && row.locked_until > at) return { ok: false, reason: 'locked' };
    if (!matches) return { ok: false, reason: (await this.recordFailure(row.id, now)) ? 'locked' : 'bad' };
    if (row.disabled !== 0) return { ok: false, reason: 'disabled' };
    const rehash = needsRehash(row.password_hash) ? await hashPassword(password) : undefined;
    // With a second factor the count of failures is reset by a good code, not by the password: otherwise the
    // right password before every wrong code would keep guessing codes from ever locking the account.
    const reset = row.mfa_secret === null ? { failed_count: 0, locked_until: null } : {};
    if (rehash !== undefined || row.mfa_secret === null) {
      await this.#db
        .updateTable('users')
        .set({ ...reset, ...(rehash === undefined ? {} : { password_hash: rehash }) })
        .where('id', '=', row.id)
        .execute();
    }
    return { ok: true, user: toUser(row) };
  }

  /** Counts a failed sign-in (a wrong password or TOTP code); true when it locked the account. */
  async recordFailure(userId: number, now: Date): Promise<boolean> {
    const row = await this.#db.selectFrom('users').select(['failed_count']).where('id', '=', userId).executeTakeFirst();
    if (row === undefined) return false;
    const failed = row.failed_count + 1;
    const lock = failed >= LOCK_AFTER_FAILURES;
    await this.#db
      .updateTable('users')
      .set({ failed_count: lock ? 0 : failed, ...(lock ? { locked_until: new Date(now.getTime() + LOCK_MS).toISOString() } : {}) })
      .where('id', '=', userId)
      .execute();
    return lock;
  }

  /** Opens a session: returns the cookie's value (256 random bits) and its CSRF token; only a digest is kept. */
  async openSession(userId: number, now: Date, client: { readonly ip?: string; readonly userAgent?: string }): Promise<{ readonly id: string; readonly csrfToken: string }> {
    const id = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const at = now.toISOString();
    await this.#db
      .insertInto('sessions')
      .values({ id_hash: secretDigest(id), user_id: userId, created_at: at, last_seen_at: at, csrf_token: csrfToken, ip: client.ip ?? null, user_agent: client.userAgent?.slice(0, 512) ?? null })
      .execute();
    return { id, csrfToken };
  }

  /**
   * The session a cookie names, when it is within both timeouts and its user is enabled; marks it seen. An
   * expired session is deleted.
   */
  async findSession(id: string, now: Date): Promise<Session | undefined> {
    const idHash = secretDigest(id);
    const row = await this.#db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .selectAll('u')
      .select(['s.id_hash', 's.created_at as session_created_at', 's.last_seen_at', 's.csrf_token'])
      .where('s.id_hash', '=', idHash)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const t = now.getTime();
    if (t - Date.parse(row.last_seen_at) > SESSION_IDLE_MS || t - Date.parse(row.session_created_at) > SESSION_ABSOLUTE_MS || row.disabled !== 0) {
      await this.#db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
      return undefined;
    }
    // At most one write a minute per session: a busy UI should not contend with scans for the database.
    let lastSeenAt = row.last_seen_at;
    if (t - Date.parse(lastSeenAt) >= TOUCH_EVERY_MS) {
      lastSeenAt = now.toISOString();
      await this.#db.updateTable('sessions').set({ last_seen_at: lastSeenAt }).where('id_hash', '=', idHash).execute();
    }
    return { idHash, user: toUser(row), createdAt: row.session_created_at, lastSeenAt, csrfToken: row.csrf_token };
  }

  async closeSession(idHash: string): Promise<void> {
    await this.#db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  /** A user's open sessions, newest first (the digest identifies one; the cookie's value is not kept). */
  async listSessions(userId: number): Promise<{ readonly idHash: string; readonly createdAt: string; readonly lastSeenAt: string; readonly ip?: string; readonly userAgent?: string }[]> {
    const rows = await this.#db.selectFrom('sessions').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').execute();
    return rows.map((row) => ({ idHash: row.id_hash, createdAt: row.created_at, lastSeenAt: row.last_seen_at, ...(row.ip === null ? {} : { ip: row.ip }), ...(row.user_agent === null ? {} : { userAgent: row.user_agent }) }));
  }

  /** Ends every session of a user but `keep`; returns how many ended. */
  async closeSessionsOf(userId: number, keep?: string): Promise<number> {
    let query = this.#db.deleteFrom('sessions').where('user_id', '=', userId);
    if (keep !== undefined) query = query.where('id_hash', '<>', keep);
    return Number((await query.executeTakeFirst()).numDeletedRows);
  }

  /** Whether a user's current password is this one (for changes that ask for it again), counting failures like a sign-in. */
  async checkPassword(userId: number, password: string, now: Date): Promise<boolean> {
    const row = await this.#db.selectFrom('users').select(['name']).where('id', '=', userId).executeTakeFirst();
    if (row === undefined) return false;
    return (await this.signIn(row.name, password, now)).ok;
  }

  /** Sets a user's own new password after checking the current one, and ends their other sessions (ASVS 6.2.3, 7.4.3). */
  async changeOwnPassword(userId: number, current: string, next: string, keep: string, now: Date): Promise<boolean> {
    if (!(await this.checkPassword(userId, current, now))) return false;
    const passwordHash = await hashPassword(next);
    await this.#db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: passwordHash, changed_at: now.toISOString() }).where('id', '=', userId).execute();
      await trx.deleteFrom('sessions').where('user_id', '=', userId).where('id_hash', '<>', keep).execute();
    });
    return true;
  }

  /** Makes an API token: `w3g_` and 32 random bytes in base64url, returned once; only its digest is kept. */
  async createToken(request: { readonly name: string; readonly role: Role; readonly createdBy: string; readonly expiresAt?: string; readonly assets?: AssetScope }, now: Date): Promise<{ readonly token: string; readonly info: ApiToken }> {
    const token = `w3g_${randomBytes(32).toString('base64url')}`;
    const row = await this.#db
      .insertInto('api_tokens')
      .values({ token_hash: secretDigest(token), name: request.name, role: request.role, created_by: request.createdBy, created_at: now.toISOString(), expires_at: request.expiresAt ?? null, last_used_at: null, revoked_at: null, asset_scope: storedScope(request.assets) })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { token, info: toToken(row) };
  }

  /**
   * The token a bearer header carries, when neither revoked nor expired; records its use. A token found is kept
   * for `TOKEN_CACHE_MS` in this process, so a burst of API calls reads its row once, not once a call: a token
   * revoked here stops at once, one revoked by another process (the CLI, another server) within that time.
   */
  async findToken(token: string, now: Date): Promise<ApiToken | undefined> {
    if (!/^w3g_[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const hash = secretDigest(token);
    const cache = tokenCache(this.#db);
    const cached = cache.get(hash);
    const at = now.toISOString();
    if (cached !== undefined && performance.now() < cached.until) return cached.token.expiresAt !== undefined && cached.token.expiresAt <= at ? undefined : cached.token;
    cache.delete(hash);
    const row = await this.#db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    if (row === undefined || row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= at)) return undefined;
    const stale = row.last_used_at === null || now.getTime() - Date.parse(row.last_used_at) >= TOUCH_EVERY_MS;
    if (stale) await this.#db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', row.id).execute();
    const found = toToken(stale ? { ...row, last_used_at: at } : row);
    if (cache.size >= TOKEN_CACHE_SIZE) cache.clear();
    cache.set(hash, { token: found, until: performance.now() + TOKEN_CACHE_MS });
    return found;
  }

  async listTokens(): Promise<ApiToken[]> {
    return (await this.#db.selectFrom('api_tokens').selectAll().orderBy('id').execute()).map(toToken);
  }

  /** Revokes a token by id; false when there is none or it was already revoked. */
  async revokeToken(id: number, now: Date): Promise<boolean> {
    const result = await this.#db.updateTable('api_tokens').set({ revoked_at: now.toISOString() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    // After the update: a lookup that read the row before it committed may have cached it meanwhile.
    const cache = tokenCache(this.#db);
    for (const [hash, entry] of cache) if (entry.token.id === id) cache.delete(hash);
    return Number(result.numUpdatedRows) > 0;
  }

  /** Appends to the audit log. */
  async audit(entry: Omit<AuditEntry, 'id'>, db: Db = this.#db): Promise<void> {
    await db
      .insertInto('audit_log')
      .values({ at: entry.at, actor: entry.actor, action: entry.action, target: entry.target, detail: entry.detail === undefined ? null : JSON.stringify(entry.detail), ip: entry.ip ?? null })
      .execute();
  }

  /** The newest audit entries first, before an id (for paging). */
  async listAudit(limit: number, beforeId?: number): Promise<AuditEntry[]> {
    let select = this.#db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit);
    if (beforeId !== undefined) select = select.where('id', '<', beforeId);
    return (await select.execute()).map((row) => ({
      id: row.id,
      at: row.at,
      actor: row.actor,
      action: row.action,
      target: row.target,
      ...(row.detail === null ? {} : { detail: JSON.parse(row.detail) as Record<string, unknown> }),
      ...(row.ip === null ? {} : { ip: row.ip }),
    }));
  }
}

function toRole(value: string): Role {
  return (ROLES as readonly string[]).includes(value) ? (value as Role) : 'viewer';
}

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    name: row.name,
    role: toRole(row.role),
    disabled: row.disabled !== 0,
    ...(row.locked_until === null ? {} : { lockedUntil: row.locked_until }),
    createdAt: row.created_at,
    changedAt: row.changed_at,
    mfa: row.mfa_secret !== null,
    ...(row.asset_scope === null ? {} : { assets: readScope(row.asset_scope) }),
  };
}

function toToken(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: toRole(row.role),
    createdBy: row.created_by,
    createdAt: row.created_at,
    ...(row.expires_at === null ? {} : { expiresAt: row.expires_at }),
    ...(row.last_used_at === null ? {} : { lastUsedAt: row.last_used_at }),
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at }),
    ...(row.asset_scope === null ? {} : { assets: readScope(row.asset_scope) }),
  };
}
