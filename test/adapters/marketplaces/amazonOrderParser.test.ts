import t from 'tap';
import { parseAmazonOrder } from '../../../src/adapters/marketplaces/amazonOrderParser.js';
import { OrderPayloadError } from '../../../src/adapters/marketplaces/orderPayloadError.js';
import { PlatformOrder } from '../../../src/domain/order/platformOrder.js';
import { startAmazonSandbox, type AmazonOrder } from '../../../src/sandbox/index.js';
import { fixtureFolder, START } from './fixtures/support.js';

const fixtures = await fixtureFolder('amazon/orders_2026-01-01');

/** Every order a fixture holds: searchOrders' `orders[]`, getOrder's `order`. */
const ordersIn = (response: Record<string, unknown>): unknown[] =>
  Array.isArray(response.orders) ? response.orders : response.order !== undefined ? [response.order] : [];

t.test('every order in every Orders API v2026-01-01 fixture parses to a valid PlatformOrder', async (t) => {
  t.ok(fixtures.length >= 5, 'the fixture folder is where we expect it');
  let parsed = 0;
  for (const fixture of fixtures) {
    const orders = ordersIn(fixture.response);
    if (fixture.name.includes('.200.')) t.ok(orders.length > 0, `${fixture.name} holds orders`);
    for (const raw of orders) {
      const order = parseAmazonOrder(raw);
      t.ok(PlatformOrder.safeParse(order).success, `${fixture.name}: ${order.platformOrderId}`);
      parsed += 1;
    }
    // The error fixtures (400) are error lists; a parser must never take one for an order.
    if (Array.isArray(fixture.response.errors)) t.throws(() => parseAmazonOrder(fixture.response), OrderPayloadError, `${fixture.name} is not an order`);
  }
  t.equal(parsed, 3);
});

t.test('FBA order with two items (JP fixture)', async (t) => {
  const fixture = fixtures.find((f) => f.name === 'searchOrders.sandbox.200.0.json');
  const order = parseAmazonOrder(ordersIn(fixture?.response ?? {})[0]);
  t.match(order, {
    platform: 'amazon',
    marketplaceId: 'A1VC38T7YXB528',
    platformOrderId: '250-1234567-8901234',
    createdAt: '2024-12-25T02:30:00.000Z',
    updatedAt: '2024-12-25T06:45:00.000Z',
    status: 'shipped',
    platformStatus: 'SHIPPED',
    fulfillmentChannel: 'marketplace',
    shipBy: '2024-12-25T23:59:59.000Z',
    deliverBy: null,
    serviceLevel: 'STANDARD',
    buyer: { name: 'John Smith', email: 'buyer-email@marketplace.amazon.co.jp' },
    orderTotal: { amount: '19940', currency: 'JPY' },
  });
  t.same(order.shipTo, {
    name: 'John Smith',
    addressLines: ['123 Business Park', 'Suite 456'],
    city: 'Tokyo',
    stateOrRegion: null,
    postalCode: '150-0002',
    countryCode: 'JP',
    phone: null,
    addressType: 'RESIDENTIAL',
  });
  t.same(order.lines, [
    {
      lineId: '25012345678901', platformSku: 'ECHO-DOT-4-JP-CHARCOAL', quantityOrdered: 1, quantityShipped: 1, quantityCancelled: 0,
      lineStatus: null, unitPrice: { amount: '5980', currency: 'JPY' }, title: 'Echo Dot (第4世代) スマートスピーカー with Alexa チャコール',
    },
    {
      lineId: '25012345678902', platformSku: 'FIRE-TV-4K-MAX-JP', quantityOrdered: 2, quantityShipped: 2, quantityCancelled: 0,
      lineStatus: null, unitPrice: { amount: '6980', currency: 'JPY' }, title: 'Fire TV Stick 4K Max ストリーミングデバイス',
    },
  ]);
});

t.test('merchant-fulfilled unshipped order (BR getOrder fixture): windows, empty address lines dropped', async (t) => {
  const fixture = fixtures.find((f) => f.name === 'getOrder.sandbox.200.0.json');
  const order = parseAmazonOrder(ordersIn(fixture?.response ?? {})[0]);
  t.match(order, {
    status: 'unshipped',
    fulfillmentChannel: 'merchant',
    shipBy: '2024-12-27T23:59:59.000Z',
    deliverBy: '2024-12-31T23:59:59.000Z',
    orderTotal: { amount: '299.90', currency: 'BRL' },
  });
  t.same(order.shipTo?.addressLines, ['Rua das Flores, 123', 'Apartamento 45']);
  t.equal(order.shipTo?.phone, '+55 11 98765-4321');
  t.match(order.lines[0], { platformSku: 'ECHO-DOT-4-BR-PRETO', quantityOrdered: 1, quantityShipped: 0, quantityCancelled: 0 });
});

