import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanIssue } from '../../core/scan-issue.js';
import { InputStreamError } from './input-stream-error.js';
import type { LogSource } from './log-source.js';
import { openLogStreams } from './open-log-streams.js';
import type { OpenLogStreamsOptions } from './open-log-streams.js';

const here = relative(process.cwd(), new URL('.', import.meta.url).pathname);
const happy = (name: string): string => join(here, 'fixtures', 'happy', name);
const sad = (name: string): string => join(here, 'fixtures', 'sad', name);
const original = readFileSync(happy('u_ex240101.log'));

interface ReadStream {
  readonly path: string;
  readonly size: number | undefined;
  readonly data: Buffer;
  readonly chunkCount: number;
  readonly error?: unknown;
}

async function readAll(source: LogSource, options: Partial<OpenLogStreamsOptions> = {}): Promise<{ streams: ReadStream[]; issues: ScanIssue[] }> {
  const issues: ScanIssue[] = [];
  const streams: ReadStream[] = [];
  for await (const stream of openLogStreams(source, { ...options, onIssue: (issue) => issues.push(issue) })) {
    const parts: Buffer[] = [];
    let error: unknown;
    try {
      for await (const chunk of stream.chunks) parts.push(chunk);
    } catch (caught) {
      error = caught;
    }
    streams.push({ path: stream.path, size: stream.size, data: Buffer.concat(parts), chunkCount: parts.length, ...(error === undefined ? {} : { error }) });
  }
  return { streams, issues };
}

const file = (path: string, container: LogSource['container']): LogSource => ({ path, container, size: container === 'stdin' ? 0 : readFileSync(path).length });

function lineCount(data: Buffer): number {
  return data.toString('latin1').split('\r\n').filter((line) => line !== '' && !line.startsWith('#')).length;
}

