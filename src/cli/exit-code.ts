/** The process exit codes every command shares. */
export const EXIT = {
  ok: 0,
  /** Findings at or above `--fail-on`. */
  findings: 1,
  /** Usage or input error. */
  usage: 2,
  internal: 3,
  /** Stopped by Ctrl-C (128 + SIGINT), as shells report it. */
  interrupted: 130,
} as const;

/** A command-line or input problem, told to the user in one sentence; exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
