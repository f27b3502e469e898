import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputStreamError } from './input-stream-error.js';
import { readFileRange } from './read-file-range.js';

const path = join(relative(process.cwd(), new URL('.', import.meta.url).pathname), 'fixtures', 'happy', 'u_ex240101.log');
const whole = readFileSync(path);

async function read(start: number, end: number, chunkSize?: number): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of readFileRange(path, start, end, chunkSize)) chunks.push(chunk);
  return chunks;
}

describe('readFileRange', () => {
  it('reads start inclusive to end exclusive, in chunks of the given size', async () => {
    const chunks = await read(100, 1100, 300);
    expect(chunks.map((chunk) => chunk.length)).toEqual([300, 300, 300, 100]);
    expect(Buffer.concat(chunks).equals(whole.subarray(100, 1100))).toBe(true);
  });

  it('reads to the end of the file for Infinity or an end past it', async () => {
    expect(Buffer.concat(await read(whole.length - 10, Infinity)).equals(whole.subarray(whole.length - 10))).toBe(true);
    expect(Buffer.concat(await read(0, whole.length + 1000)).equals(whole)).toBe(true);
  });

  it('yields nothing for an empty range without opening the file', async () => {
    expect(await read(10, 10)).toEqual([]);
    const chunks: Buffer[] = [];
    for await (const chunk of readFileRange('no/such/file.log', 5, 5)) chunks.push(chunk);
    expect(chunks).toEqual([]);
  });

  it('puts adjacent ranges back together byte for byte', async () => {
    const cuts = [0, 1, 4096, 10_000, 30_001, whole.length];
    const parts: Buffer[] = [];
    for (let i = 0; i + 1 < cuts.length; i += 1) parts.push(...(await read(cuts[i] ?? 0, cuts[i + 1] ?? 0, 1024)));
    expect(Buffer.concat(parts).equals(whole)).toBe(true);
  });

  it('rejects nonsense arguments as programming errors', async () => {
    await expect(read(-1, 10)).rejects.toThrow(RangeError);
    await expect(read(0.5, 10)).rejects.toThrow(RangeError);
    await expect(read(0, 10, 0)).rejects.toThrow(RangeError);
  });

  it('throws input.read-failed for a file that cannot be read', async () => {
    const failure = readFileRange('no/such/file.log', 0, 10).next();
    await expect(failure).rejects.toBeInstanceOf(InputStreamError);
    await expect(readFileRange('no/such/file.log', 0, 10).next()).rejects.toMatchObject({ code: 'input.read-failed', path: 'no/such/file.log' });
  });
});
