import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPasswordBlocklist, passwordProblem } from './password-policy.js';
import { hashPassword, needsRehash, verifyPassword } from './password-hash.js';

describe('password policy', () => {
  it('takes 8 to 128 characters of anything, with no composition rules', () => {
    expect(passwordProblem('abcdefg')).toMatch(/at least 8/);
    expect(passwordProblem('lowercase only words')).toBeUndefined();
    expect(passwordProblem('x'.repeat(64))).toBeUndefined();
    expect(passwordProblem('ü'.repeat(128))).toBeUndefined();
    expect(passwordProblem('x'.repeat(129))).toMatch(/at most 128/);
  });

  it('refuses the most common passwords whatever their case, and the user name', () => {
    expect(passwordProblem('Password123')).toMatch(/most common/);
    expect(passwordProblem('QWERTYUIOP')).toMatch(/most common/);
    expect(passwordProblem('alice-the-admin', 'Alice-The-Admin')).toMatch(/user name/);
  });

  it('refuses the passwords of a blocklist file too, whatever their case, and skips comments and blank lines', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'w3g-blocklist-'));
    try {
      const file = path.join(dir, 'top.txt');
      writeFileSync(file, '# top passwords\r\nCorrectHorse99\r\n\r\nmonkeybusiness\n');
      const list = loadPasswordBlocklist(file);
      expect([...list].sort()).toEqual(['correcthorse99', 'monkeybusiness']);
      expect(passwordProblem('correcthorse99', undefined, list)).toMatch(/most common/);
      expect(passwordProblem('MONKEYBUSINESS', 'alice', list)).toMatch(/most common/);
      expect(passwordProblem('monkeybusiness')).toBeUndefined();
      expect(passwordProblem('# top passwords', undefined, list)).toBeUndefined();
      expect(passwordProblem('password123', undefined, list)).toMatch(/most common/);
      expect(() => loadPasswordBlocklist(path.join(dir, 'missing.txt'))).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hashes with Argon2id at the OWASP parameters and verifies', async () => {
    const phc = await hashPassword('a long enough passphrase');
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(needsRehash(phc)).toBe(false);
    expect(needsRehash('$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaA')).toBe(true);
    expect(await verifyPassword(phc, 'a long enough passphrase')).toBe(true);
    expect(await verifyPassword(phc, 'a long enough passphrasE')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });
});
