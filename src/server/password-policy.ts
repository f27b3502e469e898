import { readFileSync } from 'node:fs';

/** ASVS 6.2.1 and 6.2.9: at least 8 characters, and long passphrases welcome. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/**
 * ASVS 6.2.4: the passwords tried first by every guessing attack. Lower-cased; no composition rules (6.2.5),
 * only these and the length decide.
 */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '12345678', '123456789', '1234567890', '12345678910', '11111111', '00000000', '87654321', '11223344',
  'password', 'password1', 'password12', 'password123', 'password!', 'passw0rd', 'p@ssw0rd', 'p@ssword',
  'qwertyui', 'qwertyuiop', 'qwerty123', 'qwerty12', '1q2w3e4r', '1q2w3e4r5t', 'zaq12wsx', '1qaz2wsx',
  'asdfghjk', 'asdfasdf', 'abcd1234', 'abc12345', 'abcdefgh', 'iloveyou', 'iloveyou1', 'sunshine',
  'princess', 'football', 'baseball', 'whatever', 'trustno1', 'superman', 'starwars', 'welcome1',
  'welcome123', 'letmein1', 'letmein123', 'admin123', 'administrator', 'changeme', 'changeme123',
  'computer', 'internet', 'master123', 'michael1', 'jennifer', 'shadow12', 'monkey12', 'dragon12',
  'w3guard1', 'w3guard123', 'iisadmin', 'windows1', 'microsoft', 'summer2026', 'winter2026', 'spring2026',
]);

/**
 * Reads a list of refused passwords (such as a published top-100k list): one a line, compared without regard
 * to case; blank lines and lines starting with `#` are skipped. Read once at start, kept as a set.
 */
export function loadPasswordBlocklist(file: string): ReadonlySet<string> {
  const list = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    list.add(line.toLowerCase());
  }
  return list;
}

/** Why a password is refused, in one sentence, or undefined when it is acceptable. */
export function passwordProblem(password: string, username?: string, blocklist?: ReadonlySet<string>): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `A password needs at least ${PASSWORD_MIN} characters.`;
  if (length > PASSWORD_MAX) return `A password has at most ${PASSWORD_MAX} characters.`;
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || blocklist?.has(lower) === true) return 'This password is among the most common ones; choose another.';
  if (username !== undefined && lower === username.toLowerCase()) return 'A password cannot be the user name.';
  return undefined;
}
