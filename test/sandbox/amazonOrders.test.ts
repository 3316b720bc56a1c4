import t from 'tap';
import { startAmazonSandbox, type AmazonOrder } from '../../src/sandbox/index.js';
import { amazonAccessToken, FIXED_NOW, fixedNow, json, spApi, type Json } from './fixtures/helpers.js';

const DAY = 86_400_000;
const sandbox = await startAmazonSandbox({ throttling: false, orders: false, now: fixedNow });
t.teardown(() => sandbox.close());
const seller = sandbox.sellers[0]?.sellerId ?? '';
sandbox.orders.generate({ count: 537, marketplaceId: 'ATVPDKIKX0DER', days: 10 });
sandbox.orders.generate({ count: 120, marketplaceId: 'A2EUQ1WTGCTBG2', days: 10 });
sandbox.orders.generate({ count: 40, marketplaceId: 'A1F83G8C2ARO7P', days: 10 }); // EU: never in NA results
const iso = (ms: number) => new Date(ms).toISOString();
/** A fresh access token per call: tests move the sandbox clock by days, past any token's lifetime. */
const search = async (params: Record<string, string>) => {
  const accessToken = await amazonAccessToken(sandbox);
  const response = await spApi(sandbox, `/orders/2026-01-01/orders?${new URLSearchParams(params).toString()}`, accessToken);
  return { response, body: await json(response) };
};

/** Follows nextToken to the last page, as a client must. */
const allPages = async (params: Record<string, string>) => {
  const ids: string[] = [];
  let pages = 0;
  let nextToken: string | undefined;
  let last: Json = {};
  do {
    const { response, body } = await search({ ...params, ...(nextToken !== undefined ? { paginationToken: nextToken } : {}) });
    if (response.status !== 200) throw new Error(`page ${pages} failed: ${JSON.stringify(body)}`);
    ids.push(...(body.orders as AmazonOrder[]).map((o) => o.orderId));
    nextToken = body.pagination?.nextToken as string | undefined;
    last = body;
    pages += 1;
  } while (nextToken !== undefined);
  return { ids, pages, last };
};

/** NA orders of the main seller that exist by the fixed "now" (tests add later ones, too). */
const naOrders = () =>
  sandbox.orders.list({ sellerId: seller, region: 'NA' }).filter((o) => Date.parse(o.createdTime) <= FIXED_NOW - 120_000);

t.test('searchOrders pages to the last page with no duplicates and no omissions', async (t) => {
  const after = FIXED_NOW - 11 * DAY;
  const { ids, pages, last } = await allPages({ createdAfter: iso(after), maxResultsPerPage: '100' });
  const expected = naOrders();
  t.equal(new Set(ids).size, ids.length, 'no duplicates');
  t.same([...ids].sort(), expected.map((o) => o.orderId).sort(), 'every NA order, none from EU');
  t.equal(pages, Math.ceil(expected.length / 100));
  t.equal(last.pagination, undefined, 'the last page has no pagination');
  t.equal(last.createdBefore, iso(FIXED_NOW - 120_000).replace('.000Z', 'Z'), 'the bound used is returned');

  const small = await allPages({ createdAfter: iso(after), maxResultsPerPage: '37' });
  t.same(small.ids, ids, 'page size changes paging, not the sequence');
});

t.test('results come oldest first and respect created bounds', async (t) => {
  const after = FIXED_NOW - 5 * DAY;
  const before = FIXED_NOW - 2 * DAY;
  const { body } = await search({ createdAfter: iso(after), createdBefore: iso(before) });
  const times = (body.orders as AmazonOrder[]).map((o) => Date.parse(o.createdTime));
  t.ok(times.every((ms) => ms >= after && ms <= before));
  t.same(times, [...times].sort((a, b) => a - b));
  t.equal(body.createdBefore, iso(before).replace('.000Z', 'Z'));
});

t.test('created and lastUpdated filters see different orders', async (t) => {
  const old = naOrders().find((o) => Date.parse(o.createdTime) < FIXED_NOW - 8 * DAY && o.fulfillment?.fulfillmentStatus === 'SHIPPED');
  if (old === undefined) throw new Error('no old shipped order generated');
  sandbox.clock.advance(60_000);
  const cancelledAt = sandbox.clock.now();
  sandbox.orders.cancel(old.orderId, { by: 'BUYER' });
  sandbox.clock.advance(3 * 60_000);
  t.teardown(() => sandbox.clock.setOffset(0));

  const updated = await allPages({ lastUpdatedAfter: iso(cancelledAt - 1000), includedData: 'FULFILLMENT,CANCELLATION' });
  t.same(updated.ids, [old.orderId], 'the change shows up on the next "updated since" query');
  t.ok(updated.last.lastUpdatedBefore, 'updated searches return lastUpdatedBefore');
  const { body } = await search({ lastUpdatedAfter: iso(cancelledAt - 1000), includedData: 'FULFILLMENT,CANCELLATION' });
  t.match(body.orders[0], { fulfillment: { fulfillmentStatus: 'CANCELLED' }, orderItems: [{ cancellation: { cancellationExecution: { cancelledBy: 'BUYER' } } }] });

  const created = await allPages({ createdAfter: iso(cancelledAt - 1000) });
  t.same(created.ids, [], 'not a new order');
});

