import t from 'tap';
import { generateCatalog, generateOrders, startAmazonSandbox, startWalmartSandbox } from '../../src/sandbox/index.js';

const DAY = 86_400_000;
const to = Date.parse('2026-06-15T12:00:00Z');
const options = { seed: 'gen-test', count: 500, from: to - 30 * DAY, to };

t.test('the same seed gives the same orders; another seed does not', async (t) => {
  t.same(generateOrders(options), generateOrders(options));
  t.notSame(generateOrders(options).map((o) => o.buyer.name), generateOrders({ ...options, seed: 'other' }).map((o) => o.buyer.name));
  t.same(generateCatalog({ seed: 's', size: 25 }), generateCatalog({ seed: 's', size: 25 }));
});

t.test('order i does not depend on how many orders are generated', async (t) => {
  const few = generateOrders({ ...options, count: 50 });
  const many = new Map(generateOrders(options).map((o) => [o.key, o]));
  for (const order of few) t.same(many.get(order.key), order);
});

t.test('orders are spread over the range and internally consistent', async (t) => {
  const orders = generateOrders(options);
  t.same(orders.map((o) => o.createdAt), [...orders.map((o) => o.createdAt)].sort((a, b) => a - b), 'oldest first');
  for (const order of orders) {
    t.ok(order.createdAt >= options.from && order.createdAt <= to, 'created in range');
    t.ok(order.updatedAt >= order.createdAt && order.updatedAt <= to, 'updated after creation, not in the future');
    t.equal(order.createdAt % 1000, 0, 'whole seconds');
    t.ok(order.lines.length >= 1);
    t.equal(new Set(order.lines.map((l) => l.sku)).size, order.lines.length, 'distinct SKUs per order');
    for (const line of order.lines) {
      t.ok(line.quantity >= 1 && line.quantityShipped <= line.quantity && line.unitPriceMinor > 0);
      if (order.stage === 'shipped') t.equal(line.quantityShipped, line.quantity);
      if (order.stage === 'unshipped' || order.stage === 'pending' || order.stage === 'cancelled') t.equal(line.quantityShipped, 0);
    }
    if (order.stage === 'partiallyShipped') {
      const shipped = order.lines.reduce((s, l) => s + l.quantityShipped, 0);
      const total = order.lines.reduce((s, l) => s + l.quantity, 0);
      t.ok(shipped > 0 && shipped < total, 'partially shipped means some, not all');
    }
    t.match(order.buyer, { name: /\S+ \S+/, phone: /\d{4}/, address: { line1: /\d/, city: /\S/, postalCode: /\d/, countryCode: 'US' } });
  }
  const byStage = (stage: string) => orders.filter((o) => o.stage === stage).length;
  t.ok(byStage('shipped') > byStage('unshipped'), 'a month of history is mostly shipped');
  t.ok(orders.some((o) => o.lines.length > 1) && orders.some((o) => o.lines.some((l) => l.quantity > 1)), 'multi-line and multi-unit orders');
  const share = orders.filter((o) => o.fulfilledBy === 'marketplace').length / orders.length;
  t.ok(share > 0.1 && share < 0.3, `about a fifth fulfilled by the marketplace (${share})`);
});

t.test('fixed stage weights and other countries', async (t) => {
  const unshipped = generateOrders({ ...options, count: 50, stages: { unshipped: 1 }, marketplaceFulfilledShare: 0, countryCode: 'DE', currency: 'EUR' });
  t.ok(unshipped.every((o) => o.stage === 'unshipped' && o.fulfilledBy === 'merchant' && o.currency === 'EUR'));
  t.ok(unshipped.every((o) => o.buyer.address.countryCode === 'DE' && /^\d{5}$/.test(o.buyer.address.postalCode)));
  const yen = generateOrders({ ...options, count: 20, countryCode: 'JP', currency: 'JPY' });
  t.ok(yen.every((o) => o.lines.every((l) => l.unitPriceMinor % 10 === 0)), 'yen prices have no minor unit');
  t.throws(() => generateOrders({ ...options, count: -1 }));
  t.throws(() => generateOrders({ ...options, from: to + 1 }));
});

t.test('sandboxes seeded alike hold the same orders', async (t) => {
  const now = () => to;
  const [a, b] = await Promise.all([startAmazonSandbox({ throttling: false, seed: 'same', now }), startAmazonSandbox({ throttling: false, seed: 'same', now })]);
  const [c, d] = await Promise.all([startWalmartSandbox({ seed: 'same', now }), startWalmartSandbox({ seed: 'same', now })]);
  t.teardown(() => Promise.all([a.close(), b.close(), c.close(), d.close()]));
  t.same(a.orders.list(), b.orders.list());
  t.same(c.orders.list(), d.orders.list());
  t.same(a.app, b.app, 'and the same credentials');
  t.equal(a.orders.count(), 200);
  const other = await startAmazonSandbox({ throttling: false, seed: 'different', now, orders: { count: 10 } });
  t.teardown(() => other.close());
  t.notSame(other.orders.list().map((o) => o.orderId), a.orders.list().slice(0, 10).map((o) => o.orderId));
});

t.test('stored orders are frozen snapshots', async (t) => {
  const sandbox = await startWalmartSandbox({ orders: { count: 3 } });
  t.teardown(() => sandbox.close());
  const order = sandbox.orders.list()[0];
  t.throws(() => {
    if (order !== undefined) order.customerOrderId = 'changed';
  }, TypeError);
});
