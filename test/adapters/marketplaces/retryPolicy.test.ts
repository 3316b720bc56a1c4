import t from 'tap';
import { backoffDelay, callWithRetries, DEFAULT_RETRY, type Outcome } from '../../../src/adapters/marketplaces/retryPolicy.js';
import { tokenBucket } from '../../../src/adapters/marketplaces/tokenBucket.js';
import { MarketplaceError } from '../../../src/domain/ports/marketplaces.js';
import { staticTokens, virtualTiming } from './fixtures/support.js';

t.test('back-off doubles from 1 s to a 60 s cap, jittered between half and all of it', async (t) => {
  t.same([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, null, DEFAULT_RETRY, () => 1)), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
  t.same([1, 2, 3].map((n) => backoffDelay(n, null, DEFAULT_RETRY, () => 0)), [500, 1000, 2000]);
  t.equal(backoffDelay(1, 7000, DEFAULT_RETRY, () => 0.5), 7000, 'never shorter than Retry-After');
  t.equal(backoffDelay(5, 1000, DEFAULT_RETRY, () => 0), 8000, 'a short Retry-After does not shorten the back-off');
});

const run = <T>(outcomes: (Outcome<T> | Error)[], options: { signal?: AbortSignal } = {}) => {
  const timing = virtualTiming();
  const tokens = staticTokens();
  let attempts = 0;
  const promise = callWithRetries<T>({
    what: 'test call',
    authorizationId: 'auth',
    tokens,
    bucket: tokenBucket({ rate: 1000, burst: 1000 }, timing),
    timing,
    random: () => 0,
    retry: DEFAULT_RETRY,
    ...options,
    attempt: async () => {
      const next = outcomes[Math.min(attempts, outcomes.length - 1)] as Outcome<T> | Error;
      attempts += 1;
      if (next instanceof Error) throw next;
      return next;
    },
  });
  return { promise, timing, tokens, attempts: () => attempts };
};

const transient = (retryAfterMs: number | null = null): Outcome<string> => ({
  kind: 'transient',
  error: new MarketplaceError('rate_limited', 429, 'throttled', retryAfterMs),
});

t.test('transient failures are retried until one succeeds', async (t) => {
  const { promise, timing, attempts } = run<string>([transient(), new MarketplaceError('timeout', null, 'slow'), { kind: 'done', value: 'ok' }]);
  t.equal(await promise, 'ok');
  t.equal(attempts(), 3);
  t.same(timing.waits, [500, 1000]);
});

t.test('six attempts, then the last error, saying so', async (t) => {
  const { promise, attempts } = run<string>([transient(2000)]);
  const error = (await promise.catch((e: unknown) => e)) as MarketplaceError;
  t.ok(error instanceof MarketplaceError);
  t.equal(error.code, 'rate_limited');
  t.match(error.message, /gave up after 6 attempts/);
  t.equal(error.retryAfterMs, 2000);
  t.equal(attempts(), 6);
});

t.test('a Retry-After beyond what a pull waits fails the page at once', async (t) => {
  const { promise, attempts } = run<string>([transient(3_600_000)]);
  await t.rejects(promise, { code: 'rate_limited', retryAfterMs: 3_600_000 });
  t.equal(attempts(), 1);
});

t.test('a refused token is replaced once', async (t) => {
  const refused: Outcome<string> = { kind: 'tokenRejected', error: new MarketplaceError('unauthorized', 401, 'expired') };
  const once = run<string>([refused, { kind: 'done', value: 'ok' }]);
  t.equal(await once.promise, 'ok');
  t.same(once.tokens.invalidated, ['auth']);
  t.same(once.timing.waits, [], 'no back-off for a token refresh');
  const twice = run<string>([refused]);
  await t.rejects(twice.promise, { code: 'unauthorized' });
  t.equal(twice.attempts(), 2);
});

t.test('failures that repeating cannot fix are thrown at once', async (t) => {
  const failed = run<string>([{ kind: 'failed', error: new MarketplaceError('bad_request', 400, 'no') }]);
  await t.rejects(failed.promise, { code: 'bad_request' });
  t.equal(failed.attempts(), 1);
  const bug = run<string>([new TypeError('a bug')]);
  await t.rejects(bug.promise, TypeError);
  t.equal(bug.attempts(), 1);
  const refused = run<string>([new MarketplaceError('invalid_grant', 400, 'revoked')]);
  await t.rejects(refused.promise, { code: 'invalid_grant' });
});

t.test('an aborted signal stops the call before it starts', async (t) => {
  const { promise, attempts } = run<string>([{ kind: 'done', value: 'ok' }], { signal: AbortSignal.abort() });
  await t.rejects(promise, { name: 'AbortError' });
  t.equal(attempts(), 0);
});
