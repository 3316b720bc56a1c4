import type { Clock } from './clock.js';

/** A token-bucket usage plan: `rate` tokens per second refill a bucket holding at most `burst`. */
export type UsagePlan = Readonly<{ rate: number; burst: number }>;

export type BucketState = Readonly<{
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Sandbox-clock ms at which the next token arrives (now when the bucket is full). */
  nextTokenAt: number;
}>;

export type RateLimiter = Readonly<{
  /** Takes one token for `key` if there is one. */
  take: (key: string, plan: UsagePlan) => BucketState;
  reset: () => void;
}>;

/** Buckets keyed by caller and operation, as both marketplaces meter them; time comes from the sandbox clock. */
export const createRateLimiter = (clock: Clock): RateLimiter => {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take: (key, plan) => {
      const now = clock.now();
      const bucket = buckets.get(key) ?? { tokens: plan.burst, at: now };
      bucket.tokens = Math.min(plan.burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * plan.rate);
      bucket.at = now;
      const allowed = bucket.tokens >= 1;
      if (allowed) bucket.tokens -= 1;
      buckets.set(key, bucket);
      const missing = bucket.tokens >= plan.burst ? 0 : 1 - (bucket.tokens % 1);
      return {
        allowed,
        remaining: Math.floor(bucket.tokens),
        nextTokenAt: now + Math.ceil((missing / plan.rate) * 1000),
      };
    },
    reset: () => buckets.clear(),
  };
};
