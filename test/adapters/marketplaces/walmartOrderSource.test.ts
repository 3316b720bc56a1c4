import t, { type Test } from 'tap';
import { tokenBuckets } from '../../../src/adapters/marketplaces/tokenBucket.js';
import { WALMART_SERVICE_NAME } from '../../../src/adapters/marketplaces/walmartAuth.js';
import {
  WALMART_HISTORY_DAYS,
  WALMART_ORDER_USAGE_PLANS,
  walmartOrderSource,
} from '../../../src/adapters/marketplaces/walmartOrderSource.js';
import { startWalmartSandbox, type WalmartOrder, type WalmartSandbox } from '../../../src/sandbox/index.js';
import {
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
  walmartTarget,
  walmartTokens,
  window,
} from './fixtures/support.js';

const setup = async (t: Test, options: Parameters<typeof startWalmartSandbox>[0] = {}) => {
  const timing = virtualTiming();
  const sandbox = await startWalmartSandbox({ now: timing.now, orders: { count: 450, days: 20, wfsShare: 0.3 }, ...options });
  t.teardown(() => sandbox.close());
  const tokens = walmartTokens(sandbox, timing.now);
  const source = walmartOrderSource({ apiUrl: sandbox.url, tokens, timing, random: () => 0.5 });
  return { timing, sandbox, tokens, source };
};

const createdBetween = (sandbox: WalmartSandbox, from: number, to: number) =>
  sorted(sandbox.orders.list().filter((o) => o.orderDate >= from && o.orderDate <= to).map((o) => o.purchaseOrderId));

const emptyList = (nextCursor: string | null, orders: unknown[] = []) => ({ list: { meta: { totalCount: orders.length, limit: 200, nextCursor }, elements: { order: orders } } });

t.test('what the client sends: headers, limit, ship-node types, dates; nextCursor verbatim', async (t) => {
  const fixture = (await fixtureFolder('walmart/orders')).find((f) => f.name === 'getAnOrder.200.ORDER.json');
  const cursor = '?limit=200&hasMoreElements=true&soIndex=2&poIndex=1&partnerId=10001&sellerId=10001&createdStartDate=2026-01-01T00:00:00.000Z&createdEndDate=2026-06-15T12:00:00.000Z&shipNodeType=SellerFulfilled&cursor=abc';
  const server = await captureServer((request, index) => {
    if (index === 0) return { status: 200, json: emptyList(cursor, [fixture?.response.order]) };
    if (index === 1) return { status: 200, json: emptyList(null, [{ ...(fixture?.response.order as object), purchaseOrderId: '2' }]) };
    // No WFS orders: Walmart's 404 for an empty search.
    return { status: 404, json: { errors: { error: [{ code: 'CONTENT_NOT_FOUND.GMP_ORDER_API', field: 'data', description: 'No orders', severity: 'INFO', category: 'APPLICATION' }] } } };
  });
  t.teardown(server.close);
  const timing = virtualTiming();
  const source = walmartOrderSource({ apiUrl: server.url, tokens: staticTokens('eyJraWQ.fixture'), timing });
  const now = timing.now();
  const w = window('updated', now - 2 * DAY, now);
  const { ids } = await pullAll(source, walmartTarget, w);
  t.same(ids, ['1815367951431', '2']);
  t.equal(server.requests.length, 3);

  const [r1, r2, r3] = server.requests;
  const q1 = Object.fromEntries(new URL(r1?.url ?? '/', server.url).searchParams);
  t.same(q1, {
    limit: '200',
    shipNodeType: 'SellerFulfilled',
    createdStartDate: new Date(now - WALMART_HISTORY_DAYS * DAY).toISOString(),
    createdEndDate: new Date(now).toISOString(),
    lastModifiedStartDate: new Date(now - 2 * DAY).toISOString(),
    lastModifiedEndDate: new Date(now).toISOString(),
  }, 'an updated window opens the creation range to the whole history');
  t.equal(r2?.url, `/v3/orders${cursor}`, 'the second page is nextCursor appended verbatim');
  t.equal(new URL(r3?.url ?? '/', server.url).searchParams.get('shipNodeType'), 'WFSFulfilled', 'then the Walmart-fulfilled orders');
  for (const r of server.requests) {
    t.equal(r.headers['wm_sec.access_token'], 'eyJraWQ.fixture');
    t.equal(r.headers['wm_svc.name'], WALMART_SERVICE_NAME);
    t.match(r.headers['wm_qos.correlation_id'], /^[0-9a-f-]{36}$/);
    t.equal(r.headers.accept, 'application/json');
    t.notOk(r.headers.authorization, 'no Authorization header on API calls');
  }
  t.not(r1?.headers['wm_qos.correlation_id'], r2?.headers['wm_qos.correlation_id'], 'a fresh correlation id per request');

  server.requests.length = 0;
  await pullAll(source, walmartTarget, window('created', now - 3 * DAY, now - DAY));
  const q2 = Object.fromEntries(new URL(server.requests[0]?.url ?? '/', server.url).searchParams);
  t.same(q2, { limit: '200', shipNodeType: 'SellerFulfilled', createdStartDate: new Date(now - 3 * DAY).toISOString(), createdEndDate: new Date(now - DAY).toISOString() });
});

