import t from 'tap';
import { OrderPayloadError } from '../../../src/adapters/marketplaces/orderPayloadError.js';
import { parseWalmartOrder, WALMART_US_MARKETPLACE } from '../../../src/adapters/marketplaces/walmartOrderParser.js';
import { PlatformOrder } from '../../../src/domain/order/platformOrder.js';
import { startWalmartSandbox } from '../../../src/sandbox/index.js';
import { fixtureFolder, START } from './fixtures/support.js';

const fixtures = await fixtureFolder('walmart/orders');
const orderOf = (name: string) => fixtures.find((f) => f.name === name)?.response.order;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const copy = (name: string) => structuredClone(orderOf(name)) as Record<string, any>;

t.test('every purchase order in the Walmart fixtures parses to a valid PlatformOrder', async (t) => {
  t.equal(fixtures.length, 3, 'the fixture folder is where we expect it');
  for (const fixture of fixtures) {
    t.ok(fixture.response.order, `${fixture.name} holds an order`);
    const order = parseWalmartOrder(fixture.response.order);
    t.ok(PlatformOrder.safeParse(order).success, fixture.name);
  }
});

t.test('an acknowledged order (acknowledgeOrders fixture)', async (t) => {
  const order = parseWalmartOrder(orderOf('acknowledgeOrders.200.json'));
  t.same(order, {
    platform: 'walmart',
    marketplaceId: WALMART_US_MARKETPLACE,
    platformOrderId: '1796277083022',
    createdAt: new Date(1568466571000).toISOString(),
    updatedAt: new Date(1568753156000).toISOString(),
    status: 'unshipped',
    platformStatus: 'Acknowledged',
    fulfillmentChannel: 'merchant',
    shipBy: new Date(1568700000000).toISOString(),
    deliverBy: new Date(1569438000000).toISOString(),
    serviceLevel: 'Value',
    shipTo: {
      name: 'Kathryn Cole',
      addressLines: ['3258BWarners rd', 'Garage'],
      city: 'Warners',
      stateOrRegion: 'NY',
      postalCode: '13164',
      countryCode: 'US',
      phone: '3155598681',
      addressType: 'RESIDENTIAL',
    },
    buyer: { name: 'Kathryn Cole', email: '3A31739D8B0A45A1B23F7F8C81C8747F@relay.walmart.com' },
    lines: [
      {
        lineId: '4', platformSku: 'test1', quantityOrdered: 1, quantityShipped: 0, quantityCancelled: 0, lineStatus: 'Acknowledged',
        unitPrice: { amount: '10.00', currency: 'USD' }, title: 'Beba Bean Pee-pee Teepee Airplane - Blue - Laundry Bag',
      },
    ],
    orderTotal: { amount: '10.80', currency: 'USD' },
  });
});

t.test('a cancelled order and a shipped one (cancelOrderLines, getAnOrder fixtures)', async (t) => {
  const cancelled = parseWalmartOrder(orderOf('cancelOrderLines.200.json'));
  t.match(cancelled, { status: 'cancelled', platformStatus: 'Cancelled', serviceLevel: 'Standard' });
  t.match(cancelled.lines[0], { quantityCancelled: 1, quantityShipped: 0, lineStatus: 'Cancelled', unitPrice: { amount: '0.00' } });
  const shipped = parseWalmartOrder(orderOf('getAnOrder.200.ORDER.json'));
  t.match(shipped, { status: 'shipped', fulfillmentChannel: 'merchant', shipTo: { addressLines: ['6600 gazebo drive'] } });
  t.match(shipped.lines[0], { quantityShipped: 1, lineStatus: 'Shipped', platformSku: 'YHY-FN25200B2' });
});

