/**
 * Delays before each attempt (Standard Webhooks' schedule): immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
 * 14 h, 20 h, 24 h. After the last one fails, the delivery is dead.
 */
export const RETRY_DELAYS_MS: readonly number[] = [0, 5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 504e5, 72e6, 864e5];

/** How many attempts a delivery gets. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length;

/**
 * When to try again after `attempts` failed attempts, or undefined when the schedule is over. `scale` shrinks
 * the schedule (tests); jitter of up to 10% spreads retries of many deliveries; a receiver's `Retry-After` is a
 * floor, so a throttling receiver is never hit earlier than it asked.
 */
export function nextAttemptDelay(attempts: number, options: { readonly scale?: number; readonly retryAfterMs?: number; readonly random?: () => number } = {}): number | undefined {
  const base = RETRY_DELAYS_MS[attempts];
  if (base === undefined) return undefined;
  const scaled = base * (options.scale ?? 1);
  const jitter = scaled * 0.1 * (options.random ?? Math.random)();
  return Math.max(Math.round(scaled + jitter), options.retryAfterMs ?? 0);
}