t.test('an updated window pages through seller- and Walmart-fulfilled orders, each once', async (t) => {
  const { timing, sandbox, source } = await setup(t);
  const { orders, ids, pageSizes } = await pullAll(source, walmartTarget, window('updated', timing.now() - 30 * DAY, timing.now()));
  t.equal(ids.length, 450);
  t.equal(new Set(ids).size, 450, 'no duplicates');
  t.same(sorted(ids), sorted(sandbox.orders.list().map((o) => o.purchaseOrderId)), 'no omissions');
  t.same(new Set(orders.map((o) => o.fulfillmentChannel)), new Set(['merchant', 'marketplace']), 'both ship-node types');
  t.notOk(pageSizes.includes(0), 'no empty pages with more to come');
  const wfs = sandbox.orders.list().filter((o) => o.shipNode?.type === 'WFSFulfilled').map((o) => o.purchaseOrderId);
  t.same(sorted(orders.filter((o) => o.fulfillmentChannel === 'marketplace').map((o) => o.platformOrderId)), sorted(wfs));
});

t.test('created vs updated windows, and a change shows in the next updated fetch', async (t) => {
  const { timing, sandbox, source } = await setup(t);
  const t0 = timing.now();
  const created = await pullAll(source, walmartTarget, window('created', t0 - 5 * DAY, t0));
  t.same(sorted(created.ids), createdBetween(sandbox, t0 - 5 * DAY, t0));
  t.ok(created.ids.length < 450, 'older orders left out');

  // The next scheduled pull, 15 minutes on: an old order shipped, a new one arrived.
  timing.advance(5 * MINUTE);
  const old = sandbox.orders.list().find((o) => o.orderDate < t0 - 10 * DAY && o.orderLines.orderLine.every((l) => l.orderLineStatuses.orderLineStatus.every((s) => s.status === 'Acknowledged' || s.status === 'Created')) && o.shipNode?.type === 'SellerFulfilled') as WalmartOrder;
  t.ok(old, 'an old open order');
  sandbox.orders.ship(old.purchaseOrderId);
  const fresh = sandbox.orders.add({ status: 'Created' });
  const wfs = sandbox.orders.add({ status: 'Acknowledged', shipNodeType: 'WFSFulfilled' });
  timing.advance(10 * MINUTE);
  // Bounds are inclusive, and the generator stamped many orders with exactly t0: start a second later.
  const next = await pullAll(source, walmartTarget, window('updated', t0 + 1000, timing.now()));
  t.same(sorted(next.ids), sorted([old.purchaseOrderId, fresh.purchaseOrderId, wfs.purchaseOrderId]), 'exactly what changed');
  t.equal(next.orders.find((o) => o.platformOrderId === old.purchaseOrderId)?.status, 'shipped');
  t.equal(next.orders.find((o) => o.platformOrderId === fresh.purchaseOrderId)?.status, 'unshipped');
  t.equal(next.orders.find((o) => o.platformOrderId === wfs.purchaseOrderId)?.fulfillmentChannel, 'marketplace');
});

t.test('no orders: Walmart’s 404 CONTENT_NOT_FOUND is an empty last page', async (t) => {
  const { timing, sandbox, source } = await setup(t, { orders: false });
  const page = await source.fetchPage(walmartTarget, window('updated', timing.now() - DAY, timing.now()), null);
  t.same(page, { orders: [], next: null });
  t.same(sandbox.counters.byStatus('getAllOrders'), { 404: 2 }, 'one search per ship-node type');
});

