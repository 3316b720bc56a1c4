// The sender works the orders of a batch concurrently, at most 8 calls in flight per seller
// account, and one order's calls in order (acknowledge before ship). Observed at the sandbox: every
// call of the batch is held there a while (a queued `delay` fault), so the calls taken and not yet
// answered are the calls in flight.
import t from 'tap';
import { DEFAULT_SYNC_CONCURRENCY, MARKETPLACE_SYNC_FILTER } from '../../src/application/marketplaceSync.js';
import type { RecordedEvent } from '../../src/domain/ports/eventStore.js';
import { startTestService } from '../support/service.js';
import { authorizeWalmart, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { createTenant } from '../support/tenants.js';

const MIN = 60_000;
const ORDERS = 12;

t.test('a batch of released and shipped orders: concurrent across orders, bounded per account, acknowledge before ship per order', async (t) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  // The sender's reactor stays off: the test hands it one batch itself.
  const svc = await startTestService(t, { ...sandboxEnv(sandboxes), MARKETPLACE_SYNC: 'off' }, { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  const call = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: tenant.apiKey, ...(body !== undefined ? { body } : {}) });
  await call('POST', '/v1/products', { sku: 'WIDGET', name: 'Widget' });
  const { walmart } = sandboxes;
  const pos = Array.from({ length: ORDERS }, () => walmart.orders.add({ lines: [{ sku: 'WM-SOLO', quantity: 1 }] }));
  clock.advance(3 * MIN);
  const auth = await authorizeWalmart(svc, tenant.apiKey, sandboxes, { initialLookbackDays: 3 });
  const storeId = auth.storeIds[0] as string;
  t.equal((await call('PUT', `/v1/stores/${storeId}/mappings/WM-SOLO`, { components: [{ sku: 'WIDGET', quantity: 1 }] })).status, 200);
  await svc.projections.caughtUp(['pull_schedule', 'mappings']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: ORDERS });
  await svc.projections.caughtUp(['orders']);
  await svc.policyRunner.caughtUp();
  await svc.projections.caughtUp(['orders']);

  // Every order released and shipped by the warehouse before the sender hears of any of it.
  const { rows } = await svc.db.query<{ order_id: string; platform_order_id: string }>('SELECT order_id, platform_order_id FROM rm_orders WHERE released_at IS NOT NULL');
  t.equal(rows.length, ORDERS, 'every order released');
  for (const r of rows) {
    const po = pos.find((p) => p.purchaseOrderId === r.platform_order_id)!;
    const res = await call('POST', '/v1/warehouse/events', {
      messageId: `ship-${r.order_id}`, type: 'ShipmentConfirmed', schemaVersion: 1, occurredAt: clock.now().toISOString(), tenantId: tenant.tenantId, orderId: r.order_id,
      shipment: { shipmentId: `S-${r.platform_order_id}`, carrier: 'UPS', trackingNumber: `1Z${r.platform_order_id}`, shipMethod: 'Standard', shippedAt: clock.now().toISOString(), lines: [{ lineId: `${po.orderLines.orderLine[0]!.lineNumber}:0`, quantity: 1 }] },
    });
    t.equal(res.status, 202);
  }
  await svc.store.awaitVisible();
  const batch: RecordedEvent[] = (await svc.store.readAll(null, { maxCount: 500, filter: MARKETPLACE_SYNC_FILTER })).events.slice();
  t.equal(batch.length, 2 * ORDERS, 'one batch: each order released and shipped');

  // Every acknowledgement held 3 s at Walmart; in flight = taken by the sandbox and not yet answered.
  walmart.faults.next({ route: 'acknowledgeOrders', delayMs: 3000, count: ORDERS });
  let peak = 0;
  let running = true;
  const watch = (async () => {
    while (running) {
      peak = Math.max(peak, ORDERS - walmart.faults.pending() - walmart.counters.count('acknowledgeOrders'));
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  await svc.marketplaceSync.reactBatch(batch);
  running = false;
  await watch;
  const limit = DEFAULT_SYNC_CONCURRENCY.perAccount;
  t.ok(peak > 1 && peak <= limit, `up to ${peak} acknowledgements in flight at once (at most ${limit} per account)`);

  // Each order: acknowledged, then shipped (the shipping call received after the acknowledgement's answer).
  const log = walmart.counters.log();
  const logged = (route: string, po: string) => log.filter((e) => e.route === route && e.path.split('/')[3] === po);
  for (const po of pos) {
    const [ack, ...moreAcks] = logged('acknowledgeOrders', po.purchaseOrderId);
    const [ship, ...moreShips] = logged('shippingUpdates', po.purchaseOrderId);
    t.ok(ack && ship && moreAcks.length === 0 && moreShips.length === 0, `${po.purchaseOrderId}: acknowledged once, shipped once`);
    t.ok(ack!.at + 3000 <= ship!.at, `${po.purchaseOrderId}: shipped only after the acknowledgement was answered`);
    t.same(walmart.orders.get(po.purchaseOrderId)!.orderLines.orderLine[0]!.orderLineStatuses.orderLineStatus.map((s) => `${s.status}:${s.trackingInfo?.trackingNumber ?? ''}`), [`Shipped:1Z${po.purchaseOrderId}`]);
  }
  const types = (await svc.db.query<{ n: number; event_type: string }>(`SELECT event_type, count(*)::int AS n FROM es_events WHERE event_type IN ('MarketplaceOrderAcknowledged', 'MarketplaceShipmentConfirmed', 'MarketplaceLinesCancelled', 'MarketplaceSyncFailed') GROUP BY event_type ORDER BY event_type`)).rows;
  t.same(types, [{ event_type: 'MarketplaceOrderAcknowledged', n: ORDERS }, { event_type: 'MarketplaceShipmentConfirmed', n: ORDERS }], 'each outcome recorded once');
});
