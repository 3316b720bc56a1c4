import t, { type Test } from 'tap';
import {
  AMAZON_INCLUDED_DATA,
  AMAZON_ORDER_USAGE_PLANS,
  amazonOrderSource,
  SEARCH_END_LAG_MS,
} from '../../../src/adapters/marketplaces/amazonOrderSource.js';
import type { Timing } from '../../../src/adapters/marketplaces/timing.js';
import { tokenBuckets } from '../../../src/adapters/marketplaces/tokenBucket.js';
import { startAmazonSandbox, type AmazonSandbox } from '../../../src/sandbox/index.js';
import {
  amazonTarget,
  amazonTokens,
  captureServer,
  DAY,
  fixtureFolder,
  MINUTE,
  pullAll,
  sorted,
  START,
  storm,
  faultsMet,
  staticTokens,
  virtualTiming,
  window,
} from './fixtures/support.js';

const US = 'ATVPDKIKX0DER';

/** A sandbox on a virtual clock, the source on the same clock, and the LWA-backed token cache. */
const setup = async (t: Test, options: Parameters<typeof startAmazonSandbox>[0] = {}) => {
  const timing = virtualTiming();
  const sandbox = await startAmazonSandbox({ throttling: false, now: timing.now, orders: { count: 250, marketplaceId: US, days: 10, to: timing.now() - 10 * MINUTE }, ...options });
  t.teardown(() => sandbox.close());
  const tokens = amazonTokens(sandbox, timing.now);
  const source = amazonOrderSource({ spApiUrl: sandbox.urls, tokens, timing, random: () => 0.5 });
  return { timing, sandbox, tokens, source };
};

const expectedIds = (sandbox: AmazonSandbox, field: 'createdTime' | 'lastUpdatedTime', from: number, to: number) =>
  sorted(
    sandbox.orders
      .list()
      .filter((o) => o.salesChannel.marketplaceId === US && Date.parse(o[field]) >= from && Date.parse(o[field]) <= to)
      .map((o) => o.orderId),
  );

