import type { Kysely } from 'kysely';
import { seal, unseal } from './secret-box.js';
import { matchTotp, newTotpSecret, otpauthUri } from '../server/totp.js';
import { AccountStore } from './account-store.js';
import type { StoreDatabase } from './store-schema.js';

/** Bound to the sealed secret, so a value copied from another sealed column does not open here. */
const PURPOSE = 'users.mfa_secret';

/** What enrolment hands out once: the secret, and the same as the URI authenticator apps read. */
export interface MfaEnrolment {
  readonly secret: string;
  readonly uri: string;
}

/**
 * TOTP second factors of users (ASVS 6.3.3, 6.5.1): secrets sealed with AES-256-GCM under the server's key,
 * each code taken at most once, every wrong code counted with the wrong passwords toward the lock-out.
 */
export class MfaStore {
  readonly #db: Kysely<StoreDatabase>;
  readonly #key: Buffer;
  readonly #accounts: AccountStore;

  constructor(db: Kysely<StoreDatabase>, key: Buffer) {
    this.#db = db;
    this.#key = key;
    this.#accounts = new AccountStore(db);
  }

  /** Starts enrolment: a new secret awaits confirmation by a code; undefined when the user has a second factor already. */
  async begin(userId: number, userName: string, now: Date): Promise<MfaEnrolment | undefined> {
    const secret = newTotpSecret();
    const result = await this.#db
      .updateTable('users')
      .set({ mfa_pending: seal(this.#key, secret, PURPOSE), changed_at: now.toISOString() })
      .where('id', '=', userId)
      .where('mfa_secret', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return { secret, uri: otpauthUri(secret, userName) };
  }

  /** Confirms enrolment with a code of the pending secret, which becomes the user's; false for a wrong code or none pending. */
  async confirm(userId: number, code: string, now: Date): Promise<boolean> {
    const row = await this.#db.selectFrom('users').select(['mfa_pending', 'mfa_secret']).where('id', '=', userId).executeTakeFirst();
    if (row?.mfa_pending === null || row?.mfa_pending === undefined || row.mfa_secret !== null) return false;
    const step = matchTotp(unseal(this.#key, row.mfa_pending, PURPOSE), code, now);
    if (step === undefined) {
      await this.#accounts.recordFailure(userId, now);
      return false;
    }
    const result = await this.#db
      .updateTable('users')
      .set({ mfa_secret: row.mfa_pending, mfa_pending: null, mfa_last_step: step, changed_at: now.toISOString() })
      .where('id', '=', userId)
      .where('mfa_pending', '=', row.mfa_pending)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Takes a code of the user's secret: true once per time step (the step is recorded with a compare-and-set,
   * so two requests racing with one code cannot both pass). A good code resets the failure count.
   */
  async use(userId: number, code: string, now: Date): Promise<boolean> {
    const row = await this.#db.selectFrom('users').select(['mfa_secret', 'mfa_last_step']).where('id', '=', userId).executeTakeFirst();
    if (row?.mfa_secret === null || row?.mfa_secret === undefined) return false;
    const step = matchTotp(unseal(this.#key, row.mfa_secret, PURPOSE), code, now, row.mfa_last_step ?? undefined);
    if (step !== undefined) {
      const result = await this.#db
        .updateTable('users')
        .set({ mfa_last_step: step, failed_count: 0, locked_until: null })
        .where('id', '=', userId)
        .where((eb) => eb.or([eb('mfa_last_step', 'is', null), eb('mfa_last_step', '<', step)]))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) return true;
    }
    await this.#accounts.recordFailure(userId, now);
    return false;
  }

  /** Removes a user's second factor (and any pending enrolment). */
  async remove(userId: number, now: Date): Promise<void> {
    await this.#db.updateTable('users').set({ mfa_secret: null, mfa_pending: null, mfa_last_step: null, changed_at: now.toISOString() }).where('id', '=', userId).execute();
  }
}
