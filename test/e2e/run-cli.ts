import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');

/** What one run of the built command line gave. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `w3guard` from the repository root, as a user would; `npm test` builds it first. */
export function runCli(args: readonly string[], options: { input?: string | Buffer; cwd?: string; env?: Readonly<Record<string, string>> } = {}): CliRun {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
  const run = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    input: options.input ?? '',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  if (run.error !== undefined) throw run.error;
  return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

/** Runs the built CLI with `--format json` and parses its report; the run must have printed one. */
export function runCliJson<T>(args: readonly string[]): { code: number; report: T; stderr: string } {
  const run = runCli([...args, '--format', 'json']);
  expect(run.stdout, run.stderr).not.toBe('');
  return { code: run.code, report: JSON.parse(run.stdout) as T, stderr: run.stderr };
}