t.test('the 180-day history limit: the start is clamped, and the log says so', async (t) => {
  const timing = virtualTiming();
  const sandbox = await startWalmartSandbox({ now: timing.now, orders: { count: 120, days: 170, wfsShare: 0 } });
  t.teardown(() => sandbox.close());
  const warnings: { details: Record<string, unknown>; message: string }[] = [];
  const source = walmartOrderSource({
    apiUrl: sandbox.url,
    tokens: walmartTokens(sandbox, timing.now),
    timing,
    log: { warn: (details, message) => void warnings.push({ details, message }) },
  });
  const { ids } = await pullAll(source, walmartTarget, window('created', timing.now() - 400 * DAY, timing.now()));
  t.equal(ids.length, 120);
  t.equal(warnings.length, 1);
  t.match(warnings[0]?.message, /180 days/);
  t.same(warnings[0]?.details, {
    authorizationId: 'auth-walmart',
    requestedFrom: new Date(timing.now() - 400 * DAY).toISOString(),
    servedFrom: new Date(timing.now() - 180 * DAY).toISOString(),
  });
  await pullAll(source, walmartTarget, window('created', timing.now() - 10 * DAY, timing.now()));
  t.equal(warnings.length, 1, 'no notice when the window fits');
});

t.test('a search capped by Walmart’s per-query maximum is finished by narrower searches', async (t) => {
  const timing = virtualTiming();
  const sandbox = await startWalmartSandbox({ now: timing.now, orders: false, maxOrdersPerQuery: 25 });
  t.teardown(() => sandbox.close());
  // 60 orders, ten of them at one instant where a cap boundary falls (20 newer ones, then 5 of the 10).
  const at = (minutesAgo: number) => timing.now() - minutesAgo * MINUTE;
  for (let i = 0; i < 20; i += 1) sandbox.orders.add({ createdAt: at(10 + i) });
  for (let i = 0; i < 10; i += 1) sandbox.orders.add({ createdAt: at(100) });
  for (let i = 0; i < 30; i += 1) sandbox.orders.add({ createdAt: at(200 + i) });
  const source = walmartOrderSource({ apiUrl: sandbox.url, tokens: walmartTokens(sandbox, timing.now), timing });
  const { ids } = await pullAll(source, walmartTarget, window('created', timing.now() - DAY, timing.now()));
  t.equal(new Set(ids).size, ids.length, 'no duplicates at the boundary');
  t.same(sorted(ids), sorted(sandbox.orders.list().map((o) => o.purchaseOrderId)), 'no omissions');
});

t.test('storms of 429, 5xx, truncated and malformed JSON, connection resets: every order exactly once', async (t) => {
  const { timing, sandbox, source } = await setup(t, { orders: { count: 1_500, days: 20, wfsShare: 0.3 } });
  storm(sandbox.faults, 'getAllOrders', { rounds: 6, extra: [{ kind: 'serverError', status: 504 }, { kind: 'serverError', status: 503 }] });
  const { ids } = await pullAll(source, walmartTarget, window('updated', timing.now() - 30 * DAY, timing.now()));
  t.equal(ids.length, 1_500);
  t.equal(new Set(ids).size, 1_500, 'no duplicates');
  t.same(sorted(ids), sorted(sandbox.orders.list().map((o) => o.purchaseOrderId)), 'no omissions');
  t.same(faultsMet(sandbox.counters.log()), ['connectionReset', 'malformedJson', 'serverError', 'throttle', 'truncatedJson'], 'every kind of fault was met');
  t.ok(sandbox.counters.count('getAllOrders') >= 6 * 6, 'through six storms of five failures each');
});

t.test('a 429 waits for Retry-After and for the replenishment time Walmart names', async (t) => {
  const { timing, sandbox, source } = await setup(t);
  sandbox.faults.next({ kind: 'throttle', retryAfterSeconds: 3, route: 'getAllOrders' });
  const started = timing.now();
  const page = await source.fetchPage(walmartTarget, window('updated', timing.now() - 30 * DAY, timing.now()), null);
  t.equal(page.orders.length, 200);
  t.same(sandbox.counters.byStatus('getAllOrders'), { 200: 1, 429: 1 });
  t.equal(timing.waits[0], 3000, 'Retry-After first');
  // The 429 said: no tokens until now + 60 s (x-next-replenishment-time).
  t.ok(timing.now() - started >= 60_000, `next request after the replenishment (${timing.now() - started} ms)`);
});

