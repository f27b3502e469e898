import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScanIssue } from '../core/scan-issue.js';
import { findLogFiles } from './find-log-files.js';
import type { LogSource } from './find-log-files.js';
import { InputError } from './input-error.js';

const fixtures = join(relative(process.cwd(), new URL('.', import.meta.url).pathname), 'fixtures', 'happy');
const logs = join(fixtures, 'logs');
const isRoot = process.getuid?.() === 0;

const summary = (sources: readonly LogSource[], base = ''): string[][] =>
  sources.map((source) => [base === '' ? source.path : source.path.slice(base.length), source.container]);

describe('findLogFiles in a folder', () => {
  it('walks in sorted order and keeps only IIS log names and zip archives, whatever their case', async () => {
    const sources = await findLogFiles([logs]);
    expect(summary(sources, `${logs}${sep}`)).toEqual([
      [join('HTTPERR', 'httperr1.log'), 'plain'],
      [join('W3SVC1', 'U_EX240103.LOG'), 'plain'],
      [join('W3SVC1', 'u_ex240101.log'), 'plain'],
      [join('W3SVC1', 'u_ex240102.log.gz'), 'gzip'],
      // Named like a gzip, holds plain text: the bytes decide.
      [join('W3SVC1', 'u_ex240105.log.gz'), 'plain'],
      [join('W3SVC2', 'u_ex240101_x.log'), 'plain'],
      [join('W3SVC2', 'u_in240101.log'), 'plain'],
      [join('W3SVC2', 'u_nc240101.log'), 'plain'],
      ['archive.zip', 'zip'],
      [join('old', 'ex240101.log'), 'plain'],
      [join('old', 'in240101.log'), 'plain'],
      [join('old', 'nc240101.log'), 'plain'],
    ]);
    expect(sources[0]?.size).toBe(510);
  });

  it('keeps the folder as it was written, relative and with its ./ or trailing slash', async () => {
    const dotted = `.${sep}${logs}${sep}`;
    const sources = await findLogFiles([dotted]);
    expect(sources[0]?.path).toBe(`${dotted}HTTPERR${sep}httperr1.log`);
  });
});

describe('findLogFiles on named files and stdin', () => {
  it('takes a named file whatever its name, and tells its container by its bytes', async () => {
    const sources = await findLogFiles([join(fixtures, 'notes.txt'), join(fixtures, 'renamed.bin'), join(logs, 'archive.zip')]);
    expect(summary(sources)).toEqual([
      [join(fixtures, 'notes.txt'), 'plain'],
      [join(fixtures, 'renamed.bin'), 'gzip'],
      [join(logs, 'archive.zip'), 'zip'],
    ]);
  });

  it('reads standard input for - once, in the order given', async () => {
    const sources = await findLogFiles([join(fixtures, 'notes.txt'), '-', '-']);
    expect(sources.map((source) => [source.path, source.container, source.size])).toEqual([
      [join(fixtures, 'notes.txt'), 'plain', 510],
      ['-', 'stdin', 0],
    ]);
  });

  it('lists a file reached twice once', async () => {
    const file = join(logs, 'W3SVC1', 'u_ex240101.log');
    const sources = await findLogFiles([file, logs, logs]);
    expect(sources.filter((source) => source.path.endsWith('u_ex240101.log'))).toHaveLength(1);
    expect(sources[0]?.path).toBe(file);
    expect(sources).toHaveLength(12);
  });
});

describe('findLogFiles on bad paths', () => {
  it('throws input.not-found naming a missing path, in one sentence', async () => {
    const missing = join(fixtures, 'no-such-folder');
    const error: unknown = await findLogFiles([logs, missing]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'input.not-found', path: missing, message: `${JSON.stringify(missing)} does not exist.` });
  });

  it('throws input.not-found for a path through a file', async () => {
    await expect(findLogFiles([join(fixtures, 'notes.txt', 'x.log')])).rejects.toMatchObject({ code: 'input.not-found' });
  });

  it.runIf(process.platform !== 'win32')('throws input.not-a-file for a device', async () => {
    await expect(findLogFiles(['/dev/null'])).rejects.toMatchObject({ code: 'input.not-a-file', path: '/dev/null' });
  });

  it('stops at once for a signal that already fired', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(findLogFiles([logs], { signal: controller.signal })).rejects.toThrow('stop');
  });
});

