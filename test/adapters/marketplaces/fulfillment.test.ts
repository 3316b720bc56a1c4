import t, { type Test } from 'tap';
import { accessTokenCache } from '../../../src/adapters/marketplaces/accessTokenCache.js';
import { amazonFulfillment } from '../../../src/adapters/marketplaces/amazonFulfillment.js';
import { walmartAuthApi } from '../../../src/adapters/marketplaces/walmartAuth.js';
import { walmartFulfillment } from '../../../src/adapters/marketplaces/walmartFulfillment.js';
import { carrierFor } from '../../../src/domain/marketplaceSync/carriers.js';
import type { FulfillmentTarget, ShipmentToConfirm } from '../../../src/domain/ports/marketplaceFulfillment.js';
import { MarketplaceError } from '../../../src/domain/ports/marketplaces.js';
import { startAmazonSandbox, startWalmartSandbox } from '../../../src/sandbox/index.js';
import { amazonTokens, virtualTiming, walmartTokens } from './fixtures/support.js';

const refusal = async (t: Test, work: Promise<unknown>) => {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  t.type(error, MarketplaceError);
  return error as MarketplaceError;
};

const shipment = (over: Partial<ShipmentToConfirm> = {}): ShipmentToConfirm => ({
  packageReferenceId: '1',
  carrier: carrierFor('amazon', 'UPS'),
  trackingNumber: '1Z999',
  shipMethod: 'Ground',
  shippedAt: '2026-01-02T10:00:00.000Z',
  lines: [],
  ...over,
});

t.test('Amazon confirmShipment over HTTP: partial, then complete; unknown items, over-quantity and a reused package id refused with InvalidInput', async (t) => {
  const timing = virtualTiming();
  const sandbox = await startAmazonSandbox({ orders: false, now: timing.now, throttling: true });
  t.teardown(() => sandbox.close());
  const api = amazonFulfillment({ spApiUrl: sandbox.urls, tokens: amazonTokens(sandbox, timing.now), timing, random: () => 0.5 });
  const order = sandbox.orders.add({ status: 'UNSHIPPED', items: [{ sellerSku: 'A', quantity: 2 }, { sellerSku: 'B', quantity: 1 }] });
  const [a, b] = order.orderItems.map((i) => i.orderItemId) as [string, string];
  const target: FulfillmentTarget = { authorizationId: 'auth', platform: 'amazon', region: 'NA', marketplaceId: order.salesChannel.marketplaceId, platformOrderId: order.orderId };

  await api.confirmShipment(target, shipment({ lines: [{ platformLineId: a, quantity: 1 }] }));
  t.equal(sandbox.orders.get(order.orderId)!.fulfillment?.fulfillmentStatus, 'PARTIALLY_SHIPPED');
  await api.confirmShipment(target, shipment({ lines: [{ platformLineId: a, quantity: 1 }] }));
  t.equal(sandbox.orders.get(order.orderId)!.packages?.length, 1, 'the identical package again changes nothing');

  const unknown = await refusal(t, api.confirmShipment(target, shipment({ packageReferenceId: '2', lines: [{ platformLineId: 'nope', quantity: 1 }] })));
  t.match(unknown, { code: 'bad_request', status: 400, message: /InvalidInput: orderItemId nope is not an item/ });
  const over = await refusal(t, api.confirmShipment(target, shipment({ packageReferenceId: '2', lines: [{ platformLineId: a, quantity: 2 }] })));
  t.match(over, { code: 'bad_request', message: /exceeds the unshipped quantity/ });
  const reused = await refusal(t, api.confirmShipment(target, shipment({ lines: [{ platformLineId: b, quantity: 1 }] })));
  t.match(reused, { message: /packageReferenceId 1 was already used/ });

  await api.confirmShipment(target, shipment({ packageReferenceId: '2', carrier: carrierFor('amazon', 'Speedy Freight'), lines: [{ platformLineId: a, quantity: 1 }, { platformLineId: b, quantity: 1 }] }));
  const done = sandbox.orders.get(order.orderId)!;
  t.equal(done.fulfillment?.fulfillmentStatus, 'SHIPPED');
  t.match(done.packages?.[1], { packageReferenceId: '2', carrier: 'Speedy Freight', trackingNumber: '1Z999' }, 'Others with the carrier name');
  const late = await refusal(t, api.cancelLines(target, { cause: 'rejected', buyerRequested: false, wholeOrder: true, lines: [{ platformLineId: a, quantity: 1 }] }));
  t.match(late, { code: 'bad_request', message: /cannot be cancelled in status SHIPPED/ });
  const partial = await refusal(t, api.cancelLines(target, { cause: 'rejected', buyerRequested: false, wholeOrder: false, lines: [{ platformLineId: a, quantity: 1 }] }));
  t.equal(partial.code, 'unsupported', 'Amazon cancels whole orders only');
});

