import t from 'tap';
import { json, startTestService } from '../support/service.js';
import { authorizeAmazon, authorizeWalmart, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { createTenant } from '../support/tenants.js';

const MIN = 60_000;

/**
 * One order a pull cannot read never blocks its page: the rest is recorded, the bad one is recorded
 * as OrderRejected (reason + keyed hash, no buyer data), listed at GET /v1/orders/rejected, counted
 * in /metrics, and read again by later pulls (resolved once it parses).
 */
t.test('a page with one unreadable purchase order records all the others and lists the bad one', async (t) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, sandboxEnv(sandboxes), { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  const other = await createTenant(svc, 'Someone else');
  const { walmart } = sandboxes;
  const good = walmart.orders.add({ customerName: 'Quentin Goodorder', status: 'Acknowledged' });
  const odd = walmart.orders.add({ customerName: 'Ophelia Oddshape', status: 'Acknowledged' });
  const bad = walmart.orders.add({ customerName: 'Bartholomew Badpayload', status: 'Acknowledged' });
  // Shapes Walmart's own published example and real answers show: tolerated.
  walmart.orders.update(odd.purchaseOrderId, (o) => {
    const raw = o as unknown as Record<string, unknown>;
    raw.shipNode = [];
    raw.customerEmailId = null;
    raw.orderSummary = null;
  });
  // An order line without its SKU: the model requires it, nothing can be mapped or shipped.
  walmart.orders.update(bad.purchaseOrderId, (o) => {
    delete (o.orderLines.orderLine[0]!.item as { sku?: string }).sku;
  });
  clock.advance(3 * MIN);

  const auth = await authorizeWalmart(svc, tenant.apiKey, sandboxes, { initialLookbackDays: 3 });
  const storeId = auth.storeIds[0]!;
  await svc.projections.caughtUp(['pull_schedule']);
  const first = await svc.pulls.pullStore(storeId, 'manual');
  t.match(first, { ok: true, ordersNew: 2 }, 'the page is not failed: both readable orders are recorded');
  await svc.projections.caughtUp(['orders', 'rejected_orders', 'pull_schedule']);

  const { rows } = await svc.db.query<{ platform_order_id: string }>('SELECT platform_order_id FROM rm_orders WHERE store_id = $1 ORDER BY 1', [storeId]);
  t.same(rows.map((r) => r.platform_order_id), [good.purchaseOrderId, odd.purchaseOrderId].sort());

  const listed = await json(await svc.call('GET', '/v1/orders/rejected', { token: tenant.apiKey }));
  t.equal(listed.items.length, 1);
  t.match(listed.items[0], {
    storeId,
    platform: 'walmart',
    platformOrderId: bad.purchaseOrderId,
    reason: /orderLines\.orderLine\.0\.item\.sku/,
    payloadHash: /^[0-9a-f]{64}$/,
    rejections: 1,
    state: 'open',
    orderId: null,
  });
  t.equal(listed.nextCursor, null);
  const events = await svc.store.readStream(`rejections-${storeId}`);
  t.equal(events.length, 1);
  t.notMatch(JSON.stringify(events), /Bartholomew|Badpayload/, 'no buyer data in the event');
  t.notMatch(JSON.stringify(listed), /Bartholomew|Badpayload/, 'nor in the list');
  t.same((await json(await svc.call('GET', '/v1/orders/rejected', { token: other.apiKey }))).items, [], "another tenant sees none of it");
  t.match(await (await svc.call('GET', '/metrics')).text(), /oms_orders_rejected_total\{platform="walmart"[^}]*\} 1/);

  // The next pull reads it again: the same payload appends nothing, and it stays listed.
  clock.advance(16 * MIN);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true });
  t.equal((await svc.store.readStream(`rejections-${storeId}`)).length, 1, 'an unchanged bad payload is recorded once');
  t.match(await (await svc.call('GET', '/metrics')).text(), /oms_orders_rejected_total\{platform="walmart"[^}]*\} 2/, 'counted each time a pull meets it');

  // Walmart fixes the order: a later pull records it, and the rejection reads as resolved.
  walmart.orders.update(bad.purchaseOrderId, (o) => {
    (o.orderLines.orderLine[0]!.item as { sku?: string }).sku = 'FIXED-SKU';
  });
  clock.advance(16 * MIN);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 1 });
  await svc.projections.caughtUp(['orders', 'rejected_orders']);
  const open = await json(await svc.call('GET', '/v1/orders/rejected?state=open', { token: tenant.apiKey }));
  t.same(open.items, [], 'nothing open');
  const resolved = await json(await svc.call('GET', `/v1/orders/rejected?state=resolved&storeId=${storeId}&limit=1`, { token: tenant.apiKey }));
  t.match(resolved.items, [{ platformOrderId: bad.purchaseOrderId, state: 'resolved', orderId: /^[0-9a-f-]{36}$/ }]);
  const bogus = await svc.call('GET', '/v1/orders/rejected?after=bm90LWEtY3Vyc29y', { token: tenant.apiKey });
  t.equal(bogus.status, 400, 'a cursor this list did not issue');
});