describe('openLogStreams on plain and gzip files', () => {
  it('streams a plain file in chunks of the requested size, with its size', async () => {
    const { streams, issues } = await readAll(file(happy('u_ex240101.log'), 'plain'), { chunkSize: 4096 });
    expect(issues).toEqual([]);
    expect(streams).toHaveLength(1);
    expect(streams[0]?.path).toBe(happy('u_ex240101.log'));
    expect(streams[0]?.size).toBe(original.length);
    expect(streams[0]?.data.equals(original)).toBe(true);
    expect(streams[0]?.chunkCount).toBe(Math.ceil(original.length / 4096));
  });

  it('streams a zero-byte file as an empty stream', async () => {
    const { streams, issues } = await readAll(file(sad('empty.log'), 'plain'));
    expect(issues).toEqual([]);
    expect(streams.map((s) => [s.size, s.data.length, s.error])).toEqual([[0, 0, undefined]]);
  });

  it('gunzips a gzip file', async () => {
    const { streams, issues } = await readAll(file(happy('u_ex240101.log.gz'), 'gzip'));
    expect(issues).toEqual([]);
    expect(streams[0]?.size).toBeUndefined();
    expect(streams[0]?.error).toBeUndefined();
    expect(streams[0]?.data.equals(original)).toBe(true);
  });

  it('gunzips every member of a concatenated gzip file', async () => {
    const { streams } = await readAll(file(happy('multi-member.log.gz'), 'gzip'), { chunkSize: 1024 });
    expect(streams[0]?.error).toBeUndefined();
    expect(streams[0]?.data.equals(original)).toBe(true);
  });

  it('yields the readable prefix of a truncated gzip, then throws input.gzip-truncated', async () => {
    const { streams, issues } = await readAll(file(sad('truncated.log.gz'), 'gzip'));
    expect(issues).toEqual([]);
    const [stream] = streams;
    expect(stream?.error).toBeInstanceOf(InputStreamError);
    expect(stream?.error).toMatchObject({ code: 'input.gzip-truncated', path: sad('truncated.log.gz') });
    // Half of the compressed file holds well over a third of the log.
    expect(stream?.data.length).toBeGreaterThan(original.length / 3);
    expect(original.subarray(0, stream?.data.length).equals(stream?.data ?? Buffer.alloc(0))).toBe(true);
  });

  it('yields a good gzip member before a corrupt one, then throws input.gzip-corrupt', async () => {
    const { streams } = await readAll(file(sad('corrupt.log.gz'), 'gzip'));
    const [stream] = streams;
    expect(stream?.error).toMatchObject({ code: 'input.gzip-corrupt' });
    expect(stream?.data.toString('latin1')).toMatch(/^#Software/);
    expect(lineCount(stream?.data ?? Buffer.alloc(0))).toBe(5);
  });

  it('stops a gzip bomb with an issue instead of inflating it all', async () => {
    const { streams, issues } = await readAll(file(sad('bomb.log.gz'), 'gzip'), { limits: { minBytes: 1024 * 1024 } });
    expect(issues.map((issue) => [issue.code, issue.path])).toEqual([['input.gzip-bomb', sad('bomb.log.gz')]]);
    expect(streams[0]?.error).toBeUndefined();
    expect(streams[0]?.data.length).toBeLessThanOrEqual(1024 * 1024);
  });

  it('turns a file that vanished into input.read-failed from the chunks', async () => {
    const { streams } = await readAll({ path: join(here, 'fixtures', 'no-such.log'), container: 'plain', size: 10 });
    expect(streams[0]?.error).toBeInstanceOf(InputStreamError);
    expect(streams[0]?.error).toMatchObject({ code: 'input.read-failed' });
  });
});

describe('openLogStreams on zip archives', () => {
  it('streams the logs in a zip in order, gunzipping gzipped entries, skipping folders and other files', async () => {
    const zip = happy('logs.zip');
    const { streams, issues } = await readAll(file(zip, 'zip'));
    expect(issues).toEqual([]);
    expect(streams.map((s) => [s.path, s.error])).toEqual([
      [`${zip}!W3SVC1/u_ex240101.log`, undefined],
      [`${zip}!W3SVC2/u_ex240102.log`, undefined],
      [`${zip}!W3SVC3/u_ex240103.log.gz`, undefined],
    ]);
    expect(streams[0]?.data.equals(original)).toBe(true);
    expect(streams[0]?.size).toBe(original.length);
    expect(streams[1]?.size).toBe(streams[1]?.data.length);
    expect(streams[2]?.size).toBeUndefined();
    expect(streams[2]?.data.toString('latin1')).toMatch(/^#Software[^]*\r\n2024-01-03 /);
  });

  it('decodes entry names as UTF-8 when flagged and as single bytes otherwise', async () => {
    const zip = happy('names.zip');
    const { streams } = await readAll(file(zip, 'zip'));
    expect(streams.map((s) => s.path)).toEqual([`${zip}!Straße/u_ex240102.log`, `${zip}!café/u_ex240103.log`]);
  });

  it('yields nothing for an empty zip', async () => {
    expect(await readAll(file(happy('empty.zip'), 'zip'))).toEqual({ streams: [], issues: [] });
  });

  it('reports and skips entries that would escape the archive, and reads the good one', async () => {
    const zip = sad('traversal.zip');
    const { streams, issues } = await readAll(file(zip, 'zip'));
    expect(issues.map((issue) => [issue.code, issue.path])).toEqual(Array.from({ length: 4 }, () => ['input.zip-unsafe-entry', zip]));
    expect(issues[0]?.message).toContain('"../../evil/u_ex1.log"');
    expect(issues.map((issue) => issue.message).join('\n')).toMatch(/absolute[^]*drive letter[^]*\.\./);
    expect(streams.map((s) => s.path)).toEqual([`${zip}!W3SVC1/u_ex240103.log`]);
    expect(lineCount(streams[0]?.data ?? Buffer.alloc(0))).toBe(5);
  });

  it('reports nested zips, encrypted entries and unsupported methods, and reads the rest', async () => {
    for (const [name, code] of [
      ['nested.zip', 'input.zip-nested'],
      ['encrypted.zip', 'input.zip-encrypted'],
      ['unsupported-method.zip', 'input.zip-unsupported-method'],
    ] as const) {
      const zip = sad(name);
      const { streams, issues } = await readAll(file(zip, 'zip'));
      expect(issues.map((issue) => [issue.code, issue.path])).toEqual([[code, zip]]);
      expect(streams.map((s) => [s.path, s.error])).toEqual([[`${zip}!W3SVC1/u_ex240103.log`, undefined]]);
    }
  });

  it('reports a zip without a readable central directory and yields nothing', async () => {
    const zip = sad('truncated.zip');
    const { streams, issues } = await readAll(file(zip, 'zip'));
    expect(streams).toEqual([]);
    expect(issues.map((issue) => [issue.code, issue.path])).toEqual([['input.zip-corrupt', zip]]);
  });

  it('reports a central directory that breaks part-way, after streaming the entries before it', async () => {
    const zip = sad('corrupt-central-directory.zip');
    const { streams, issues } = await readAll(file(zip, 'zip'));
    expect(streams.map((s) => [s.path, s.error])).toEqual([[`${zip}!W3SVC1/u_ex240102.log`, undefined]]);
    expect(issues.map((issue) => issue.code)).toEqual(['input.zip-corrupt']);
  });

  it('throws input.zip-corrupt from an entry that is shorter than declared, after its bytes, and goes on', async () => {
    const zip = sad('short-entry.zip');
    const { streams, issues } = await readAll(file(zip, 'zip'));
    expect(issues).toEqual([]);
    expect(streams.map((s) => s.path)).toEqual([`${zip}!W3SVC1/u_ex240102.log`, `${zip}!W3SVC1/u_ex240103.log`]);
    expect(streams[0]?.error).toMatchObject({ code: 'input.zip-corrupt', path: `${zip}!W3SVC1/u_ex240102.log` });
    expect(lineCount(streams[0]?.data ?? Buffer.alloc(0))).toBe(5);
    expect(streams[1]?.error).toBeUndefined();
  });

  it('stops a zip bomb entry with an issue', async () => {
    const zip = sad('bomb.zip');
    const { streams, issues } = await readAll(file(zip, 'zip'), { limits: { minBytes: 1024 * 1024 } });
    expect(issues.map((issue) => [issue.code, issue.path])).toEqual([['input.zip-bomb', zip]]);
    expect(streams[0]?.error).toBeUndefined();
    expect(streams[0]?.data.length).toBeLessThanOrEqual(1024 * 1024);
  });

  it('stops after the entry limit with an issue', async () => {
    const zip = happy('logs.zip');
    const { streams, issues } = await readAll(file(zip, 'zip'), { limits: { maxZipEntries: 2 } });
    expect(streams.map((s) => s.path)).toEqual([`${zip}!W3SVC1/u_ex240101.log`]);
    expect(issues.map((issue) => issue.code)).toEqual(['input.zip-too-many-entries']);
    // Exactly as many entries as allowed is fine.
    expect(await readAll(file(zip, 'zip'), { limits: { maxZipEntries: 5 } })).toMatchObject({ issues: [] });
  });

  it('reports a zip that cannot be opened as input.read-failed', async () => {
    const { streams, issues } = await readAll({ path: join(here, 'fixtures', 'no-such.zip'), container: 'zip', size: 10 });
    expect(streams).toEqual([]);
    expect(issues.map((issue) => issue.code)).toEqual(['input.read-failed']);
  });
});

describe('openLogStreams on standard input', () => {
  const stdinSource: LogSource = { path: '-', container: 'stdin', size: 0 };

  it('streams plain text from the given stdin', async () => {
    const stdin = Readable.from([original.subarray(0, 1000), original.subarray(1000)]);
    const { streams, issues } = await readAll(stdinSource, { stdin });
    expect(issues).toEqual([]);
    expect(streams.map((s) => [s.path, s.size])).toEqual([['-', undefined]]);
    expect(streams[0]?.data.equals(original)).toBe(true);
  });

  it('recognises gzip on stdin from its magic, even when the first chunk holds one byte', async () => {
    const gz = gzipSync(original);
    const stdin = Readable.from([gz.subarray(0, 1), gz.subarray(1, 3), gz.subarray(3)]);
    const { streams } = await readAll(stdinSource, { stdin });
    expect(streams[0]?.error).toBeUndefined();
    expect(streams[0]?.data.equals(original)).toBe(true);
  });

  it('keeps a one-byte stdin intact', async () => {
    const { streams } = await readAll(stdinSource, { stdin: Readable.from([Buffer.from('x')]) });
    expect(streams[0]?.data.toString()).toBe('x');
  });

  it('yields the prefix of a truncated gzip on stdin, then throws', async () => {
    const gz = gzipSync(original);
    const { streams } = await readAll(stdinSource, { stdin: Readable.from([gz.subarray(0, gz.length - 20)]) });
    expect(streams[0]?.error).toMatchObject({ code: 'input.gzip-truncated' });
    expect(streams[0]?.data.length).toBeGreaterThan(0);
  });

  it('reports a zip on stdin instead of reading it', async () => {
    const { streams, issues } = await readAll(stdinSource, { stdin: Readable.from([readFileSync(happy('logs.zip'))]) });
    expect(streams.map((s) => s.data.length)).toEqual([0]);
    expect(issues.map((issue) => issue.code)).toEqual(['input.zip-on-stdin']);
  });
});

describe('openLogStreams resources and cancellation', () => {
  let tmp = '';
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'w3guard-streams-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  const openFds = async (): Promise<number> => (await readdir('/proc/self/fd')).length;
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

  it.runIf(process.platform === 'linux')('releases files when the consumer stops part-way', async () => {
    const before = await openFds();
    for (const source of [file(happy('u_ex240101.log'), 'plain'), file(happy('u_ex240101.log.gz'), 'gzip'), file(happy('logs.zip'), 'zip')]) {
      // Leaves the chunks after one of them, and the streams after the first.
      for await (const stream of openLogStreams(source, { onIssue: () => undefined, chunkSize: 1024 })) {
        for await (const chunk of stream.chunks) {
          expect(chunk.length).toBeGreaterThan(0);
          break;
        }
        break;
      }
      // Takes one chunk by hand and abandons the iterator without returning it.
      for await (const stream of openLogStreams(source, { onIssue: () => undefined, chunkSize: 1024 })) {
        await stream.chunks[Symbol.asyncIterator]().next();
      }
    }
    await settle();
    expect(await openFds()).toBe(before);
  });

  it('throws the abort reason when the signal fires during a read', async () => {
    const path = join(tmp, 'big.log');
    await writeFile(path, Buffer.alloc(4 * 1024 * 1024, 0x41));
    const controller = new AbortController();
    const source: LogSource = { path, container: 'plain', size: 4 * 1024 * 1024 };
    const read = async (): Promise<void> => {
      for await (const stream of openLogStreams(source, { signal: controller.signal, onIssue: () => undefined, chunkSize: 1024 })) {
        for await (const chunk of stream.chunks) {
          expect(chunk.length).toBe(1024);
          controller.abort(new Error('stop'));
        }
      }
    };
    await expect(read()).rejects.toThrow('stop');
  });

  it('throws at once for a signal that already fired', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    const generator = openLogStreams(file(happy('logs.zip'), 'zip'), { signal: controller.signal, onIssue: () => undefined });
    await expect(generator.next()).rejects.toThrow('gone');
  });
});
