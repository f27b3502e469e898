/** How often a failed job is tried again, and how long to wait between tries. Shared by both queues. */
export interface RetryPolicy {
  /** Tries after the first; the job fails for good after `retryLimit + 1` attempts. */
  readonly retryLimit: number;
  /** The wait before the first retry, in seconds; each later one waits twice as long. */
  readonly retryDelaySeconds: number;
  /** No wait is longer than this, in seconds. */
  readonly retryDelayMaxSeconds: number;
}

/** Scans reach remote hosts: a passing network fault deserves a few tries, spread out so a struggling host recovers. */
export const DEFAULT_RETRY: RetryPolicy = { retryLimit: 3, retryDelaySeconds: 10, retryDelayMaxSeconds: 900 };

/** Seconds to wait before attempt `attempt + 1` (attempt counts from 1): exponential back-off, capped. */
export function retryDelaySeconds(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.retryDelayMaxSeconds, policy.retryDelaySeconds * 2 ** Math.max(0, attempt - 1));
}
