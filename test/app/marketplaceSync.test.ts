import t, { type Test } from 'tap';
import { eventReactor } from '../../src/adapters/projections/reactor.js';
import { MARKETPLACE_SYNC_FILTER } from '../../src/application/marketplaceSync.js';
import { startTestService, json, type TestService } from '../support/service.js';
import { authorizeAmazon, authorizeWalmart, movableClock, sandboxEnv, sandboxesFor } from '../support/marketplaces.js';
import { createTenant } from '../support/tenants.js';
import { Kafka, logLevel } from 'kafkajs';
import { findKafkaBrokers, kafkaUnavailableReason, uniqueTopic } from '../support/kafka.js';
import { orderStreamId } from '../../src/domain/order/streams.js';

const MIN = 60_000;

/** Pull, let the release policy decide, and let the marketplace sender catch up. */
const settle = async (svc: TestService) => {
  await svc.projections.caughtUp(['orders', 'mappings', 'pull_schedule']);
  await svc.policyRunner.caughtUp();
  await svc.syncRunner.caughtUp();
  await svc.projections.caughtUp(['orders', 'marketplace_sync']).catch(async (e: unknown) => {
    const { rows } = await svc.db.query(`SELECT error FROM projection_checkpoints WHERE name = 'marketplace_sync'`);
    throw new Error(`${String(e)}: ${JSON.stringify(rows)}`);
  });
};

const orderIdOf = async (svc: TestService, platformOrderId: string) =>
  (await svc.db.query<{ order_id: string }>('SELECT order_id FROM rm_orders WHERE platform_order_id = $1', [platformOrderId])).rows[0]!.order_id;

/** The warehouse reports over POST /v1/warehouse/events (the inbound contract), as the tenant. */
const recordWarehouse = async (svc: TestService, orderId: string, type: string, data: Record<string, unknown>) => {
  const { rows } = await svc.db.query<{ tenant_id: string }>('SELECT tenant_id FROM rm_orders WHERE order_id = $1', [orderId]);
  const tenantId = rows[0]!.tenant_id;
  const messageId = (data.messageId as string | undefined) ?? `msg-${orderId}-${JSON.stringify(data).length}-${Math.random()}`;
  const body =
    type === 'WarehouseShipmentRecorded'
      ? { messageId, type: 'ShipmentConfirmed', schemaVersion: 1, occurredAt: '2026-12-01T10:00:00Z', tenantId, orderId, shipment: data.shipment }
      : {
          messageId,
          type: type === 'WarehouseFulfillmentRejected' ? 'FulfillmentRejected' : 'FulfillmentCancelled',
          schemaVersion: 1,
          occurredAt: '2026-12-01T10:00:00Z',
          tenantId,
          orderId,
          reason: data.reason,
          ...((data.lines as unknown[]).length > 0 ? { lines: data.lines } : {}),
        };
  const res = await svc.call('POST', '/v1/warehouse/events', { token: keys.get(tenantId)!, body });
  if (res.status !== 202) throw new Error(`the warehouse event was refused: ${res.status} ${await res.text()}`);
};
const keys = new Map<string, string>();

const shipment = (shipmentId: string, lines: { lineId: string; quantity: number }[], carrier = 'UPS') => ({
  shipment: { shipmentId, carrier, trackingNumber: `1Z-${shipmentId}`, shipMethod: 'Standard', shippedAt: '2026-12-01T10:00:00.000Z', lines },
});

/** A service on the sandboxes with a movable clock, and one seller (its key known to `recordWarehouse`). */
const sellerService = async (t: Test) => {
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const svc = await startTestService(t, sandboxEnv(sandboxes), { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  keys.set(tenant.tenantId, tenant.apiKey);
  const call = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: tenant.apiKey, ...(body !== undefined ? { body } : {}) });
  return { clock, sandboxes, svc, tenant, call };
};

