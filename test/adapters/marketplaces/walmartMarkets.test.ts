import t, { type Test } from 'tap';
import { accessTokenCache } from '../../../src/adapters/marketplaces/accessTokenCache.js';
import { walmartAuthApi, WALMART_SERVICE_NAME } from '../../../src/adapters/marketplaces/walmartAuth.js';
import { walmartFulfillment } from '../../../src/adapters/marketplaces/walmartFulfillment.js';
import { WALMART_MX_STATUSES, walmartOrderSource } from '../../../src/adapters/marketplaces/walmartOrderSource.js';
import { carrierFor } from '../../../src/domain/marketplaceSync/carriers.js';
import type { FulfillmentTarget, ShipmentToConfirm } from '../../../src/domain/ports/marketplaceFulfillment.js';
import { MarketplaceError } from '../../../src/domain/ports/marketplaces.js';
import type { PullTarget } from '../../../src/domain/ports/orderSource.js';
import { defaultWalmartClients, startWalmartSandbox, type WalmartClient, type WalmartSandbox } from '../../../src/sandbox/index.js';
import { DAY, pullAll, sorted, virtualTiming, window } from './fixtures/support.js';

/**
 * Walmart Canada and Mexico over real HTTP: the adapters call each market's Orders API (paths,
 * WM_MARKET, bodies) and the sandbox answers in that market's shape and refuses another market's API.
 */
const CA_SELLER: WalmartClient = { label: 'ca', partnerId: '20000000001', clientId: 'ca-client', clientSecret: 'ca-secret', market: 'ca' };
const MX_SELLER: WalmartClient = { label: 'mx', partnerId: '30000000001', clientId: 'mx-client', clientSecret: 'mx-secret', market: 'mx' };

const setUp = async (t: Test) => {
  const timing = virtualTiming();
  const sandbox = await startWalmartSandbox({ orders: false, now: timing.now, clients: [...defaultWalmartClients('markets'), CA_SELLER, MX_SELLER] });
  t.teardown(() => sandbox.close());
  const auth = walmartAuthApi({ apiUrl: sandbox.url });
  const tokensOf = (client: WalmartClient) => accessTokenCache({ fetch: () => auth.token(client.clientId, client.clientSecret), now: timing.now });
  const adapters = (client: WalmartClient) => {
    const tokens = tokensOf(client);
    return {
      source: walmartOrderSource({ apiUrl: sandbox.url, tokens, timing, random: () => 0.5 }),
      fulfillment: walmartFulfillment({ apiUrl: sandbox.url, tokens, timing, random: () => 0.5 }),
    };
  };
  return { timing, sandbox, auth, adapters };
};

const target = (marketplaceId: string): PullTarget => ({ authorizationId: `auth-${marketplaceId}`, platform: 'walmart', region: null, marketplaceIds: [marketplaceId] });
const orderTarget = (marketplaceId: string, platformOrderId: string): FulfillmentTarget => ({ authorizationId: `auth-${marketplaceId}`, platform: 'walmart', region: null, marketplaceId, platformOrderId });
const shipment = (over: Partial<ShipmentToConfirm>): ShipmentToConfirm => ({
  packageReferenceId: '1', carrier: carrierFor('walmart', 'FedEx'), trackingNumber: 'TRK-1', shipMethod: 'Standard', shippedAt: '2026-01-02T10:00:00.000Z', lines: [], ...over,
});
const refusal = async (t: Test, work: Promise<unknown>) => {
  const error = await work.then(() => null, (e: unknown) => e);
  t.type(error, MarketplaceError);
  return error as MarketplaceError;
};

