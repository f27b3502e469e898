/** Milliseconds between the FILETIME epoch (1601-01-01) and the Unix epoch. */
const EPOCH_DIFFERENCE_MS = 11_644_473_600_000;

/** Converts a Windows FILETIME (100-ns ticks since 1601-01-01 UTC) to a Date, dropping sub-millisecond ticks. */
export function filetimeToDate(filetime: bigint): Date {
  // Every 64-bit FILETIME is within Date's ±8.64e15 ms range, so no value can produce an Invalid Date.
  return new Date(Number(filetime / 10_000n) - EPOCH_DIFFERENCE_MS);
}
