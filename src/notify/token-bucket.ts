/**
 * A token bucket per destination: `rate` messages per second with bursts of `burst`. Slack and Teams allow
 * about one message per second per webhook URL; waiting here is cheaper than being answered 429.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #updated: number;

  constructor(rate: number, burst: number, now = Date.now()) {
    this.#rate = rate;
    this.#burst = burst;
    this.#tokens = burst;
    this.#updated = now;
  }

  /** Milliseconds to wait before a token is available (0: take it now). Takes the token when it returns 0. */
  take(now = Date.now()): number {
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#updated) / 1000) * this.#rate);
    this.#updated = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.#tokens) / this.#rate) * 1000);
  }
}

/** Buckets by destination key. */
export class RateLimiter {
  readonly #buckets = new Map<string, TokenBucket>();

  /** Waits until the destination may receive one more message. */
  async acquire(key: string, rate: number, burst: number): Promise<void> {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = new TokenBucket(rate, burst);
      this.#buckets.set(key, bucket);
    }
    for (;;) {
      const wait = bucket.take();
      if (wait === 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