t.test('Walmart: release → acknowledged; shipments → the marketplace sees the right lines, carrier and tracking; a combination only when complete; repeats change nothing', async (t) => {
  const { clock, sandboxes, svc, tenant, call } = await sellerService(t);
  for (const sku of ['WIDGET', 'GADGET']) await call('POST', '/v1/products', { sku, name: sku });
  const { walmart } = sandboxes;
  const po = walmart.orders.add({ lines: [{ sku: 'WM-KIT', quantity: 1 }, { sku: 'WM-SOLO', quantity: 2 }] });
  const rejectedPo = walmart.orders.add({ lines: [{ sku: 'WM-SOLO', quantity: 1 }] });
  clock.advance(3 * MIN);
  const auth = await authorizeWalmart(svc, tenant.apiKey, sandboxes, { initialLookbackDays: 3 });
  const storeId = auth.storeIds[0] as string;
  t.equal((await call('PUT', `/v1/stores/${storeId}/mappings/WM-KIT`, { components: [{ sku: 'WIDGET', quantity: 1 }, { sku: 'GADGET', quantity: 2 }] })).status, 200);
  t.equal((await call('PUT', `/v1/stores/${storeId}/mappings/WM-SOLO`, { components: [{ sku: 'WIDGET', quantity: 1 }] })).status, 200);
  await svc.projections.caughtUp(['pull_schedule', 'mappings']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 2 });
  await settle(svc);

  const statuses = (id: string) => walmart.orders.get(id)!.orderLines.orderLine.map((l) => l.orderLineStatuses.orderLineStatus.map((s) => `${s.status}:${s.statusQuantity.amount}`).join(','));
  t.same(statuses(po.purchaseOrderId), ['Acknowledged:1', 'Acknowledged:2'], 'acknowledged as soon as released');
  const orderId = await orderIdOf(svc, po.purchaseOrderId);
  const [kitLine, soloLine] = po.orderLines.orderLine.map((l) => l.lineNumber) as [string, string];

  // The kit's first component and the solo line ship: only the solo line is complete.
  await recordWarehouse(svc, orderId, 'WarehouseShipmentRecorded', shipment('S1', [{ lineId: `${kitLine}:0`, quantity: 1 }, { lineId: `${soloLine}:0`, quantity: 2 }], 'ups'));
  await settle(svc);
  t.same(statuses(po.purchaseOrderId), ['Acknowledged:1', 'Shipped:2']);
  const solo = walmart.orders.get(po.purchaseOrderId)!.orderLines.orderLine[1]!.orderLineStatuses.orderLineStatus[0]!;
  t.match(solo.trackingInfo, { carrierName: { carrier: 'UPS' }, trackingNumber: '1Z-S1', methodCode: 'Standard' }, 'carrier mapped to Walmart’s list');
  const partly = (await json(await call('GET', `/v1/orders/${orderId}`))).marketplaceSync;
  t.match(partly, { state: 'confirmed', pending: [], confirmedLines: { [soloLine]: 2 } }, 'what shipped complete is confirmed');
  t.notOk(kitLine in partly.confirmedLines, 'the kit waits for its other component');

  // The second component ships with FedEx SmartPost (Walmart's FEDEXSP): the kit is confirmed now.
  await recordWarehouse(svc, orderId, 'WarehouseShipmentRecorded', shipment('S2', [{ lineId: `${kitLine}:1`, quantity: 2 }], 'FedEx SmartPost'));
  await settle(svc);
  t.same(statuses(po.purchaseOrderId), ['Shipped:1', 'Shipped:2']);
  t.match(walmart.orders.get(po.purchaseOrderId)!.orderLines.orderLine[0]!.orderLineStatuses.orderLineStatus[0]!.trackingInfo, { carrierName: { carrier: 'FEDEXSP' }, trackingNumber: '1Z-S2' });
  t.match((await json(await call('GET', `/v1/orders/${orderId}`))).marketplaceSync, { state: 'confirmed', pending: [], failed: [], confirmedLines: { [kitLine]: 1, [soloLine]: 2 } });

  // Running the sender again (a redelivery) sends nothing and records nothing.
  const before = (await svc.store.readStream(orderStreamId(orderId))).length;
  const calls = walmart.counters.byStatus('shippingUpdates');
  await svc.marketplaceSync.syncOrder(orderId, null, true);
  t.equal((await svc.store.readStream(orderStreamId(orderId))).length, before, 'nothing recorded twice');
  t.same(walmart.counters.byStatus('shippingUpdates'), calls, 'nothing sent twice');
  const types = (await svc.store.readStream(orderStreamId(orderId))).map((e) => e.type).filter((x) => x.startsWith('Marketplace'));
  t.same(types, ['MarketplaceOrderAcknowledged', 'MarketplaceShipmentConfirmed', 'MarketplaceShipmentConfirmed']);

  // The warehouse rejects the other order: its line is cancelled at Walmart.
  const rejectedId = await orderIdOf(svc, rejectedPo.purchaseOrderId);
  await recordWarehouse(svc, rejectedId, 'WarehouseFulfillmentRejected', { messageId: 'R1', reason: 'out of stock', lines: [] });
  await settle(svc);
  t.same(statuses(rejectedPo.purchaseOrderId), ['Cancelled:1']);
  t.equal(walmart.orders.get(rejectedPo.purchaseOrderId)!.orderLines.orderLine[0]!.orderLineStatuses.orderLineStatus[0]!.cancellationReason, 'SELLER_CANCEL_OUT_OF_STOCK');
  const list = await json(await call('GET', '/v1/orders?confirmation=confirmed'));
  t.same(list.items.map((o: { orderId: string }) => o.orderId).sort(), [orderId, rejectedId].sort(), 'the confirmation filter');

  const metrics = await (await svc.call('GET', '/metrics')).text();
  t.match(metrics, /oms_marketplace_confirmations_total\{[^}]*platform="walmart"[^}]*outcome="confirmed"[^}]*\} 5/, 'two acknowledgements, two confirmations, one cancellation');
});

