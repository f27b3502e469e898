import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { FindingStore } from '../store/finding-store.js';
import { StoreError } from '../store/store-error.js';
import { UsageError } from './exit-code.js';

/** Where `findings` and `suppress` look without `--db`: a SQLite file in the user's data folder. */
export function defaultStorePath(): string {
  const base =
    process.platform === 'win32'
      ? (process.env['LOCALAPPDATA'] ?? path.join(homedir(), 'AppData', 'Local'))
      : (process.env['XDG_DATA_HOME'] ?? path.join(homedir(), '.local', 'share'));
  return path.join(base, 'w3guard', 'w3guard.db');
}

/** Opens `--db` (a SQLite file or a postgres:// URL); a store that cannot be opened is a usage error (exit 2). */
export async function storeOption(value: string | undefined): Promise<FindingStore> {
  const target = value ?? defaultStorePath();
  // Loaded on use: the database drivers cost every command its start-up time, and most runs have no --db.
  const { isPostgresUrl, openStore } = await import('../store/open-store.js');
  try {
    if (value === undefined) mkdirSync(path.dirname(target), { recursive: true });
    else if (!isPostgresUrl(target) && target.trim() === '') throw new UsageError('--db takes a SQLite file or a postgres:// URL.');
    return await openStore(target);
  } catch (error) {
    if (error instanceof StoreError) throw new UsageError(`--db: ${error.message.replace(/\.$/, '')}.`, { cause: error });
    throw error;
  }
}

/** Opens `--db` (or the default store), runs `use`, and closes the store whatever happens. */
export async function withStore<T>(value: string | undefined, use: (store: FindingStore) => Promise<T>): Promise<T> {
  const store = await storeOption(value);
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** Opens `--db` when given (before a scan, so an unreachable store costs one sentence, not a scan), runs `use`, closes it. */
export async function withOptionalStore<T>(value: string | undefined, use: (store: FindingStore | undefined) => Promise<T>): Promise<T> {
  if (value === undefined) return use(undefined);
  return withStore(value, use);
}
