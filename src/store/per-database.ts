import type { Kysely } from 'kysely';
import type { StoreDatabase } from './store-schema.js';

/**
 * A value kept per database handle, made on first use and dropped with the handle: a cache one store's server
 * shares between requests (tokens, text-search verdicts, prebuilt selects), never between stores.
 */
export function perDatabase<V>(make: (db: Kysely<StoreDatabase>) => V): (db: Kysely<StoreDatabase>) => V {
  const kept = new WeakMap<Kysely<StoreDatabase>, V>();
  return (db) => {
    let value = kept.get(db);
    if (value === undefined) {
      value = make(db);
      kept.set(db, value);
    }
    return value;
  };
}