t.test('Walmart US: a line the buyer asked to cancel after release, shipped anyway, goes with the override; an unlisted carrier goes as otherCarrier with the warehouse’s tracking URL, and without one is refused before the call', async (t) => {
  const { clock, sandboxes, svc, tenant, call } = await sellerService(t);
  await call('POST', '/v1/products', { sku: 'WIDGET', name: 'WIDGET' });
  const { walmart } = sandboxes;
  const po = walmart.orders.add({ lines: [{ sku: 'WM-SOLO', quantity: 2 }, { sku: 'WM-SOLO', quantity: 1 }, { sku: 'WM-SOLO', quantity: 1 }] });
  clock.advance(3 * MIN);
  const auth = await authorizeWalmart(svc, tenant.apiKey, sandboxes, { initialLookbackDays: 3 });
  const storeId = auth.storeIds[0] as string;
  t.equal((await call('PUT', `/v1/stores/${storeId}/mappings/WM-SOLO`, { components: [{ sku: 'WIDGET', quantity: 1 }] })).status, 200);
  await svc.projections.caughtUp(['pull_schedule', 'mappings']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 1 });
  await settle(svc);
  const [asked, other, third] = po.orderLines.orderLine.map((l) => l.lineNumber) as [string, string, string];

  // After the release the buyer asks to cancel the first line; the warehouse ships it anyway.
  walmart.orders.requestCancellation(po.purchaseOrderId, { lineNumbers: [asked] });
  clock.advance(3 * MIN);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersChanged: 1 });
  await settle(svc);
  const orderId = await orderIdOf(svc, po.purchaseOrderId);
  await recordWarehouse(svc, orderId, 'WarehouseShipmentRecorded', shipment('S1', [{ lineId: `${asked}:0`, quantity: 2 }], 'Royal Mail'));
  await settle(svc);
  const line = (n: string) => walmart.orders.get(po.purchaseOrderId)!.orderLines.orderLine.find((l) => l.lineNumber === n)!.orderLineStatuses.orderLineStatus;
  t.match(line(asked), [{ status: 'Shipped', trackingInfo: { carrierName: { carrier: 'Royal Mail' } } }], 'accepted: the sandbox refuses that line without intentToCancelOverride');

  // The other line ships with a carrier Walmart does not list: refused before the call, recorded as failed.
  const calls = walmart.counters.byStatus('shippingUpdates');
  await recordWarehouse(svc, orderId, 'WarehouseShipmentRecorded', shipment('S2', [{ lineId: `${other}:0`, quantity: 1 }], 'Speedy Freight'));
  await settle(svc);
  t.same(walmart.counters.byStatus('shippingUpdates'), calls, 'nothing sent');
  t.match(line(other), [{ status: 'Acknowledged' }]);
  const sync = (await json(await call('GET', `/v1/orders/${orderId}`))).marketplaceSync;
  t.match(sync, { state: 'failed', confirmedLines: { [asked]: 2 } });
  t.match(JSON.stringify(sync), /not on Walmart's carrier list/, 'the reason is on the order');

  // The third line ships with that carrier too, and the warehouse's report carries the tracking page.
  const url = 'https://speedy-freight.example.com/track/1Z-S3';
  const s3 = shipment('S3', [{ lineId: `${third}:0`, quantity: 1 }], 'Speedy Freight');
  await recordWarehouse(svc, orderId, 'WarehouseShipmentRecorded', { shipment: { ...s3.shipment, trackingUrl: url } });
  await settle(svc);
  t.match(line(third), [{ status: 'Shipped', trackingInfo: { carrierName: { otherCarrier: 'Speedy Freight' }, trackingNumber: '1Z-S3', trackingURL: url } }], 'sent as otherCarrier with the URL');
  const confirmed = (await svc.store.readStream(orderStreamId(orderId))).filter((e) => e.type === 'MarketplaceShipmentConfirmed').at(-1);
  t.match(confirmed?.data, { shipmentId: 'S3', carrier: { name: 'Speedy Freight', other: true }, trackingUrl: url }, 'the order’s history says what was sent');
  t.match((await json(await call('GET', `/v1/orders/${orderId}`))).marketplaceSync, { confirmedLines: { [asked]: 2, [third]: 1 } });
});

