import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'v1.';

/**
 * Seals a secret with AES-256-GCM under the server's 32-byte key. `purpose` is bound as associated data, so a
 * sealed value copied into another column (or another channel kind) does not open there.
 */
export function seal(key: Buffer, plaintext: string, purpose: string): string {
  checkKey(key);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(purpose, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** Opens what `seal` made; throws when the key, the purpose or the bytes differ. */
export function unseal(key: Buffer, sealed: string, purpose: string): string {
  checkKey(key);
  if (!sealed.startsWith(PREFIX)) throw new Error('sealed value has an unknown format');
  const bytes = Buffer.from(sealed.slice(PREFIX.length), 'base64');
  if (bytes.length < 28) throw new Error('sealed value is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
  decipher.setAAD(Buffer.from(purpose, 'utf8'));
  decipher.setAuthTag(bytes.subarray(12, 28));
  return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
}

function checkKey(key: Buffer): void {
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
}
