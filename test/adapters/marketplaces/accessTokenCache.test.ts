import t from 'tap';
import { accessTokenCache } from '../../../src/adapters/marketplaces/accessTokenCache.js';
import type { AccessToken } from '../../../src/domain/ports/marketplaces.js';
import { MarketplaceError } from '../../../src/domain/ports/marketplaces.js';
import { startAmazonSandbox, startWalmartSandbox } from '../../../src/sandbox/index.js';
import { amazonTokens, START, walmartTokens } from './fixtures/support.js';

/** A token endpoint under test control: each call waits until the test releases it. */
const controlledFetch = () => {
  const calls: { authorizationId: string; resolve: (token: AccessToken) => void; reject: (error: Error) => void }[] = [];
  const fetch = (authorizationId: string) =>
    new Promise<AccessToken>((resolve, reject) => {
      calls.push({ authorizationId, resolve, reject });
    });
  return { fetch, calls };
};

const tick = () => new Promise((resolve) => setImmediate(resolve));

t.test('concurrent callers share one refresh; later callers get the cached token', async (t) => {
  let now = 1_000_000;
  const { fetch, calls } = controlledFetch();
  const cache = accessTokenCache({ fetch, now: () => now });
  const waiting = Array.from({ length: 25 }, () => cache.get('auth-1'));
  await tick();
  t.equal(calls.length, 1, 'one request for 25 callers');
  calls[0]?.resolve({ accessToken: 'token-1', expiresInSeconds: 3600 });
  t.same(new Set(await Promise.all(waiting)), new Set(['token-1']));
  t.equal(await cache.get('auth-1'), 'token-1');
  now += 3600_000 - 61_000;
  t.equal(await cache.get('auth-1'), 'token-1', 'still used 61 s before expiry');
  now += 2_000;
  const renewed = cache.get('auth-1');
  await tick();
  t.equal(calls.length, 2, 'refreshed within 60 s of expiry');
  calls[1]?.resolve({ accessToken: 'token-2', expiresInSeconds: 3600 });
  t.equal(await renewed, 'token-2');
});

t.test('authorizations are separate; invalidate forgets one', async (t) => {
  const { fetch, calls } = controlledFetch();
  const cache = accessTokenCache({ fetch, now: () => 0 });
  const a = cache.get('a');
  const b = cache.get('b');
  await tick();
  t.same(calls.map((c) => c.authorizationId), ['a', 'b']);
  calls[0]?.resolve({ accessToken: 'A1', expiresInSeconds: 900 });
  calls[1]?.resolve({ accessToken: 'B1', expiresInSeconds: 900 });
  t.same(await Promise.all([a, b]), ['A1', 'B1']);
  cache.invalidate('a');
  const again = cache.get('a');
  await tick();
  t.equal(calls.length, 3);
  calls[2]?.resolve({ accessToken: 'A2', expiresInSeconds: 900 });
  t.equal(await again, 'A2');
  t.equal(await cache.get('b'), 'B1', 'the other authorization kept its token');
});

t.test('a failed refresh reaches every waiting caller and is not cached', async (t) => {
  const { fetch, calls } = controlledFetch();
  const cache = accessTokenCache({ fetch, now: () => 0 });
  const waiting = [cache.get('a'), cache.get('a')];
  await tick();
  calls[0]?.reject(new MarketplaceError('invalid_grant', 400, 'revoked'));
  for (const w of waiting) await t.rejects(w, { code: 'invalid_grant' });
  const retry = cache.get('a');
  await tick();
  t.equal(calls.length, 2, 'the next get asks again');
  calls[1]?.resolve({ accessToken: 'A', expiresInSeconds: 60 });
  t.equal(await retry, 'A');
  t.equal(await cache.get('a'), 'A', 'a short-lived token is still cached for half its life');
});

t.test('single flight against the Amazon sandbox: 40 concurrent get() → one LWA request', async (t) => {
  const sandbox = await startAmazonSandbox({ throttling: false, now: () => START, orders: false });
  t.teardown(() => sandbox.close());
  const tokens = amazonTokens(sandbox, () => START);
  const got = await Promise.all(Array.from({ length: 40 }, () => tokens.get('auth-amazon-na')));
  t.equal(new Set(got).size, 1);
  t.equal(sandbox.counters.count('lwaToken'), 1);
  t.match(got[0], /^Atza\|/);
});

t.test('single flight against the Walmart sandbox: 40 concurrent get() → one token request', async (t) => {
  const sandbox = await startWalmartSandbox({ now: () => START, orders: false });
  t.teardown(() => sandbox.close());
  const tokens = walmartTokens(sandbox, () => START);
  const got = await Promise.all(Array.from({ length: 40 }, () => tokens.get('auth-walmart')));
  t.equal(new Set(got).size, 1);
  t.equal(sandbox.counters.count('token'), 1);
  tokens.invalidate('auth-walmart');
  await Promise.all([tokens.get('auth-walmart'), tokens.get('auth-walmart')]);
  t.equal(sandbox.counters.count('token'), 2, 'after invalidate, one more');
});

t.test('forget drops the token and a refresh in flight: the next get mints from the new credentials', async (t) => {
  const { fetch, calls } = controlledFetch();
  const cache = accessTokenCache({ fetch, now: () => 0 });
  t.equal(await (async () => {
    const first = cache.get('a');
    await tick();
    calls[0]?.resolve({ accessToken: 'old-1', expiresInSeconds: 900 });
    return first;
  })(), 'old-1');
  const inFlight = (cache.invalidate('a'), cache.get('a'));
  await tick();
  t.equal(calls.length, 2, 'a refresh is in flight with the old credentials');
  cache.forget('a');
  const afterChange = cache.get('a');
  await tick();
  t.equal(calls.length, 3, 'a caller after the change does not share the old refresh');
  calls[1]?.resolve({ accessToken: 'old-2', expiresInSeconds: 900 });
  t.equal(await inFlight, 'old-2', 'the old refresh still answers its own callers');
  calls[2]?.resolve({ accessToken: 'new-1', expiresInSeconds: 900 });
  t.equal(await afterChange, 'new-1');
  t.equal(await cache.get('a'), 'new-1', 'the old refresh was not cached over the new token');
  t.equal(calls.length, 3);
});

t.test('the client credentials a token was minted with come with it, and go with it', async (t) => {
  const { fetch, calls } = controlledFetch();
  const cache = accessTokenCache({ fetch, now: () => 1_000_000 });
  t.equal(cache.clientBasic('auth-mx'), null, 'nothing held before the first token');
  const first = cache.get('auth-mx');
  await tick();
  calls[0]?.resolve({ accessToken: 'token-1', expiresInSeconds: 3600, clientBasic: 'Y2xpZW50OnNlY3JldA==' });
  t.equal(await first, 'token-1');
  t.equal(cache.clientBasic('auth-mx'), 'Y2xpZW50OnNlY3JldA==', 'held beside the token');
  t.equal(cache.clientBasic('auth-other'), null, 'per authorization');
  cache.forget('auth-mx');
  t.equal(cache.clientBasic('auth-mx'), null, 'new credentials: the old ones are dropped with the token');
});