t.test('Amazon: a shipment is confirmed with an unlisted carrier as Others; a permanent refusal is recorded as failed; a restart confirms once', async (t) => {
  const { clock, sandboxes, svc, tenant, call } = await sellerService(t);
  await call('POST', '/v1/products', { sku: 'WIDGET', name: 'Widget' });
  const { amazon } = sandboxes;
  const seller = amazon.sellers[0]!.sellerId;
  const auth = await authorizeAmazon(svc, tenant.apiKey, { region: 'NA' });
  const storeId = auth.marketplaces.find((m: { marketplaceId: string }) => m.marketplaceId === 'ATVPDKIKX0DER').storeId as string;
  const created = clock.now().getTime() - 60 * MIN;
  const order = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED', items: [{ sellerSku: 'AMZ-2PK', quantity: 3 }] });
  const doomed = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED', items: [{ sellerSku: 'AMZ-2PK', quantity: 1 }] });
  const refused = amazon.orders.add({ sellerId: seller, marketplaceId: 'ATVPDKIKX0DER', createdAt: created, status: 'UNSHIPPED', items: [{ sellerSku: 'AMZ-2PK', quantity: 1 }] });
  await call('PUT', `/v1/stores/${storeId}/mappings/AMZ-2PK`, { components: [{ sku: 'WIDGET', quantity: 2 }] });
  clock.advance(3 * MIN);
  await svc.projections.caughtUp(['pull_schedule', 'mappings']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 3 });
  await settle(svc);
  const orderId = await orderIdOf(svc, order.orderId);
  const item = order.orderItems[0]!.orderItemId;

  // 5 widgets of 6 shipped: two packs complete (partial shipment), the third waits.
  await recordWarehouse(svc, orderId, 'WarehouseShipmentRecorded', shipment('A1', [{ lineId: `${item}:0`, quantity: 5 }], 'Speedy Freight'));
  await settle(svc);
  const seen = amazon.orders.get(order.orderId)!;
  t.equal(seen.fulfillment?.fulfillmentStatus, 'PARTIALLY_SHIPPED');
  t.match(seen.packages, [{ packageReferenceId: '1', carrier: 'Speedy Freight', trackingNumber: '1Z-A1', packageItems: [{ orderItemId: item, quantity: 2 }] }]);

  // The process "dies" before the next shipment is confirmed: the sender is stopped, the shipment
  // recorded, and a new sender on the same database (a restart) confirms it exactly once.
  await svc.syncRunner.stop();
  await recordWarehouse(svc, orderId, 'WarehouseShipmentRecorded', shipment('A2', [{ lineId: `${item}:0`, quantity: 1 }]));
  const restarted = eventReactor({ name: 'policy:marketplace-sync', db: svc.db, store: svc.store, filter: MARKETPLACE_SYNC_FILTER, react: svc.marketplaceSync.react, log: svc.app.log as never });
  restarted.start();
  t.teardown(() => restarted.stop());
  await restarted.caughtUp();
  await svc.projections.caughtUp(['marketplace_sync']);
  const after = amazon.orders.get(order.orderId)!;
  t.equal(after.fulfillment?.fulfillmentStatus, 'SHIPPED');
  t.same(after.packages?.map((p) => [p.packageReferenceId, p.carrier, p.packageItems[0]!.quantity]), [['1', 'Speedy Freight', 2], ['2', 'UPS', 1]], 'confirmed once');
  t.equal(amazon.counters.byStatus('confirmShipment')[204], 2);

  // The warehouse rejects part of nothing-shipped order: Amazon cancels the whole order.
  const doomedId = await orderIdOf(svc, doomed.orderId);
  await recordWarehouse(svc, doomedId, 'WarehouseFulfillmentRejected', { messageId: 'R9', reason: 'damaged', lines: [] });
  await restarted.caughtUp();
  t.equal(amazon.orders.get(doomed.orderId)!.fulfillment?.fulfillmentStatus, 'CANCELLED');

  // A refusal is permanent: the buyer's order was cancelled at Amazon meanwhile; the order shows failed with Amazon's error.
  amazon.orders.cancel(refused.orderId);
  const refusedId = await orderIdOf(svc, refused.orderId);
  await recordWarehouse(svc, refusedId, 'WarehouseShipmentRecorded', shipment('A9', [{ lineId: `${refused.orderItems[0]!.orderItemId}:0`, quantity: 2 }]));
  await restarted.caughtUp();
  await svc.projections.caughtUp(['marketplace_sync']);
  const detail = await json(await call('GET', `/v1/orders/${refusedId}`));
  t.match(detail.marketplaceSync, { state: 'failed', failed: ['A9'], lastError: { action: 'confirm', code: 'bad_request', status: 400, permanent: true, message: /InvalidInput: The order cannot be confirmed in status CANCELLED/ } });
  t.same((await json(await call('GET', '/v1/orders?confirmation=failed'))).items.map((o: { orderId: string }) => o.orderId), [refusedId]);
  t.equal((await json(await call('GET', `/v1/orders/${orderId}`))).marketplaceSync.state, 'confirmed');
});

