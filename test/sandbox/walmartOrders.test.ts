import t from 'tap';
import { startWalmartSandbox, type WalmartOrder } from '../../src/sandbox/index.js';
import { FIXED_NOW, fixedNow, json, walmartGet, walmartHeaders, walmartToken, type Json } from './fixtures/helpers.js';

const DAY = 86_400_000;
const sandbox = await startWalmartSandbox({ now: fixedNow, orders: { count: 300, days: 20 } });
t.teardown(() => sandbox.close());
const iso = (ms: number) => new Date(ms).toISOString();

/** A fresh token per call: tests move the sandbox clock past the 15-minute token lifetime. */
const get = async (pathAndQuery: string) => {
  const response = await walmartGet(sandbox, pathAndQuery, await walmartToken(sandbox));
  return { response, body: await json(response) };
};

/** Follows nextCursor verbatim, as Walmart tells clients to. */
const allPages = async (path: string, query: string) => {
  const ids: string[] = [];
  const metas: Json[] = [];
  let next: string | null = `?${query}`;
  while (next !== null) {
    const { response, body } = await get(`${path}${next}`);
    if (response.status !== 200) return { ids, metas, status: response.status, body };
    ids.push(...(body.list.elements.order as WalmartOrder[]).map((o) => o.purchaseOrderId));
    metas.push(body.list.meta);
    next = body.list.meta.nextCursor as string | null;
  }
  return { ids, metas, status: 200, body: {} };
};

const sellerFulfilled = () => sandbox.orders.list().filter((o) => o.shipNode?.type === 'SellerFulfilled');

t.test('nextCursor pages through every order once, newest first', async (t) => {
  const { ids, metas } = await allPages('/v3/orders', `limit=25&createdStartDate=${iso(FIXED_NOW - 30 * DAY)}`);
  const expected = sellerFulfilled();
  t.equal(new Set(ids).size, ids.length, 'no duplicates');
  t.same([...ids].sort(), expected.map((o) => o.purchaseOrderId).sort(), 'no omissions');
  t.ok(metas.every((m) => m.totalCount === expected.length && m.limit === 25));
  const first = metas[0]?.nextCursor as string;
  t.match(first, /^\?limit=25&hasMoreElements=true&soIndex=\d+&poIndex=25&partnerId=\d+&sellerId=\d+&createdStartDate=/);
  const dates = ids.map((id) => sandbox.orders.get(id)?.orderDate ?? 0);
  t.same(dates, [...dates].sort((a, b) => b - a), 'newest first');
});

t.test('orders are Walmart-shaped: epoch-ms dates, string quantities, per-line statuses', async (t) => {
  const { body } = await get(`/v3/orders?limit=50&createdStartDate=${iso(FIXED_NOW - 30 * DAY)}`);
  for (const order of body.list.elements.order as WalmartOrder[]) {
    t.type(order.orderDate, 'number');
    t.equal(order.shippingInfo.postalAddress.country, 'USA');
    t.match(order.customerEmailId, /^[0-9A-F]{32}@relay\.walmart\.com$/);
    for (const line of order.orderLines.orderLine) {
      t.type(line.orderLineQuantity.amount, 'string');
      t.type(line.charges.charge[0]?.chargeAmount.amount, 'number');
      const total = line.orderLineStatuses.orderLineStatus.reduce((sum, s) => sum + Number(s.statusQuantity.amount), 0);
      t.equal(total, Number(line.orderLineQuantity.amount), 'status quantities add up to the line quantity');
    }
  }
});

t.test('shipNodeType separates seller-fulfilled from WFS orders', async (t) => {
  const wfs = await allPages('/v3/orders', `limit=100&shipNodeType=WFSFulfilled&createdStartDate=${iso(FIXED_NOW - 30 * DAY)}`);
  const expected = sandbox.orders.list().filter((o) => o.shipNode?.type === 'WFSFulfilled');
  t.ok(expected.length > 0, 'the seed has WFS orders');
  t.same([...wfs.ids].sort(), expected.map((o) => o.purchaseOrderId).sort());
  const seller = await allPages('/v3/orders', `limit=100&createdStartDate=${iso(FIXED_NOW - 30 * DAY)}`);
  t.notOk(seller.ids.some((id) => wfs.ids.includes(id)), 'WFS orders are invisible unless asked for');
  t.equal((await get('/v3/orders?shipNodeType=Amazon')).response.status, 400);
});