const base = () => structuredClone(fixtures.find((f) => f.name === 'getOrder.sandbox.200.0.json')?.response.order) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

t.test('statuses map from v2026 words (and v0 spellings)', async (t) => {
  const cases: [string, string][] = [
    ['PENDING', 'pending'], ['PENDING_AVAILABILITY', 'pending'], ['UNSHIPPED', 'unshipped'], ['PARTIALLY_SHIPPED', 'partially_shipped'],
    ['SHIPPED', 'shipped'], ['CANCELLED', 'cancelled'], ['UNFULFILLABLE', 'unfulfillable'],
    ['Pending', 'pending'], ['Unshipped', 'unshipped'], ['PartiallyShipped', 'partially_shipped'], ['Shipped', 'shipped'],
    ['Canceled', 'cancelled'], ['Unfulfillable', 'unfulfillable'],
  ];
  for (const [word, status] of cases) {
    const raw = base();
    raw.fulfillment.fulfillmentStatus = word;
    const order = parseAmazonOrder(raw);
    t.equal(order.status, status, word);
    t.equal(order.platformStatus, word, 'the marketplace word is kept');
  }
  const unknown = base();
  unknown.fulfillment.fulfillmentStatus = 'TELEPORTED';
  t.match(parseAmazonOrder(unknown), { status: 'unknown', platformStatus: 'TELEPORTED' }, 'an unknown status is kept as unknown (never released), not guessed');
  const noStatus = base();
  delete (noStatus as { fulfillment?: unknown }).fulfillment;
  t.match(parseAmazonOrder(noStatus), { status: 'unknown', platformStatus: 'UNKNOWN', fulfillmentChannel: 'unknown', shipBy: null }, 'no FULFILLMENT dataset');
  const noFulfiller = base();
  delete (noFulfiller.fulfillment as { fulfilledBy?: unknown }).fulfilledBy;
  t.equal(parseAmazonOrder(noFulfiller).fulfillmentChannel, 'unknown', 'fulfilledBy is optional in the model');
  for (const [word, channel] of [['MERCHANT', 'merchant'], ['AMAZON', 'marketplace'], ['MFN', 'merchant'], ['AFN', 'marketplace']] as const) {
    const raw = base();
    raw.fulfillment.fulfilledBy = word;
    t.equal(parseAmazonOrder(raw).fulfillmentChannel, channel, word);
  }
});

t.test('withheld datasets become null; pending orders have no prices', async (t) => {
  const raw = base();
  delete raw.buyer;
  delete raw.recipient;
  delete raw.proceeds;
  delete raw.orderItems[0].product.price;
  raw.fulfillment.fulfillmentStatus = 'PENDING';
  const order = parseAmazonOrder(raw);
  t.equal(order.buyer, null);
  t.equal(order.shipTo, null);
  t.equal(order.orderTotal, null);
  t.equal(order.lines[0]?.unitPrice, null);
  const noName = base();
  noName.buyer = {};
  t.equal(parseAmazonOrder(noName).buyer, null, 'an empty buyer object is no buyer');
});

t.test('quantities: cancelled is what is neither fulfilled nor still to fulfil', async (t) => {
  const raw = base();
  raw.orderItems[0].quantityOrdered = 5;
  raw.orderItems[0].fulfillment = { quantityFulfilled: 2, quantityUnfulfilled: 1 };
  t.match(parseAmazonOrder(raw).lines[0], { quantityOrdered: 5, quantityShipped: 2, quantityCancelled: 2 });

  const cancelled = base();
  cancelled.fulfillment.fulfillmentStatus = 'CANCELLED';
  delete cancelled.orderItems[0].fulfillment;
  t.match(parseAmazonOrder(cancelled).lines[0], { quantityShipped: 0, quantityCancelled: 1 }, 'without item fulfilment data the order status decides');
});

t.test('the sales channel names the marketplace; the context fills in when it does not', async (t) => {
  const raw = base();
  raw.salesChannel = { channelName: 'NON_AMAZON' };
  t.equal(parseAmazonOrder(raw, { marketplaceId: 'ATVPDKIKX0DER' }).marketplaceId, 'ATVPDKIKX0DER');
  t.throws(() => parseAmazonOrder(raw), OrderPayloadError);
});

