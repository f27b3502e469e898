import { readFileSync } from 'node:fs';
import { constants, deflateRawSync, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inflateChunks } from './inflate-chunks.js';
import type { InflateChunksOptions } from './inflate-chunks.js';
import { InputStreamError } from './input-stream-error.js';

const log = readFileSync(new URL('fixtures/happy/u_ex240101.log', import.meta.url));
const gz = gzipSync(log);

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Splits bytes into pieces of random sizes, as a file or socket might deliver them. */
async function* pieces(data: Buffer, seed: number): AsyncGenerator<Buffer, void, undefined> {
  const next = random(seed);
  for (let at = 0; at < data.length; ) {
    const size = 1 + Math.floor(next() * 3000);
    yield data.subarray(at, at + size);
    at += size;
  }
}

async function inflate(data: Buffer, options: InflateChunksOptions, seed = 1): Promise<{ output: Buffer; error: unknown }> {
  const parts: Buffer[] = [];
  try {
    for await (const chunk of inflateChunks(pieces(data, seed), options)) parts.push(chunk);
    return { output: Buffer.concat(parts), error: undefined };
  } catch (error) {
    return { output: Buffer.concat(parts), error };
  }
}

/** What zlib itself can decode from the longest prefix of `data` that it accepts. */
function decodablePrefix(data: Buffer): Buffer {
  let low = 0;
  let high = data.length;
  const tryPrefix = (length: number): Buffer | undefined => {
    try {
      return gunzipSync(data.subarray(0, length), { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      return undefined;
    }
  };
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (tryPrefix(mid) === undefined) high = mid - 1;
    else low = mid;
  }
  return tryPrefix(low) ?? Buffer.alloc(0);
}

describe('inflateChunks', () => {
  it('inflates gzip and raw deflate whatever the piece sizes', async () => {
    for (const seed of [1, 2, 3]) {
      expect((await inflate(gz, { format: 'gzip', path: 'x.gz' }, seed)).output.equals(log)).toBe(true);
      expect((await inflate(deflateRawSync(log), { format: 'deflate-raw', path: 'x.zip!y' }, seed)).output.equals(log)).toBe(true);
    }
  });

  it('yields exactly what zlib can decode from any cut of a gzip, then throws input.gzip-truncated', async () => {
    for (let cut = 0; cut < gz.length; cut += 37) {
      const { output, error } = await inflate(gz.subarray(0, cut), { format: 'gzip', path: 'cut.gz' }, cut);
      expect(error, `cut at ${cut}`).toBeInstanceOf(InputStreamError);
      expect(error).toMatchObject({ code: 'input.gzip-truncated', path: 'cut.gz' });
      expect(output.equals(gunzipSync(gz.subarray(0, cut), { finishFlush: constants.Z_SYNC_FLUSH })), `cut at ${cut}`).toBe(true);
    }
  });

  it('with reopen, yields everything before damage anywhere in a gzip, then throws input.gzip-corrupt', async () => {
    const next = random(7);
    for (let round = 0; round < 25; round += 1) {
      const damaged = Buffer.from(gz);
      const at = 10 + Math.floor(next() * (gz.length - 10));
      damaged[at] = (damaged[at] ?? 0) ^ (1 + Math.floor(next() * 255));
      const { output, error } = await inflate(damaged, { format: 'gzip', path: 'bad.gz', reopen: () => pieces(damaged, round + 100) }, round);
      const expected = decodablePrefix(damaged);
      if (error === undefined) {
        // Some flips land where gzip does not look (the OS byte of the header, say).
        expect(output.equals(log)).toBe(true);
        continue;
      }
      expect(error, `flip at ${at}`).toMatchObject({ code: expect.stringMatching(/^input\.gzip-(corrupt|truncated)$/) });
      expect(output.equals(expected), `flip at ${at}: ${output.length} vs ${expected.length}`).toBe(true);
    }
  });

  it('keeps a good member before a corrupt one even when both arrive in one piece', async () => {
    const first = gzipSync(log.subarray(0, 5000));
    const broken = Buffer.concat([first, gzipSync(log.subarray(5000)).subarray(0, 10), Buffer.from([0x07, 0, 0, 0])]);
    const { output, error } = await inflateAll(broken);
    expect(error).toMatchObject({ code: 'input.gzip-corrupt' });
    expect(output.equals(log.subarray(0, 5000))).toBe(true);

    async function inflateAll(data: Buffer): Promise<{ output: Buffer; error: unknown }> {
      const parts: Buffer[] = [];
      const whole = async function* (): AsyncGenerator<Buffer, void, undefined> {
        yield data;
      };
      try {
        for await (const chunk of inflateChunks(whole(), { format: 'gzip', path: 'two.gz', reopen: whole })) parts.push(chunk);
      } catch (error) {
        return { output: Buffer.concat(parts), error };
      }
      return { output: Buffer.concat(parts), error: undefined };
    }
  });

  it('passes errors of the compressed source through unchanged', async () => {
    const failing = async function* (): AsyncGenerator<Buffer, void, undefined> {
      yield gz.subarray(0, 100);
      throw new Error('disk gone');
    };
    const parts: Buffer[] = [];
    await expect(
      (async () => {
        for await (const chunk of inflateChunks(failing(), { format: 'gzip', path: 'x.gz' })) parts.push(chunk);
      })(),
    ).rejects.toThrow('disk gone');
  });
});