t.test('what the client sends: filters, bounds, includedData, headers; the token repeats them', async (t) => {
  const [first, second] = (await fixtureFolder('amazon/orders_2026-01-01')).filter((f) => f.name.startsWith('searchOrders.sandbox.200'));
  const server = await captureServer((_request, index) => ({
    status: 200,
    json: index === 0 ? first?.response : second?.response,
    headers: { 'x-amzn-RateLimit-Limit': '0.0056' },
  }));
  t.teardown(server.close);
  const timing = virtualTiming();
  const tokens = staticTokens('Atza|fixture');
  const source = amazonOrderSource({ spApiUrl: { NA: server.url, EU: 'http://eu.invalid', FE: 'http://fe.invalid' }, tokens, timing });
  const now = timing.now();
  const w = window('created', now - 3 * DAY + 123, now);
  const page1 = await source.fetchPage(amazonTarget([US, 'A2EUQ1WTGCTBG2']), w, null);
  t.equal(page1.orders.length, 1);
  t.equal(page1.orders[0]?.platformOrderId, '250-1234567-8901234', 'the fixture page, parsed');
  t.type(page1.next, 'string');
  timing.advance(5 * MINUTE);
  const page2 = await source.fetchPage(amazonTarget([US, 'A2EUQ1WTGCTBG2']), w, page1.next);
  t.equal(page2.next, null, 'no nextToken: last page');

  const [r1, r2] = server.requests.map((r) => ({ ...r, url: new URL(r.url, server.url) }));
  t.equal(r1?.url.pathname, '/orders/2026-01-01/orders');
  const q1 = Object.fromEntries(r1?.url.searchParams ?? []);
  t.same(q1, {
    createdAfter: new Date(Math.floor((now - 3 * DAY + 123) / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    createdBefore: new Date(Math.floor((now - SEARCH_END_LAG_MS) / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    marketplaceIds: `${US},A2EUQ1WTGCTBG2`,
    maxResultsPerPage: '100',
    includedData: AMAZON_INCLUDED_DATA.join(','),
  });
  t.ok(SEARCH_END_LAG_MS >= 120_000, 'the end bound is at least two minutes back');
  t.same(Object.fromEntries(r2?.url.searchParams ?? []), { ...q1, paginationToken: '2YgYW55IGNhcm5hbCBwbGVhc3VyZS4' }, 'the next page repeats every filter, the end bound frozen');
  t.equal(r1?.headers['x-amz-access-token'], 'Atza|fixture');
  t.match(r1?.headers['user-agent'], /^OMS\/[\d.]+ \(Language=TypeScript; Platform=Node\.js\)$/);
  t.equal(r1?.method, 'GET');

  server.requests.length = 0;
  await source.fetchPage(amazonTarget(), window('updated', now - DAY, now - DAY / 2), null);
  const q3 = Object.fromEntries(new URL(server.requests[0]?.url ?? '/', server.url).searchParams);
  t.equal(q3.lastUpdatedAfter, new Date(now - DAY).toISOString().replace('.000Z', 'Z'));
  t.equal(q3.lastUpdatedBefore, new Date(now - DAY / 2).toISOString().replace('.000Z', 'Z'), 'a window already old enough keeps its end');
  t.notOk('createdAfter' in q3 || 'createdBefore' in q3, 'never both kinds of bound');
});

t.test('a created window pages to the last page: every order once, none missing', async (t) => {
  const { timing, sandbox, source } = await setup(t);
  const from = timing.now() - 11 * DAY;
  const { ids, pageSizes } = await pullAll(source, amazonTarget(), window('created', from, timing.now()));
  t.equal(ids.length, 250);
  t.equal(new Set(ids).size, ids.length, 'no duplicates');
  t.same(sorted(ids), expectedIds(sandbox, 'createdTime', from, timing.now()), 'no omissions');
  t.same(pageSizes, [100, 100, 50]);
  t.same(sandbox.counters.byStatus('searchOrders'), { 200: 3 });
});

t.test('created vs updated windows, and a change shows in the next updated fetch', async (t) => {
  const { timing, sandbox, source } = await setup(t);
  const t0 = timing.now();
  // An old order changed now: outside a 2-day created window, inside a 2-day updated window.
  const old = sandbox.orders.list().find((o) => Date.parse(o.createdTime) < t0 - 5 * DAY && o.fulfillment?.fulfillmentStatus === 'UNSHIPPED');
  t.ok(old, 'an old unshipped order to change');
  timing.advance(MINUTE);
  sandbox.orders.cancel(old?.orderId ?? '');
  timing.advance(5 * MINUTE);
  const now = timing.now();

  const created = await pullAll(source, amazonTarget(), window('created', now - 2 * DAY, now));
  t.same(sorted(created.ids), expectedIds(sandbox, 'createdTime', now - 2 * DAY, now));
  t.notOk(created.ids.includes(old?.orderId ?? ''), 'the created window does not see an old order');
  const updated = await pullAll(source, amazonTarget(), window('updated', now - 2 * DAY, now));
  t.same(sorted(updated.ids), expectedIds(sandbox, 'lastUpdatedTime', now - 2 * DAY, now));
  const seen = updated.orders.find((o) => o.platformOrderId === old?.orderId);
  t.equal(seen?.status, 'cancelled', 'the cancellation is in the updated window');

  // The schedule's next pull: only what changed since, including a fresh order and a shipment.
  const fresh = sandbox.orders.add({ marketplaceId: US, status: 'UNSHIPPED' });
  const toShip = updated.orders.find((o) => o.status === 'unshipped' && o.platformOrderId !== fresh.orderId);
  sandbox.orders.ship(toShip?.platformOrderId ?? '');
  timing.advance(15 * MINUTE);
  const next = await pullAll(source, amazonTarget(), window('updated', now - SEARCH_END_LAG_MS, timing.now()));
  t.same(sorted(next.ids), sorted([fresh.orderId, toShip?.platformOrderId ?? '']));
  t.equal(next.orders.find((o) => o.platformOrderId === toShip?.platformOrderId)?.status, 'shipped');
  t.equal(next.orders.find((o) => o.platformOrderId === fresh.orderId)?.status, 'unshipped');
});

t.test('a window younger than two minutes asks nothing and is empty', async (t) => {
  const { timing, sandbox, source } = await setup(t);
  const page = await source.fetchPage(amazonTarget(), window('updated', timing.now() - MINUTE, timing.now()), null);
  t.same(page, { orders: [], next: null });
  t.equal(sandbox.counters.count('searchOrders'), 0);
});

t.test('storms of 429, 5xx, truncated and malformed JSON, connection resets: every order exactly once', async (t) => {
  const { timing, sandbox, source } = await setup(t, { orders: { count: 900, marketplaceId: US, days: 10, to: START - 10 * MINUTE } });
  storm(sandbox.faults, 'searchOrders', { rounds: 5, extra: [{ kind: 'serverError', status: 500 }] });
  const from = timing.now() - 11 * DAY;
  const { ids } = await pullAll(source, amazonTarget(), window('created', from, timing.now()));
  t.equal(ids.length, 900);
  t.equal(new Set(ids).size, 900, 'no duplicates');
  t.same(sorted(ids), expectedIds(sandbox, 'createdTime', from, timing.now()), 'no omissions');
  t.same(faultsMet(sandbox.counters.log()), ['connectionReset', 'malformedJson', 'serverError', 'throttle', 'truncatedJson'], 'every kind of fault was met');
  t.ok(sandbox.counters.count('searchOrders') >= 5 * 6, 'through five storms of five failures each');
  t.ok(timing.waits.length > 0, 'and backed off (virtually)');
});

t.test('Retry-After is honoured; a 429 also empties the bucket', async (t) => {
  const { timing, sandbox, source } = await setup(t);
  sandbox.faults.next({ status: 429, retryAfterSeconds: 7, count: 2, route: 'searchOrders' });
  const page = await source.fetchPage(amazonTarget(), window('created', timing.now() - 11 * DAY, timing.now()), null);
  t.equal(page.orders.length, 100);
  t.same(sandbox.counters.byStatus('searchOrders'), { 200: 1, 429: 2 });
  t.equal(timing.waits.filter((ms) => ms === 7000).length, 2, `waited 7 s after each 429 (waits: ${timing.waits.join(', ')})`);
  // Back-off and bucket refill overlap: after the 7 s, the rest of one token interval (1 / 0.0056 s).
  t.ok(timing.waits.some((ms) => Math.abs(ms - (1000 / 0.0056 - 7000)) < 50), 'then for the next token');
});

t.test('a persistent 5xx fails the page after 6 attempts with a MarketplaceError', async (t) => {
  const { timing, sandbox, source } = await setup(t);
  sandbox.faults.next({ status: 500, count: 10, route: 'searchOrders' });
  await t.rejects(source.fetchPage(amazonTarget(), window('created', timing.now() - DAY, timing.now()), null), {
    name: 'MarketplaceError',
    code: 'server_error',
    status: 500,
    message: /gave up after 6 attempts/,
  });
  t.equal(sandbox.counters.count('searchOrders'), 6);
  const backoff = timing.waits.filter((ms) => ms < 60_000);
  t.same(backoff, [750, 1500, 3000, 6000, 12000], 'exponential back-off, jittered (random fixed at 0.5 here)');
});

t.test('timeouts are retried', async (t) => {
  const timing = virtualTiming();
  const sandbox = await startAmazonSandbox({ throttling: false, now: timing.now, orders: { count: 30, marketplaceId: US, days: 5, to: timing.now() - 10 * MINUTE } });
  t.teardown(() => sandbox.close());
  const source = amazonOrderSource({ spApiUrl: sandbox.urls, tokens: amazonTokens(sandbox, timing.now), timing, timeoutMs: 150 });
  sandbox.faults.next({ delayMs: 600, route: 'searchOrders' });
  const { ids } = await pullAll(source, amazonTarget(), window('created', timing.now() - 6 * DAY, timing.now()));
  t.equal(ids.length, 30);
  // The sandbox counts a request when it answers; the slow one answers (to nobody) after its delay.
  await new Promise((resolve) => setTimeout(resolve, 700));
  t.equal(sandbox.counters.count('searchOrders'), 2, 'one timed out, the retry answered');
});

t.test('an expired access token is refreshed once and the page fetched', async (t) => {
  const { timing, sandbox, source } = await setup(t);
  await source.fetchPage(amazonTarget(), window('created', timing.now() - DAY, timing.now()), null);
  t.equal(sandbox.counters.count('lwaToken'), 1);
  // Amazon's clock runs past the token's hour while ours still trusts it.
  sandbox.clock.advance(2 * 3600_000);
  const page = await source.fetchPage(amazonTarget(), window('created', timing.now() - 11 * DAY, timing.now()), null);
  t.equal(page.orders.length, 100);
  t.same(sandbox.counters.byStatus('searchOrders'), { 200: 2, 403: 1 });
  t.equal(sandbox.counters.count('lwaToken'), 2, 'one refresh');

  sandbox.faults.next({ kind: 'expiredToken', count: 2, route: 'searchOrders' });
  await t.rejects(source.fetchPage(amazonTarget(), window('created', timing.now() - DAY, timing.now()), null), { code: 'unauthorized' }, 'refused twice: give up');
  t.equal(sandbox.counters.count('lwaToken'), 3, 'only one more refresh');

  sandbox.faults.next({ kind: 'missingScope', route: 'searchOrders' });
  await t.rejects(source.fetchPage(amazonTarget(), window('created', timing.now() - DAY, timing.now()), null), { code: 'forbidden' }, 'a missing role is not a token problem');
  t.equal(sandbox.counters.count('lwaToken'), 3);
});

t.test('400s fail at once with Amazon’s reason; bad targets and cursors are refused before any call', async (t) => {
  const { timing, sandbox, source } = await setup(t);
  const w = window('created', timing.now() - DAY, timing.now());
  await t.rejects(source.fetchPage(amazonTarget(['A1F83G8C2ARO7P']), w, null), { code: 'bad_request', message: /InvalidInput: Invalid marketplaceId/ });
  t.equal(sandbox.counters.count('searchOrders'), 1, 'not retried');
  const tooMany = Array.from({ length: 51 }, (_, i) => `M${i}`);
  await t.rejects(source.fetchPage(amazonTarget(tooMany), w, null), { code: 'bad_request' });
  await t.rejects(source.fetchPage({ ...amazonTarget(), platform: 'walmart' }, w, null), { code: 'bad_request' });
  await t.rejects(source.fetchPage(amazonTarget(), w, 'walmart.e30'), { code: 'cursor_refused' });
  await t.rejects(source.fetchPage(amazonTarget(), { kind: 'created', from: 'last week', to: w.to }, null), { code: 'bad_request' });
  const page = await source.fetchPage(amazonTarget(), window('created', timing.now() - 11 * DAY, timing.now()), null);
  await t.rejects(source.fetchPage(amazonTarget(), window('updated', timing.now() - 11 * DAY, timing.now()), page.next), { code: 'cursor_refused' }, 'a cursor of a created window is not for an updated one');
  t.equal(sandbox.counters.count('searchOrders'), 2);
});

t.test('a paginationToken past its 24 hours is refused as Amazon does, and reported as a refused cursor', async (t) => {
  const { timing, sandbox, source } = await setup(t);
  const w = window('created', timing.now() - 11 * DAY, timing.now());
  const page = await source.fetchPage(amazonTarget(), w, null);
  t.ok(page.next, 'more than one page');
  timing.advance(24 * 60 * MINUTE + 1_000);
  await t.rejects(source.fetchPage(amazonTarget(), w, page.next), { code: 'cursor_refused', status: 400, message: /InvalidInput: .*paginationToken has expired/ });
  t.same(sandbox.counters.byStatus('searchOrders'), { 200: 1, 400: 1 }, 'not retried');
});

t.test('with Amazon enforcing its usage plan, the bucket keeps every request under it', async (t) => {
  const timing = virtualTiming();
  const sandbox = await startAmazonSandbox({ now: timing.now, throttling: true, orders: { count: 2_600, marketplaceId: US, days: 20, to: timing.now() - 10 * MINUTE } });
  t.teardown(() => sandbox.close());
  // Start from a wrong (too generous) rate: the x-amzn-RateLimit-Limit header corrects it.
  const buckets = tokenBuckets({ ...AMAZON_ORDER_USAGE_PLANS, searchOrders: { rate: 1, burst: 20 } }, timing);
  const source = amazonOrderSource({ spApiUrl: sandbox.urls, tokens: amazonTokens(sandbox, timing.now), timing, buckets });
  const started = timing.now();
  const { ids } = await pullAll(source, amazonTarget(), window('created', timing.now() - 21 * DAY, timing.now()));
  t.equal(new Set(ids).size, 2_600);
  t.same(sandbox.counters.byStatus('searchOrders'), { 200: 26 }, 'not one 429');
  t.equal(buckets.bucket('auth-amazon-na', 'searchOrders').state().rate, 0.0056, 'rate taken from x-amzn-RateLimit-Limit');
  const elapsed = timing.now() - started;
  t.ok(elapsed >= 5.9 * (1000 / 0.0056) && elapsed < 7 * (1000 / 0.0056), `26 pages = a burst of 20, then 6 token intervals (${Math.round(elapsed / 1000)} s)`);
  t.ok(sandbox.counters.count('lwaToken') >= 1, 'tokens refreshed as the virtual hour passed');
});

t.test('an abort stops a pull, also one waiting for the rate limit', async (t) => {
  const { timing, sandbox, source } = await setup(t);
  const w = window('created', timing.now() - DAY, timing.now());
  await t.rejects(source.fetchPage(amazonTarget(), w, null, AbortSignal.abort()), { name: 'AbortError' });
  const controller = new AbortController();
  // The abort arrives while the pull sleeps for a token.
  const aborting: Timing = { now: timing.now, sleep: async (_ms, signal) => { controller.abort(); signal?.throwIfAborted(); } };
  const buckets = tokenBuckets(AMAZON_ORDER_USAGE_PLANS, aborting);
  buckets.bucket('auth-amazon-na', 'searchOrders').drain();
  const waiting = amazonOrderSource({ spApiUrl: sandbox.urls, tokens: amazonTokens(sandbox, timing.now), timing: aborting, buckets });
  await t.rejects(waiting.fetchPage(amazonTarget(), w, null, controller.signal), { name: 'AbortError' });
  t.equal(sandbox.counters.count('searchOrders'), 0, 'no request went out');

  // An abort during a slow answer ends the wait at once; a live signal lets a page through.
  const live = new AbortController();
  t.equal((await source.fetchPage(amazonTarget(), window('created', timing.now() - 11 * DAY, timing.now()), null, live.signal)).orders.length, 100);
  sandbox.faults.next({ delayMs: 1_000, route: 'searchOrders' });
  const slow = new AbortController();
  setTimeout(() => slow.abort(), 50);
  const started = Date.now();
  await t.rejects(source.fetchPage(amazonTarget(), w, null, slow.signal), { name: 'AbortError' });
  t.ok(Date.now() - started < 700, 'did not wait for the slow answer');
});