t.test('an order is invisible until its time is two minutes in the past', async (t) => {
  t.teardown(() => sandbox.clock.setOffset(0));
  sandbox.clock.setOffset(DAY);
  const added = sandbox.orders.add({ items: [{ sellerSku: 'DEMO-SKU-1', quantity: 2 }] });
  const params = { createdAfter: iso(FIXED_NOW + DAY - 60_000) };
  t.same((await search(params)).body.orders, []);
  sandbox.clock.advance(121_000);
  const { body } = await search({ ...params, includedData: 'FULFILLMENT' });
  t.same(body.orders.map((o: AmazonOrder) => o.orderId), [added.orderId]);
  t.match(body.orders[0].orderItems[0], { quantityOrdered: 2, product: { sellerSku: 'DEMO-SKU-1' }, fulfillment: { quantityUnfulfilled: 2 } });
});

t.test('filter validation answers 400 InvalidInput', async (t) => {
  const cases: [string, Record<string, string>][] = [
    ['no date filter', {}],
    ['both created and updated', { createdAfter: iso(FIXED_NOW - DAY), lastUpdatedAfter: iso(FIXED_NOW - DAY) }],
    ['createdBefore with lastUpdatedAfter', { lastUpdatedAfter: iso(FIXED_NOW - DAY), createdBefore: iso(FIXED_NOW - DAY) }],
    ['end bound less than 2 minutes ago', { createdAfter: iso(FIXED_NOW - DAY), createdBefore: iso(FIXED_NOW - 60_000) }],
    ['before earlier than after', { createdAfter: iso(FIXED_NOW - DAY), createdBefore: iso(FIXED_NOW - 2 * DAY) }],
    ['not a date', { createdAfter: 'yesterday' }],
    ['page size 0', { createdAfter: iso(FIXED_NOW - DAY), maxResultsPerPage: '0' }],
    ['page size 101', { createdAfter: iso(FIXED_NOW - DAY), maxResultsPerPage: '101' }],
    ['51 marketplaces', { createdAfter: iso(FIXED_NOW - DAY), marketplaceIds: Array.from({ length: 51 }, () => 'ATVPDKIKX0DER').join(',') }],
    ['a marketplace of another region', { createdAfter: iso(FIXED_NOW - DAY), marketplaceIds: 'A1F83G8C2ARO7P' }],
    ['unknown status', { createdAfter: iso(FIXED_NOW - DAY), fulfillmentStatuses: 'Unshipped' }],
    ['unknown dataset', { createdAfter: iso(FIXED_NOW - DAY), includedData: 'EVERYTHING' }],
  ];
  for (const [name, params] of cases) {
    const { response, body } = await search(params);
    t.equal(response.status, 400, name);
    t.equal(body.errors?.[0]?.code, 'InvalidInput', name);
    t.equal(response.headers.get('x-amzn-ratelimit-limit'), '0.0056', `${name}: rate header on 400`);
  }
});

t.test('filters: marketplaceIds, fulfillmentStatuses, fulfilledBy', async (t) => {
  const base = { createdAfter: iso(FIXED_NOW - 11 * DAY), includedData: 'FULFILLMENT' };
  const canada = await allPages({ ...base, marketplaceIds: 'A2EUQ1WTGCTBG2' });
  t.equal(canada.ids.length, 120);
  const both = await allPages({ ...base, marketplaceIds: 'A2EUQ1WTGCTBG2,ATVPDKIKX0DER' });
  t.equal(both.ids.length, naOrders().length);

  const { body } = await search({ ...base, fulfillmentStatuses: 'UNSHIPPED,PARTIALLY_SHIPPED', fulfilledBy: 'MERCHANT' });
  t.ok(body.orders.length > 0);
  for (const order of body.orders as AmazonOrder[]) {
    t.ok(['UNSHIPPED', 'PARTIALLY_SHIPPED'].includes(order.fulfillment?.fulfillmentStatus ?? ''));
    t.equal(order.fulfillment?.fulfilledBy, 'MERCHANT');
  }
  const afn = await allPages({ ...base, fulfilledBy: 'AMAZON' });
  t.equal(afn.ids.length, naOrders().filter((o) => o.fulfillment?.fulfilledBy === 'AMAZON').length);
});