/** An order with lines of the given per-status quantities, built from the acknowledged fixture. */
const withLines = (lines: Record<string, number>[]) => {
  const raw = copy('acknowledgeOrders.200.json');
  const template = raw.orderLines.orderLine[0];
  raw.orderLines.orderLine = lines.map((statuses, i) => {
    const quantity = Object.values(statuses).reduce((a, b) => a + b, 0);
    return {
      ...structuredClone(template),
      lineNumber: String(i + 1),
      orderLineQuantity: { unitOfMeasurement: 'EACH', amount: String(quantity) },
      statusDate: 1568753156000 + i * 1000,
      orderLineStatuses: {
        orderLineStatus: Object.entries(statuses).map(([status, amount]) => ({ status, statusQuantity: { unitOfMeasurement: 'EACH', amount: String(amount) } })),
      },
    };
  });
  return raw;
};

t.test('the order status comes from its lines', async (t) => {
  const cases: [Record<string, number>[], string][] = [
    [[{ Created: 1 }], 'unshipped'],
    [[{ Created: 1 }, { Acknowledged: 2 }], 'unshipped'],
    [[{ Shipped: 1 }, { Acknowledged: 1 }], 'partially_shipped'],
    [[{ Shipped: 1, Acknowledged: 1 }], 'partially_shipped'],
    [[{ Delivered: 1 }, { Shipped: 2 }], 'shipped'],
    [[{ Shipped: 1 }, { Cancelled: 1 }], 'shipped'],
    [[{ Cancelled: 2 }, { Cancelled: 1 }], 'cancelled'],
    [[{ Created: 1, Cancelled: 1 }], 'unshipped'],
  ];
  for (const [lines, status] of cases) t.equal(parseWalmartOrder(withLines(lines)).status, status, JSON.stringify(lines));
  t.equal(parseWalmartOrder(withLines([{ Teleported: 1 }])).status, 'unknown', 'unknown statuses are kept as unknown, not guessed');
  t.equal(parseWalmartOrder(withLines([{ Created: 1, Teleported: 1 }])).status, 'unknown', 'units in an unknown status are not shipped as open ones');
  t.equal(parseWalmartOrder(withLines([{ Teleported: 1 }])).platformStatus, 'Teleported');
});

t.test('per-line quantities, status, price and the latest status date', async (t) => {
  const order = parseWalmartOrder(withLines([{ Shipped: 2, Cancelled: 1 }, { Acknowledged: 1, Shipped: 1 }]));
  t.match(order.lines[0], { quantityOrdered: 3, quantityShipped: 2, quantityCancelled: 1, lineStatus: 'Shipped' });
  t.match(order.lines[1], { quantityOrdered: 2, quantityShipped: 1, quantityCancelled: 0, lineStatus: 'Acknowledged' }, 'the earliest step any unit is at');
  t.equal(order.lines[0]?.unitPrice?.amount, '3.33', 'the ItemPrice charge covers all units of the line');
  t.equal(order.platformStatus, 'Acknowledged/Shipped/Cancelled');
  t.equal(order.updatedAt, new Date(1568753157000).toISOString());
});

t.test('ship node: WFS is marketplace-fulfilled; the search context fills in a missing one', async (t) => {
  const wfs = copy('getAnOrder.200.ORDER.json');
  wfs.shipNode = { type: 'WFSFulfilled' };
  t.equal(parseWalmartOrder(wfs).fulfillmentChannel, 'marketplace');
  const bare = copy('acknowledgeOrders.200.json');
  t.equal(parseWalmartOrder(bare, { shipNodeType: 'WFSFulfilled' }).fulfillmentChannel, 'marketplace');
  t.equal(parseWalmartOrder(bare).fulfillmentChannel, 'merchant', 'Walmart defaults to SellerFulfilled');
  t.equal(parseWalmartOrder(bare, { marketplaceId: 'WALMART_CA' }).marketplaceId, 'WALMART_CA');
});

t.test('optional parts: no shipping info, an order summary, string amounts', async (t) => {
  const raw = copy('acknowledgeOrders.200.json');
  delete raw.shippingInfo;
  delete raw.customerEmailId;
  raw.orderSummary = { totalAmount: { currencyAmount: 12.5, currencyUnit: 'USD' } };
  raw.orderLines.orderLine[0].charges.charge[0].chargeAmount.amount = '10';
  const order = parseWalmartOrder(raw);
  t.equal(order.shipTo, null);
  t.equal(order.buyer, null);
  t.equal(order.shipBy, null);
  t.same(order.orderTotal, { amount: '12.50', currency: 'USD' });
  t.equal(order.lines[0]?.unitPrice?.amount, '10.00');
});