const kafkaUnavailable = await kafkaUnavailableReason();

t.test('over Kafka: a ShipmentConfirmed on the warehouse-events topic reaches Walmart as a shipping update', { timeout: 180_000, skip: kafkaUnavailable ?? false }, async (t) => {
  const brokers = await findKafkaBrokers();
  const topic = uniqueTopic('warehouse-events');
  const clock = movableClock();
  const sandboxes = await sandboxesFor(t, { amazon: { orders: false }, walmart: { orders: false }, now: () => clock.now() });
  const env = { ...sandboxEnv(sandboxes), KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC: uniqueTopic('feed-unused'), KAFKA_TOPIC_PARTITIONS: '1', WAREHOUSE_EVENTS_TOPIC: topic, WAREHOUSE_EVENTS_GROUP: `oms-${topic}` };
  const svc = await startTestService(t, env, { clock, timing: clock.timing });
  const tenant = await createTenant(svc, 'Seller');
  const call = (method: string, path: string, body?: unknown) => svc.call(method, path, { token: tenant.apiKey, ...(body !== undefined ? { body } : {}) });
  await call('POST', '/v1/products', { sku: 'WIDGET', name: 'Widget' });
  const po = sandboxes.walmart.orders.add({ lines: [{ sku: 'WM-1', quantity: 1 }] });
  clock.advance(3 * MIN);
  const auth = await authorizeWalmart(svc, tenant.apiKey, sandboxes, { initialLookbackDays: 3 });
  const storeId = auth.storeIds[0] as string;
  await call('PUT', `/v1/stores/${storeId}/mappings/WM-1`, { components: [{ sku: 'WIDGET', quantity: 3 }] });
  await svc.projections.caughtUp(['pull_schedule', 'mappings']);
  t.match(await svc.pulls.pullStore(storeId, 'manual'), { ok: true, ordersNew: 1 });
  await settle(svc);
  const orderId = await orderIdOf(svc, po.purchaseOrderId);
  const lineNumber = po.orderLines.orderLine[0]!.lineNumber;

  const kafka = new Kafka({ clientId: 'test-wms', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const message = { messageId: 'kafka-1', type: 'ShipmentConfirmed', schemaVersion: 1, occurredAt: '2026-12-01T10:00:00Z', tenantId: tenant.tenantId, orderId, ...shipment('K1', [{ lineId: `${lineNumber}:0`, quantity: 3 }], 'USPS') };
  await producer.send({ topic, messages: [{ key: orderId, value: JSON.stringify(message) }, { key: orderId, value: JSON.stringify(message) }] });
  const shipped = () => sandboxes.walmart.orders.get(po.purchaseOrderId)!.orderLines.orderLine[0]!.orderLineStatuses.orderLineStatus;
  for (let i = 0; i < 600 && shipped()[0]!.status !== 'Shipped'; i++) await new Promise((r) => setTimeout(r, 100));
  t.match(shipped(), [{ status: 'Shipped', statusQuantity: { amount: '1' }, trackingInfo: { carrierName: { carrier: 'USPS' }, trackingNumber: '1Z-K1' } }]);
  await settle(svc);
  const types = (await svc.store.readStream(orderStreamId(orderId))).map((e) => e.type);
  t.equal(types.filter((x) => x === 'WarehouseShipmentRecorded').length, 1, 'the duplicate message recorded nothing');
  t.equal(types.filter((x) => x === 'MarketplaceShipmentConfirmed').length, 1, 'confirmed once');
});