t.test('a malformed order names the order and fields, never their values', async (t) => {
  const raw = base();
  raw.orderItems[0].quantityOrdered = 'many';
  raw.buyer.buyerName = 42;
  const error = t.throws(() => parseAmazonOrder(raw)) as Error;
  t.ok(error instanceof OrderPayloadError);
  t.match(error.message, /171-9876543-2109876/);
  t.match(error.message, /orderItems\.0\.quantityOrdered/);
  t.notMatch(error.message, /many|Maria/);
  t.throws(() => parseAmazonOrder(null), OrderPayloadError);
  const badDate = base();
  badDate.createdTime = 'yesterday';
  t.throws(() => parseAmazonOrder(badDate), OrderPayloadError);
});

t.test('every order the sandbox generates parses, consistently with its raw status', async (t) => {
  const sandbox = await startAmazonSandbox({ throttling: false, now: () => START, orders: { count: 600, days: 20, marketplaceFulfilledShare: 0.3 } });
  t.teardown(() => sandbox.close());
  const all = sandbox.orders.list();
  // A few more in every status the control API can produce.
  const extra: AmazonOrder[] = [];
  for (const status of ['PENDING', 'UNSHIPPED', 'SHIPPED', 'CANCELLED', 'UNFULFILLABLE'] as const) extra.push(sandbox.orders.add({ status }));
  const partial = sandbox.orders.add({ status: 'UNSHIPPED', items: [{ sellerSku: 'A-1', quantity: 3 }] });
  extra.push(sandbox.orders.setStatus(partial.orderId, 'PARTIALLY_SHIPPED'));
  const statuses = new Set<string>();
  for (const raw of [...all, ...extra]) {
    const order = parseAmazonOrder(raw);
    statuses.add(order.status);
    const expected = { PENDING: 'pending', PENDING_AVAILABILITY: 'pending', UNSHIPPED: 'unshipped', PARTIALLY_SHIPPED: 'partially_shipped', SHIPPED: 'shipped', CANCELLED: 'cancelled', UNFULFILLABLE: 'unfulfillable' }[raw.fulfillment?.fulfillmentStatus ?? 'PENDING'];
    if (order.status !== expected) t.fail(`${raw.orderId}: ${order.status} ≠ ${expected}`);
    if (order.fulfillmentChannel !== (raw.fulfillment?.fulfilledBy === 'AMAZON' ? 'marketplace' : 'merchant')) t.fail(`${raw.orderId}: channel`);
    for (const line of order.lines) {
      if (line.quantityShipped + line.quantityCancelled > line.quantityOrdered) t.fail(`${raw.orderId}: quantities exceed the order`);
      if (order.status === 'shipped' && line.quantityShipped !== line.quantityOrdered) t.fail(`${raw.orderId}: shipped but not all units`);
      if (order.status === 'cancelled' && line.quantityCancelled !== line.quantityOrdered) t.fail(`${raw.orderId}: cancelled but units left`);
    }
    const someShipped = order.lines.some((l) => l.quantityShipped > 0);
    const someLeft = order.lines.some((l) => l.quantityShipped < l.quantityOrdered);
    if (order.status === 'partially_shipped' && !(someShipped && someLeft)) t.fail(`${raw.orderId}: not partially shipped`);
  }
  t.same([...statuses].sort(), ['cancelled', 'partially_shipped', 'pending', 'shipped', 'unfulfillable', 'unshipped']);
  t.pass(`${all.length + extra.length} sandbox orders parsed`);
});

t.test('every address field the model gives is kept, and a buyer cancellation request is an order fact', async (t) => {
  const raw = base();
  raw.recipient = {
    deliveryAddress: {
      name: 'N', companyName: 'Smith Industries', addressLine1: 'L1', city: 'C', districtOrCounty: 'King County', municipality: 'Seattle',
      stateOrRegion: 'WA', postalCode: '98101', countryCode: 'US', addressType: 'COMMERCIAL',
    },
  };
  raw.orderItems[0].cancellation = { cancellationRequest: { requester: 'BUYER', cancelReason: 'ORDERED_BY_MISTAKE' } };
  const order = parseAmazonOrder(raw);
  t.match(order.shipTo, { companyName: 'Smith Industries', district: 'King County', municipality: 'Seattle', addressType: 'COMMERCIAL' });
  t.match(order.lines[0], { cancellationRequested: true, cancellationReason: 'ORDERED_BY_MISTAKE', quantityCancelled: 0 }, 'a request, not a cancellation');
  raw.orderItems[0].cancellation = [{ cancellationRequest: { requester: 'BUYER' } }];
  const withoutReason = parseAmazonOrder(raw).lines[0]!;
  t.equal(withoutReason.cancellationRequested, true, 'an array where one object was documented');
  t.equal(withoutReason.cancellationReason, undefined);
  t.notOk('cancellationRequested' in parseAmazonOrder(base()).lines[0]!, 'absent when there is none');
});
