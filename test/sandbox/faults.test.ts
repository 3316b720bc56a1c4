import t from 'tap';
import { createFaultRegistry } from '../../src/sandbox/faults.js';
import { startAmazonSandbox, startWalmartSandbox, type AmazonSandbox } from '../../src/sandbox/index.js';
import { amazonAccessToken, FIXED_NOW, fixedNow, json, spApi, walmartGet, walmartToken, walmartTokenRequest } from './fixtures/helpers.js';

const amazon = await startAmazonSandbox({ throttling: false, now: fixedNow, orders: { count: 30 } });
const walmart = await startWalmartSandbox({ now: fixedNow, orders: { count: 30 } });
t.teardown(async () => {
  await amazon.close();
  await walmart.close();
});
const amazonToken = await amazonAccessToken(amazon);
const walmartAccess = await walmartToken(walmart);
const SEARCH = `/orders/2026-01-01/orders?createdAfter=${new Date(FIXED_NOW - 30 * 86_400_000).toISOString()}`;
const search = (sandbox: AmazonSandbox = amazon) => spApi(sandbox, SEARCH, amazonToken);
const walmartOrders = () => walmartGet(walmart, '/v3/orders?createdStartDate=2026-01-01', walmartAccess);

t.beforeEach(() => {
  amazon.faults.clear();
  walmart.faults.clear();
  amazon.counters.reset();
  walmart.counters.reset();
});

