import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where the key comes from, for the start-up line (never the key itself). */
export interface SecretKey {
  readonly key: Buffer;
  readonly source: string;
}

/**
 * The 32-byte key that encrypts channel secrets at rest. `W3GUARD_SECRET_KEY` (base64) wins, so a fleet's
 * servers and workers share one key; otherwise a key file beside the store, created with mode 0600 on first use.
 * A key of the wrong size is refused rather than padded: secrets written under another key would not open.
 */
export function loadSecretKey(keyFile: string, env: NodeJS.ProcessEnv = process.env): SecretKey {
  const fromEnv = env['W3GUARD_SECRET_KEY'];
  if (fromEnv !== undefined && fromEnv !== '') return { key: decode(fromEnv, 'W3GUARD_SECRET_KEY'), source: 'W3GUARD_SECRET_KEY' };
  if (existsSync(keyFile)) return { key: decode(readFileSync(keyFile, 'utf8').trim(), keyFile), source: keyFile };
  mkdirSync(path.dirname(keyFile), { recursive: true });
  const key = randomBytes(32);
  // `wx`: two processes starting at once must not each write a different key.
  try {
    writeFileSync(keyFile, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadSecretKey(keyFile, env);
    throw error;
  }
  if (process.platform !== 'win32') chmodSync(keyFile, 0o600);
  return { key, source: `${keyFile} (new)` };
}

function decode(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${where} must hold 32 bytes in base64 (openssl rand -base64 32), not ${key.length}`);
  return key;
}