t.test('a malformed purchase order names the order and the fields, not their values', async (t) => {
  const raw = copy('acknowledgeOrders.200.json');
  raw.orderDate = 'last Tuesday';
  raw.shippingInfo.postalAddress.name = 7;
  const error = t.throws(() => parseWalmartOrder(raw)) as Error;
  t.ok(error instanceof OrderPayloadError);
  t.match(error.message, /1796277083022/);
  t.match(error.message, /orderDate/);
  t.notMatch(error.message, /Tuesday|Kathryn/);
});

t.test('every purchase order the sandbox generates parses, with statuses that agree with the lines', async (t) => {
  const sandbox = await startWalmartSandbox({ now: () => START, orders: { count: 600, days: 20, wfsShare: 0.3 } });
  t.teardown(() => sandbox.close());
  const some = sandbox.orders.list().slice(0, 20);
  for (const [i, o] of some.entries()) {
    if (i % 4 === 0) sandbox.orders.ship(o.purchaseOrderId, { quantity: 1 });
    if (i % 4 === 1) sandbox.orders.cancel(o.purchaseOrderId);
    if (i % 4 === 2) sandbox.orders.acknowledge(o.purchaseOrderId);
  }
  const statuses = new Set<string>();
  const channels = new Set<string>();
  for (const raw of sandbox.orders.list()) {
    const order = parseWalmartOrder(raw);
    statuses.add(order.status);
    channels.add(order.fulfillmentChannel);
    const lineStatuses = raw.orderLines.orderLine.flatMap((l) => l.orderLineStatuses.orderLineStatus.map((s) => s.status));
    const open = lineStatuses.some((s) => s === 'Created' || s === 'Acknowledged');
    const shipped = lineStatuses.some((s) => s === 'Shipped' || s === 'Delivered');
    const expected = open ? (shipped ? 'partially_shipped' : 'unshipped') : shipped ? 'shipped' : 'cancelled';
    if (order.status !== expected) t.fail(`${raw.purchaseOrderId}: ${order.status} ≠ ${expected}`);
    if ((raw.shipNode?.type === 'WFSFulfilled') !== (order.fulfillmentChannel === 'marketplace')) t.fail(`${raw.purchaseOrderId}: channel`);
    for (const line of order.lines) if (line.quantityShipped + line.quantityCancelled > line.quantityOrdered) t.fail('quantities exceed the line');
  }
  t.same([...statuses].sort(), ['cancelled', 'partially_shipped', 'shipped', 'unshipped']);
  t.same([...channels].sort(), ['marketplace', 'merchant']);
});

t.test('intent to cancel is an order fact; 3PL ship nodes are kept and not sent as seller-fulfilled', async (t) => {
  const raw = copy('acknowledgeOrders.200.json');
  raw.orderLines.orderLine[0].intentToCancel = 'YES';
  t.match(parseWalmartOrder(raw).lines[0], { cancellationRequested: true, quantityCancelled: 0 });
  raw.orderLines.orderLine[0].intentToCancel = 'NO';
  t.notOk('cancellationRequested' in parseWalmartOrder(raw).lines[0]!);
  raw.shipNode = { type: '3PLFulfilled' };
  t.match(parseWalmartOrder(raw), { fulfillmentChannel: 'marketplace', shipNodeType: '3PLFulfilled' });
  raw.shipNode = [];
  t.equal(parseWalmartOrder(raw).fulfillmentChannel, 'merchant', "Walmart's published example: shipNode []");
  raw.orderLines = raw.orderLines.orderLine;
  t.equal(parseWalmartOrder(raw).lines.length, 1, 'orderLines as a bare list');
});