t.test('includedData decides which datasets come back', async (t) => {
  const bare = (await search({ createdAfter: iso(FIXED_NOW - 11 * DAY), maxResultsPerPage: '5' })).body.orders as Json[];
  for (const order of bare) {
    t.same(
      Object.keys(order).filter((k) => ['buyer', 'recipient', 'proceeds', 'fulfillment', 'packages'].includes(k)),
      [],
      'core fields only',
    );
    t.same(Object.keys(order.orderItems[0]).sort(), ['orderItemId', 'product', 'quantityOrdered'].sort());
  }
  const full = (await search({ createdAfter: iso(FIXED_NOW - 11 * DAY), maxResultsPerPage: '50', includedData: 'BUYER,RECIPIENT,PROCEEDS,FULFILLMENT,PACKAGES' })).body.orders as AmazonOrder[];
  const mfnShipped = full.find((o) => o.fulfillment?.fulfilledBy === 'MERCHANT' && o.fulfillment.fulfillmentStatus === 'SHIPPED');
  t.ok(mfnShipped?.recipient?.deliveryAddress.phone, 'merchant orders carry the buyer phone');
  t.match(mfnShipped?.buyer?.buyerEmail, /^[a-z0-9]{15}@marketplace\.amazon\.(com|ca)$/);
  t.ok(mfnShipped?.packages?.[0]?.trackingNumber);
  const afn = full.find((o) => o.fulfillment?.fulfilledBy === 'AMAZON' && o.recipient !== undefined);
  if (afn !== undefined) t.equal(afn.recipient?.deliveryAddress.phone, undefined, 'FBA orders have no phone');
  const pending = full.find((o) => o.fulfillment?.fulfillmentStatus === 'PENDING');
  if (pending !== undefined) t.equal(pending.recipient, undefined, 'no address before payment');
});

t.test('pagination tokens: same filters only, signed, expire after 24 h', async (t) => {
  t.teardown(() => sandbox.clock.setOffset(0));
  const params = { createdAfter: iso(FIXED_NOW - 11 * DAY), maxResultsPerPage: '10' };
  const first = (await search(params)).body;
  const nextToken = first.pagination.nextToken as string;
  const changed = await search({ ...params, createdAfter: iso(FIXED_NOW - 9 * DAY), paginationToken: nextToken });
  t.equal(changed.response.status, 400, 'other filters than the first page');
  const missing = await search({ paginationToken: nextToken, maxResultsPerPage: '10' });
  t.equal(missing.response.status, 400, 'the filters must be repeated');
  const resized = await search({ ...params, maxResultsPerPage: '20', includedData: 'BUYER', paginationToken: nextToken });
  t.equal(resized.response.status, 200, 'maxResultsPerPage and includedData may change');
  t.equal(resized.body.orders.length, 20);
  const tampered = await search({ ...params, paginationToken: `${nextToken.slice(0, -2)}xx` });
  t.equal(tampered.response.status, 400);
  sandbox.clock.advance(DAY + 1000);
  const expired = await search({ ...params, paginationToken: nextToken });
  t.equal(expired.response.status, 400);
  t.match(expired.body.errors[0].details, /expired/);
});

t.test('getOrder returns one order of the caller’s account', async (t) => {
  const order = naOrders()[3];
  if (order === undefined) throw new Error('no orders');
  const token = await amazonAccessToken(sandbox);
  const response = await spApi(sandbox, `/orders/2026-01-01/orders/${order.orderId}?includedData=FULFILLMENT`, token);
  t.equal(response.status, 200);
  t.equal(response.headers.get('x-amzn-ratelimit-limit'), '0.5');
  const body = await json(response);
  t.equal(body.order.orderId, order.orderId);
  t.equal(body.order.fulfillment.fulfillmentStatus, order.fulfillment?.fulfillmentStatus);

  const missing = await spApi(sandbox, '/orders/2026-01-01/orders/111-0000000-0000000', token);
  t.equal(missing.status, 404);
  t.equal(missing.headers.get('x-amzn-ratelimit-limit'), '0.5');
  const otherToken = await amazonAccessToken(sandbox, 'NA', sandbox.sellers[1]?.sellerId);
  t.equal((await spApi(sandbox, `/orders/2026-01-01/orders/${order.orderId}`, otherToken)).status, 404, 'another seller cannot see it');
});

t.test('status changes and buyer cancellation requests move lastUpdatedTime', async (t) => {
  t.teardown(() => sandbox.clock.setOffset(0));
  sandbox.clock.setOffset(2 * DAY);
  const order = sandbox.orders.add({ items: [{ sellerSku: 'A', quantity: 1 }, { sellerSku: 'B', quantity: 3 }] });
  t.equal(order.fulfillment?.fulfillmentStatus, 'UNSHIPPED');
  sandbox.clock.advance(60_000);
  const partial = sandbox.orders.setStatus(order.orderId, 'PARTIALLY_SHIPPED');
  t.same(partial.orderItems.map((i) => i.fulfillment?.quantityFulfilled), [1, 0]);
  t.equal(partial.packages?.[0]?.packageItems.length, 1);
  t.ok(Date.parse(partial.lastUpdatedTime) > Date.parse(order.lastUpdatedTime));
  sandbox.clock.advance(60_000);
  const asked = sandbox.orders.requestCancellation(order.orderId, 'Ordered by mistake');
  t.same(asked.orderItems[0]?.cancellation, { cancellationRequest: { requester: 'BUYER', cancelReason: 'Ordered by mistake' } });
  sandbox.clock.advance(60_000);
  const shipped = sandbox.orders.ship(order.orderId);
  t.same(shipped.orderItems.map((i) => i.fulfillment?.quantityUnfulfilled), [0, 0]);
  t.throws(() => sandbox.orders.ship('111-0000000-0000000'));
});
