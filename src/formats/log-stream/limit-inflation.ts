/** When decompressed output counts as a decompression bomb: both bounds must be passed. */
export interface InflationLimits {
  /** Output bytes per compressed byte read. */
  readonly maxRatio: number;
  /** Output bytes below which any ratio is fine (real logs compress 10–50×, so small files never trip). */
  readonly minBytes: number;
}

/** 200× and 1 GiB: far above what IIS logs reach, far below what a bomb produces. */
export const DEFAULT_INFLATION_LIMITS: InflationLimits = { maxRatio: 200, minBytes: 1024 * 1024 * 1024 };

/** Options for `limitInflation`. */
export interface LimitInflationOptions {
  readonly limits: InflationLimits;
  /** Compressed bytes consumed so far (read lazily, so a stream being read can be measured). */
  compressedBytes(): number;
  /** Called once when the output passes both limits; the output then ends early. */
  onExceeded(outputBytes: number): void;
}

/** Passes decompressed chunks through until output passes both the size and the ratio limit, then stops. */
export async function* limitInflation(
  chunks: AsyncIterable<Buffer>,
  options: LimitInflationOptions,
): AsyncGenerator<Buffer, void, undefined> {
  let output = 0;
  for await (const chunk of chunks) {
    output += chunk.length;
    if (output > options.limits.minBytes && output > options.limits.maxRatio * Math.max(options.compressedBytes(), 1)) {
      // Leaving the loop returns `chunks`, which releases the decompressor and the file.
      options.onExceeded(output);
      return;
    }
    yield chunk;
  }
}