t.test('throttle: 429 in each marketplace’s format, for exactly `count` requests', async (t) => {
  amazon.faults.next({ status: 429, count: 3 });
  for (let i = 0; i < 3; i += 1) {
    const response = await search();
    t.equal(response.status, 429);
    t.equal(response.headers.get('x-amzn-ratelimit-limit'), null, 'Amazon sends no rate header on 429');
    t.ok(response.headers.get('x-amzn-requestid'));
    t.same(await json(response), { errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.', details: '' }] });
  }
  t.equal((await search()).status, 200, 'the fourth request goes through');
  t.same(amazon.counters.byStatus('searchOrders'), { 200: 1, 429: 3 });
  t.equal(amazon.counters.count('searchOrders'), 4);
  t.same(amazon.counters.log().map((e) => e.fault), ['throttle', 'throttle', 'throttle', undefined]);

  walmart.faults.next({ kind: 'throttle', retryAfterSeconds: 2 });
  const response = await walmartOrders();
  t.equal(response.status, 429);
  t.equal(response.headers.get('x-current-token-count'), '0');
  t.equal(response.headers.get('x-next-replenishment-time'), String(FIXED_NOW + 60_000));
  t.equal(response.headers.get('retry-after'), '2', 'Retry-After only when asked for');
  t.equal((await json(response)).errors.error[0].code, 'REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API');
});

t.test('faults can target one route', async (t) => {
  amazon.faults.next({ status: 503, route: 'getMarketplaceParticipations' });
  t.equal((await search()).status, 200, 'other routes are untouched');
  const participations = await spApi(amazon, '/sellers/v1/marketplaceParticipations', amazonToken);
  t.equal(participations.status, 503);
  t.equal((await json(participations)).errors[0].code, 'ServiceUnavailable');
  t.equal(amazon.faults.pending(), 0);

  walmart.faults.next({ kind: 'sandboxKey', route: 'token' });
  t.equal((await walmartOrders()).status, 200);
  const token = await walmartTokenRequest(walmart, walmart.mainClient);
  t.equal(token.status, 401, 'a valid production key rejected as a sandbox key would be');
  t.equal((await json(token)).errors.error[0].code, 'UNAUTHORIZED.GMP_GATEWAY_API');
});

t.test('server errors', async (t) => {
  amazon.faults.next({ kind: 'serverError' });
  const amazon500 = await search();
  t.equal(amazon500.status, 500);
  t.equal((await json(amazon500)).errors[0].code, 'InternalFailure');
  walmart.faults.next({ status: 500 });
  t.equal((await json(await walmartOrders())).errors.error[0].code, 'SYSTEM_ERROR.GMP_GATEWAY_API');
  walmart.faults.next({ status: 503 });
  const bare = await walmartOrders();
  t.equal(bare.status, 503);
  t.equal(await bare.text(), '', 'an unreachable gateway sends no body');
  walmart.faults.next({ status: 504 });
  t.equal((await walmartOrders()).status, 504);
});

t.test('slow responses', async (t) => {
  amazon.faults.next({ delayMs: 150 });
  const started = performance.now();
  const response = await search();
  t.equal(response.status, 200, 'a delay alone still answers normally');
  t.ok(performance.now() - started >= 140, 'after the delay');
  walmart.faults.next({ kind: 'throttle', delayMs: 50 });
  t.equal((await walmartOrders()).status, 429, 'a delay can precede another fault');
});

t.test('malformed, truncated and cut-off bodies', async (t) => {
  amazon.faults.next({ kind: 'malformedJson' });
  const malformed = await search();
  t.equal(malformed.status, 200);
  const text = await malformed.text();
  t.ok(text.startsWith('{"orders":'), 'looks like the real body');
  t.throws(() => JSON.parse(text));

  walmart.faults.next({ kind: 'truncatedJson' });
  const truncated = await walmartOrders();
  t.equal(truncated.status, 200);
  const cut = await truncated.text();
  t.equal(truncated.headers.get('content-length'), String(Buffer.byteLength(cut)), 'HTTP framing is intact');
  t.throws(() => JSON.parse(cut));

  amazon.faults.next({ kind: 'connectionReset' });
  const reset = await search();
  t.equal(reset.status, 200, 'headers arrive');
  await t.rejects(reset.text(), 'reading the body fails');
  t.equal((await search()).status, 200, 'the sandbox keeps serving');
});

t.test('token faults', async (t) => {
  amazon.faults.next({ kind: 'expiredToken' });
  const expired = await search();
  t.equal(expired.status, 403);
  t.match((await json(expired)).errors[0], { code: 'Unauthorized', details: /expired/ });
  amazon.faults.next({ kind: 'invalidToken', route: 'lwaToken' });
  const lwa = await fetch(`${amazon.url}/auth/o2/token`, { method: 'POST', body: 'grant_type=refresh_token' });
  t.equal(lwa.status, 400);
  t.equal((await json(lwa)).error, 'invalid_grant');
  amazon.faults.next({ kind: 'missingScope' });
  t.equal((await search()).status, 403);

  walmart.faults.next({ kind: 'expiredToken' });
  t.equal((await walmartOrders()).status, 401);
  walmart.faults.next({ kind: 'missingScope' });
  const forbidden = await walmartOrders();
  t.equal(forbidden.status, 403);
  t.equal((await json(forbidden)).errors.error[0].code, 'FORBIDDEN.GMP_GATEWAY_API');
});

t.test('probability rules draw from a seeded generator', async (t) => {
  const sequence = (seed: string) => {
    const registry = createFaultRegistry<'a' | 'b'>(seed);
    registry.rule({ status: 429, probability: 0.3, route: 'a' });
    return Array.from({ length: 40 }, () => (registry.take('a') === undefined ? '-' : 'x')).join('');
  };
  t.equal(sequence('s1'), sequence('s1'), 'same seed, same faults');
  t.not(sequence('s1'), sequence('s2'));
  const hits = sequence('s1').split('').filter((c) => c !== '-').length;
  t.ok(hits > 3 && hits < 25, `roughly 30% (${hits}/40)`);

  const rule = amazon.faults.rule({ kind: 'serverError', status: 502, probability: 1, route: 'getOrder' });
  t.equal((await search()).status, 200);
  const order = amazon.orders.list()[0];
  t.equal((await spApi(amazon, `/orders/2026-01-01/orders/${order?.orderId ?? ''}`, amazonToken)).status, 502);
  rule.remove();
  t.equal((await spApi(amazon, `/orders/2026-01-01/orders/${order?.orderId ?? ''}`, amazonToken)).status, 200);
});

t.test('a queued fault can let the first requests through (`after`)', async (t) => {
  amazon.faults.next({ status: 503, after: 2, count: 2, route: 'searchOrders' });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i += 1) statuses.push((await search()).status);
  t.same(statuses, [200, 200, 503, 503, 200], 'two through, two failed, then normal again');
  t.equal(amazon.faults.pending(), 0);

  const registry = createFaultRegistry<'a' | 'b'>('after');
  registry.next({ status: 429, after: 1, route: 'a' });
  t.equal(registry.take('b'), undefined, 'other routes do not count towards `after`');
  t.equal(registry.take('a'), undefined, 'the first request to the route goes through');
  t.match(registry.take('a'), { kind: 'throttle' }, 'the second is throttled');
});

t.test('bad fault specs are refused', async (t) => {
  t.throws(() => amazon.faults.next({ kind: 'throttle', after: -1 }));
  t.throws(() => amazon.faults.next({ status: 404 }));
  t.throws(() => amazon.faults.next({ kind: 'serverError', status: 418 }));
  t.throws(() => amazon.faults.next({ kind: 'throttle', count: 0 }));
  t.throws(() => amazon.faults.rule({ kind: 'throttle', probability: 2 }));
});

t.test('optional throttling enforces the usage plans with the sandbox clock', async (t) => {
  const strict = await startAmazonSandbox({ now: fixedNow, orders: false, throttling: true });
  t.teardown(() => strict.close());
  const token = await amazonAccessToken(strict);
  const statuses: number[] = [];
  for (let i = 0; i < 21; i += 1) statuses.push((await spApi(strict, SEARCH, token)).status);
  t.same(statuses, [...Array.from({ length: 20 }, () => 200), 429], 'burst of 20, then throttled');
  strict.clock.advance(180_000);
  t.equal((await spApi(strict, SEARCH, await amazonAccessToken(strict))).status, 200, 'one token back after ~180 s at 0.0056/s');
});
