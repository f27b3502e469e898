import { hash, verify } from '@node-rs/argon2';

/** OWASP Password Storage Cheat Sheet: Argon2id with 19 MiB, 2 passes, 1 lane (the library's default algorithm is Argon2id). */
export const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** An Argon2id PHC string for a password. */
export async function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** Whether a password matches a PHC string; a malformed hash is a mismatch, not an error. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

/** Whether a PHC string was made with other parameters than today's, so the next sign-in should rehash it. */
export function needsRehash(phc: string): boolean {
  return !phc.startsWith(`$argon2id$v=19$m=${ARGON2_OPTIONS.memoryCost},t=${ARGON2_OPTIONS.timeCost},p=${ARGON2_OPTIONS.parallelism}$`);
}

let dummy: Promise<string> | undefined;

/** A hash to verify against when the user does not exist, so an unknown name costs the same time as a wrong password. */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword('w3guard dummy password for unknown users');
  return dummy;
}
