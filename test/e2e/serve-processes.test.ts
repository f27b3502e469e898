import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../jobs/job-fixtures.js';
import { REPO_ROOT } from './run-cli.js';

const CLI = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');

/** The serving processes the primary runs now (its children). */
function children(primary: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(primary)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe.skipIf(!existsSync(CLI))('w3guard serve --processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'w3g-processes-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers from several processes on one address, replaces one that dies, and stops them all on SIGTERM', async () => {
    const env = { ...process.env, XDG_DATA_HOME: dir, NO_COLOR: '1' };
    const child = spawn(process.execPath, [CLI, 'serve', '--db', join(dir, 'w3guard.db'), '--listen', '127.0.0.1:0', '--processes', '3', '--log-level', 'info'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    try {
      const url = await until('the listening line', async () => /listening on (http:\/\/\S+) \(3 processes\)/.exec(stdout)?.[1], 60_000);
      expect(children(child.pid ?? 0)).toHaveLength(3);
      // Connections go to the processes in turn: fresh connections reach more than one.
      for (let i = 0; i < 12; i += 1) {
        const response = await fetch(`${url}/api/v1/health`, { headers: { connection: 'close' } });
        expect(response.status).toBe(200);
      }
      const servedBy = new Set(stderr.split('\n').filter((line) => line.includes('"request completed"')).map((line) => (JSON.parse(line) as { process: number }).process));
      expect(servedBy.size).toBeGreaterThan(1);
      // One process dies (the first, which runs schedules, notifications and jobs, as a rule): another takes its
      // place, and the address answers.
      const [victim] = children(child.pid ?? 0);
      process.kill(victim as number, 'SIGKILL');
      await until('a replacement', async () => (children(child.pid ?? 0).length === 3 && !children(child.pid ?? 0).includes(victim as number) ? true : undefined), 60_000);
      await until('the replacement answering', async () => (stderr.split('"msg":"serving"').length - 1 >= 4 ? true : undefined), 60_000);
      expect(stderr).toContain('a serving process stopped; starting another');
      expect((await fetch(`${url}/api/v1/health`)).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(children(child.pid ?? 0)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);

  it('refuses a number of processes it cannot run', () => {
    for (const bad of ['0', '65', 'two']) {
      const result = spawnSync(process.execPath, [CLI, 'serve', '--db', join(dir, 'w3guard.db'), '--processes', bad], { cwd: REPO_ROOT, env: { ...process.env, XDG_DATA_HOME: dir }, encoding: 'utf8' });
      expect(result.status, bad).toBe(2);
      expect(result.stderr).toContain('--processes takes a whole number from 1 to 64 or "auto"');
    }
  });

  it('runs one process a core with --processes auto', async () => {
    const cores = Math.min(availableParallelism(), 64);
    const env = { ...process.env, XDG_DATA_HOME: dir, NO_COLOR: '1' };
    const child = spawn(process.execPath, [CLI, 'serve', '--db', join(dir, 'auto.db'), '--listen', '127.0.0.1:0', '--processes', 'auto'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    try {
      const line = await until('the listening line', async () => /listening on http:\/\/\S+.*/.exec(stdout)?.[0], 60_000);
      expect(line).toContain(cores > 1 ? `(${cores} processes)` : 'listening on');
      if (cores > 1) await until('every serving process', async () => children(child.pid ?? 0).length === cores || undefined, 30_000);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 120_000);
});
