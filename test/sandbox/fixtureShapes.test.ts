import t from 'tap';
import { startAmazonSandbox, startWalmartSandbox } from '../../src/sandbox/index.js';
import { amazonAccessToken, FIXED_NOW, fixedNow, json, keyPaths, readFixture, spApi, walmartGet, walmartToken } from './fixtures/helpers.js';

/**
 * The sandboxes must not invent fields: every key path they send must appear in the marketplaces'
 * own example payloads (or, named here, in the model where the examples happen not to show it).
 */
const union = async (files: string[], mapPath: (path: string) => string = (p) => p) => {
  const paths = new Set<string>();
  for (const file of files) for (const path of keyPaths((await readFixture(file)).response)) paths.add(mapPath(path));
  return paths;
};

const DAY = 86_400_000;
const ALL_DATA = 'BUYER,RECIPIENT,PROCEEDS,EXPENSE,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES,TAX,PAYMENT,FULFILLMENT_ORDERS';

t.test('Amazon searchOrders and getOrder responses stay within the fixtures’ shape', async (t) => {
  const sandbox = await startAmazonSandbox({ throttling: false, now: fixedNow, orders: { count: 300, days: 10 } });
  t.teardown(() => sandbox.close());
  const order = sandbox.orders.list()[0];
  if (order !== undefined) sandbox.orders.requestCancellation(order.orderId);
  sandbox.clock.advance(5 * 60_000);
  const token = await amazonAccessToken(sandbox);
  const search = await json(await spApi(sandbox, `/orders/2026-01-01/orders?lastUpdatedAfter=${new Date(FIXED_NOW - 11 * DAY).toISOString()}&maxResultsPerPage=50&includedData=${ALL_DATA}`, token));
  const got = keyPaths(search);

  const allowed = await union([
    'amazon/orders_2026-01-01/searchOrders.sandbox.200.0.json',
    'amazon/orders_2026-01-01/searchOrders.sandbox.200.1.json',
  ]);
  for (const path of await union(['amazon/orders_2026-01-01/getOrder.sandbox.200.0.json'], (p) => p.replace(/^order\./, 'orders[].'))) allowed.add(path);
  // In the v2026 model (OrderItem.cancellation, SearchOrdersResponse.lastUpdatedBefore) but in no example.
  for (const path of [
    'lastUpdatedBefore',
    'orders[].orderItems[].cancellation.cancellationRequest.requester',
    'orders[].orderItems[].cancellation.cancellationRequest.cancelReason',
    'orders[].orderItems[].cancellation.cancellationExecution.cancelledBy',
    'orders[].orderItems[].cancellation.cancellationExecution.cancelReason',
  ]) allowed.add(path);
  t.same([...got].filter((path) => !allowed.has(path)), [], 'no invented fields');
  for (const required of ['orders[].orderId', 'orders[].createdTime', 'orders[].lastUpdatedTime', 'orders[].salesChannel.marketplaceId', 'orders[].orderItems[].orderItemId', 'orders[].orderItems[].quantityOrdered', 'orders[].orderItems[].product.sellerSku', 'orders[].fulfillment.fulfillmentStatus', 'pagination.nextToken']) {
    t.ok(got.has(required), required);
  }

  const single = await json(await spApi(sandbox, `/orders/2026-01-01/orders/${order?.orderId ?? ''}?includedData=${ALL_DATA}`, token));
  const getAllowed = await union(['amazon/orders_2026-01-01/getOrder.sandbox.200.0.json']);
  for (const path of allowed) if (path.startsWith('orders[].')) getAllowed.add(path.replace(/^orders\[\]\./, 'order.'));
  t.same([...keyPaths(single)].filter((path) => !getAllowed.has(path)), []);
  t.same(Object.keys(single), ['order']);

  const bad = await json(await spApi(sandbox, '/orders/2026-01-01/orders?createdAfter=TEST_CASE_400', token));
  const badFixture = await readFixture('amazon/orders_2026-01-01/searchOrders.sandbox.400.0.json');
  t.same([...keyPaths(bad)].sort(), [...keyPaths(badFixture.response)].sort(), 'the 400 error shape');
  t.equal(bad.errors[0].code, 'InvalidInput');
});

t.test('Walmart orders stay within the fixtures’ shape', async (t) => {
  const sandbox = await startWalmartSandbox({ now: fixedNow, orders: { count: 300, days: 10 } });
  t.teardown(() => sandbox.close());
  const allowed = await union(
    ['walmart/orders/getAnOrder.200.ORDER.json', 'walmart/orders/acknowledgeOrders.200.json', 'walmart/orders/cancelOrderLines.200.json'],
    (p) => p.replace(/^order\./, ''),
  );
  // In Walmart's OrderLineStatus schema (reference §B2) but in no example.
  allowed.add('orderLines.orderLine[].orderLineStatuses.orderLineStatus[].cancellationReason');
  const token = await walmartToken(sandbox);
  const list = await json(await walmartGet(sandbox, `/v3/orders?limit=200&createdStartDate=${new Date(FIXED_NOW - 11 * DAY).toISOString()}`, token));
  t.same(Object.keys(list.list).sort(), ['elements', 'meta']);
  t.same(Object.keys(list.list.meta).sort(), ['limit', 'nextCursor', 'totalCount']);
  const paths = new Set<string>();
  for (const order of list.list.elements.order as unknown[]) for (const path of keyPaths(order)) paths.add(path);
  t.same([...paths].filter((path) => !allowed.has(path)), [], 'no invented fields');
  for (const required of ['purchaseOrderId', 'customerOrderId', 'orderDate', 'shippingInfo.postalAddress.postalCode', 'orderLines.orderLine[].item.sku', 'orderLines.orderLine[].orderLineQuantity.amount', 'orderLines.orderLine[].orderLineStatuses.orderLineStatus[].status', 'shipNode.type']) {
    t.ok(paths.has(required), required);
  }
});
