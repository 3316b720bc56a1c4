import type { Timing } from './timing.js';

/** A marketplace usage plan: `rate` requests per second sustained, `burst` at most at once. */
export type UsagePlan = Readonly<{ rate: number; burst: number }>;

export type BucketState = Readonly<{ tokens: number; rate: number; burst: number; blockedUntil: number }>;

export type TokenBucket = Readonly<{
  /** Takes one token, waiting for it rather than failing; rejects only when `signal` aborts. */
  take: (signal?: AbortSignal) => Promise<void>;
  /** The marketplace told us the rate it grants now (Amazon `x-amzn-RateLimit-Limit`). */
  setRate: (rate: number) => void;
  /**
   * The marketplace told us how many requests are left (Walmart `x-current-token-count`) and, when
   * none are, when the next one comes (`x-next-replenishment-time`). Its count wins over ours when lower.
   */
  sync: (remaining: number, nextTokenAt: number | null) => void;
  /** A 429 says the marketplace's bucket is empty, whatever ours thought. */
  drain: () => void;
  state: () => BucketState;
}>;

/**
 * Marketplaces meter each seller and operation with a token bucket; keeping our own copy of it lets
 * a pull wait for a token instead of spending requests on 429s. Their headers correct our copy.
 */
export const tokenBucket = (plan: UsagePlan, timing: Timing, options: Readonly<{ maxBlockMs?: number }> = {}): TokenBucket => {
  // A replenishment time further out than this is treated as a clock mismatch, not a promise.
  const maxBlockMs = options.maxBlockMs ?? 5 * 60_000;
  let rate = plan.rate;
  let tokens = plan.burst;
  let at = timing.now();
  let blockedUntil = 0;

  const refill = () => {
    const now = timing.now();
    const from = Math.max(at, blockedUntil);
    if (now > from) tokens = Math.min(plan.burst, tokens + ((now - from) / 1000) * rate);
    at = Math.max(at, now);
  };

  return {
    take: async (signal) => {
      for (;;) {
        signal?.throwIfAborted();
        refill();
        const now = timing.now();
        if (now >= blockedUntil && tokens >= 1) {
          tokens -= 1;
          return;
        }
        const untilUnblocked = Math.max(0, blockedUntil - now);
        const untilToken = tokens >= 1 ? 0 : ((1 - tokens) / rate) * 1000;
        // Other takers may win the token we waited for; the loop then simply waits again.
        await timing.sleep(Math.max(1, Math.ceil(untilUnblocked + untilToken)), signal);
      }
    },
    setRate: (next) => {
      if (!(Number.isFinite(next) && next > 0)) return;
      refill();
      rate = next;
    },
    sync: (remaining, nextTokenAt) => {
      if (!Number.isFinite(remaining) || remaining < 0) return;
      refill();
      tokens = Math.min(tokens, remaining);
      const now = timing.now();
      if (remaining < 1 && nextTokenAt !== null && nextTokenAt > now) {
        blockedUntil = Math.max(blockedUntil, Math.min(nextTokenAt, now + maxBlockMs));
      }
    },
    drain: () => {
      refill();
      tokens = Math.min(tokens, 0);
    },
    state: () => {
      refill();
      return { tokens, rate, burst: plan.burst, blockedUntil };
    },
  };
};

export type TokenBuckets<Operation extends string> = Readonly<{
  /** The bucket of one authorization (seller account) for one operation, created on first use. */
  bucket: (authorizationId: string, operation: Operation) => TokenBucket;
}>;

/** One bucket per (authorization, operation), as both marketplaces meter them. */
export const tokenBuckets = <Operation extends string>(
  plans: Readonly<Record<Operation, UsagePlan>>,
  timing: Timing,
): TokenBuckets<Operation> => {
  const buckets = new Map<string, TokenBucket>();
  return {
    bucket: (authorizationId, operation) => {
      const key = `${authorizationId}\u0000${operation}`;
      const existing = buckets.get(key);
      if (existing !== undefined) return existing;
      const created = tokenBucket(plans[operation], timing);
      buckets.set(key, created);
      return created;
    },
  };
};