t.test('the Amazon sandbox checks the ConfirmShipmentRequest shape and answers 204 without a body', async (t) => {
  const sandbox = await startAmazonSandbox({ orders: false });
  t.teardown(() => sandbox.close());
  const order = sandbox.orders.add({ status: 'UNSHIPPED', items: [{ sellerSku: 'A', quantity: 1 }] });
  const tokens = amazonTokens(sandbox, Date.now);
  const post = async (body: unknown) =>
    fetch(`${sandbox.url}/orders/v0/orders/${order.orderId}/shipmentConfirmation`, {
      method: 'POST',
      headers: { 'x-amz-access-token': await tokens.get('x'), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const item = order.orderItems[0]!.orderItemId;
  const good = { marketplaceId: order.salesChannel.marketplaceId, packageDetail: { packageReferenceId: '1', carrierCode: 'Others', carrierName: 'X', trackingNumber: 'T', shipDate: '2026-01-01T00:00:00Z', orderItems: [{ orderItemId: item, quantity: 1 }] } };
  for (const [bad, why] of [
    [{ ...good, marketplaceId: undefined }, /marketplaceId/],
    [{ ...good, packageDetail: { ...good.packageDetail, carrierName: undefined } }, /carrierName is required when carrierCode is Others/],
    [{ ...good, packageDetail: { ...good.packageDetail, packageReferenceId: 'abc' } }, /positive number/],
    [{ ...good, packageDetail: { ...good.packageDetail, shipDate: '02/21/2022' } }, /ISO 8601/],
    [{ ...good, packageDetail: { ...good.packageDetail, orderItems: [] } }, /orderItems/],
  ] as const) {
    const r = await post(bad);
    t.equal(r.status, 400);
    t.match(await r.json(), { errors: [{ code: 'InvalidInput', details: why }] });
  }
  const ok = await post(good);
  t.equal(ok.status, 204);
  t.equal(await ok.text(), '');
  t.equal(ok.headers.get('x-amzn-ratelimit-limit'), '2');
});

t.test('Walmart over HTTP: shipping needs the acknowledgement; tracking per line; cancellation with a reason; a view-only key is refused for good', async (t) => {
  const timing = virtualTiming();
  const sandbox = await startWalmartSandbox({ orders: false, now: timing.now, throttling: true });
  t.teardown(() => sandbox.close());
  const api = walmartFulfillment({ apiUrl: sandbox.url, tokens: walmartTokens(sandbox, timing.now), timing, random: () => 0.5 });
  const po = sandbox.orders.add({ lines: [{ sku: 'A', quantity: 3 }, { sku: 'B', quantity: 1 }] });
  const [l1, l2] = po.orderLines.orderLine.map((l) => l.lineNumber) as [string, string];
  const target: FulfillmentTarget = { authorizationId: 'auth', platform: 'walmart', region: null, marketplaceId: 'WALMART_US', platformOrderId: po.purchaseOrderId };
  const ship = (lines: ShipmentToConfirm['lines'], carrier = 'FedEx') => api.confirmShipment(target, shipment({ carrier: carrierFor('walmart', carrier), shipMethod: 'express', lines }));

  const early = await refusal(t, ship([{ platformLineId: l1, quantity: 1 }]));
  t.match(early, { code: 'bad_request', status: 400, message: /INVALID_REQUEST_CONTENT: Line .* is not acknowledged/ });
  await api.acknowledge(target);
  await api.acknowledge(target);
  await ship([{ platformLineId: l1, quantity: 2 }]);
  await ship([{ platformLineId: l1, quantity: 2 }]);
  const line = () => sandbox.orders.get(po.purchaseOrderId)!.orderLines.orderLine[0]!.orderLineStatuses.orderLineStatus;
  t.match(line(), [{ status: 'Acknowledged', statusQuantity: { amount: '1' } }, { status: 'Shipped', statusQuantity: { amount: '2' }, trackingInfo: { carrierName: { carrier: 'FedEx' }, methodCode: 'Express' } }], 'the repeat changed nothing');
  const tooMany = await refusal(t, ship([{ platformLineId: l1, quantity: 5 }], 'FedEx SmartPost'));
  t.match(tooMany, { message: /5 units requested, 1 can move to Shipped/ });
  const calls = sandbox.counters.byStatus('shippingUpdates');
  const unlisted = await refusal(t, ship([{ platformLineId: l1, quantity: 1 }], 'Acme Couriers'));
  t.match(unlisted, { code: 'bad_request', message: /not on Walmart's carrier list, and otherCarrier needs a tracking URL/ }, 'refused before the call');
  t.same(sandbox.counters.byStatus('shippingUpdates'), calls, 'nothing sent');
  const url = 'https://acme-couriers.example.com/track/AC-1';
  await api.confirmShipment(target, shipment({ carrier: carrierFor('walmart', 'Acme Couriers'), trackingNumber: 'AC-1', trackingUrl: url, lines: [{ platformLineId: l1, quantity: 1 }] }));
  t.match(line().at(-1), { status: 'Shipped', statusQuantity: { amount: '1' }, trackingInfo: { carrierName: { otherCarrier: 'Acme Couriers' }, trackingNumber: 'AC-1', trackingURL: url } }, 'with the warehouse’s tracking URL it ships as otherCarrier');

  const reason = await api.cancelLines(target, { cause: 'rejected', buyerRequested: false, wholeOrder: false, lines: [{ platformLineId: l2, quantity: 1 }] });
  t.equal(reason, 'SELLER_CANCEL_OUT_OF_STOCK');
  t.match(sandbox.orders.get(po.purchaseOrderId)!.orderLines.orderLine[1]!.orderLineStatuses.orderLineStatus, [{ status: 'Cancelled', cancellationReason: 'SELLER_CANCEL_OUT_OF_STOCK' }]);

  const viewOnly = sandbox.client('ordersViewOnly');
  const auth = walmartAuthApi({ apiUrl: sandbox.url });
  const limited = walmartFulfillment({ apiUrl: sandbox.url, tokens: accessTokenCache({ fetch: () => auth.token(viewOnly.clientId, viewOnly.clientSecret), now: timing.now }), timing });
  const other = sandbox.orders.add({ lines: [{ sku: 'A', quantity: 1 }] });
  const denied = await refusal(t, limited.acknowledge({ ...target, platformOrderId: other.purchaseOrderId }));
  t.match(denied, { code: 'forbidden', status: 403, message: /FORBIDDEN.GMP_GATEWAY_API/ });
});

t.test("Walmart US ship lines as the orders spec requires them: sellerOrderId, a listed carrier or a tracking URL, units EACH, the override for a line the buyer asked to cancel", async (t) => {
  const timing = virtualTiming();
  const sandbox = await startWalmartSandbox({ orders: false, now: timing.now });
  t.teardown(() => sandbox.close());
  const api = walmartFulfillment({ apiUrl: sandbox.url, tokens: walmartTokens(sandbox, timing.now), timing, random: () => 0.5 });
  const po = sandbox.orders.add({ lines: [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 1 }] });
  const [l1, l2] = po.orderLines.orderLine.map((l) => l.lineNumber) as [string, string];
  const target: FulfillmentTarget = { authorizationId: 'auth', platform: 'walmart', region: null, marketplaceId: 'WALMART_US', platformOrderId: po.purchaseOrderId };
  await api.acknowledge(target);
  sandbox.orders.requestCancellation(po.purchaseOrderId, { lineNumbers: [l2] });

  // What the sandbox refuses, sent as raw requests (the adapter never sends them).
  const token = await walmartTokens(sandbox, timing.now).get('auth');
  const post = (line: Record<string, unknown>) =>
    fetch(`${sandbox.url}/v3/orders/${po.purchaseOrderId}/shipping`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'WM_SEC.ACCESS_TOKEN': token, 'WM_QOS.CORRELATION_ID': 'c', 'WM_SVC.NAME': 'Walmart Marketplace' },
      body: JSON.stringify({ orderShipment: { orderLines: { orderLine: [line] } } }),
    });
  const status = (over: Record<string, unknown> = {}, tracking: Record<string, unknown> = {}) => ({
    lineNumber: l1,
    sellerOrderId: po.purchaseOrderId,
    orderLineStatuses: {
      orderLineStatus: [{
        status: 'Shipped', statusQuantity: { unitOfMeasurement: 'EACH', amount: '1' },
        trackingInfo: { shipDateTime: 1_767_225_600_000, carrierName: { carrier: 'UPS' }, methodCode: 'Standard', trackingNumber: 'T1', ...tracking },
      }],
    },
    ...over,
  });
  const refused: [string, Record<string, unknown>, RegExp][] = [
    ['no sellerOrderId', { ...status(), sellerOrderId: undefined }, /sellerOrderId/],
    ['a sellerOrderId over 30 characters', status({ sellerOrderId: 'x'.repeat(31) }), /sellerOrderId/],
    ['otherCarrier without a trackingURL', status({}, { carrierName: { otherCarrier: 'Acme' } }), /trackingURL is required when otherCarrier/],
    ['a carrier not on the list', status({}, { carrierName: { carrier: 'DHL' } }), /not a carrier Walmart knows/],
    ['units other than EACH or EA', { ...status(), orderLineStatuses: { orderLineStatus: [{ ...(status().orderLineStatuses.orderLineStatus[0] as object), statusQuantity: { unitOfMeasurement: 'PIECE', amount: '1' } }] } }, /EACH or EA/],
    ['a line the buyer asked to cancel, without the override', status({ lineNumber: l2 }), /intentToCancelOverride/],
  ];
  for (const [what, line, why] of refused) {
    const r = await post(line);
    t.equal(r.status, 400, what);
    t.match(JSON.stringify(await r.json()), why, what);
  }
  t.equal((await post(status({}, { carrierName: { otherCarrier: 'Acme' }, trackingURL: 'https://acme.example/t/T1' }))).status, 200, 'otherCarrier with a trackingURL ships');

  // The adapter: the override on the line the buyer asked to cancel, the sellerOrderId on every line.
  await api.confirmShipment(target, shipment({ carrier: carrierFor('walmart', 'DHL'), trackingNumber: 'T2', lines: [{ platformLineId: l2, quantity: 1 }], cancelRequestedLines: [l2] }));
  t.match(sandbox.orders.get(po.purchaseOrderId)!.orderLines.orderLine[1]!.orderLineStatuses.orderLineStatus, [{ status: 'Shipped', trackingInfo: { carrierName: { carrier: 'DHL Ecommerce - US' }, trackingNumber: 'T2' } }]);
});

t.test('Walmart 429s are retried within the adapter and the call still succeeds', async (t) => {
  const timing = virtualTiming();
  const sandbox = await startWalmartSandbox({ orders: false, now: timing.now });
  t.teardown(() => sandbox.close());
  const api = walmartFulfillment({ apiUrl: sandbox.url, tokens: walmartTokens(sandbox, timing.now), timing, random: () => 0.5 });
  const po = sandbox.orders.add({ lines: [{ sku: 'A', quantity: 1 }] });
  sandbox.faults.next({ status: 429, count: 2, route: 'acknowledgeOrders' });
  await api.acknowledge({ authorizationId: 'auth', platform: 'walmart', region: null, marketplaceId: 'WALMART_US', platformOrderId: po.purchaseOrderId });
  t.same(sandbox.counters.byStatus('acknowledgeOrders'), { 200: 1, 429: 2 });
  t.ok(timing.waits.length >= 2, 'it backed off');
});
