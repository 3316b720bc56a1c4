import t from 'tap';
import { connectWalmart, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { json, startTestService, type TestService } from '../support/service.js';
import { createTenant } from '../support/tenants.js';

/**
 * A Walmart Canada and a Walmart Mexico store connected through Walmart Connect pull their orders
 * and the order loop acknowledges, ships and cancels them through their market's Orders API — over
 * real HTTP, PostgreSQL and the Walmart sandbox, which refuses any other market's API for their tokens.
 */
const MIN = 60_000;

const settle = async (svc: TestService) => {
  await svc.projections.caughtUp(['orders', 'mappings', 'pull_schedule']);
  await svc.policyRunner.caughtUp();
  await svc.syncRunner.caughtUp();
  await svc.projections.caughtUp(['orders', 'marketplace_sync']);
};

const MARKETS = [
  { market: 'ca', marketplaceId: 'WALMART_CA', seller: '20000000042', currency: 'CAD', routes: { ack: 'acknowledgeOrdersCA', ship: 'shippingUpdatesCA', cancel: 'cancelOrderLinesCA' }, carrier: 'Canada Post', sent: { carrier: 'CPC' }, cancelReason: 'CANCEL_BY_SELLER' },
  { market: 'mx', marketplaceId: 'WALMART_MX', seller: '30000000042', currency: 'MXN', routes: { ack: 'acknowledgeOrders', ship: 'shippingUpdatesMX', cancel: 'cancelOrderLines' }, carrier: 'DHL', sent: { carrier: 'MX-DHL' }, cancelReason: 'SELLER_CANCEL_OUT_OF_STOCK' },
] as const;

for (const m of MARKETS) {
  t.test(`Walmart ${m.market.toUpperCase()}: a Connect store pulls its orders; release → acknowledged, shipment → shipped, rejection → cancelled at its own API`, async (t) => {
    const clock = movableClock();
    const sandboxes = await sandboxesFor(t, { seed: `walmart-${m.market}`, amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
    const svc = await startTestService(t, { ...sandboxEnv(sandboxes), PULL_SWEEP_HOURS: '0' }, { clock, timing: clock.timing });
    const tenant = await createTenant(svc, 'Seller');
    const call = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: tenant.apiKey, ...(body !== undefined ? { body } : {}) });
    await call('POST', '/v1/products', { sku: 'WIDGET', name: 'Widget' });
    const { walmart } = sandboxes;
    const po = walmart.orders.add({ partnerId: m.seller, market: m.market, lines: [{ sku: 'MK-1', quantity: 2, unitPriceCents: 4500 }] });
    const rejectedPo = walmart.orders.add({ partnerId: m.seller, market: m.market, lines: [{ sku: 'MK-1', quantity: 1 }] });
    // The seller's US account is another seller id: its order is not this store's.
    walmart.orders.add({ lines: [{ sku: 'MK-1', quantity: 1 }] });
    clock.advance(3 * MIN);

    walmart.connect.consentAs({ sellerId: m.seller });
    const auth = await connectWalmart(svc, tenant.apiKey, { name: `Walmart ${m.market}`, market: m.market, initialLookbackDays: 3 });
    t.match(auth, { status: 'active', walmartConnect: { market: m.market, sellerId: m.seller }, marketplaces: [{ marketplaceId: m.marketplaceId }] });
    const storeId = auth.storeIds[0] as string;
    t.equal((await call('PUT', `/v1/stores/${storeId}/mappings/MK-1`, { components: [{ sku: 'WIDGET', quantity: 1 }] })).status, 200);
    await svc.projections.caughtUp(['pull_schedule', 'mappings']);
    t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 2 });
    await settle(svc);

    const orders = await json(await call('GET', '/v1/orders'));
    t.same(orders.items.map((o: { platformOrderId: string }) => o.platformOrderId).sort(), [po.purchaseOrderId, rejectedPo.purchaseOrderId].sort(), 'only this market’s orders of this seller');
    const orderId = orders.items.find((o: { platformOrderId: string }) => o.platformOrderId === po.purchaseOrderId).orderId as string;
    const detail = await json(await call('GET', `/v1/orders/${orderId}`));
    t.match(detail, { marketplaceId: m.marketplaceId, orderTotal: { currency: m.currency } });
    const statuses = (id: string) => walmart.orders.get(id)!.orderLines.orderLine.map((l) => l.orderLineStatuses.orderLineStatus.map((s) => `${s.status}:${s.statusQuantity.amount}`).join(','));
    t.same(statuses(po.purchaseOrderId), ['Acknowledged:2'], 'acknowledged as soon as released');

    const lineId = po.orderLines.orderLine[0]!.lineNumber;
    const warehouse = (body: Record<string, unknown>) => call('POST', '/v1/warehouse/events', { schemaVersion: 1, occurredAt: '2026-12-01T10:00:00Z', tenantId: tenant.tenantId, ...body });
    const shipped = await warehouse({
      messageId: `ship-${m.market}`, type: 'ShipmentConfirmed', orderId,
      shipment: { shipmentId: 'S1', carrier: m.carrier, trackingNumber: 'TRK-S1', shipMethod: 'Standard', shippedAt: '2026-12-01T10:00:00.000Z', lines: [{ lineId: `${lineId}:0`, quantity: 2 }] },
    });
    t.equal(shipped.status, 202);
    await settle(svc);
    t.same(statuses(po.purchaseOrderId), ['Shipped:2']);
    t.match(walmart.orders.get(po.purchaseOrderId)!.orderLines.orderLine[0]!.orderLineStatuses.orderLineStatus[0]!.trackingInfo, { carrierName: m.sent, trackingNumber: 'TRK-S1' });
    t.match((await json(await call('GET', `/v1/orders/${orderId}`))).marketplaceSync, { state: 'confirmed', failed: [] });

    const rejectedId = orders.items.find((o: { platformOrderId: string }) => o.platformOrderId === rejectedPo.purchaseOrderId).orderId as string;
    t.equal((await warehouse({ messageId: `reject-${m.market}`, type: 'FulfillmentRejected', orderId: rejectedId, reason: 'out of stock' })).status, 202);
    await settle(svc);
    t.same(statuses(rejectedPo.purchaseOrderId), ['Cancelled:1']);
    t.equal(walmart.orders.get(rejectedPo.purchaseOrderId)!.orderLines.orderLine[0]!.orderLineStatuses.orderLineStatus[0]!.cancellationReason, m.cancelReason);

    t.same([walmart.counters.count(m.routes.ack), walmart.counters.count(m.routes.ship), walmart.counters.count(m.routes.cancel)], [2, 1, 1], 'the market’s own paths');
    const answers = walmart.counters.byStatus();
    t.notOk(answers[400] ?? answers[403], 'no call was refused: every one went to the right path with the right headers');
  });
}