describe('findLogFiles in temporary folders', () => {
  let tmp = '';
  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'w3guard-find-'));
  });
  afterEach(async () => {
    await chmod(tmp, 0o700).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
  });

  const file = async (path: string, text = 'x'): Promise<void> => {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, text);
  };

  it.runIf(process.platform !== 'win32')('follows symlinks inside the folder and reports, without following, those leading out', async () => {
    const root = join(tmp, 'root');
    const outside = join(tmp, 'outside');
    await file(join(root, 'inside', 'u_ex1.log'));
    await file(join(root, 'data', 'raw.txt'));
    await file(join(outside, 'u_ex2.log'));
    await symlink(outside, join(root, 'link-out'));
    await symlink(join(outside, 'u_ex2.log'), join(root, 'u_ex3.log'));
    await symlink(join('data', 'raw.txt'), join(root, 'u_ex4.log'));
    await symlink(join(root, 'missing.log'), join(root, 'u_ex5.log'));
    const issues: ScanIssue[] = [];
    const sources = await findLogFiles([root], { onIssue: (issue) => issues.push(issue) });
    expect(sources.map((source) => source.path)).toEqual([join(root, 'inside', 'u_ex1.log'), join(root, 'u_ex4.log')]);
    expect(issues.map((issue) => [issue.code, issue.path])).toEqual([
      ['input.symlink-outside', join(root, 'link-out')],
      ['input.symlink-outside', join(root, 'u_ex3.log')],
    ]);
  });

  it.runIf(process.platform !== 'win32')('ends on folder symlink loops and lists each file once', async () => {
    const root = join(tmp, 'root');
    await file(join(root, 'a', 'u_ex1.log'));
    await symlink(root, join(root, 'a', 'up'));
    await symlink('.', join(root, 'a', 'self'));
    await symlink(join(root, 'a'), join(root, 'b'));
    await symlink(join(root, 'c'), join(root, 'c'));
    const sources = await findLogFiles([root]);
    expect(sources.map((source) => source.path)).toEqual([join(root, 'a', 'u_ex1.log')]);
  });

  it('reports folders nested deeper than the bound and does not read them', async () => {
    const root = join(tmp, 'root');
    await file(join(root, '1', 'u_ex1.log'));
    await file(join(root, '1', '2', 'u_ex2.log'));
    await file(join(root, '1', '2', '3', 'u_ex3.log'));
    const issues: ScanIssue[] = [];
    const sources = await findLogFiles([root], { maxDepth: 2, onIssue: (issue) => issues.push(issue) });
    expect(sources.map((source) => source.path)).toEqual([join(root, '1', '2', 'u_ex2.log'), join(root, '1', 'u_ex1.log')]);
    expect(issues.map((issue) => [issue.code, issue.path])).toEqual([['input.too-deep', join(root, '1', '2', '3')]]);
  });

  it('walks a folder nested 64 deep by default', async () => {
    const deep = join(tmp, ...Array.from({ length: 64 }, () => 'd'));
    await file(join(deep, 'u_ex1.log'));
    await file(join(deep, 'd', 'u_ex2.log'));
    const issues: ScanIssue[] = [];
    const sources = await findLogFiles([tmp], { onIssue: (issue) => issues.push(issue) });
    expect(sources.map((source) => source.path)).toEqual([join(deep, 'u_ex1.log')]);
    expect(issues.map((issue) => issue.code)).toEqual(['input.too-deep']);
  });

  it('takes an empty file as a plain source of size 0', async () => {
    await file(join(tmp, 'u_ex1.log'), '');
    expect(await findLogFiles([tmp])).toEqual([{ path: join(tmp, 'u_ex1.log'), container: 'plain', size: 0 }]);
  });

  // Permissions do not stop root, so these run only as an ordinary user.
  it.runIf(!isRoot && process.platform !== 'win32')('throws input.unreadable for a file that cannot be opened', async () => {
    const path = join(tmp, 'u_ex1.log');
    await file(path);
    await chmod(path, 0o000);
    await expect(findLogFiles([path])).rejects.toMatchObject({ code: 'input.unreadable', path });
    await expect(findLogFiles([tmp])).rejects.toMatchObject({ code: 'input.unreadable', path });
  });

  it.runIf(!isRoot && process.platform !== 'win32')('throws input.unreadable for a folder that cannot be listed', async () => {
    const folder = join(tmp, 'locked');
    await file(join(folder, 'u_ex1.log'));
    await chmod(folder, 0o000);
    const error: unknown = await findLogFiles([tmp]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'input.unreadable', path: folder, message: `${JSON.stringify(folder)} cannot be read (permission denied).` });
    await chmod(folder, 0o700);
  });
});