t.test('token-count headers drive the bucket', async (t) => {
  const timing = virtualTiming();
  const sandbox = await startWalmartSandbox({ now: timing.now, orders: { count: 50, days: 5 } });
  t.teardown(() => sandbox.close());
  // Our idea of the plan is twice too generous; the sandbox meters 5,000 a key and says what is left.
  const buckets = tokenBuckets({ getAllOrders: { ...WALMART_ORDER_USAGE_PLANS.getAllOrders, burst: 10_000 } }, timing);
  const source = walmartOrderSource({ apiUrl: sandbox.url, tokens: walmartTokens(sandbox, timing.now), timing, buckets });
  await pullAll(source, walmartTarget, window('created', timing.now() - 6 * DAY, timing.now()));
  t.equal(sandbox.counters.count('getAllOrders'), 2, 'one search per ship-node type');
  t.equal(Math.floor(buckets.bucket('auth-walmart', 'getAllOrders').state().tokens), 4_998, 'x-current-token-count, not our 9,998');
});

t.test('an expired access token is refreshed once; a 403 is a missing permission', async (t) => {
  const { timing, sandbox, source } = await setup(t);
  const w = () => window('created', timing.now() - 3 * DAY, timing.now());
  await source.fetchPage(walmartTarget, w(), null);
  t.equal(sandbox.counters.count('token'), 1);
  sandbox.clock.advance(20 * MINUTE); // past Walmart's 15-minute token, while our clock still trusts it
  const page = await source.fetchPage(walmartTarget, w(), null);
  t.ok(page.orders.length > 0);
  t.equal(sandbox.counters.byStatus('getAllOrders')[401], 1);
  t.equal(sandbox.counters.count('token'), 2, 'one refresh');

  sandbox.faults.next({ kind: 'expiredToken', count: 2, route: 'getAllOrders' });
  await t.rejects(source.fetchPage(walmartTarget, w(), null), { code: 'unauthorized' });
  t.equal(sandbox.counters.count('token'), 3);

  sandbox.faults.next({ kind: 'missingScope', route: 'getAllOrders' });
  await t.rejects(source.fetchPage(walmartTarget, w(), null), { code: 'forbidden', status: 403 });
  t.equal(sandbox.counters.count('token'), 3, 'no refresh for a permission problem');
});

t.test('a 400 on a nextCursor says the cursor is refused (the caller restarts the window); the first page’s 400 stays bad_request', async (t) => {
  const server = await captureServer((_request, index) =>
    index === 0
      ? { status: 200, json: emptyList('?limit=200&hasMoreElements=true&soIndex=2&cursor=stale', []) }
      : { status: 400, json: { errors: { error: [{ code: 'INVALID_REQUEST_PARAM.GMP_ORDER_API', field: 'cursor', description: 'The cursor is invalid', severity: 'ERROR', category: 'REQUEST' }] } } },
  );
  t.teardown(server.close);
  const timing = virtualTiming();
  const source = walmartOrderSource({ apiUrl: server.url, tokens: staticTokens(), timing });
  const w = window('updated', START - DAY, START);
  // The first page is empty, so the source follows its nextCursor within the same call.
  await t.rejects(source.fetchPage(walmartTarget, w, null), { code: 'cursor_refused', status: 400, message: /cursor is invalid/ });
  t.equal(server.requests.length, 2, 'not retried');
  t.match(server.requests[1]?.url, /cursor=stale/, 'the refused request was the one with the cursor');
});

t.test('400s and bad cursors fail at once', async (t) => {
  const server = await captureServer(() => ({
    status: 400,
    json: { errors: [{ code: 'INVALID_REQUEST_PARAM', field: 'createdStartDate', message: 'createdStartDate is invalid', severity: 'ERROR', category: 'REQUEST' }] },
  }));
  t.teardown(server.close);
  const timing = virtualTiming();
  const source = walmartOrderSource({ apiUrl: server.url, tokens: staticTokens(), timing });
  const w = window('created', START - DAY, START);
  await t.rejects(source.fetchPage(walmartTarget, w, null), { code: 'bad_request', message: /INVALID_REQUEST_PARAM: createdStartDate is invalid/ });
  t.equal(server.requests.length, 1, 'not retried');
  await t.rejects(source.fetchPage(walmartTarget, w, 'amazon.e30'), { code: 'cursor_refused' }, 'another source’s cursor cannot be resumed');
  await t.rejects(source.fetchPage(walmartTarget, w, 'walmart.not-json'), { code: 'cursor_refused' });
  await t.rejects(source.fetchPage({ ...walmartTarget, platform: 'amazon' }, w, null), { code: 'bad_request' });
  await t.rejects(source.fetchPage(walmartTarget, { kind: 'created', from: 'soon', to: w.to }, null), { code: 'bad_request' });
  t.equal(server.requests.length, 1);
});