/** A raw call with a token of `client`, for what the adapters never send. */
/** Mexico's calls carry the client's credentials as HTTP Basic beside the token. */
const basic = (client: WalmartClient) => `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
const MX_HEADERS = { WM_MARKET: 'mx', authorization: basic(MX_SELLER) };

const rawCall = async (sandbox: WalmartSandbox, token: string, path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(new URL(path, sandbox.url), {
    headers: { 'WM_SEC.ACCESS_TOKEN': token, 'WM_SVC.NAME': WALMART_SERVICE_NAME, 'WM_QOS.CORRELATION_ID': 'c-1', accept: 'application/json', ...headers },
  });
  return { status: res.status, body: (await res.json()) as { errors?: { error: { code: string; field: string }[] } } };
};

t.test('Canada: pulls /v3/ca/orders in its shape (ISO dates, no list wrapper, CAD), acknowledges, ships and cancels under /v3/ca', async (t) => {
  const { timing, sandbox, adapters } = await setUp(t);
  const now = timing.now();
  const created = [5, 4, 3, 2, 1].map((days) =>
    sandbox.orders.add({ partnerId: CA_SELLER.partnerId, market: 'ca', createdAt: now - days * DAY, lines: [{ sku: 'CA-SKU', quantity: 2, unitPriceCents: 1250 }, { sku: 'CA-OTHER', quantity: 1 }] }));
  // A US order of another seller stays out of the Canadian search.
  sandbox.orders.add({ createdAt: now - DAY });
  const { source, fulfillment } = adapters(CA_SELLER);
  const counted = sandbox.counters.count('getAllOrdersCA');
  const { orders } = await pullAll(source, target('WALMART_CA'), window('created', now - 10 * DAY, now));
  t.same(sorted(orders.map((o) => o.platformOrderId)), sorted(created.map((o) => o.purchaseOrderId)));
  t.equal(sandbox.counters.count('getAllOrdersCA') - counted, 1, 'one search: Canada has no ship-node types');
  const first = orders.find((o) => o.platformOrderId === created[0]!.purchaseOrderId)!;
  t.match(first, {
    marketplaceId: 'WALMART_CA', status: 'unshipped', createdAt: new Date(now - 5 * DAY).toISOString(),
    shipTo: { countryCode: 'CA' }, lines: [{ platformSku: 'CA-SKU', quantityOrdered: 2, unitPrice: { amount: '12.50', currency: 'CAD' } }, { platformSku: 'CA-OTHER' }],
  });

  const updated = await pullAll(source, target('WALMART_CA'), window('updated', now - DAY, now));
  t.equal(updated.orders.length, created.length, 'no lastModified filter in Canada: an updated window reads the history and the pull keeps what changed');

  const po = created[0]!;
  const [l1, l2] = po.orderLines.orderLine.map((l) => l.lineNumber) as [string, string];
  const on = orderTarget('WALMART_CA', po.purchaseOrderId);
  await fulfillment.acknowledge(on);
  await fulfillment.confirmShipment(on, shipment({ carrier: carrierFor('walmart', 'Canada Post'), trackingNumber: 'CP-77', trackingUrl: 'https://www.canadapost-postescanada.ca/track/CP-77', lines: [{ platformLineId: l1, quantity: 2 }] }));
  const reason = await fulfillment.cancelLines(on, { cause: 'rejected', buyerRequested: false, wholeOrder: false, lines: [{ platformLineId: l2, quantity: 1 }] });
  t.equal(reason, 'CANCEL_BY_SELLER', 'Canada has no out-of-stock reason');
  const lines = sandbox.orders.get(po.purchaseOrderId)!.orderLines.orderLine;
  t.match(lines[0]!.orderLineStatuses.orderLineStatus, [{ status: 'Shipped', statusQuantity: { amount: '2' }, trackingInfo: { carrierName: { carrier: 'CPC' }, trackingNumber: 'CP-77', trackingURL: 'https://www.canadapost-postescanada.ca/track/CP-77', shipDateTime: Date.parse('2026-01-02T10:00:00.000Z') } }]);
  t.match(lines[1]!.orderLineStatuses.orderLineStatus, [{ status: 'Cancelled', cancellationReason: 'CANCEL_BY_SELLER' }]);
  const calls = sandbox.counters;
  t.same([calls.count('acknowledgeOrdersCA'), calls.count('shippingUpdatesCA'), calls.count('cancelOrderLinesCA')], [1, 1, 1]);
  t.equal(calls.count('acknowledgeOrders') + calls.count('shippingUpdates') + calls.count('cancelOrderLines'), 0, 'nothing went to the US paths');
});

t.test('Mexico: pulls the cursor search once per status, acknowledges the Created lines, ships with its carriers, cancels', async (t) => {
  const { timing, sandbox, adapters } = await setUp(t);
  const now = timing.now();
  const created = sandbox.orders.add({ partnerId: MX_SELLER.partnerId, market: 'mx', createdAt: now - 2 * DAY, lines: [{ sku: 'MX-1', quantity: 3, unitPriceCents: 19900 }, { sku: 'MX-2', quantity: 1 }] });
  const shipped = sandbox.orders.add({ partnerId: MX_SELLER.partnerId, market: 'mx', createdAt: now - 3 * DAY, status: 'Shipped', lines: [{ sku: 'MX-1' }] });
  const cancelled = sandbox.orders.add({ partnerId: MX_SELLER.partnerId, market: 'mx', createdAt: now - 4 * DAY, status: 'Cancelled', lines: [{ sku: 'MX-2' }] });
  const mixed = sandbox.orders.add({ partnerId: MX_SELLER.partnerId, market: 'mx', createdAt: now - 5 * DAY, lines: [{ sku: 'MX-1' }, { sku: 'MX-2' }] });
  sandbox.orders.acknowledge(mixed.purchaseOrderId);
  sandbox.orders.ship(mixed.purchaseOrderId, { lineNumbers: ['1'] });
  sandbox.orders.cancel(mixed.purchaseOrderId, { lineNumbers: ['2'] });
  const { source, fulfillment } = adapters(MX_SELLER);
  const { orders } = await pullAll(source, target('WALMART_MX'), window('created', now - 10 * DAY, now));
  t.same(orders.map((o) => o.platformOrderId).sort(), sorted([created, shipped, cancelled, mixed].map((o) => o.purchaseOrderId)), 'each order once, though the Shipped and the Cancelled searches both find the mixed one');
  t.match(orders.find((o) => o.platformOrderId === mixed.purchaseOrderId), { status: 'shipped', platformStatus: 'Shipped/Cancelled' });
  t.equal(sandbox.counters.count('getAllOrdersUsingCursor'), WALMART_MX_STATUSES.length, 'one cursor search per status (statusCodeFilter is required)');
  t.match(orders.find((o) => o.platformOrderId === created.purchaseOrderId), {
    marketplaceId: 'WALMART_MX', status: 'unshipped', shipTo: { countryCode: 'MX' },
    lines: [{ lineId: '1', platformSku: 'MX-1', quantityOrdered: 3, unitPrice: { amount: '199.00', currency: 'MXN' } }, { lineId: '2' }],
  });
  t.match(orders.find((o) => o.platformOrderId === shipped.purchaseOrderId), { status: 'shipped' });
  t.match(orders.find((o) => o.platformOrderId === cancelled.purchaseOrderId), { status: 'cancelled' });

  const on = orderTarget('WALMART_MX', created.purchaseOrderId);
  await fulfillment.acknowledge(on);
  t.match(sandbox.orders.get(created.purchaseOrderId)!.orderLines.orderLine.map((l) => l.orderLineStatuses.orderLineStatus), [[{ status: 'Acknowledged', statusQuantity: { amount: '3' } }], [{ status: 'Acknowledged' }]]);
  await fulfillment.acknowledge(on);
  t.equal(sandbox.counters.count('acknowledgeOrders'), 1, 'nothing left Created: the second acknowledge sends nothing');

  await fulfillment.confirmShipment(on, shipment({ carrier: carrierFor('walmart', 'FedEx'), trackingNumber: 'MXF-1', lines: [{ platformLineId: '1', quantity: 2 }] }));
  t.match(sandbox.orders.get(created.purchaseOrderId)!.orderLines.orderLine[0]!.orderLineStatuses.orderLineStatus, [
    { status: 'Acknowledged', statusQuantity: { amount: '1' } },
    { status: 'Shipped', statusQuantity: { amount: '2' }, trackingInfo: { carrierName: { carrier: 'MX-FEDX' }, trackingNumber: 'MXF-1' } },
  ]);
  const other = await refusal(t, fulfillment.confirmShipment(on, shipment({ carrier: carrierFor('walmart', 'Acme Couriers'), lines: [{ platformLineId: '1', quantity: 1 }] })));
  t.match(other, { code: 'bad_request', message: /not one of MX-FEDX/ }, 'Other without a tracking URL: refused before the call');
  t.equal(sandbox.counters.count('shippingUpdatesMX'), 1, 'nothing sent for it');
  const url = 'https://acme-couriers.example.mx/rastreo/AC-9';
  await fulfillment.confirmShipment(on, shipment({ carrier: carrierFor('walmart', 'Acme Couriers'), trackingNumber: 'AC-9', trackingUrl: url, lines: [{ platformLineId: '1', quantity: 1 }] }));
  t.match(sandbox.orders.get(created.purchaseOrderId)!.orderLines.orderLine[0]!.orderLineStatuses.orderLineStatus.at(-1), {
    status: 'Shipped', statusQuantity: { amount: '1' }, trackingInfo: { carrierName: { otherCarrier: 'Other' }, trackingNumber: 'AC-9', trackingURL: url },
  }, 'with the warehouse’s tracking URL it ships as "Other"');
  t.equal(await fulfillment.cancelLines(on, { cause: 'cancelled', buyerRequested: true, wholeOrder: false, lines: [{ platformLineId: '2', quantity: 1 }] }), 'CUSTOMER_REQUESTED_SELLER_TO_CANCEL');
  t.match(sandbox.orders.get(created.purchaseOrderId)!.orderLines.orderLine[1]!.orderLineStatuses.orderLineStatus, [{ status: 'Cancelled' }]);
  t.same([sandbox.counters.count('shippingUpdatesMX'), sandbox.counters.count('cancelOrderLines')], [2, 1]);
  t.equal(sandbox.counters.count('shippingUpdates'), 0, 'Mexico ships with /ship, not /shipping');
});

t.test('the sandbox refuses another market’s API and a call without the token’s market, as the gateway does', async (t) => {
  const { sandbox, auth } = await setUp(t);
  const ca = (await auth.token(CA_SELLER.clientId, CA_SELLER.clientSecret)).accessToken;
  const mx = (await auth.token(MX_SELLER.clientId, MX_SELLER.clientSecret)).accessToken;
  const us = (await auth.token(sandbox.mainClient.clientId, sandbox.mainClient.clientSecret)).accessToken;
  const since = '2026-01-01T00:00:00.000Z';

  const usPath = await rawCall(sandbox, ca, `/v3/orders?createdStartDate=${since}`, { WM_MARKET: 'ca' });
  t.match(usPath, { status: 403, body: { errors: { error: [{ code: 'FORBIDDEN.GMP_GATEWAY_API' }] } } }, 'a Canadian token on the US search');
  const caPath = await rawCall(sandbox, us, `/v3/ca/orders?createdStartDate=${since}`);
  t.match(caPath, { status: 403, body: { errors: { error: [{ code: 'FORBIDDEN.GMP_GATEWAY_API' }] } } }, 'a US token on the Canadian search');
  const cursorWithUs = await rawCall(sandbox, us, '/v3/orders/cursor?statusCodeFilter=Created');
  t.equal(cursorWithUs.status, 403, 'the cursor search is Mexico’s');
  const noMarket = await rawCall(sandbox, ca, `/v3/ca/orders?createdStartDate=${since}`);
  t.match(noMarket, { status: 400, body: { errors: { error: [{ code: 'MISSING_REQUEST_HEADER', field: 'WM_MARKET' }] } } });
  const wrongMarket = await rawCall(sandbox, mx, '/v3/orders/cursor?statusCodeFilter=Created', { WM_MARKET: 'ca' });
  t.match(wrongMarket, { status: 400, body: { errors: { error: [{ code: 'INVALID_REQUEST_HEADER' }] } } });
  const noStart = await rawCall(sandbox, ca, '/v3/ca/orders', { WM_MARKET: 'ca' });
  t.match(noStart, { status: 400, body: { errors: { error: [{ code: 'MISSING_REQUEST_PARAM', field: 'createdStartDate' }] } } }, 'Canada requires createdStartDate');
  const noBasic = await rawCall(sandbox, mx, '/v3/orders/cursor?statusCodeFilter=Created', { WM_MARKET: 'mx' });
  t.match(noBasic, { status: 401, body: { errors: { error: [{ code: 'UNAUTHORIZED.GMP_GATEWAY_API' }] } } }, 'Mexico: the token alone is not enough');
  const otherClient = await rawCall(sandbox, mx, '/v3/orders/cursor?statusCodeFilter=Created', { WM_MARKET: 'mx', authorization: basic(CA_SELLER) });
  t.equal(otherClient.status, 401, 'Mexico: another client’s credentials are refused');
  const noStatus = await rawCall(sandbox, mx, '/v3/orders/cursor', MX_HEADERS);
  t.match(noStatus, { status: 400, body: { errors: { error: [{ code: 'MISSING_REQUEST_PARAM', field: 'statusCodeFilter' }] } } }, 'Mexico requires statusCodeFilter');
  const halfRange = await rawCall(sandbox, mx, `/v3/orders/cursor?statusCodeFilter=Created&createdStartDate=${since}`, MX_HEADERS);
  t.equal(halfRange.status, 400, 'both dates or neither');
  const oneOrder = await rawCall(sandbox, mx, '/v3/orders/1234567890123', MX_HEADERS);
  t.equal(oneOrder.status, 403, 'Mexico has no get-one-order path');
});

t.test('the sandbox answers each market in its own shape, optional fields missing on some orders', async (t) => {
  const { timing, sandbox, auth } = await setUp(t);
  const now = timing.now();
  for (let i = 0; i < 6; i += 1) {
    sandbox.orders.add({ partnerId: CA_SELLER.partnerId, market: 'ca', createdAt: now - (i + 1) * 3_600_000, lines: [{ sku: 'CA-SKU' }] });
    sandbox.orders.add({ partnerId: MX_SELLER.partnerId, market: 'mx', createdAt: now - (i + 1) * 3_600_000, lines: [{ sku: 'MX-SKU' }] });
  }
  const ca = (await auth.token(CA_SELLER.clientId, CA_SELLER.clientSecret)).accessToken;
  const mx = (await auth.token(MX_SELLER.clientId, MX_SELLER.clientSecret)).accessToken;
  const caList = (await (await fetch(new URL(`/v3/ca/orders?createdStartDate=${new Date(now - DAY).toISOString()}`, sandbox.url), {
    headers: { 'WM_SEC.ACCESS_TOKEN': ca, 'WM_SVC.NAME': 'x', 'WM_QOS.CORRELATION_ID': 'c', WM_MARKET: 'ca' },
  })).json()) as { list?: unknown; meta: { totalCount: number }; elements: { order: Record<string, unknown>[] } };
  t.equal(caList.list, undefined, 'no list wrapper');
  t.equal(caList.meta.totalCount, 6);
  t.ok(caList.elements.order.every((o) => typeof o.orderDate === 'string' && o.shipNode === undefined), 'ISO dates, no shipNode');
  const withFulfillment = caList.elements.order.filter((o) => (o.orderLines as { orderLine: { fulfillment?: unknown }[] }).orderLine[0]!.fulfillment !== undefined).length;
  t.ok(withFulfillment > 0 && withFulfillment < 6, 'fulfillment is on some orders only');

  const mxList = (await (await fetch(new URL('/v3/orders/cursor?statusCodeFilter=Created&limit=4', sandbox.url), {
    headers: { 'WM_SEC.ACCESS_TOKEN': mx, 'WM_SVC.NAME': 'x', 'WM_QOS.CORRELATION_ID': 'c', ...MX_HEADERS },
  })).json()) as { meta: { totalCount: number; nextCursorMark?: string }; order: Record<string, unknown>[] };
  t.equal(mxList.order.length, 4);
  t.equal(mxList.meta.totalCount, 6);
  t.type(mxList.meta.nextCursorMark, 'string');
  const line = (mxList.order[0]!.orderLines as Record<string, unknown>[])[0]!;
  t.match(line, { primeLineNumber: '1', orderLineStatus: [{ status: 'Created', statusDate: /-06:00$/ }], item: { unitPrice: { currency: 'MXN', amount: String } } });
  t.notOk((line.charges as { chargeType: string; chargeAmount?: unknown }[]).find((c) => c.chargeType === 'PRODUCT')?.chargeAmount, 'the PRODUCT charge has no amount');
  const totals = mxList.order.filter((o) => o.orderTotal !== undefined).length;
  t.ok(totals > 0 && totals < 4, 'orderTotal on some orders only');
});