t.test('rejections page with a keyset cursor, latest first', async (t) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, sandboxEnv(sandboxes), { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  const { walmart } = sandboxes;
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const o = walmart.orders.add({ status: 'Acknowledged' });
    walmart.orders.update(o.purchaseOrderId, (raw) => {
      raw.orderLines.orderLine[0]!.orderLineQuantity.amount = 'lots';
    });
    ids.push(o.purchaseOrderId);
  }
  clock.advance(3 * MIN);
  const auth = await authorizeWalmart(svc, tenant.apiKey, sandboxes, { initialLookbackDays: 3 });
  await svc.projections.caughtUp(['pull_schedule']);
  t.match(await svc.pulls.pullStore(auth.storeIds[0]!, 'manual'), { ok: true, ordersNew: 0 });
  await svc.projections.caughtUp(['rejected_orders']);
  const seen: string[] = [];
  let after: string | null = null;
  do {
    const url: string = `/v1/orders/rejected?limit=2${after ? `&after=${after}` : ''}`;
    const page = await json(await svc.call('GET', url, { token: tenant.apiKey }));
    t.ok(page.items.length <= 2);
    seen.push(...page.items.map((i: { platformOrderId: string }) => i.platformOrderId));
    after = page.nextCursor;
  } while (after);
  t.same([...seen].sort(), [...ids].sort(), 'every rejection once across the pages');
});

t.test('Amazon: an order item without a quantity is set aside, the rest of the page recorded', async (t) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, sandboxEnv(sandboxes), { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  const { amazon } = sandboxes;
  const seller = amazon.sellers[0]!.sellerId;
  amazon.consentAs(seller);
  const created = clock.now().getTime() - 30 * MIN;
  const good = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED' });
  const bad = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED' });
  amazon.orders.update(bad.orderId, (o) => {
    delete (o.orderItems[0] as { quantityOrdered?: number }).quantityOrdered;
  });
  clock.advance(3 * MIN);
  const auth = await authorizeAmazon(svc, tenant.apiKey, { region: 'NA' });
  const storeId = auth.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === 'ATVPDKIKX0DER').storeId as string;
  await svc.projections.caughtUp(['pull_schedule']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 1 });
  await svc.projections.caughtUp(['orders', 'rejected_orders']);
  const { rows } = await svc.db.query<{ platform_order_id: string }>('SELECT platform_order_id FROM rm_orders WHERE store_id = $1', [storeId]);
  t.same(rows.map((r) => r.platform_order_id), [good.orderId]);
  const listed = await json(await svc.call('GET', `/v1/orders/rejected?storeId=${storeId}`, { token: tenant.apiKey }));
  t.match(listed.items, [{ platform: 'amazon', platformOrderId: bad.orderId, reason: /orderItems\.0\.quantityOrdered/, state: 'open' }]);
});
