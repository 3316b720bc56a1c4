import t from 'tap';
import { amazonCancelReason, amazonFulfillment } from '../../src/adapters/marketplaces/amazonFulfillment.js';
import type { FulfillmentTarget } from '../../src/domain/ports/marketplaceFulfillment.js';
import { MarketplaceError } from '../../src/domain/ports/marketplaces.js';
import { startAmazonSandbox } from '../../src/sandbox/index.js';
import { AMAZON_CANCEL_REASONS } from '../../src/sandbox/amazon/shipmentConfirmation.js';
import { amazonTokens, virtualTiming } from '../adapters/marketplaces/fixtures/support.js';

/**
 * Amazon's seller cancellation (cancelOrder) as its SP-API reference page describes it — the
 * stored Orders models do not list the operation (docs/order-loop.md says what was verified where):
 * the order id in the path, a body whose one required field is `cancelReasonCode` (one of five
 * codes), whole orders only, usage plan rate 1 / burst 5.
 */

t.test('cancelOrder over HTTP: the reason code is required and one of the five; 204; the order CANCELLED with it; a repeat changes nothing', async (t) => {
  const sandbox = await startAmazonSandbox({ orders: false, throttling: false });
  t.teardown(() => sandbox.close());
  const tokens = amazonTokens(sandbox, Date.now);
  const order = sandbox.orders.add({ status: 'UNSHIPPED', items: [{ sellerSku: 'A', quantity: 2 }, { sellerSku: 'B', quantity: 1 }] });
  const put = async (orderId: string, body: unknown) =>
    fetch(`${sandbox.url}/orders/2026-01-01/orders/${orderId}/cancellation`, {
      method: 'PUT',
      headers: { 'x-amz-access-token': await tokens.get('x'), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  t.same(AMAZON_CANCEL_REASONS, ['NO_INVENTORY', 'BUYER_CANCELLED', 'SHIPPING_ADDRESS_UNDELIVERABLE', 'CUSTOMER_EXCHANGE', 'PRICING_ERROR'], 'the reference page’s five codes');
  for (const [body, why] of [
    [{}, /Missing request parameter: cancelReasonCode/],
    [{ cancelReasonCode: '' }, /cancelReasonCode/],
    [{ cancelReasonCode: 'OUT_OF_STOCK' }, /Must be one of \[NO_INVENTORY, BUYER_CANCELLED/],
    [[{ cancelReasonCode: 'NO_INVENTORY' }], /cancelReasonCode/],
  ] as const) {
    const r = await put(order.orderId, body);
    t.equal(r.status, 400, `refused: ${JSON.stringify(body)}`);
    t.match(await r.json(), { errors: [{ code: 'InvalidInput', details: why }] });
  }
  t.equal(sandbox.orders.get(order.orderId)?.fulfillment?.fulfillmentStatus, 'UNSHIPPED', 'nothing changed by a refused request');

  const missing = await put('999-0000000-0000000', { cancelReasonCode: 'NO_INVENTORY' });
  t.equal(missing.status, 404);

  const ok = await put(order.orderId, { cancelReasonCode: 'SHIPPING_ADDRESS_UNDELIVERABLE' });
  t.equal(ok.status, 204);
  t.equal(await ok.text(), '');
  t.equal(ok.headers.get('x-amzn-ratelimit-limit'), '1', 'the usage plan’s rate');
  const cancelled = sandbox.orders.get(order.orderId)!;
  t.equal(cancelled.fulfillment?.fulfillmentStatus, 'CANCELLED', 'the whole order');
  for (const item of cancelled.orderItems) {
    t.match(item.cancellation?.cancellationExecution, { cancelledBy: 'MERCHANT', cancelReason: 'SHIPPING_ADDRESS_UNDELIVERABLE' }, `${item.orderItemId} cancelled by the seller with the code`);
  }
  const again = await put(order.orderId, { cancelReasonCode: 'SHIPPING_ADDRESS_UNDELIVERABLE' });
  t.equal(again.status, 204, 'cancelling a cancelled order again is done (the sender may repeat after a crash)');
});

t.test('cancelOrder’s usage plan: a burst of 5, then throttled (429 QuotaExceeded) until a second has passed', async (t) => {
  const timing = virtualTiming();
  const sandbox = await startAmazonSandbox({ orders: false, now: timing.now, throttling: true });
  t.teardown(() => sandbox.close());
  const tokens = amazonTokens(sandbox, timing.now);
  const orders = Array.from({ length: 7 }, () => sandbox.orders.add({ status: 'UNSHIPPED', items: [{ sellerSku: 'A', quantity: 1 }] }));
  const put = async (orderId: string) =>
    fetch(`${sandbox.url}/orders/2026-01-01/orders/${orderId}/cancellation`, {
      method: 'PUT',
      headers: { 'x-amz-access-token': await tokens.get('x'), 'content-type': 'application/json' },
      body: JSON.stringify({ cancelReasonCode: 'NO_INVENTORY' }),
    });
  const statuses = [];
  for (const o of orders.slice(0, 6)) statuses.push((await put(o.orderId)).status);
  t.same(statuses, [204, 204, 204, 204, 204, 429], 'the sixth call of the burst is throttled');
  t.equal(sandbox.orders.get(orders[5]!.orderId)?.fulfillment?.fulfillmentStatus, 'UNSHIPPED', 'the throttled call changed nothing');
  timing.advance(1000);
  t.equal((await put(orders[6]!.orderId)).status, 204, 'one more a second later');
});

t.test('the adapter: whole orders only, the reason from the warehouse’s cause; partly shipped orders refused by the sandbox', async (t) => {
  const timing = virtualTiming();
  const sandbox = await startAmazonSandbox({ orders: false, now: timing.now, throttling: true });
  t.teardown(() => sandbox.close());
  const api = amazonFulfillment({ spApiUrl: sandbox.urls, tokens: amazonTokens(sandbox, timing.now), timing, random: () => 0.5 });
  const target = (orderId: string, marketplaceId: string): FulfillmentTarget => ({ authorizationId: 'auth', platform: 'amazon', region: 'NA', marketplaceId, platformOrderId: orderId });

  const asked = sandbox.orders.add({ status: 'UNSHIPPED', items: [{ sellerSku: 'A', quantity: 1 }] });
  const lines = [{ platformLineId: asked.orderItems[0]!.orderItemId, quantity: 1 }];
  t.equal(amazonCancelReason({ cause: 'cancelled', buyerRequested: true, wholeOrder: true, lines }), 'BUYER_CANCELLED');
  t.equal(amazonCancelReason({ cause: 'rejected', buyerRequested: false, wholeOrder: true, lines }), 'NO_INVENTORY');
  const reason = await api.cancelLines(target(asked.orderId, asked.salesChannel.marketplaceId), { cause: 'cancelled', buyerRequested: true, wholeOrder: true, lines });
  t.equal(reason, 'BUYER_CANCELLED', 'the buyer had asked');
  t.match(sandbox.orders.get(asked.orderId)?.orderItems[0]?.cancellation?.cancellationExecution, { cancelReason: 'BUYER_CANCELLED' });

  const partly = sandbox.orders.add({ status: 'UNSHIPPED', items: [{ sellerSku: 'A', quantity: 2 }] });
  const item = partly.orderItems[0]!.orderItemId;
  await api.confirmShipment(target(partly.orderId, partly.salesChannel.marketplaceId), {
    packageReferenceId: '1',
    carrier: { code: 'UPS', name: 'UPS', other: false },
    trackingNumber: '1Z1',
    shipMethod: null,
    shippedAt: '2026-01-02T10:00:00.000Z',
    lines: [{ platformLineId: item, quantity: 1 }],
  });
  // OMS never asks for this (a partly shipped order is not a whole-order cancellation); the sandbox refuses it anyway.
  const refused = await api.cancelLines(target(partly.orderId, partly.salesChannel.marketplaceId), { cause: 'rejected', buyerRequested: false, wholeOrder: true, lines: [{ platformLineId: item, quantity: 1 }] }).then(
    () => null,
    (e: unknown) => e,
  );
  t.type(refused, MarketplaceError);
  t.match(refused, { code: 'bad_request', message: /cannot be cancelled in status PARTIALLY_SHIPPED/ });
  t.equal(sandbox.orders.get(partly.orderId)?.fulfillment?.fulfillmentStatus, 'PARTIALLY_SHIPPED');
});
