// The verified-key cache on its own, then in authentication on the real event store (a movable clock
// for the TTL, no timing), then over real HTTP: a revoked key is refused at once, a wrong secret is
// never remembered.
import t from 'tap';
import { issueKeyMaterial, parseApiKey, secretMatches } from '../../../src/adapters/auth/apiKeys.js';
import { verifiedKeyCache, type VerifiedKeyCache } from '../../../src/adapters/auth/verifiedKeyCache.js';
import { systemClock, uuidIds } from '../../../src/adapters/system.js';
import { tenantService, type Principal } from '../../../src/application/tenants.js';
import { ADMIN_TOKEN, startTestService, type TestService } from '../../support/service.js';
import { createTenant } from '../../support/tenants.js';

const clockAt = () => {
  let ms = 1_000;
  return { now: () => ms, advance: (by: number) => void (ms += by) };
};

t.test('remembers a verified key for the TTL, by digest, bounded, forgotten on revocation', async (t) => {
  const clock = clockAt();
  const cache = verifiedKeyCache<string>({ ttlMs: 2_000, maxEntries: 3, now: clock.now });
  cache.remember('token-a', 'key-a', 'A', cache.mark());
  t.equal(cache.get('token-a'), 'A', 'a verified key answers from the cache');
  t.equal(cache.get('token-a-but-another-secret'), undefined, 'another token of the same key does not');
  clock.advance(1_999);
  t.equal(cache.get('token-a'), 'A', 'within the TTL');
  clock.advance(1);
  t.equal(cache.get('token-a'), undefined, 'gone at the TTL');
  t.equal(cache.size(), 0, 'and dropped');

  cache.remember('token-a', 'key-a', 'A', cache.mark());
  cache.forget('key-a');
  t.equal(cache.get('token-a'), undefined, 'a forgotten (revoked) key is gone at once');

  const before = cache.mark();
  cache.forget('key-b');
  cache.remember('token-b', 'key-b', 'B', before);
  t.equal(cache.get('token-b'), undefined, 'a check that started before a revocation is not remembered');

  for (const k of ['1', '2', '3', '4', '5']) cache.remember(`token-${k}`, `key-${k}`, k, cache.mark());
  t.equal(cache.size(), 3, 'bounded: never more than maxEntries');
  t.equal(cache.get('token-1'), undefined, 'the oldest went first');
  t.equal(cache.get('token-5'), '5');
  cache.forget('key-1');
  t.equal(cache.size(), 3, 'forgetting a key no longer held changes nothing');
});

/** The tenant service as an instance builds it (src/modules/tenants.ts), on the real event store. */
const tenantsOn = (svc: TestService, verified?: VerifiedKeyCache<Principal>) =>
  tenantService({
    store: svc.store,
    ids: uuidIds,
    clock: systemClock,
    keys: { issue: issueKeyMaterial, parse: parseApiKey, matches: secretMatches, adminMatches: () => false },
    ...(verified ? { verified } : {}),
  });

t.test('authentication with the cache, on the real event store', async (t) => {
  const svc = await startTestService(t);
  const clock = clockAt();
  const cache = verifiedKeyCache<Principal>({ ttlMs: 2_000, now: clock.now });
  const here = tenantsOn(svc, cache);
  const elsewhere = tenantsOn(svc); // another instance, sharing the event store
  const meta = { actor: 'test' };
  const tenant = await here.create('Cached', meta);
  const issue = (name: string) => here.issueKey(tenant.tenantId, name, meta);

  const a = await issue('a');
  t.match(await here.authenticate(a.apiKey), { kind: 'tenant', keyId: a.keyId });
  t.equal(cache.size(), 1, 'a verified key is remembered');
  await elsewhere.revokeKey(tenant.tenantId, a.keyId, meta);
  t.match(await here.authenticate(a.apiKey), { keyId: a.keyId }, 'revoked by another instance: a cached key still answers within the TTL');
  t.equal(await elsewhere.authenticate(a.apiKey), null, 'the other instance refuses it at once');
  clock.advance(2_000);
  t.equal(await here.authenticate(a.apiKey), null, 'and this one from the TTL on');

  const b = await issue('b');
  t.ok(await here.authenticate(b.apiKey));
  await here.revokeKey(tenant.tenantId, b.keyId, meta);
  t.equal(await here.authenticate(b.apiKey), null, 'revoked in this process: refused at once');

  const c = await issue('c');
  const size = cache.size();
  const wrong = c.apiKey.slice(0, -2) + (c.apiKey.endsWith('AA') ? 'BB' : 'AA');
  t.equal(await here.authenticate(wrong), null, 'a wrong secret is refused');
  t.equal(cache.size(), size, 'and never remembered');
  t.ok(await here.authenticate(c.apiKey), 'the right secret verifies');
  t.equal(await here.authenticate(wrong), null, "a wrong secret of a remembered key is still refused");
  t.equal(await here.authenticate(`omsk.${tenant.tenantId}.0000000000000000.${'A'.repeat(43)}`), null, 'an unknown key id too');
});

t.test('over HTTP: a key used a moment ago and then revoked is refused at once', async (t) => {
  const svc = await startTestService(t, { RATE_LIMIT_PER_MINUTE: '1000' });
  const { tenantId, apiKey } = await createTenant(svc, 'Revoked');
  const keyId = apiKey.split('.')[2]!;
  t.equal((await svc.call('GET', '/v1/me', { token: apiKey })).status, 200);
  t.equal((await svc.call('DELETE', `/v1/tenants/${tenantId}/api-keys/${keyId}`, { token: ADMIN_TOKEN })).status, 204);
  t.equal((await svc.call('GET', '/v1/me', { token: apiKey })).status, 401);
});
