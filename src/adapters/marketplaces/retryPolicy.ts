import { MarketplaceError, type MarketplaceErrorCode } from '../../domain/ports/marketplaces.js';
import type { AccessTokens } from '../../domain/ports/orderSource.js';
import { untilAborted, type Timing } from './timing.js';
import type { TokenBucket } from './tokenBucket.js';

export type RetryOptions = Readonly<{
  /** Attempts in all for transient failures (429, 5xx, timeouts, resets, broken bodies). */
  maxAttempts: number;
  /** Back-off before the second attempt; doubles each time, up to maxDelayMs, jittered. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not slept through: the page fails and the pull resumes later. */
  maxRetryAfterMs: number;
}>;

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 60_000, maxRetryAfterMs: 5 * 60_000 };

/**
 * The wait after the `failures`-th failed attempt: exponential, "equal jitter" (half fixed, half
 * random, so concurrent pulls spread out but none retries at once), never shorter than Retry-After.
 */
export const backoffDelay = (failures: number, retryAfterMs: number | null, options: RetryOptions, random: () => number): number => {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(failures - 1, 30));
  const jittered = ceiling / 2 + (random() * ceiling) / 2;
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
};

/** What one attempt's answer means. */
export type Outcome<T> =
  | Readonly<{ kind: 'done'; value: T }>
  /** Worth repeating as is: 429, 5xx, a body cut short. `error.retryAfterMs` is honoured. */
  | Readonly<{ kind: 'transient'; error: MarketplaceError }>
  /** The access token was refused (expired, revoked): get a fresh one and try once more. */
  | Readonly<{ kind: 'tokenRejected'; error: MarketplaceError }>
  /** Repeating cannot help (400, a payload that does not parse). */
  | Readonly<{ kind: 'failed'; error: MarketplaceError }>;

export type RetriedCall<T> = Readonly<{
  /** Names the call in error messages ("Amazon searchOrders"). */
  what: string;
  authorizationId: string;
  tokens: AccessTokens;
  bucket: TokenBucket;
  timing: Timing;
  random: () => number;
  retry: RetryOptions;
  signal?: AbortSignal;
  /**
   * One attempt with an access token. It must return its verdict rather than throw one; what it
   * throws is treated as below (network failures from httpCall are transient, anything else is not).
   */
  attempt: (accessToken: string) => Promise<Outcome<T>>;
}>;

/** Thrown failures that are worth another attempt: httpCall's timeouts and unreachable hosts, and a token endpoint that is down, throttled or garbled. */
const TRANSIENT_THROWN: ReadonlySet<MarketplaceErrorCode> = new Set(['timeout', 'server_error', 'rate_limited', 'malformed_response']);

/**
 * Runs `attempt` under the marketplace's rate limit (a token from the bucket first, waiting if need
 * be), retrying transient failures with back-off up to `maxAttempts` and a refused access token
 * once with a fresh one. Whatever still fails is thrown as a MarketplaceError; an abort rejects with
 * the signal's reason at once, whatever the call was waiting for.
 */
export const callWithRetries = async <T>(call: RetriedCall<T>): Promise<T> => {
  let failures = 0;
  let refreshed = false;
  for (;;) {
    call.signal?.throwIfAborted();
    let outcome: Outcome<T>;
    try {
      await call.bucket.take(call.signal);
      const accessToken = await untilAborted(call.tokens.get(call.authorizationId), call.signal);
      outcome = await untilAborted(call.attempt(accessToken), call.signal);
    } catch (error) {
      if (!(error instanceof MarketplaceError) || !TRANSIENT_THROWN.has(error.code)) throw error;
      outcome = { kind: 'transient', error };
    }
    switch (outcome.kind) {
      case 'done':
        return outcome.value;
      case 'failed':
        throw outcome.error;
      case 'tokenRejected':
        if (refreshed) throw outcome.error;
        refreshed = true;
        call.tokens.invalidate(call.authorizationId);
        break;
      case 'transient': {
        failures += 1;
        const { error } = outcome;
        const tooLong = error.retryAfterMs !== null && error.retryAfterMs > call.retry.maxRetryAfterMs;
        if (failures >= call.retry.maxAttempts || tooLong) {
          const why = tooLong ? 'asked to wait longer than a pull waits' : `gave up after ${failures} attempts`;
          throw new MarketplaceError(error.code, error.status, `${call.what}: ${why} (last: ${error.message})`, error.retryAfterMs);
        }
        await call.timing.sleep(backoffDelay(failures, error.retryAfterMs, call.retry, call.random), call.signal);
        break;
      }
    }
  }
};