t.test('createdStartDate defaults to 7 days back; nothing older than 180 days is served', async (t) => {
  const { ids } = await allPages('/v3/orders', 'limit=200');
  t.same(
    [...ids].sort(),
    sellerFulfilled().filter((o) => o.orderDate >= FIXED_NOW - 7 * DAY).map((o) => o.purchaseOrderId).sort(),
  );
  const ancient = sandbox.orders.add({ createdAt: FIXED_NOW - 200 * DAY });
  const history = await allPages('/v3/orders', `limit=200&createdStartDate=${iso(FIXED_NOW - 365 * DAY)}`);
  t.notOk(history.ids.includes(ancient.purchaseOrderId));
  t.equal((await get(`/v3/orders/${ancient.purchaseOrderId}`)).response.status, 200, 'still readable by id');
});

t.test('lastModifiedStartDate finds orders changed since, whatever their age', async (t) => {
  t.teardown(() => sandbox.clock.setOffset(0));
  const old = sellerFulfilled().find((o) => o.orderDate < FIXED_NOW - 10 * DAY && o.orderLines.orderLine.length >= 1);
  if (old === undefined) throw new Error('no old order');
  sandbox.clock.advance(5 * 60_000);
  const since = sandbox.clock.now();
  const line = old.orderLines.orderLine[0]?.lineNumber ?? '1';
  const changed = sandbox.orders.cancel(old.purchaseOrderId, { lineNumbers: [line], reason: 'CUSTOMER_REQUESTED_SELLER_TO_CANCEL' });
  t.equal(changed.orderLines.orderLine[0]?.orderLineStatuses.orderLineStatus.at(-1)?.status, 'Cancelled');
  t.equal(changed.orderLines.orderLine[0]?.statusDate, since);
  const { ids } = await allPages('/v3/orders', `lastModifiedStartDate=${iso(since - 1000)}&createdStartDate=${iso(FIXED_NOW - 30 * DAY)}`);
  t.same(ids, [old.purchaseOrderId]);
  const cancelled = await allPages('/v3/orders', `status=Cancelled&createdStartDate=${iso(FIXED_NOW - 30 * DAY)}`);
  t.ok(cancelled.ids.includes(old.purchaseOrderId), 'status filters on line statuses');
});

t.test('a partial quantity splits a line’s statuses', async (t) => {
  const order = sandbox.orders.add({ lines: [{ sku: 'NB-MUG-NVY', quantity: 3 }], status: 'Acknowledged' });
  const after = sandbox.orders.ship(order.purchaseOrderId, { quantity: 2 });
  t.same(
    after.orderLines.orderLine[0]?.orderLineStatuses.orderLineStatus.map((s) => [s.status, s.statusQuantity.amount]),
    [['Acknowledged', '1'], ['Shipped', '2']],
  );
  t.ok(after.orderLines.orderLine[0]?.orderLineStatuses.orderLineStatus[1]?.trackingInfo?.trackingNumber);
});

t.test('acknowledge moves Created lines to Acknowledged and returns the order', async (t) => {
  t.teardown(() => sandbox.clock.setOffset(0));
  const order = sandbox.orders.add({ lines: [{ sku: 'NB-MUG-NVY', quantity: 1 }, { sku: 'TW-SKL-BLK', quantity: 2 }] });
  sandbox.clock.advance(60_000);
  const token = await walmartToken(sandbox);
  const ack = await fetch(`${sandbox.url}/v3/orders/${order.purchaseOrderId}/acknowledge`, {
    method: 'POST',
    headers: { ...walmartHeaders(), 'WM_SEC.ACCESS_TOKEN': token },
  });
  t.equal(ack.status, 200);
  const body = await json(ack);
  t.same(
    (body.order as WalmartOrder).orderLines.orderLine.map((l) => l.orderLineStatuses.orderLineStatus.map((s) => s.status)),
    [['Acknowledged'], ['Acknowledged']],
  );
  const released = await allPages('/v3/orders/released', `createdStartDate=${iso(FIXED_NOW - 30 * DAY)}`);
  t.notOk(released.ids.includes(order.purchaseOrderId), 'no longer released-and-waiting');

  const wfs = sandbox.orders.add({ shipNodeType: 'WFSFulfilled', status: 'Acknowledged' });
  const wfsAck = await fetch(`${sandbox.url}/v3/orders/${wfs.purchaseOrderId}/acknowledge`, {
    method: 'POST',
    headers: { ...walmartHeaders(), 'WM_SEC.ACCESS_TOKEN': token },
  });
  t.equal(wfsAck.status, 400, 'WFS orders are not the seller’s to acknowledge');
});

t.test('released orders are those with Created lines', async (t) => {
  const fresh = sandbox.orders.add({ lines: [{ sku: 'CL-LMP-WHT' }] });
  const { ids } = await allPages('/v3/orders/released', `createdStartDate=${iso(FIXED_NOW - 30 * DAY)}`);
  t.ok(ids.includes(fresh.purchaseOrderId));
  for (const id of ids) {
    const order = sandbox.orders.get(id);
    t.ok(order?.orderLines.orderLine.some((l) => l.orderLineStatuses.orderLineStatus.some((s) => s.status === 'Created')));
  }
  t.equal((await get('/v3/orders/released?status=Shipped')).response.status, 400);
});

t.test('no results is a 404 CONTENT_NOT_FOUND, not an empty list', async (t) => {
  const { response, body } = await get(`/v3/orders?createdStartDate=${iso(FIXED_NOW - 2 * DAY)}&sku=NO-SUCH-SKU`);
  t.equal(response.status, 404);
  t.match(body.errors.error[0], { code: 'CONTENT_NOT_FOUND.GMP_ORDER_API', severity: 'INFO', category: 'APPLICATION' });
  t.equal((await get('/v3/orders/1000000000000')).response.status, 404);
});

t.test('parameter validation', async (t) => {
  for (const query of ['limit=201', 'limit=0', 'limit=ten', 'createdStartDate=last-week', 'status=Pending', 'orderType=ODD']) {
    const { response, body } = await get(`/v3/orders?${query}`);
    t.equal(response.status, 400, query);
    t.equal(body.errors.error[0].code, 'INVALID_REQUEST_PARAM', query);
  }
  const { response } = await get('/v3/orders?limit=200&createdStartDate=2026-06-01');
  t.equal(response.status, 200, 'yyyy-MM-dd dates are accepted');
  t.equal((await get('/v3/orders?hasMoreElements=true&cursor=garbage')).response.status, 400, 'a mangled cursor');
});

t.test('getAnOrder, with productInfo', async (t) => {
  const order = sellerFulfilled()[0];
  if (order === undefined) throw new Error('no orders');
  const { response, body } = await get(`/v3/orders/${order.purchaseOrderId}?productInfo=true`);
  t.equal(response.status, 200);
  t.equal(body.order.purchaseOrderId, order.purchaseOrderId);
  t.match(body.order.orderLines.orderLine[0].item, { imageUrl: /^https:/, weight: { unit: 'Pounds' } });
});

t.test('a buyer’s intent to cancel: intentToCancel "YES" on the lines asked about, nothing cancelled, the order modified once', async (t) => {
  t.teardown(() => sandbox.clock.setOffset(0));
  const order = sandbox.orders.add({ status: 'Acknowledged', lines: [{ sku: 'A-1', quantity: 1 }, { sku: 'B-2', quantity: 2 }] });
  const [first, second] = order.orderLines.orderLine;
  sandbox.clock.advance(5 * 60_000);
  const since = sandbox.clock.now();
  const asked = sandbox.orders.requestCancellation(order.purchaseOrderId, { lineNumbers: [second!.lineNumber] });
  t.equal(asked.orderLines.orderLine[1]?.intentToCancel, 'YES');
  t.equal(asked.orderLines.orderLine[0]?.intentToCancel, undefined, 'only the line asked about');
  t.same(asked.orderLines.orderLine.map((l) => l.orderLineStatuses.orderLineStatus.map((s) => s.status)), [['Acknowledged'], ['Acknowledged']], 'nothing is cancelled');
  const { response, body } = await get(`/v3/orders/${order.purchaseOrderId}`);
  t.equal(response.status, 200);
  t.equal(body.order.orderLines.orderLine.find((l: { lineNumber: string }) => l.lineNumber === second!.lineNumber).intentToCancel, 'YES', 'served as Walmart writes it');
  const { ids } = await allPages('/v3/orders', `lastModifiedStartDate=${iso(since - 1000)}`);
  t.ok(ids.includes(order.purchaseOrderId), 'the request counts as a modification');
  sandbox.clock.advance(60_000);
  const again = sandbox.orders.requestCancellation(order.purchaseOrderId, { lineNumbers: [second!.lineNumber] });
  t.equal(sandbox.orders.get(order.purchaseOrderId)!.orderLines.orderLine[0]!.lineNumber, first!.lineNumber);
  t.same(again, asked, 'asking again changes nothing');
});
